//! In-kernel tests and benchmarks, selected with `test=NAME` / `bench=NAME`. The host
//! harness (`unikernel/harness`) boots the image with each and checks the serial
//! output and exit status.

// Unsafe allowed: calls `syscalls::trap` with buffers it owns for the call (its contract),
// in thread context.
#[allow(unsafe_code)]
mod disk;
mod faults;
// Unsafe allowed: raises the benchmark vectors, which are thread-context only.
#[allow(unsafe_code)]
mod irq_cost;
mod net;
// Unsafe allowed: calls `syscalls::trap`, whose contract it upholds (no addresses,
// thread context).
#[allow(unsafe_code)]
mod null_call;
mod profile_hot_loop;
mod red_zone;
mod starvation;

use crate::exit::ExitCode;
use crate::Kernel;

/// Test names accepted by `test=`.
pub const TESTS: &[&str] = &[
    "boot",
    "fault-de",
    "fault-ud",
    "fault-gp",
    "fault-pf",
    "fault-bp",
    "sse",
    "starve-exception",
    "starve-irq",
    "overflow",
    "redzone",
    "redzone-nonist",
    "net-up",
    "profile-hot-loop",
    "disk-write",
    "disk-verify",
    "disk-eio",
];

/// Benchmark names accepted by `bench=`.
pub const BENCHMARKS: &[&str] = &["irq", "nullcall", "disk"];

/// Runs test `name`.
pub fn run(name: &str, kernel: &Kernel) -> ExitCode {
    log::info!("selftest: running `{name}`");
    match name {
        "boot" => idle_once(kernel),
        "fault-de" => faults::divide_error(),
        "fault-ud" => faults::invalid_opcode(),
        "fault-gp" => faults::general_protection(),
        "fault-pf" => faults::page_fault(),
        "fault-bp" => faults::breakpoint(),
        "sse" => faults::sse_instruction(),
        "starve-exception" => starvation::exception_with_unmapped_stack(),
        "starve-irq" => starvation::interrupt_with_unmapped_stack(),
        "overflow" => starvation::runaway_recursion(),
        "redzone" => red_zone::run(true),
        "redzone-nonist" => red_zone::run(false),
        "net-up" => net::serve(kernel),
        "profile-hot-loop" => profile_hot_loop::run(),
        "disk-write" => disk::write(),
        "disk-verify" => disk::verify(),
        "disk-eio" => disk::write_errors(),
        _ => ExitCode::TestFailed,
    }
}

/// Runs benchmark `name`.
pub fn run_benchmark(name: &str, _kernel: &Kernel) -> ExitCode {
    match name {
        "irq" => irq_cost::run(),
        "nullcall" => null_call::run(),
        "disk" => disk::bench(),
        _ => ExitCode::TestFailed,
    }
}

/// Goes idle with `hlt` until an APIC timer deadline wakes the CPU: proves that
/// interrupts, the timer and idling work.
fn idle_once(_kernel: &Kernel) -> ExitCode {
    const DEADLINE_NS: u64 = 1_000_000;
    let start = crate::time::now_ns();
    crate::time::timer::set_deadline_in(DEADLINE_NS);
    while !crate::time::timer::take_fired() {
        crate::arch::cpu::wait_for_interrupt();
    }
    let waited_us = (crate::time::now_ns() - start) / 1000;
    log::info!("idle: hlt woke on the APIC timer deadline after {waited_us} us");
    ExitCode::Success
}
