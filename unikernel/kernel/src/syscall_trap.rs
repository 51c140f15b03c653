//! The trap vector for trap-dispatched system calls (`syscall=trap`). The kernel knows
//! nothing of the application: whoever provides the system-call table installs it here.

use core::sync::atomic::{AtomicUsize, Ordering};

use crate::arch::entry::TrapFrame;

static HANDLER: AtomicUsize = AtomicUsize::new(0);

/// Installs the function that serves the trap vector. It receives the saved registers
/// (arguments in, results out) and runs on the software-trap IST stack.
pub fn install(handler: fn(&mut TrapFrame)) {
    HANDLER.store(handler as usize, Ordering::Release);
}

/// Called by the interrupt dispatcher for the syscall vector.
pub fn dispatch(frame: &mut TrapFrame) {
    let handler = HANDLER.load(Ordering::Acquire);
    if handler == 0 {
        crate::arch::exceptions::unexpected_vector(frame);
    }
    // SAFETY: only `install` stores non-zero values, and it stores `fn(&mut TrapFrame)`.
    let handler: fn(&mut TrapFrame) =
        unsafe { core::mem::transmute::<usize, fn(&mut TrapFrame)>(handler) };
    handler(frame);
}
