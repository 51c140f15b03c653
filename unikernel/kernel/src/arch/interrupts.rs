//! The vector table: which handler serves each of the 256 IDT vectors.
//!
//! `arch` owns the IDT, the entry stubs and [`TrapFrame`]; it knows nothing about what
//! the kernel does with a vector. The kernel registers a handler per vector with
//! [`register`] (and one for every other vector with [`set_fallback`]) once at boot,
//! before interrupts are enabled. The entry path reads the table lock-free: one load and
//! one indirect call per interrupt.

use super::entry::TrapFrame;
use super::handler_cell::HandlerCell;
use super::idt::VECTOR_COUNT;

/// A vector's handler. It runs on the vector's IST stack with interrupts off; what it
/// writes to the frame is restored into the interrupted code's registers.
pub type Handler = fn(&mut TrapFrame);

static HANDLERS: [HandlerCell<Handler>; VECTOR_COUNT] =
    [const { HandlerCell::new() }; VECTOR_COUNT];
static FALLBACK: HandlerCell<Handler> = HandlerCell::new();

/// Installs `handler` for `vector`, replacing any earlier one.
pub fn register(vector: u8, handler: Handler) {
    HANDLERS[usize::from(vector)].set(handler);
}

/// Installs the handler for every vector without one of its own.
pub fn set_fallback(handler: Handler) {
    FALLBACK.set(handler);
}

/// Runs the handler registered for `frame.vector`, else the fallback; with neither
/// (an interrupt before the kernel registered anything), halts.
#[inline(always)]
pub(super) fn dispatch(frame: &mut TrapFrame) {
    let vector = usize::from(frame.vector as u8);
    match HANDLERS[vector].get().or_else(|| FALLBACK.get()) {
        Some(handler) => handler(frame),
        None => super::cpu::halt_forever(),
    }
}
