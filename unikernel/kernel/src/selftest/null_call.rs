//! `bench=nullcall`: the cost of a null system call (`getppid`) made as a plain function
//! call into the kernel versus through the trap vector (`int 0x80` on IST6, dispatch by
//! number, `iretq`) — Kernel Mode Linux's "system calls become function calls".
//! Prints `bench-nullcall,<path>,<round>,<cycles per call>,<ns per call>` lines.

use core::hint::black_box;

use crate::arch::cpu::rdtsc;
use crate::exit::ExitCode;
use crate::syscalls::{getppid, nr, trap};
use crate::time::tsc;

const ROUNDS: u32 = 5;
const CALLS_PER_ROUND: u64 = 100_000;

/// Runs both paths, `ROUNDS` rounds each, interleaved.
pub fn run() -> ExitCode {
    crate::console::write_fmt(format_args!(
        "bench-nullcall,path,round,cycles_per_call,ns_per_call\n"
    ));
    for round in 1..=ROUNDS {
        let function: fn() -> i64 = black_box(getppid);
        report("function-call", round, measure(function));
        report(
            "trap-int0x80",
            round,
            // SAFETY: GETPPID reads no argument, so no address contract applies, and
            // the benchmark runs in thread context (from `kernel_entry`).
            measure(|| unsafe { trap(nr::GETPPID, 0, 0, 0, 0) }),
        );
    }
    ExitCode::Success
}

fn measure(mut call: impl FnMut() -> i64) -> u64 {
    let start = rdtsc();
    for _ in 0..CALLS_PER_ROUND {
        black_box(call());
    }
    (rdtsc() - start) / CALLS_PER_ROUND
}

fn report(path: &str, round: u32, cycles: u64) {
    let ns = tsc::ticks_to_ns(cycles * 1000) as f64 / 1000.0;
    crate::console::write_fmt(format_args!(
        "bench-nullcall,{path},{round},{cycles},{ns:.1}\n"
    ));
}
