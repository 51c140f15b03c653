//! Port I/O on the fixed legacy devices of QEMU's `pc` machine, as safe functions. Each
//! function names the device it drives, so no caller outside `arch` writes to an
//! arbitrary port.
//!
//! - the 8254 PIT channel 2 and its gate (port 0x61), the calibration reference;
//! - the 8254 PIT channel 0 as a periodic rate generator, the profiler's sampling clock;
//! - PCI configuration mechanism #1 (ports 0xCF8 address / 0xCFC data);
//! - QEMU's `isa-debug-exit` device (port 0xF4);
//! - the COM1 UART (0x3F8), handed out as a `uart_16550` port;
//! - the CMOS real-time clock (index port 0x70, data port 0x71), read only.

use uart_16550::SerialPort;
use x86_64::instructions::port::Port;

const PIT_CHANNEL0_DATA: u16 = 0x40;
const PIT_CHANNEL2_DATA: u16 = 0x42;
const PIT_COMMAND: u16 = 0x43;
const PIT_GATE_PORT: u16 = 0x61;
const PIT_GATE_ENABLE: u8 = 0x01;
const PIT_SPEAKER_ENABLE: u8 = 0x02;
const PIT_OUTPUT_HIGH: u8 = 0x20;
/// Channel 2, lobyte/hibyte access, mode 0 (interrupt on terminal count), binary.
const PIT_CHANNEL2_MODE0: u8 = 0b1011_0000;
/// Channel 0, lobyte/hibyte access, mode 2 (rate generator), binary.
const PIT_CHANNEL0_MODE2: u8 = 0b0011_0100;
/// Channel 0, lobyte/hibyte access, mode 0 with no count written: the output stays low.
const PIT_CHANNEL0_MODE0: u8 = 0b0011_0000;

const PCI_CONFIG_ADDRESS_PORT: u16 = 0xcf8;
const PCI_CONFIG_DATA_PORT: u16 = 0xcfc;

/// I/O port of QEMU's `isa-debug-exit` device, as configured in `images/vm.toml`.
const DEBUG_EXIT_PORT: u16 = 0xf4;

const CMOS_INDEX_PORT: u16 = 0x70;
const CMOS_DATA_PORT: u16 = 0x71;
/// Keeps NMIs masked (bit 7 of the index port) while a CMOS register is selected.
const CMOS_NMI_DISABLE: u8 = 0x80;
/// The CMOS registers exist at indices 0..128.
const CMOS_REGISTER_MASK: u8 = 0x7f;

/// I/O base of COM1.
pub const COM1_BASE: u16 = 0x3f8;

/// Starts PIT channel 0 pulsing its output (ISA IRQ 0) every `divisor` input clocks.
pub fn pit_channel0_periodic(divisor: u16) {
    // SAFETY: standard programming of PIT channel 0; only the profiler uses it.
    unsafe {
        Port::<u8>::new(PIT_COMMAND).write(PIT_CHANNEL0_MODE2);
        let mut data = Port::<u8>::new(PIT_CHANNEL0_DATA);
        data.write(divisor as u8);
        data.write((divisor >> 8) as u8);
    }
}

/// Stops channel 0's pulses (mode 0 without a count: the output stays low).
pub fn pit_channel0_stop() {
    // SAFETY: as for `pit_channel0_periodic`.
    unsafe { Port::<u8>::new(PIT_COMMAND).write(PIT_CHANNEL0_MODE0) };
}

/// Starts PIT channel 2 counting down `count` input clocks (mode 0, speaker off).
/// Poll [`pit_countdown_done`] for the end.
pub fn pit_start_countdown(count: u16) {
    // SAFETY: standard programming of PIT channel 2 and its gate; nothing else uses
    // them, and port I/O on them has no effect on memory.
    unsafe {
        let mut gate = Port::<u8>::new(PIT_GATE_PORT);
        let value = gate.read();
        gate.write((value & !PIT_SPEAKER_ENABLE) & !PIT_GATE_ENABLE);
        Port::<u8>::new(PIT_COMMAND).write(PIT_CHANNEL2_MODE0);
        let mut data = Port::<u8>::new(PIT_CHANNEL2_DATA);
        data.write(count as u8);
        data.write((count >> 8) as u8);
        gate.write((value & !PIT_SPEAKER_ENABLE) | PIT_GATE_ENABLE);
    }
}

/// Whether the countdown started by [`pit_start_countdown`] has reached zero.
#[inline]
pub fn pit_countdown_done() -> bool {
    // SAFETY: reading the PIT gate/status port has no side effects.
    unsafe { Port::<u8>::new(PIT_GATE_PORT).read() & PIT_OUTPUT_HIGH != 0 }
}

/// Reads the 32-bit PCI configuration register selected by `address` (mechanism #1
/// format: enable bit, bus, device, function, register).
///
/// The address/data pair is not atomic: callers use it with interrupts off on the one
/// CPU (see `drivers::pci`).
pub fn pci_config_read(address: u32) -> u32 {
    // SAFETY: 0xCF8/0xCFC are the PCI configuration mechanism #1 ports of the `pc`
    // machine; selecting a register and reading it has no effect on memory.
    unsafe {
        Port::<u32>::new(PCI_CONFIG_ADDRESS_PORT).write(address);
        Port::<u32>::new(PCI_CONFIG_DATA_PORT).read()
    }
}

/// Writes `data` to the PCI configuration register selected by `address`. Callers only
/// write registers of devices this kernel drives (command register, BARs).
pub fn pci_config_write(address: u32, data: u32) {
    // SAFETY: as for `pci_config_read`; the registers written (command, BARs) are those
    // of devices the kernel drives, whose BARs it places in the unused PCI hole.
    unsafe {
        Port::<u32>::new(PCI_CONFIG_ADDRESS_PORT).write(address);
        Port::<u32>::new(PCI_CONFIG_DATA_PORT).write(data);
    }
}

/// Writes `value` to QEMU's `isa-debug-exit` device, which ends the VM with status
/// `(value << 1) | 1`. Returns only if the device is missing.
pub fn debug_exit(value: u32) {
    // SAFETY: writing to the isa-debug-exit port has no effect on memory; without the
    // device the write is ignored by QEMU.
    unsafe { Port::<u32>::new(DEBUG_EXIT_PORT).write(value) };
}

/// A handle on the COM1 UART (not initialised: call `init` once before first use).
/// Several handles may exist; they only risk interleaved characters.
pub fn com1() -> SerialPort {
    // SAFETY: COM1_BASE is the standard COM1 I/O base that QEMU emulates; the UART is
    // only driven through the console, and its ports do not touch memory.
    unsafe { SerialPort::new(COM1_BASE) }
}

/// Reads CMOS register `register` (the RTC's time and status registers live there).
/// Reading has no side effects beyond selecting the register.
pub fn cmos_read(register: u8) -> u8 {
    // SAFETY: selecting and reading a CMOS register touches no memory; the kernel writes
    // no CMOS register, so no other user interleaves with the index/data pair (the one
    // CPU runs this with interrupts as the caller left them, and nothing in an interrupt
    // handler reads the CMOS).
    unsafe {
        Port::<u8>::new(CMOS_INDEX_PORT).write(CMOS_NMI_DISABLE | (register & CMOS_REGISTER_MASK));
        Port::<u8>::new(CMOS_DATA_PORT).read()
    }
}
