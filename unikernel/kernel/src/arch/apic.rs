//! The local APIC (xAPIC, memory-mapped): enable, end-of-interrupt, one-shot and
//! periodic timer.

use core::ptr::{read_volatile, write_volatile};
use core::sync::atomic::{AtomicU64, Ordering};

use x86_64::registers::model_specific::Msr;

use super::vectors::{APIC_SPURIOUS, APIC_TIMER};

/// IA32_APIC_BASE MSR.
const IA32_APIC_BASE: u32 = 0x1b;
const APIC_BASE_ENABLE: u64 = 1 << 11;
const APIC_BASE_ADDRESS_MASK: u64 = 0x000f_ffff_ffff_f000;

const REG_EOI: u64 = 0xb0;
const REG_SPURIOUS: u64 = 0xf0;
const REG_LVT_TIMER: u64 = 0x320;
const REG_TIMER_INITIAL: u64 = 0x380;
const REG_TIMER_CURRENT: u64 = 0x390;
const REG_TIMER_DIVIDE: u64 = 0x3e0;

const SPURIOUS_ENABLE: u32 = 1 << 8;
const LVT_MASKED: u32 = 1 << 16;
const LVT_PERIODIC: u32 = 1 << 17;
/// Divide configuration value for "divide by 16".
const DIVIDE_BY_16: u32 = 0b0011;

/// Physical (= virtual, identity-mapped) base of the local APIC registers.
static BASE: AtomicU64 = AtomicU64::new(0);

/// Physical base address of the local APIC, from its MSR.
pub fn physical_base() -> u64 {
    // SAFETY: IA32_APIC_BASE exists on every CPU with an APIC (all x86-64 CPUs).
    unsafe { Msr::new(IA32_APIC_BASE).read() & APIC_BASE_ADDRESS_MASK }
}

/// Enables the local APIC at `base` (already mapped uncached) with the spurious vector.
pub fn init(base: u64) {
    // SAFETY: setting the global enable bit of our own APIC base MSR.
    unsafe {
        let mut msr = Msr::new(IA32_APIC_BASE);
        let value = msr.read();
        msr.write(value | APIC_BASE_ENABLE);
    }
    BASE.store(base, Ordering::Relaxed);
    write(REG_SPURIOUS, SPURIOUS_ENABLE | u32::from(APIC_SPURIOUS));
    write(REG_TIMER_DIVIDE, DIVIDE_BY_16);
    write(REG_LVT_TIMER, LVT_MASKED | u32::from(APIC_TIMER));
}

/// Signals end of interrupt to the local APIC.
pub fn end_of_interrupt() {
    write(REG_EOI, 0);
}

/// Arms the timer to fire once after `ticks` APIC timer ticks (0 disarms it).
pub fn timer_one_shot(ticks: u32) {
    write(REG_LVT_TIMER, u32::from(APIC_TIMER));
    write(REG_TIMER_INITIAL, ticks);
}

/// Fires the timer every `ticks` ticks until [`timer_stop`].
pub fn timer_periodic(ticks: u32) {
    write(REG_LVT_TIMER, u32::from(APIC_TIMER) | LVT_PERIODIC);
    write(REG_TIMER_INITIAL, ticks.max(1));
}

/// Stops and masks the timer.
pub fn timer_stop() {
    write(REG_LVT_TIMER, LVT_MASKED | u32::from(APIC_TIMER));
    write(REG_TIMER_INITIAL, 0);
}

/// Starts a free-running masked countdown from the maximum, for calibration.
pub fn timer_start_calibration() {
    write(REG_LVT_TIMER, LVT_MASKED | u32::from(APIC_TIMER));
    write(REG_TIMER_INITIAL, u32::MAX);
}

/// The countdown's current value.
pub fn timer_current() -> u32 {
    read(REG_TIMER_CURRENT)
}

fn write(register: u64, value: u32) {
    let base = BASE.load(Ordering::Relaxed);
    if base == 0 {
        return;
    }
    // SAFETY: `base` is the APIC's register page, mapped uncached by `mem::paging`;
    // `register` is one of the architectural 32-bit register offsets.
    unsafe { write_volatile((base + register) as *mut u32, value) };
}

fn read(register: u64) -> u32 {
    let base = BASE.load(Ordering::Relaxed);
    if base == 0 {
        return 0;
    }
    // SAFETY: as for `write`.
    unsafe { read_volatile((base + register) as *const u32) }
}
