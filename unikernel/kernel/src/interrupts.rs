//! Which handler serves which interrupt vector. [`install`] registers them with
//! `arch::interrupts` once at boot, right after the IDT is loaded and before anything
//! can raise an interrupt: exceptions, the syscall trap, the APIC timer, device IRQs,
//! spurious interrupts and the benchmark vectors. Every other vector is fatal.
//!
//! The timer and device handlers are timed with the TSC ([`HANDLER_CYCLES`]), and the
//! part taken while the CPU idles in `poll_wait` is kept apart ([`IDLE_HANDLER_CYCLES`]),
//! so the appliance can charge interrupt work to the kernel, not to the server or to idle.

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::arch::apic;
use crate::arch::entry::{self, TrapFrame};
use crate::arch::interrupts::{register, set_fallback};
use crate::arch::vectors::{
    APIC_SPURIOUS, APIC_TIMER, BENCH_FXSAVE, BENCH_GPR, BENCH_XSAVE, DEVICE_IRQ_BASE,
    DEVICE_IRQ_COUNT, EXCEPTION_COUNT, NMI, PIC_BASE, SYSCALL_TRAP,
};
use crate::{exceptions, irq, profile, syscalls, time};

/// TSC cycles spent in the timer and device-IRQ handlers since boot.
pub static HANDLER_CYCLES: AtomicU64 = AtomicU64::new(0);
/// The part of [`HANDLER_CYCLES`] taken while the CPU was idle (see [`set_idle`]).
pub static IDLE_HANDLER_CYCLES: AtomicU64 = AtomicU64::new(0);
static IDLE: AtomicBool = AtomicBool::new(false);

/// Marks the CPU as idling (halted or spinning in `poll_wait` with nothing to do) or not.
pub fn set_idle(idle: bool) {
    IDLE.store(idle, Ordering::Relaxed);
}

/// Whether the CPU is idling (see [`set_idle`]); the profiler tags its samples with it.
pub fn is_idle() -> bool {
    IDLE.load(Ordering::Relaxed)
}

/// Adds the cycles since `start` to the handler counters.
#[inline(always)]
fn account(start: u64) {
    let cycles = crate::arch::cpu::rdtsc().wrapping_sub(start);
    HANDLER_CYCLES.fetch_add(cycles, Ordering::Relaxed);
    if IDLE.load(Ordering::Relaxed) {
        IDLE_HANDLER_CYCLES.fetch_add(cycles, Ordering::Relaxed);
    }
}

/// Registers every handler. Call once, before interrupts are enabled.
pub fn install() {
    set_fallback(unexpected);
    for vector in 0..EXCEPTION_COUNT {
        register(vector, exceptions::handle);
    }
    register(NMI, nmi);
    register(SYSCALL_TRAP, syscalls::dispatch);
    for vector in [BENCH_GPR, BENCH_FXSAVE, BENCH_XSAVE] {
        register(vector, entry::count_bench_hit);
    }
    register(APIC_TIMER, timer);
    for vector in DEVICE_IRQ_BASE..DEVICE_IRQ_BASE + DEVICE_IRQ_COUNT {
        register(vector, device);
    }
    for vector in [APIC_SPURIOUS, PIC_BASE + 7, PIC_BASE + 15] {
        register(vector, entry::count_spurious);
    }
}

fn timer(frame: &mut TrapFrame) {
    let start = crate::arch::cpu::rdtsc();
    time::timer::on_interrupt(frame);
    apic::end_of_interrupt();
    account(start);
}

/// The profiler's sampling interrupt while `profile=` is on, else a reported NMI.
fn nmi(frame: &mut TrapFrame) {
    if !profile::on_nmi(frame) {
        exceptions::handle(frame);
    }
}

fn device(frame: &mut TrapFrame) {
    let start = crate::arch::cpu::rdtsc();
    irq::dispatch(frame.vector as u8 - DEVICE_IRQ_BASE);
    apic::end_of_interrupt();
    account(start);
}

fn unexpected(frame: &mut TrapFrame) {
    exceptions::unexpected_vector(frame)
}
