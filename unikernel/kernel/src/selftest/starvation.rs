//! The stack-starvation problem of Kernel Mode Linux: code running in ring 0 with RSP
//! pointing at unmapped memory. Without IST the CPU cannot push the exception frame,
//! escalates to #DF, then resets. With every vector on an IST stack, the exception or
//! interrupt is handled on a good stack and reported.

use core::hint::black_box;
use core::sync::atomic::Ordering;

use super::faults::UNMAPPED_ADDRESS;
use crate::arch::{apic, probes};
use crate::exit::ExitCode;
use crate::time::timer;

/// Period of the timer used to interrupt the starved code.
const TIMER_PERIOD_NS: u64 = 100_000;

/// Sets RSP to unmapped memory and pushes: the #PF must be handled on IST4.
pub fn exception_with_unmapped_stack() -> ExitCode {
    log::info!("starvation: RSP -> {UNMAPPED_ADDRESS:#x} (unmapped), then push");
    probes::push_on_unmapped_stack()
}

/// Sets RSP to unmapped memory with interrupts on, until a timer interrupt is taken.
pub fn interrupt_with_unmapped_stack() -> ExitCode {
    let target = timer::INTERRUPTS.load(Ordering::Relaxed) + 1;
    apic::timer_periodic(timer::ns_to_apic_ticks(TIMER_PERIOD_NS));
    probes::spin_with_unmapped_stack(&timer::INTERRUPTS, target);
    apic::timer_stop();
    let interrupted_rsp = timer::LAST_INTERRUPTED_RSP.load(Ordering::Relaxed);
    if interrupted_rsp == UNMAPPED_ADDRESS && timer::OFF_IST.load(Ordering::Relaxed) == 0 {
        log::info!(
            "starvation: timer interrupt handled on IST5 while RSP={interrupted_rsp:#x} (unmapped); resumed"
        );
        ExitCode::Success
    } else {
        log::error!("starvation: unexpected interrupted RSP {interrupted_rsp:#x}");
        ExitCode::TestFailed
    }
}

/// Recurses until the kernel stack's guard page is hit: reported as a stack overflow.
pub fn runaway_recursion() -> ExitCode {
    log::info!("starvation: unbounded recursion on the kernel stack");
    let depth = recurse(black_box(1));
    log::error!("starvation: recursion returned at depth {depth}");
    ExitCode::TestFailed
}

#[inline(never)]
fn recurse(depth: u64) -> u64 {
    let frame = black_box([depth; 64]);
    if black_box(depth) == 0 {
        return 0;
    }
    recurse(depth + 1) + frame[7]
}
