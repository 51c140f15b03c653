//! The 8254 PIT, used once at boot as a known-frequency reference to calibrate the TSC
//! and the local APIC timer (channel 2, gated through port 0x61, no interrupt).

use x86_64::instructions::port::Port;

/// The PIT's input clock.
pub const PIT_HZ: u64 = 1_193_182;
const CHANNEL2_DATA: u16 = 0x42;
const COMMAND: u16 = 0x43;
const GATE_PORT: u16 = 0x61;
const GATE_ENABLE: u8 = 0x01;
const SPEAKER_ENABLE: u8 = 0x02;
const OUTPUT_HIGH: u8 = 0x20;
/// Channel 2, lobyte/hibyte access, mode 0 (interrupt on terminal count), binary.
const CHANNEL2_MODE0: u8 = 0b1011_0000;

/// Runs `during` while the PIT counts down `duration_us` microseconds (at most ~54 ms);
/// returns what `during` returned at the end. `during` is called repeatedly.
pub fn measure<T>(duration_us: u64, mut during: impl FnMut() -> T) -> T {
    let count = (PIT_HZ * duration_us / 1_000_000).clamp(1, u64::from(u16::MAX)) as u16;
    // SAFETY: standard programming of PIT channel 2 and its gate; nothing else uses them.
    unsafe {
        let mut gate = Port::<u8>::new(GATE_PORT);
        let value = gate.read();
        gate.write((value & !SPEAKER_ENABLE) & !GATE_ENABLE);
        Port::<u8>::new(COMMAND).write(CHANNEL2_MODE0);
        let mut data = Port::<u8>::new(CHANNEL2_DATA);
        data.write(count as u8);
        data.write((count >> 8) as u8);
        gate.write((value & !SPEAKER_ENABLE) | GATE_ENABLE);
        let mut last = during();
        while gate.read() & OUTPUT_HIGH == 0 {
            last = during();
        }
        last
    }
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
