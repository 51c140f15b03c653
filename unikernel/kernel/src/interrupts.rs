//! Which handler serves which interrupt vector. [`install`] registers them with
//! `arch::interrupts` once at boot, right after the IDT is loaded and before anything
//! can raise an interrupt: exceptions, the syscall trap, the APIC timer, device IRQs,
//! spurious interrupts and the benchmark vectors. Every other vector is fatal.

use crate::arch::apic;
use crate::arch::entry::{self, TrapFrame};
use crate::arch::interrupts::{register, set_fallback};
use crate::arch::vectors::{
    APIC_SPURIOUS, APIC_TIMER, BENCH_FXSAVE, BENCH_GPR, BENCH_XSAVE, DEVICE_IRQ_BASE,
    DEVICE_IRQ_COUNT, EXCEPTION_COUNT, PIC_BASE, SYSCALL_TRAP,
};
use crate::{exceptions, irq, syscalls, time};

/// Registers every handler. Call once, before interrupts are enabled.
pub fn install() {
    set_fallback(unexpected);
    for vector in 0..EXCEPTION_COUNT {
        register(vector, exceptions::handle);
    }
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
    time::timer::on_interrupt(frame);
    apic::end_of_interrupt();
}

fn device(frame: &mut TrapFrame) {
    irq::dispatch(frame.vector as u8 - DEVICE_IRQ_BASE);
    apic::end_of_interrupt();
}

fn unexpected(frame: &mut TrapFrame) {
    exceptions::unexpected_vector(frame)
}
