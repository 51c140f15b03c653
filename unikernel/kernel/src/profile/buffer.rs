//! The sample buffer: one static array of atomic words that the sampling NMI fills and
//! the host reads out of guest memory (QEMU's `memsave`, see `images::profile`). The
//! layout is a host contract: [`HEADER_WORDS`] header words, then [`CAPACITY`] samples
//! of [`SAMPLE_WORDS`] words each. Only the NMI handler writes samples, and NMIs do not
//! nest, so a plain atomic index is a lock-free single-producer buffer; when it is full
//! further samples are counted as dropped.

use core::sync::atomic::{AtomicU64, Ordering};

use crate::arch::entry::TrapFrame;
use crate::mem::stacks::KnownStack;

/// `"R0PROF01"`: marks the buffer so the host can tell it found the right memory.
pub const MAGIC: u64 = u64::from_le_bytes(*b"R0PROF01");
/// Samples the buffer holds (at 1000 Hz: 65 s of samples).
pub const CAPACITY: usize = 65_536;
/// Return addresses kept per sample, beyond the interrupted RIP.
pub const MAX_DEPTH: usize = 30;
/// Words per sample: RIP, flags, then up to [`MAX_DEPTH`] return addresses.
pub const SAMPLE_WORDS: usize = 2 + MAX_DEPTH;
/// Header words before the first sample.
pub const HEADER_WORDS: usize = 16;

/// Header word indices (the host reads the same numbers).
pub mod header {
    pub const MAGIC: usize = 0;
    pub const CAPACITY: usize = 1;
    pub const SAMPLE_WORDS: usize = 2;
    pub const HZ: usize = 3;
    /// Samples written (never more than the capacity).
    pub const WRITTEN: usize = 4;
    /// Samples that found the buffer full.
    pub const DROPPED: usize = 5;
    /// Lowest and highest RSP the sampling handler ran at.
    pub const HANDLER_RSP_MIN: usize = 6;
    pub const HANDLER_RSP_MAX: usize = 7;
    /// The NMI IST stack's usable range.
    pub const IST_START: usize = 8;
    pub const IST_END: usize = 9;
    /// Samples whose handler did not run on the NMI IST stack.
    pub const OFF_IST: usize = 10;
}

/// Sample flag: the CPU was idling (`poll_wait` halted or spinning with nothing to do).
pub const FLAG_IDLE: u64 = 1 << 0;
/// Sample flag: the interrupted code ran on an IST stack (inside an interrupt handler).
pub const FLAG_IN_HANDLER: u64 = 1 << 1;
/// Sample flag: the frame chain ended on an address outside every known stack.
pub const FLAG_CHAIN_CUT: u64 = 1 << 2;
/// Sample flag: the application was inside a kernel call (kernel work on its behalf).
pub const FLAG_KERNEL_CALL: u64 = 1 << 3;
/// The number of return addresses is kept in bits 8..16 of the flags.
pub const DEPTH_SHIFT: u32 = 8;

const WORDS: usize = HEADER_WORDS + CAPACITY * SAMPLE_WORDS;

/// The buffer. The host finds it in `ring0db.elf` by its demangled symbol name
/// (`ring0db_kernel::profile::buffer::RING0DB_PROFILE`).
pub static RING0DB_PROFILE: [AtomicU64; WORDS] = [const { AtomicU64::new(0) }; WORDS];

fn word(index: usize) -> &'static AtomicU64 {
    &RING0DB_PROFILE[index]
}

/// Clears the buffer's header and marks it as sampling at `hz` with the handler's
/// stack at `ist`.
pub fn reset(hz: u32, ist: core::ops::Range<u64>) {
    word(header::WRITTEN).store(0, Ordering::Relaxed);
    word(header::DROPPED).store(0, Ordering::Relaxed);
    word(header::OFF_IST).store(0, Ordering::Relaxed);
    word(header::HANDLER_RSP_MIN).store(u64::MAX, Ordering::Relaxed);
    word(header::HANDLER_RSP_MAX).store(0, Ordering::Relaxed);
    word(header::CAPACITY).store(CAPACITY as u64, Ordering::Relaxed);
    word(header::SAMPLE_WORDS).store(SAMPLE_WORDS as u64, Ordering::Relaxed);
    word(header::HZ).store(u64::from(hz), Ordering::Relaxed);
    word(header::IST_START).store(ist.start, Ordering::Relaxed);
    word(header::IST_END).store(ist.end, Ordering::Relaxed);
    word(header::MAGIC).store(MAGIC, Ordering::Release);
}

/// What the kernel knew about the interrupted code.
#[derive(Clone, Copy, Debug)]
pub struct Context {
    /// The CPU was idling.
    pub idle: bool,
    /// The application was inside a kernel call.
    pub in_kernel_call: bool,
}

/// Records one sample of the code `frame` interrupted; `handler_rsp` is where the
/// sampling handler itself runs. No allocation, no lock; every word of the frame chain
/// is read only if it lies on a known (always mapped) stack, so a corrupt chain ends the
/// walk instead of faulting.
pub fn record(frame: &TrapFrame, context: Context, handler_rsp: u64, on_own_ist: bool) {
    word(header::HANDLER_RSP_MIN).fetch_min(handler_rsp, Ordering::Relaxed);
    word(header::HANDLER_RSP_MAX).fetch_max(handler_rsp, Ordering::Relaxed);
    if !on_own_ist {
        word(header::OFF_IST).fetch_add(1, Ordering::Relaxed);
    }
    let index = word(header::WRITTEN).load(Ordering::Relaxed) as usize;
    if index >= CAPACITY {
        word(header::DROPPED).fetch_add(1, Ordering::Relaxed);
        return;
    }
    let base = HEADER_WORDS + index * SAMPLE_WORDS;
    let mut flags = 0;
    if context.idle {
        flags |= FLAG_IDLE;
    }
    if context.in_kernel_call {
        flags |= FLAG_KERNEL_CALL;
    }
    if matches!(KnownStack::containing(frame.rsp), Some(KnownStack::Ist(_))) {
        flags |= FLAG_IN_HANDLER;
    }
    let (depth, cut) = walk(frame.rbp, |depth, return_address| {
        word(base + 2 + depth).store(return_address, Ordering::Relaxed);
    });
    if cut {
        flags |= FLAG_CHAIN_CUT;
    }
    flags |= (depth as u64) << DEPTH_SHIFT;
    word(base).store(frame.rip, Ordering::Relaxed);
    word(base + 1).store(flags, Ordering::Relaxed);
    word(header::WRITTEN).store(index as u64 + 1, Ordering::Release);
}

/// Follows the frame-pointer chain from `rbp`, calling `found(depth, return_address)`
/// for up to [`MAX_DEPTH`] frames. Returns the depth and whether the chain left the
/// known stacks (rather than ending at a zero frame or return address).
fn walk(mut rbp: u64, mut found: impl FnMut(usize, u64)) -> (usize, bool) {
    for depth in 0..MAX_DEPTH {
        if rbp == 0 {
            return (depth, false);
        }
        let next = KnownStack::read_word(rbp);
        let return_address = rbp.checked_add(8).and_then(KnownStack::read_word);
        let (Some(next), Some(return_address)) = (next, return_address) else {
            return (depth, true);
        };
        if return_address == 0 {
            return (depth, false);
        }
        found(depth, return_address);
        // Frames grow towards higher addresses while unwinding; anything else is a
        // corrupt or cyclic chain.
        if next <= rbp {
            return (depth + 1, next != 0);
        }
        rbp = next;
    }
    (MAX_DEPTH, false)
}

/// Samples written so far.
pub fn written() -> u64 {
    word(header::WRITTEN).load(Ordering::Acquire)
}

/// The count of samples written, for code that waits for samples (the red-zone test).
pub fn written_counter() -> &'static AtomicU64 {
    word(header::WRITTEN)
}

/// Samples that found the buffer full.
pub fn dropped() -> u64 {
    word(header::DROPPED).load(Ordering::Relaxed)
}

/// Samples whose handler ran off the NMI IST stack (must stay 0).
pub fn off_ist() -> u64 {
    word(header::OFF_IST).load(Ordering::Relaxed)
}

/// The lowest and highest RSP the sampling handler ran at.
pub fn handler_rsp_range() -> (u64, u64) {
    (
        word(header::HANDLER_RSP_MIN).load(Ordering::Relaxed),
        word(header::HANDLER_RSP_MAX).load(Ordering::Relaxed),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_off_the_known_stacks_is_cut_without_reading_it() {
        let mut seen = 0;
        let (depth, cut) = walk(0x10, |_, _| seen += 1);
        assert_eq!((depth, cut, seen), (0, true, 0));
        assert_eq!(walk(0, |_, _| {}), (0, false));
    }
}
