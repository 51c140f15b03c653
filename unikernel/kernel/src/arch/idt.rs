//! The interrupt descriptor table: 256 interrupt gates, every one with an IST index.
//!
//! Interrupt gates (not trap gates) clear IF on entry, so every handler runs with
//! interrupts off. [`self_check`] reads the table back through `sidt` — what the CPU
//! actually uses — and the boot fails if any present vector lacks an IST stack.

use core::mem::size_of;

use spin::Mutex;
use x86_64::instructions::tables::{lidt, sidt};
use x86_64::structures::DescriptorTablePointer;
use x86_64::VirtAddr;

use super::entry;
use super::ist::{slot_for_vector, IstSlot};

/// Number of vectors in the IDT.
pub const VECTOR_COUNT: usize = 256;
/// Gate attributes: present, DPL 0, 64-bit interrupt gate.
const INTERRUPT_GATE_PRESENT: u8 = 0x8e;
/// Mask of the IST field in the gate's `ist` byte.
const IST_MASK: u8 = 0x7;

/// One 16-byte IDT gate in the CPU's format.
#[derive(Clone, Copy, Default)]
#[repr(C)]
struct Gate {
    offset_low: u16,
    selector: u16,
    ist: u8,
    attributes: u8,
    offset_mid: u16,
    offset_high: u32,
    reserved: u32,
}

impl Gate {
    fn interrupt(handler: u64, selector: u16, ist: Option<IstSlot>) -> Gate {
        Gate {
            offset_low: handler as u16,
            selector,
            ist: ist.map_or(0, |slot| slot as u8),
            attributes: INTERRUPT_GATE_PRESENT,
            offset_mid: (handler >> 16) as u16,
            offset_high: (handler >> 32) as u32,
            reserved: 0,
        }
    }

    fn present(&self) -> bool {
        self.attributes & 0x80 != 0
    }

    fn handler(&self) -> u64 {
        u64::from(self.offset_low)
            | u64::from(self.offset_mid) << 16
            | u64::from(self.offset_high) << 32
    }
}

#[repr(C, align(16))]
struct Table([Gate; VECTOR_COUNT]);

static IDT: Mutex<Table> = Mutex::new(Table(
    [Gate {
        offset_low: 0,
        selector: 0,
        ist: 0,
        attributes: 0,
        offset_mid: 0,
        offset_high: 0,
        reserved: 0,
    }; VECTOR_COUNT],
));

/// Fills every gate with its entry stub and IST slot, and loads the table.
pub fn init() {
    let selector = super::gdt::kernel_code_selector();
    let mut idt = IDT.lock();
    for (vector, gate) in idt.0.iter_mut().enumerate() {
        let vector = vector as u8;
        *gate = Gate::interrupt(
            entry::stub_address(vector),
            selector,
            Some(slot_for_vector(vector)),
        );
    }
    let pointer = DescriptorTablePointer {
        limit: (size_of::<Table>() - 1) as u16,
        base: VirtAddr::from_ptr(idt.0.as_ptr()),
    };
    // SAFETY: the table lives in a static for the kernel's lifetime and every gate
    // points at a valid entry stub in kernel code.
    unsafe { lidt(&pointer) };
}

/// Delivers `vector` on `slot`, or on the current stack with `None`. Only test modes
/// use `None`, to demonstrate what IST prevents; they log that they do.
pub fn set_ist(vector: u8, slot: Option<IstSlot>) {
    let mut idt = IDT.lock();
    let gate = &mut idt.0[usize::from(vector)];
    gate.ist = slot.map_or(0, |s| s as u8);
}

/// What the IDT self-check found.
#[derive(Clone, Copy, Debug)]
pub struct IdtReport {
    pub present: usize,
    pub with_ist: usize,
    /// The first present vector that has no IST stack, or a handler of zero.
    pub first_bad_vector: Option<u8>,
}

impl IdtReport {
    /// Every present vector uses an IST stack, and every vector is present.
    pub fn all_on_ist(&self) -> bool {
        self.first_bad_vector.is_none() && self.present == VECTOR_COUNT
    }
}

/// Reads the loaded IDT (via `sidt`) and counts present vectors with an IST index.
pub fn self_check() -> IdtReport {
    let pointer = sidt();
    let count = (usize::from(pointer.limit) + 1) / size_of::<Gate>();
    let base = pointer.base.as_ptr::<Gate>();
    let mut report = IdtReport {
        present: 0,
        with_ist: 0,
        first_bad_vector: None,
    };
    for vector in 0..count.min(VECTOR_COUNT) {
        // SAFETY: `sidt` returned the table the CPU uses; `vector` is within its limit.
        let gate = unsafe { base.add(vector).read() };
        if !gate.present() {
            continue;
        }
        report.present += 1;
        if gate.ist & IST_MASK != 0 && gate.handler() != 0 {
            report.with_ist += 1;
        } else if report.first_bad_vector.is_none() {
            report.first_bad_vector = Some(vector as u8);
        }
    }
    report
}
