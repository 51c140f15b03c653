//! The 8254 PIT, used once at boot as a known-frequency reference to calibrate the TSC
//! and the local APIC timer (channel 2, gated through port 0x61, no interrupt).

use crate::arch::pio;

/// The PIT's input clock.
pub const PIT_HZ: u64 = 1_193_182;

/// Runs `during` while the PIT counts down `duration_us` microseconds (at most ~54 ms);
/// returns what `during` returned at the end. `during` is called repeatedly.
pub fn measure<T>(duration_us: u64, mut during: impl FnMut() -> T) -> T {
    let count = (PIT_HZ * duration_us / 1_000_000).clamp(1, u64::from(u16::MAX)) as u16;
    pio::pit_start_countdown(count);
    let mut last = during();
    while !pio::pit_countdown_done() {
        last = during();
    }
    last
}

/// The median of `samples` runs of `measure_once` (at most 9).
pub fn median_of(samples: usize, mut measure_once: impl FnMut() -> u64) -> u64 {
    const MAX_SAMPLES: usize = 9;
    let mut values = [0u64; MAX_SAMPLES];
    let count = samples.clamp(1, MAX_SAMPLES);
    for value in values.iter_mut().take(count) {
        *value = measure_once();
    }
    values[..count].sort_unstable();
    values[count / 2]
}
