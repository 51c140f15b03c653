//! The kernel's interrupt vector map. Every one of the 256 vectors gets an entry stub
//! and an IST index (see `ist::slot_for_vector`), including ones nothing should raise.

/// Number of architecturally defined exception vectors.
pub const EXCEPTION_COUNT: u8 = 32;
/// Non-maskable interrupt: also the profiler's sampling interrupt (`profile=HZ`).
pub const NMI: u8 = 2;
/// Local APIC timer (one-shot deadlines).
pub const APIC_TIMER: u8 = 0x20;
/// Base of the legacy 8259 PICs after remapping; they stay masked, but a spurious
/// IRQ 7/15 can still arrive on `PIC_BASE + 7` / `PIC_BASE + 15`.
pub const PIC_BASE: u8 = 0x30;
/// First vector for device IRQs routed through the IOAPIC or MSI-X.
pub const DEVICE_IRQ_BASE: u8 = 0x40;
/// Number of device IRQ vectors.
pub const DEVICE_IRQ_COUNT: u8 = 32;
/// The trap vector for trap-dispatched system calls (`syscall=trap`).
pub const SYSCALL_TRAP: u8 = 0x80;
/// Software interrupt used by the interrupt-cost benchmark (general registers only).
pub const BENCH_GPR: u8 = 0x81;
/// Software interrupt whose stub also saves SIMD state with FXSAVE (benchmark only).
pub const BENCH_FXSAVE: u8 = 0x82;
/// Software interrupt whose stub also saves SIMD state with XSAVE (benchmark only).
pub const BENCH_XSAVE: u8 = 0x83;
/// Local APIC spurious-interrupt vector.
pub const APIC_SPURIOUS: u8 = 0xff;
