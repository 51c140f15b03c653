//! The red-zone demonstration. A leaf routine keeps a pattern in the 128 bytes below
//! RSP (the System V red zone) and checks it continuously while a fast periodic timer
//! interrupts it. Delivered on an IST stack, an interrupt never touches the red zone.
//! Delivered on the current stack (test mode `redzone-nonist`), the CPU pushes its
//! frame right there and the routine sees the pattern change.

use core::sync::atomic::Ordering;

use crate::arch::ist::IstSlot;
use crate::arch::vectors::APIC_TIMER;
use crate::arch::{apic, idt};
use crate::exit::ExitCode;
use crate::time::timer;

/// Timer interrupts that must hit the routine.
const INTERRUPTS: u64 = 10_000;
/// Timer period: fast, so many interrupts land inside the checking loop.
const TIMER_PERIOD_NS: u64 = 20_000;

extern "C" {
    /// Fills the red zone with a pattern and checks it until `*counter >= target`,
    /// re-filling after every mismatch. Returns how many mismatches it saw.
    fn red_zone_probe(counter: *const u64, target: u64) -> u64;
}

core::arch::global_asm!(
    r#"
    .section .text.red_zone_probe, "ax"
    .global red_zone_probe
red_zone_probe:
    xor r8d, r8d
    movabs rax, 0x5aa5f00dcafe0000
3:
    mov ecx, 16
4:
    lea rdx, [rax + rcx]
    mov [rsp + rcx * 8 - 136], rdx
    dec ecx
    jnz 4b
5:
    mov ecx, 16
6:
    lea rdx, [rax + rcx]
    cmp [rsp + rcx * 8 - 136], rdx
    jne 7f
    dec ecx
    jnz 6b
    cmp [rdi], rsi
    jb 5b
    mov rax, r8
    ret
7:
    inc r8
    cmp [rdi], rsi
    jb 3b
    mov rax, r8
    ret
    .text
    "#
);

/// Runs the probe with the timer on its IST stack (`on_ist`) or on the current stack.
pub fn run(on_ist: bool) -> ExitCode {
    if !on_ist {
        log::warn!("red zone: test mode delivers the APIC timer on the CURRENT stack (IST off for vector {APIC_TIMER:#x})");
        idt::set_ist(APIC_TIMER, None);
    }
    let start = timer::INTERRUPTS.load(Ordering::Relaxed);
    let target = start + INTERRUPTS;
    apic::timer_periodic(timer::ns_to_apic_ticks(TIMER_PERIOD_NS));
    x86_64::instructions::interrupts::enable();
    // SAFETY: the probe only reads `counter` and writes below its own RSP (the red
    // zone, which this leaf routine owns); the counter is a live static.
    let corruptions = unsafe { red_zone_probe(timer::INTERRUPTS.as_ptr(), target) };
    x86_64::instructions::interrupts::disable();
    apic::timer_stop();
    idt::set_ist(APIC_TIMER, Some(IstSlot::Irq));
    let taken = timer::INTERRUPTS.load(Ordering::Relaxed) - start;
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
