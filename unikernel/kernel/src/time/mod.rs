//! Time: the TSC as the monotonic clock (calibrated at boot from CPUID or the PIT), the
//! CMOS RTC as the wall clock's origin, and the local APIC timer for one-shot deadlines.

pub mod pit;
pub mod rtc;
pub mod timer;
pub mod tsc;

/// Nanoseconds since the kernel's entry (0 until the TSC is calibrated).
pub fn uptime_ns() -> u64 {
    tsc::ticks_to_ns(crate::arch::cpu::rdtsc().saturating_sub(tsc::boot_tsc()))
}

/// The monotonic clock in nanoseconds (same origin as [`uptime_ns`]).
pub fn now_ns() -> u64 {
    uptime_ns()
}
