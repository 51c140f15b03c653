//! The red-zone demonstration. A leaf routine keeps a pattern in the 128 bytes below
//! RSP (the System V red zone) and checks it continuously while a fast periodic timer
//! interrupts it. Delivered on an IST stack, an interrupt never touches the red zone.
//! Delivered on the current stack (test mode `redzone-nonist`), the CPU pushes its
//! frame right there and the routine sees the pattern change.

use core::sync::atomic::Ordering;

use crate::arch::ist::IstSlot;
use crate::arch::vectors::APIC_TIMER;
use crate::arch::{apic, idt, probes};
use crate::exit::ExitCode;
use crate::time::timer;

/// Timer interrupts that must hit the routine.
const INTERRUPTS: u64 = 10_000;
/// Sampling NMIs that must hit the routine when `profile=` is on.
const PROFILE_SAMPLES: u64 = 2_000;
/// Timer period: fast, so many interrupts land inside the checking loop.
const TIMER_PERIOD_NS: u64 = 20_000;

/// Runs the probe with the timer on its IST stack (`on_ist`) or on the current stack.
pub fn run(on_ist: bool) -> ExitCode {
    if !on_ist {
        log::warn!("red zone: test mode delivers the APIC timer on the CURRENT stack (IST off for vector {APIC_TIMER:#x})");
        idt::set_ist(APIC_TIMER, None);
    }
    let start = timer::INTERRUPTS.load(Ordering::Relaxed);
    let target = start + INTERRUPTS;
    // With the profiler on, the check runs until it has taken PROFILE_SAMPLES sampling
    // NMIs (the APIC timer keeps interrupting too): under TCG an APIC timer interrupt was
    // seen to stay pending (IRR set, IF=1) while NMIs kept arriving, so the timer count
    // is not a safe end condition there.
    let (counter, target) = if crate::profile::armed() {
        let samples = crate::profile::buffer::written_counter();
        (samples, samples.load(Ordering::Relaxed) + PROFILE_SAMPLES)
    } else {
        (&timer::INTERRUPTS, target)
    };
    apic::timer_periodic(timer::ns_to_apic_ticks(TIMER_PERIOD_NS));
    x86_64::instructions::interrupts::enable();
    let corruptions = probes::red_zone_check(counter, target);
    x86_64::instructions::interrupts::disable();
    apic::timer_stop();
    idt::set_ist(APIC_TIMER, Some(IstSlot::Irq));
    let taken = timer::INTERRUPTS.load(Ordering::Relaxed) - start;
    if crate::profile::armed() {
        log::info!(
            "red zone: {} profiler samples (NMIs on IST2) were taken during the check",
            crate::profile::buffer::written()
        );
    }
    let where_delivered = if on_ist { "IST5" } else { "the current stack" };
    log::info!("red zone: {taken} timer interrupts on {where_delivered}; red zone corrupted {corruptions} times");
    match (on_ist, corruptions) {
        (true, 0) => {
            log::info!("red zone: intact (IST delivery never touches the interrupted stack)");
            ExitCode::Success
        }
        (false, n) if n > 0 => {
            log::info!("red zone: corruption detected, as expected without IST");
            ExitCode::Success
        }
        _ => ExitCode::TestFailed,
    }
}
