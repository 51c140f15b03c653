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
        let next = KnownStack::read_word(rbp);
        let return_address = rbp.checked_add(8).and_then(KnownStack::read_word);
        let (Some(next), Some(return_address)) = (next, return_address) else {
            break;
        };
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

/// The caller's frame pointer (for the panic handler, absent from host unit tests).
#[cfg(not(test))]
#[inline(always)]
pub fn current_frame_pointer() -> u64 {
    crate::arch::cpu::frame_pointer()
}
