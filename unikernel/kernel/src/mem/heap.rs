//! The global allocator: `talc`, first on a small static arena (so boot code can
//! allocate before the memory map is read), then grown with RAM from the frame
//! allocator.

use core::ptr::addr_of_mut;

use talc::{ErrOnOom, Span, Talc, Talck};

use super::{frames, PAGE_SIZE};

/// The static arena used until the memory map is known.
const BOOTSTRAP_HEAP_BYTES: usize = 256 * 1024;

static mut BOOTSTRAP_ARENA: [u8; BOOTSTRAP_HEAP_BYTES] = [0; BOOTSTRAP_HEAP_BYTES];

// On the host (unit tests) std's allocator serves the tests.
#[cfg_attr(not(test), global_allocator)]
static ALLOCATOR: Talck<spin::Mutex<()>, ErrOnOom> = Talc::new(ErrOnOom).lock();

/// Claims the static arena. Call once, before the first allocation.
pub fn init_bootstrap() {
    // SAFETY: the arena is used only by the allocator from here on; this runs once.
    let arena = unsafe { &mut *addr_of_mut!(BOOTSTRAP_ARENA) };
    // SAFETY: the span is valid, writable memory that nothing else uses.
    let _ = unsafe {
        ALLOCATOR
            .lock()
            .claim(Span::from_array(arena as *mut [u8; BOOTSTRAP_HEAP_BYTES]))
    };
}

/// Moves about `bytes` of RAM from the frame allocator into the heap, in the largest
/// contiguous runs available. Returns the bytes actually added.
pub fn grow_from_frames(bytes: u64) -> u64 {
    const MIN_RUN_PAGES: usize = 256;
    let mut wanted_pages = (bytes / PAGE_SIZE as u64) as usize;
    let mut added = 0;
    let mut run = wanted_pages;
    while wanted_pages > 0 && run >= MIN_RUN_PAGES.min(wanted_pages) && run > 0 {
        match frames::alloc_run_unzeroed(run) {
            Some(address) => {
                let span = Span::from_base_size(address as *mut u8, run * PAGE_SIZE);
                // SAFETY: the run came from the frame allocator and is owned by the heap
                // from now on.
                if unsafe { ALLOCATOR.lock().claim(span) }.is_ok() {
                    added += (run * PAGE_SIZE) as u64;
                }
                wanted_pages -= run;
                run = run.min(wanted_pages);
            }
            None => run /= 2,
        }
    }
    added
}

/// Heap statistics.
#[derive(Clone, Copy, Debug)]
pub struct HeapStats {
    pub allocated_bytes: usize,
    pub allocations: usize,
}

/// Current heap use.
pub fn stats() -> HeapStats {
    let talc = ALLOCATOR.lock();
    let counters = talc.get_counters();
    HeapStats {
        allocated_bytes: counters.allocated_bytes,
        allocations: counters.allocation_count,
    }
}
