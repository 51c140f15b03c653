//! The IOAPIC: routes device interrupt lines (GSIs) to IDT vectors on this CPU.

use core::ptr::{read_volatile, write_volatile};
use core::sync::atomic::{AtomicU64, Ordering};

/// Where QEMU's `pc` machine puts the first IOAPIC (also the ACPI MADT default).
pub const DEFAULT_BASE: u64 = 0xfec0_0000;

const REG_SELECT: u64 = 0x00;
const REG_WINDOW: u64 = 0x10;
const REG_VERSION: u32 = 0x01;
const REG_REDIRECTION_BASE: u32 = 0x10;
const REDIRECTION_MASKED: u32 = 1 << 16;
const REDIRECTION_LEVEL: u32 = 1 << 15;
/// Delivery mode NMI (bits 8-10 = 0b100); the vector field is ignored.
const DELIVERY_NMI: u32 = 0b100 << 8;

static BASE: AtomicU64 = AtomicU64::new(0);

/// How a line signals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// Level-triggered, active high: what QEMU's `pc` machine declares (ACPI `_PRS`
    /// of its PCI interrupt links) for PCI INTx routed through the PIIX3.
    LevelHigh,
}

/// Masks every redirection entry of the IOAPIC at `base` (mapped uncached).
pub fn init(base: u64) {
    BASE.store(base, Ordering::Relaxed);
    for gsi in 0..line_count() {
        write(REG_REDIRECTION_BASE + gsi * 2, REDIRECTION_MASKED);
        write(REG_REDIRECTION_BASE + gsi * 2 + 1, 0);
    }
}

/// Number of redirection entries.
pub fn line_count() -> u32 {
    ((read(REG_VERSION) >> 16) & 0xff) + 1
}

/// Routes `gsi` to `vector` on APIC 0 with `trigger`, unmasked.
pub fn route(gsi: u32, vector: u8, trigger: Trigger) {
    let mut low = u32::from(vector);
    match trigger {
        Trigger::LevelHigh => low |= REDIRECTION_LEVEL,
    }
    write(REG_REDIRECTION_BASE + gsi * 2 + 1, 0);
    write(REG_REDIRECTION_BASE + gsi * 2, low);
}

/// Routes edge-triggered `gsi` to APIC 0 as a non-maskable interrupt (vector 2).
pub fn route_nmi(gsi: u32) {
    write(REG_REDIRECTION_BASE + gsi * 2 + 1, 0);
    write(REG_REDIRECTION_BASE + gsi * 2, DELIVERY_NMI);
}

/// Masks `gsi` again.
pub fn mask(gsi: u32) {
    write(REG_REDIRECTION_BASE + gsi * 2, REDIRECTION_MASKED);
}

fn write(register: u32, value: u32) {
    let base = BASE.load(Ordering::Relaxed);
    // SAFETY: `base` is the IOAPIC's register window, mapped uncached; select then
    // write is the documented access protocol, and only this module touches it.
    unsafe {
        write_volatile((base + REG_SELECT) as *mut u32, register);
        write_volatile((base + REG_WINDOW) as *mut u32, value);
    }
}

fn read(register: u32) -> u32 {
    let base = BASE.load(Ordering::Relaxed);
    // SAFETY: as for `write`.
    unsafe {
        write_volatile((base + REG_SELECT) as *mut u32, register);
        read_volatile((base + REG_WINDOW) as *const u32)
    }
}
