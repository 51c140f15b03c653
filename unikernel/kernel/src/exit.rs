//! Leaving QEMU with a status through the `isa-debug-exit` device (`iobase=0xf4`).
//! QEMU exits with `(code << 1) | 1`, so the host sees a distinct status per class.

use x86_64::instructions::port::Port;

/// I/O port of QEMU's `isa-debug-exit` device, as configured in `images/vm.toml`.
const DEBUG_EXIT_PORT: u16 = 0xf4;

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
    // SAFETY: writing to the isa-debug-exit port has no effect on memory; without the
    // device the write is ignored by QEMU.
    unsafe { Port::<u32>::new(DEBUG_EXIT_PORT).write(code as u32) };
    crate::console::emergency_write(format_args!(
        "ring0db: isa-debug-exit device missing; halting (exit code {:#x})\n",
        code as u32
    ));
    crate::arch::cpu::halt_forever()
}
