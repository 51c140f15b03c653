//! Device interrupt handlers, indexed by line (vector - `DEVICE_IRQ_BASE`). A PCI INTx
//! line may be shared (the PIIX3 routes four PIRQ links to the devices of every slot),
//! so each line holds up to [`HANDLERS_PER_LINE`] handlers, all run on every interrupt;
//! each reads its own device's status, so a handler whose device did not interrupt
//! costs one register read.

use crate::arch::handler_cell::HandlerCell;
use crate::arch::vectors::DEVICE_IRQ_COUNT;

const LINES: usize = DEVICE_IRQ_COUNT as usize;
/// Devices that may share one line (the NIC and the disk).
pub const HANDLERS_PER_LINE: usize = 2;

/// The handlers of one line.
type Line = [HandlerCell<fn()>; HANDLERS_PER_LINE];

static HANDLERS: [Line; LINES] =
    [const { [const { HandlerCell::new() }; HANDLERS_PER_LINE] }; LINES];

/// Installs `handler` for device line `line` (0-based) next to those already there. It
/// runs with interrupts off on the IRQ IST stack and must be short. Returns `false` (and
/// installs nothing) when the line already has [`HANDLERS_PER_LINE`] handlers.
pub fn register(line: u8, handler: fn()) -> bool {
    let cells = &HANDLERS[usize::from(line) % LINES];
    match cells.iter().find(|cell| cell.get().is_none()) {
        Some(cell) => {
            cell.set(handler);
            true
        }
        None => false,
    }
}

/// Called by the interrupt dispatcher.
pub fn dispatch(line: u8) {
    for cell in &HANDLERS[usize::from(line) % LINES] {
        if let Some(handler) = cell.get() {
            handler();
        }
    }
}
