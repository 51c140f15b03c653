//! Frame-pointer backtraces (the kernel is built with `force-frame-pointers`). Only
//! frames that lie on a known stack are followed, so printing never faults.

use crate::console::emergency_write;
use crate::mem::stacks::KnownStack;

const MAX_FRAMES: usize = 32;

/// Prints `rip`, then the return addresses found by walking the `rbp` chain.
pub fn print(rip: u64, mut rbp: u64) {
    emergency_write(format_args!(
        "  backtrace (addr2line -e images/out/ring0db.elf ADDR):\n    #0  {rip:#018x}\n"
    ));
    for depth in 1..MAX_FRAMES {
        let readable = rbp.is_multiple_of(8)
            && KnownStack::containing(rbp).is_some()
            && KnownStack::containing(rbp + 8).is_some();
        if !readable {
            break;
        }
        // SAFETY: both words lie inside a mapped kernel stack (checked above).
        let (next, return_address) = unsafe { (*(rbp as *const u64), *((rbp + 8) as *const u64)) };
        if return_address == 0 {
            break;
        }
        emergency_write(format_args!("    #{depth:<2} {return_address:#018x}\n"));
        if next <= rbp {
            break;
        }
        rbp = next;
    }
}

/// The caller's frame pointer.
#[inline(always)]
pub fn current_frame_pointer() -> u64 {
    let rbp: u64;
    // SAFETY: reads a register; no memory access.
    unsafe {
        core::arch::asm!("mov {}, rbp", out(reg) rbp, options(nomem, nostack, preserves_flags))
    };
    rbp
}
