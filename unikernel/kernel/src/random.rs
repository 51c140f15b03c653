//! A 64-bit random seed per boot, for the application's keyed hash tables (hash-flooding
//! resistance) and anything else that must not be predictable from outside.
//!
//! Sources, best first: RDSEED, RDRAND (when CPUID offers them), else the TSC: the low bits
//! of cycle counts around work whose duration varies (interrupt timing, emulation, cache
//! state) folded into a hash. The TSC fallback is not cryptographic; it only keeps the
//! seed from being the same on every boot.

use crate::arch::{cpu, random};

/// Where a seed came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Rdseed,
    Rdrand,
    Tsc,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::Rdseed => "RDSEED",
            Source::Rdrand => "RDRAND",
            Source::Tsc => "TSC jitter (no RDSEED/RDRAND)",
        }
    }
}

/// TSC samples folded into a fallback seed.
const TSC_SAMPLES: usize = 256;

/// A fresh 64-bit seed and its source. Logs the source.
pub fn seed() -> (u64, Source) {
    let (value, source) = if let Some(v) = random::rdseed() {
        (v, Source::Rdseed)
    } else if let Some(v) = random::rdrand() {
        (v, Source::Rdrand)
    } else {
        (tsc_seed(), Source::Tsc)
    };
    log::info!("random: 64-bit seed from {}", source.name());
    // Mixed with the TSC anyway: a broken generator returning constants (some AMD parts
    // returned all-ones after suspend) still yields different seeds per boot.
    (mix(value, cpu::rdtsc()), source)
}

/// Fold cycle-count deltas of a small varying workload into a hash.
fn tsc_seed() -> u64 {
    let mut state = cpu::rdtsc();
    let mut previous = state;
    for i in 0..TSC_SAMPLES {
        // Work whose duration depends on the state so far.
        let spins = (state as usize & 0x3f) + i % 7;
        for _ in 0..spins {
            core::hint::spin_loop();
        }
        let now = cpu::rdtsc();
        state = mix(state, now.wrapping_sub(previous));
        previous = now;
    }
    state
}

/// SplitMix64's finaliser over `a + b`: every input bit affects every output bit.
pub fn mix(a: u64, b: u64) -> u64 {
    let mut z = a.wrapping_add(b).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix_avalanches_one_bit_changes() {
        for bit in 0..64 {
            let flipped = (mix(12345, 0) ^ mix(12345 ^ (1 << bit), 0)).count_ones();
            assert!(
                (16..=48).contains(&flipped),
                "bit {bit}: {flipped} bits changed"
            );
        }
    }

    #[test]
    fn seeds_differ_between_calls() {
        // On the host CPU (RDSEED/RDRAND or the TSC); either way never twice the same.
        let (a, _) = seed();
        let (b, _) = seed();
        assert_ne!(a, b);
    }

    #[test]
    fn the_tsc_fallback_differs_between_calls() {
        assert_ne!(tsc_seed(), tsc_seed());
    }
}
