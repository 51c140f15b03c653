//! Physical memory: frames from the boot memory map, identity-mapped paging with guard
//! pages and uncached device memory, and the `rlsf` (TLSF) heap.

pub mod frames;
pub mod heap;
pub mod paging;
pub mod stacks;

use core::ops::Range;

use hermit_entry::boot_info::BootInfo;

/// Size of a small page.
pub const PAGE_SIZE: usize = 4096;
/// Memory below 1 MiB is left alone (firmware tables, PVH start info, legacy holes).
const LOW_MEMORY_END: u64 = 0x10_0000;
/// Frames kept out of the heap for page tables and device DMA.
pub const FRAME_RESERVE_BYTES: u64 = 32 * 1024 * 1024;

/// What [`init`] set up.
#[derive(Clone, Copy, Debug)]
pub struct MemoryLayout {
    pub ram_bytes: u64,
    pub heap_bytes: u64,
    pub frame_pool_bytes: u64,
}

/// Sets up frames, guard pages and the heap from the boot memory map.
pub fn init(boot: &BootInfo) -> MemoryLayout {
    let kernel = boot.load_info.kernel_image_addr_range.clone();
    let mut ram_bytes = 0;
    for region in crate::boot::memory_regions(boot) {
        ram_bytes += region.end - region.start;
        for usable in subtract(region, &[0..LOW_MEMORY_END, kernel.clone()]) {
            frames::add_region(usable);
        }
    }
    paging::unmap_stack_guards();
    let pool = frames::free_bytes();
    let heap_bytes = pool.saturating_sub(FRAME_RESERVE_BYTES.min(pool / 2));
    let heap_bytes = heap::grow_from_frames(heap_bytes);
    MemoryLayout {
        ram_bytes,
        heap_bytes,
        frame_pool_bytes: frames::free_bytes(),
    }
}

/// `range` minus every range in `holes`, as at most three page-aligned pieces.
fn subtract(range: Range<u64>, holes: &[Range<u64>]) -> impl Iterator<Item = Range<u64>> {
    let mut pieces = [range.start..range.end, 0..0, 0..0];
    let mut count = 1;
    for hole in holes {
        let mut next = [0..0, 0..0, 0..0];
        let mut next_count = 0;
        for piece in &pieces[..count] {
            let left = piece.start..piece.end.min(hole.start);
            let right = piece.start.max(hole.end)..piece.end;
            for part in [left, right] {
                if part.start < part.end && next_count < next.len() {
                    next[next_count] = part;
                    next_count += 1;
                }
            }
        }
        pieces = next;
        count = next_count;
    }
    let page = PAGE_SIZE as u64;
    pieces.into_iter().take(count).filter_map(move |piece| {
        let start = piece.start.div_ceil(page) * page;
        let end = piece.end / page * page;
        (start < end).then_some(start..end)
    })
}
