//! Device interrupt handlers, indexed by line (vector - `DEVICE_IRQ_BASE`).

use core::sync::atomic::{AtomicUsize, Ordering};

use crate::arch::vectors::DEVICE_IRQ_COUNT;

const LINES: usize = DEVICE_IRQ_COUNT as usize;

static HANDLERS: [AtomicUsize; LINES] = [const { AtomicUsize::new(0) }; LINES];

/// Installs `handler` for device line `line` (0-based). It runs with interrupts off on
/// the IRQ IST stack and must be short.
pub fn register(line: u8, handler: fn()) {
    HANDLERS[usize::from(line) % LINES].store(handler as usize, Ordering::Release);
}

/// Called by the interrupt dispatcher.
pub fn dispatch(line: u8) {
    let index = usize::from(line) % LINES;
    let handler = HANDLERS[index].load(Ordering::Acquire);
    if handler != 0 {
        // SAFETY: only `register` stores non-zero values, and it stores `fn()` pointers.
        let handler: fn() = unsafe { core::mem::transmute::<usize, fn()>(handler) };
        handler();
    }
}
