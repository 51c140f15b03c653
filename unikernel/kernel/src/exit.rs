//! Leaving QEMU with a status through the `isa-debug-exit` device (`iobase=0xf4`).
//! QEMU exits with `(code << 1) | 1`, so the host sees a distinct status per class.

use crate::arch::pio;

/// Why the guest stops. The values are the host contract in `ring0db-contracts`, decoded
/// by `images`.
pub use ring0db_contracts::ExitCode;

/// Stops the machine with `code`. If the exit device is missing, halts forever with
/// interrupts off (after printing why) rather than returning.
pub fn exit(code: ExitCode) -> ! {
    pio::debug_exit(code as u32);
    crate::console::emergency_write(format_args!(
        "ring0db: isa-debug-exit device missing; halting (exit code {:#x})\n",
        code as u32
    ));
    crate::arch::cpu::halt_forever()
}
