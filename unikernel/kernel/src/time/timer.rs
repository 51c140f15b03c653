//! One-shot deadlines on the local APIC timer, calibrated against the PIT.

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::arch::apic;
use crate::arch::entry::TrapFrame;
use crate::mem::stacks::KnownStack;

static APIC_TICKS_PER_MS: AtomicU64 = AtomicU64::new(0);
/// Timer interrupts taken since boot.
pub static INTERRUPTS: AtomicU64 = AtomicU64::new(0);
/// Timer interrupts whose handler did not run on an IST stack.
pub static OFF_IST: AtomicU64 = AtomicU64::new(0);
/// RSP of the code the last timer interrupt interrupted.
pub static LAST_INTERRUPTED_RSP: AtomicU64 = AtomicU64::new(0);
static FIRED: AtomicBool = AtomicBool::new(false);
const CALIBRATION_US: u64 = 4_000;
const CALIBRATION_WINDOWS: usize = 5;

/// Measures the APIC timer rate against the PIT.
pub fn calibrate() -> u64 {
    let per_ms = super::pit::median_of(CALIBRATION_WINDOWS, || {
        apic::timer_start_calibration();
        let remaining = super::pit::measure(CALIBRATION_US, apic::timer_current);
        apic::timer_stop();
        u64::from(u32::MAX - remaining) * 1000 / CALIBRATION_US
    });
    APIC_TICKS_PER_MS.store(per_ms.max(1), Ordering::Relaxed);
    per_ms
}

/// APIC timer ticks for `ns` nanoseconds (at least 1).
pub fn ns_to_apic_ticks(ns: u64) -> u32 {
    let ticks = u128::from(ns) * u128::from(APIC_TICKS_PER_MS.load(Ordering::Relaxed)) / 1_000_000;
    ticks.clamp(1, u128::from(u32::MAX)) as u32
}

/// Arms a one-shot interrupt `ns` from now, replacing any earlier deadline.
pub fn set_deadline_in(ns: u64) {
    FIRED.store(false, Ordering::Relaxed);
    apic::timer_one_shot(ns_to_apic_ticks(ns));
}

/// Whether the deadline armed last has passed (and clears the flag).
pub fn take_fired() -> bool {
    FIRED.swap(false, Ordering::Relaxed)
}

/// Called from the interrupt dispatcher on the timer vector.
pub fn on_interrupt(frame: &TrapFrame) {
    INTERRUPTS.fetch_add(1, Ordering::Relaxed);
    LAST_INTERRUPTED_RSP.store(frame.rsp, Ordering::Relaxed);
    if !matches!(
        KnownStack::containing(frame.address()),
        Some(KnownStack::Ist(_))
    ) {
        OFF_IST.fetch_add(1, Ordering::Relaxed);
    }
    FIRED.store(true, Ordering::Relaxed);
}
