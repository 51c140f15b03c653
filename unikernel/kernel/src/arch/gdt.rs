//! GDT with kernel code/data segments and the TSS that holds the IST stack pointers.

use spin::Once;
use x86_64::instructions::segmentation::{Segment, CS, DS, ES, SS};
use x86_64::instructions::tables::load_tss;
use x86_64::structures::gdt::{Descriptor, GlobalDescriptorTable, SegmentSelector};
use x86_64::structures::tss::TaskStateSegment;
use x86_64::VirtAddr;

use super::ist::IstSlot;

struct Gdt {
    table: GlobalDescriptorTable,
    code: SegmentSelector,
    data: SegmentSelector,
    tss: SegmentSelector,
}

static TSS: Once<TaskStateSegment> = Once::new();
static GDT: Once<Gdt> = Once::new();

/// Loads the GDT and TSS; afterwards IST slot `i` (1-based) points at `ist_tops[i - 1]`,
/// the top of its stack (the stacks belong to `mem::stacks`).
pub fn init(ist_tops: [u64; IstSlot::ALL.len()]) {
    let tss = TSS.call_once(|| {
        let mut tss = TaskStateSegment::new();
        for slot in IstSlot::ALL {
            let index = slot as usize - 1;
            tss.interrupt_stack_table[index] = VirtAddr::new(ist_tops[index]);
        }
        tss
    });
    let gdt = GDT.call_once(|| {
        let mut table = GlobalDescriptorTable::new();
        let code = table.append(Descriptor::kernel_code_segment());
        let data = table.append(Descriptor::kernel_data_segment());
        let tss = table.append(Descriptor::tss_segment(tss));
        Gdt {
            table,
            code,
            data,
            tss,
        }
    });
    gdt.table.load();
    // SAFETY: the selectors index descriptors of the GDT just loaded, which lives in a
    // static for the rest of the kernel's life.
    unsafe {
        CS::set_reg(gdt.code);
        DS::set_reg(gdt.data);
        ES::set_reg(gdt.data);
        SS::set_reg(gdt.data);
        load_tss(gdt.tss);
    }
}

/// The kernel code segment selector (for IDT gates).
pub fn kernel_code_selector() -> u16 {
    GDT.get().map_or(0x08, |g| g.code.0)
}
