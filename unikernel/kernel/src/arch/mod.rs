//! x86-64 specifics: boot, segments, interrupts, interrupt controllers, CPU control.
//!
//! Every x86 instruction the kernel executes on purpose (port I/O, `int`, control
//! registers, MSRs, deliberate faults) lives in this module behind a safe function, or
//! an `unsafe fn` with a `# Safety` contract where the caller must promise something.

pub mod apic;
pub mod boot;
pub mod cpu;
pub mod entry;
pub mod gdt;
pub mod handler_cell;
pub mod idt;
pub mod interrupts;
pub mod ioapic;
pub mod ist;
pub mod pic;
pub mod pio;
pub mod probes;
pub mod random;
pub mod simd;
pub mod traps;
pub mod vectors;
