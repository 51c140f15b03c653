//! Every stack the kernel runs on: the kernel (thread) stack and the seven IST stacks.
//! Each has one guard page below it that `mem::paging` unmaps at boot, so running off
//! the end becomes a page fault that is reported as a stack overflow.

use core::ops::Range;
use core::ptr::addr_of;

use crate::mem::PAGE_SIZE;

/// Size of the kernel stack that the boot code, the idle loop and the application run on.
pub const KERNEL_STACK_SIZE: usize = 1024 * 1024;
/// Size of each IST stack. Fatal-exception reporting (formatting, backtrace) is the
/// deepest user of it.
pub const IST_STACK_SIZE: usize = 32 * 1024;
/// The number of IST slots x86-64 offers in the TSS.
pub const IST_SLOTS: usize = 7;

/// A stack with a guard page at its low end.
#[repr(C, align(4096))]
pub struct GuardedStack<const N: usize> {
    guard: [u8; PAGE_SIZE],
    stack: [u8; N],
}

impl<const N: usize> GuardedStack<N> {
    /// A zeroed stack, for statics.
    pub const fn new() -> Self {
        Self {
            guard: [0; PAGE_SIZE],
            stack: [0; N],
        }
    }

    /// The guard page's address range.
    pub fn guard(&self) -> Range<u64> {
        let start = addr_of!(self.guard) as u64;
        start..start + PAGE_SIZE as u64
    }

    /// The usable stack's address range (the top is `end`).
    pub fn usable(&self) -> Range<u64> {
        let start = addr_of!(self.stack) as u64;
        start..start + N as u64
    }
}

impl<const N: usize> Default for GuardedStack<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// The kernel stack. The boot assembly sets RSP to its top before calling Rust.
#[no_mangle]
pub static KERNEL_STACK: GuardedStack<KERNEL_STACK_SIZE> = GuardedStack::new();

/// IST stacks, indexed by `IstSlot as usize - 1`.
pub static IST_STACKS: [GuardedStack<IST_STACK_SIZE>; IST_SLOTS] =
    [const { GuardedStack::new() }; IST_SLOTS];

/// The top of every IST stack, in slot order (for the TSS).
pub fn ist_tops() -> [u64; IST_SLOTS] {
    core::array::from_fn(|index| IST_STACKS[index].usable().end)
}

/// A stack the kernel knows by name, for fault reports and IST checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KnownStack {
    Kernel,
    Ist(usize),
}

impl KnownStack {
    /// The stack (usable part) that contains `addr`, if any.
    pub fn containing(addr: u64) -> Option<KnownStack> {
        if KERNEL_STACK.usable().contains(&addr) {
            return Some(KnownStack::Kernel);
        }
        (1..=IST_SLOTS)
            .map(KnownStack::Ist)
            .find(|s| s.usable().contains(&addr))
    }

    /// The 8-byte word at `addr`, if `addr` is aligned and lies in the usable part of a
    /// known stack (always mapped, so the read cannot fault).
    pub fn read_word(addr: u64) -> Option<u64> {
        if !addr.is_multiple_of(8) || KnownStack::containing(addr).is_none() {
            return None;
        }
        // SAFETY: `addr` is aligned and inside a mapped kernel stack, whose usable size
        // is a multiple of 8, so the whole word is readable.
        Some(unsafe { *(addr as *const u64) })
    }

    /// The stack whose guard page contains `addr`, if any.
    pub fn guarded_by(addr: u64) -> Option<KnownStack> {
        if KERNEL_STACK.guard().contains(&addr) {
            return Some(KnownStack::Kernel);
        }
        (1..=IST_SLOTS)
            .map(KnownStack::Ist)
            .find(|s| s.guard().contains(&addr))
    }

    /// Usable range of this stack.
    pub fn usable(self) -> Range<u64> {
        match self {
            KnownStack::Kernel => KERNEL_STACK.usable(),
            KnownStack::Ist(slot) => IST_STACKS[slot - 1].usable(),
        }
    }

    /// Guard page of this stack.
    pub fn guard(self) -> Range<u64> {
        match self {
            KnownStack::Kernel => KERNEL_STACK.guard(),
            KnownStack::Ist(slot) => IST_STACKS[slot - 1].guard(),
        }
    }
}

impl core::fmt::Display for KnownStack {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            KnownStack::Kernel => f.write_str("kernel stack"),
            KnownStack::Ist(slot) => {
                write!(
                    f,
                    "IST{slot} ({})",
                    crate::arch::ist::IstSlot::name_of(*slot)
                )
            }
        }
    }
}
