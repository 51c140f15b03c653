//! `test=profile-hot-loop` (with `profile=HZ`): spins in a known function,
//! [`profiler_hot_loop`], until the profiler has taken [`SAMPLES`] samples, then stops
//! sampling, reports where the sampling handler ran, and halts with interrupts off so
//! the host can read the sample buffer out of guest memory and find the loop at the
//! top of the profile by its symbol.

use crate::exit::ExitCode;
use crate::profile::{self, buffer};

/// Samples to take before stopping.
const SAMPLES: u64 = 400;
/// Give up after this long (TCG on a loaded host can be slow, but not this slow).
const DEADLINE_NS: u64 = 120_000_000_000;

/// Runs the hot loop under the profiler; returns only on failure.
pub fn run() -> ExitCode {
    if !profile::armed() {
        log::error!("profile: test=profile-hot-loop needs profile=HZ on the command line");
        return ExitCode::TestFailed;
    }
    let start = crate::time::now_ns();
    let mut rounds = 0u64;
    while buffer::written() < SAMPLES && crate::time::now_ns() - start < DEADLINE_NS {
        rounds = rounds.wrapping_add(profiler_hot_loop(core::hint::black_box(100_000)));
    }
    profile::stop();
    let handler_on_ist = profile::report();
    if buffer::written() < SAMPLES || !handler_on_ist {
        log::error!("profile: hot loop got {} samples", buffer::written());
        return ExitCode::TestFailed;
    }
    log::info!(
        "profile: hot loop done ({rounds:#x}); halting so the host can read RING0DB_PROFILE"
    );
    crate::arch::cpu::halt_forever()
}

/// The known hot loop: an xorshift over `iterations` steps, kept out of line so its
/// symbol is what the samples hit.
#[inline(never)]
pub fn profiler_hot_loop(iterations: u64) -> u64 {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..iterations {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x = core::hint::black_box(x);
    }
    x
}
