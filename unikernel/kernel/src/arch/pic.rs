//! The legacy 8259 PICs: remapped away from the exception vectors and fully masked.
//! The kernel uses the local APIC and IOAPIC instead.

use x86_64::instructions::port::Port;

use super::vectors::PIC_BASE;

const PIC1_COMMAND: u16 = 0x20;
const PIC1_DATA: u16 = 0x21;
const PIC2_COMMAND: u16 = 0xa0;
const PIC2_DATA: u16 = 0xa1;
const ICW1_INIT_WITH_ICW4: u8 = 0x11;
const ICW4_8086: u8 = 0x01;
const MASK_ALL: u8 = 0xff;

/// Remaps the PICs to `PIC_BASE..PIC_BASE+16` and masks every line.
pub fn disable() {
    // SAFETY: the standard 8259 initialisation sequence on its fixed ports; the PICs
    // are not used by anything else.
    unsafe {
        let mut cmd1 = Port::<u8>::new(PIC1_COMMAND);
        let mut cmd2 = Port::<u8>::new(PIC2_COMMAND);
        let mut data1 = Port::<u8>::new(PIC1_DATA);
        let mut data2 = Port::<u8>::new(PIC2_DATA);
        cmd1.write(ICW1_INIT_WITH_ICW4);
        cmd2.write(ICW1_INIT_WITH_ICW4);
        data1.write(PIC_BASE);
        data2.write(PIC_BASE + 8);
        data1.write(4); // slave on IRQ 2
        data2.write(2); // cascade identity
        data1.write(ICW4_8086);
        data2.write(ICW4_8086);
        data1.write(MASK_ALL);
        data2.write(MASK_ALL);
    }
}
