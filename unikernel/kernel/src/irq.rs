//! Device interrupt handlers, indexed by line (vector - `DEVICE_IRQ_BASE`).

use crate::arch::handler_cell::HandlerCell;
use crate::arch::vectors::DEVICE_IRQ_COUNT;

const LINES: usize = DEVICE_IRQ_COUNT as usize;

static HANDLERS: [HandlerCell<fn()>; LINES] = [const { HandlerCell::new() }; LINES];

/// Installs `handler` for device line `line` (0-based). It runs with interrupts off on
/// the IRQ IST stack and must be short.
pub fn register(line: u8, handler: fn()) {
    HANDLERS[usize::from(line) % LINES].set(handler);
}

/// Called by the interrupt dispatcher.
pub fn dispatch(line: u8) {
    let index = usize::from(line) % LINES;
    if let Some(handler) = HANDLERS[index].get() {
        handler();
    }
}
