//! x86-64 specifics: boot, segments, interrupts, interrupt controllers, CPU control.

pub mod apic;
pub mod boot;
pub mod cpu;
pub mod entry;
pub mod exceptions;
pub mod gdt;
pub mod idt;
pub mod ioapic;
pub mod ist;
pub mod pic;
pub mod simd;
pub mod vectors;
