//! The physical frame allocator: contiguous runs of 4 KiB frames from the usable RAM
//! of the boot memory map. A bump pointer per region plus a free list of returned
//! runs, reused for requests of the same size (DMA buffers come in few sizes).

use core::ops::Range;

use spin::Mutex;

use super::PAGE_SIZE;

const MAX_REGIONS: usize = 32;
const MAX_FREE_RUNS: usize = 256;

struct Frames {
    regions: [Range<u64>; MAX_REGIONS],
    region_count: usize,
    free_runs: [(u64, usize); MAX_FREE_RUNS],
    free_run_count: usize,
}

static FRAMES: Mutex<Frames> = Mutex::new(Frames {
    regions: [const { 0..0 }; MAX_REGIONS],
    region_count: 0,
    free_runs: [(0, 0); MAX_FREE_RUNS],
    free_run_count: 0,
});

/// Adds a page-aligned usable RAM range.
pub fn add_region(range: Range<u64>) {
    let mut frames = FRAMES.lock();
    if frames.region_count < MAX_REGIONS {
        let index = frames.region_count;
        frames.regions[index] = range;
        frames.region_count += 1;
    } else {
        log::warn!("frames: more than {MAX_REGIONS} RAM regions; ignoring {range:#x?}");
    }
}

/// Allocates `pages` physically contiguous, zeroed frames; returns the physical (and,
/// identity-mapped, virtual) address.
pub fn alloc_contiguous(pages: usize) -> Option<u64> {
    let address = alloc_run_unzeroed(pages)?;
    // SAFETY: the run was just taken from free RAM, is identity-mapped and nobody else
    // holds a reference to it.
    unsafe { core::ptr::write_bytes(address as *mut u8, 0, pages * PAGE_SIZE) };
    Some(address)
}

/// Like [`alloc_contiguous`] without zeroing: for the heap, which never relies on
/// fresh memory being zero (zeroing hundreds of MiB costs a lot of boot time under TCG).
pub fn alloc_run_unzeroed(pages: usize) -> Option<u64> {
    FRAMES.lock().take(pages)
}

/// Returns a run from [`alloc_contiguous`].
pub fn free(address: u64, pages: usize) {
    let mut frames = FRAMES.lock();
    if frames.free_run_count < MAX_FREE_RUNS {
        let index = frames.free_run_count;
        frames.free_runs[index] = (address, pages);
        frames.free_run_count += 1;
    } else {
        log::warn!("frames: free list full; leaking {pages} pages at {address:#x}");
    }
}

/// Bytes not yet handed out (bump space plus the free list).
pub fn free_bytes() -> u64 {
    let frames = FRAMES.lock();
    let bump: u64 = frames.regions[..frames.region_count]
        .iter()
        .map(|r| r.end - r.start)
        .sum();
    let listed: usize = frames.free_runs[..frames.free_run_count]
        .iter()
        .map(|(_, p)| p)
        .sum();
    bump + (listed * PAGE_SIZE) as u64
}

impl Frames {
    fn take(&mut self, pages: usize) -> Option<u64> {
        let bytes = (pages * PAGE_SIZE) as u64;
        let reused = self.free_runs[..self.free_run_count]
            .iter()
            .position(|(_, p)| *p == pages);
        let address = if let Some(index) = reused {
            let (address, _) = self.free_runs[index];
            self.free_run_count -= 1;
            self.free_runs[index] = self.free_runs[self.free_run_count];
            address
        } else {
            let region = self.regions[..self.region_count]
                .iter_mut()
                .find(|r| r.end - r.start >= bytes)?;
            let address = region.start;
            region.start += bytes;
            address
        };
        Some(address)
    }
}
