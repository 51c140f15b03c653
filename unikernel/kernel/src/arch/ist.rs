//! IST slot assignment. Rule: handlers that can nest never share a stack.
//!
//! - #DF, NMI and #MC each own a stack: they can arrive at any moment, also while
//!   another handler runs. With `profile=HZ` the NMI is the profiler's sampling
//!   interrupt (PIT channel 0 through the IOAPIC in NMI delivery mode), so samples land
//!   inside IRQ handlers and interrupts-off code too, and never touch the sampled stack.
//! - Fatal exceptions share one stack: a fault inside a fault handler is itself fatal
//!   and its report replaces the first (which never returns).
//! - #DB and #BP are resumable traps and get their own stack, so a breakpoint inside
//!   any other handler does not clobber it.
//! - Device IRQs, the APIC timer and spurious vectors share one stack: they run with
//!   interrupts off and therefore never nest with each other.
//! - Software traps (the syscall vector and benchmark vectors) are raised only from
//!   thread context, never from a handler, and may be interrupted by IRQs while the
//!   syscall waits for the network: so they need a stack apart from IRQs.

use super::vectors;

/// One of the seven IST slots of the TSS (1-based, as in the IDT gate).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum IstSlot {
    DoubleFault = 1,
    Nmi = 2,
    MachineCheck = 3,
    Exception = 4,
    Irq = 5,
    SoftwareTrap = 6,
    Debug = 7,
}

impl IstSlot {
    /// All slots in index order.
    pub const ALL: [IstSlot; 7] = [
        IstSlot::DoubleFault,
        IstSlot::Nmi,
        IstSlot::MachineCheck,
        IstSlot::Exception,
        IstSlot::Irq,
        IstSlot::SoftwareTrap,
        IstSlot::Debug,
    ];

    /// Human name of slot `index` (1-based).
    pub fn name_of(index: usize) -> &'static str {
        match index {
            1 => "double fault",
            2 => "NMI",
            3 => "machine check",
            4 => "exceptions",
            5 => "IRQs",
            6 => "software traps",
            7 => "debug/breakpoint",
            _ => "none",
        }
    }
}

/// The IST slot that vector `vector` is delivered on.
pub fn slot_for_vector(vector: u8) -> IstSlot {
    match vector {
        8 => IstSlot::DoubleFault,
        2 => IstSlot::Nmi,
        18 => IstSlot::MachineCheck,
        1 | 3 => IstSlot::Debug,
        v if v < vectors::EXCEPTION_COUNT => IstSlot::Exception,
        vectors::SYSCALL_TRAP
        | vectors::BENCH_GPR
        | vectors::BENCH_FXSAVE
        | vectors::BENCH_XSAVE => IstSlot::SoftwareTrap,
        _ => IstSlot::Irq,
    }
}
