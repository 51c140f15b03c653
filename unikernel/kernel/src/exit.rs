//! Leaving QEMU with a status through the `isa-debug-exit` device (`iobase=0xf4`).
//! QEMU exits with `(code << 1) | 1`, so the host sees a distinct status per class.

use crate::arch::pio;

/// Why the guest stops. The values are part of the host contract (see `images`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum ExitCode {
    Success = 0x10,
    TestFailed = 0x11,
    Panic = 0x12,
    FatalException = 0x13,
    StackOverflow = 0x14,
    BadCommandLine = 0x15,
}

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
