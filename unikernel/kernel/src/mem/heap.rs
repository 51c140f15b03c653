//! The global allocator: `rlsf`'s TLSF (two-level segregated fit), first on a small static
//! arena (so boot code can allocate before the memory map is read), then grown with RAM
//! from the frame allocator.
//!
//! Why TLSF: allocation and free are O(1) whatever the heap's history. The first heap,
//! `talc`, searched a size bin's free list for a chunk big enough; under the SQL engine's
//! insert load (rows and keys of many sizes freed and reallocated) that search grew to
//! half of all the guest's samples (`bench-results/flamegraphs/allocator/`). TLSF rounds
//! a request up to its size class, so the first chunk of a class always fits.

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::{addr_of_mut, NonNull};
use core::sync::atomic::{AtomicUsize, Ordering};

use rlsf::Tlsf;

use super::{frames, PAGE_SIZE};

/// The static arena used until the memory map is known.
const BOOTSTRAP_HEAP_BYTES: usize = 256 * 1024;

static mut BOOTSTRAP_ARENA: [u8; BOOTSTRAP_HEAP_BYTES] = [0; BOOTSTRAP_HEAP_BYTES];

/// First-level classes: blocks up to `32 << 28` bytes (8 GiB); second level: 32 classes
/// per power of two.
type Pool = Tlsf<'static, u32, u32, 28, 32>;

/// The TLSF pool behind a spin lock (one CPU; interrupt handlers never allocate), with
/// the counters the heap-level checks read.
pub struct KernelHeap {
    pool: spin::Mutex<Pool>,
    allocated_bytes: AtomicUsize,
    allocations: AtomicUsize,
}

impl KernelHeap {
    const fn new() -> Self {
        KernelHeap {
            pool: spin::Mutex::new(Pool::new()),
            allocated_bytes: AtomicUsize::new(0),
            allocations: AtomicUsize::new(0),
        }
    }

    fn count_alloc(&self, size: usize) {
        self.allocated_bytes.fetch_add(size, Ordering::Relaxed);
        self.allocations.fetch_add(1, Ordering::Relaxed);
    }

    fn count_free(&self, size: usize) {
        self.allocated_bytes.fetch_sub(size, Ordering::Relaxed);
        self.allocations.fetch_sub(1, Ordering::Relaxed);
    }
}

// SAFETY: every method hands out or takes back blocks of the TLSF pool under its lock, with
// the layout the caller gave; the pool only ever holds memory the heap owns.
unsafe impl GlobalAlloc for KernelHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match self.pool.lock().allocate(layout) {
            Some(block) => {
                self.count_alloc(layout.size());
                block.as_ptr()
            }
            None => core::ptr::null_mut(),
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let Some(block) = NonNull::new(ptr) else {
            return;
        };
        // SAFETY: the caller passes a block `alloc` returned with this layout.
        unsafe { self.pool.lock().deallocate(block, layout.align()) };
        self.count_free(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let Some(block) = NonNull::new(ptr) else {
            return core::ptr::null_mut();
        };
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
            return core::ptr::null_mut();
        };
        // SAFETY: the caller passes a block `alloc` returned with `layout`, whose
        // alignment `new_layout` keeps.
        match unsafe { self.pool.lock().reallocate(block, new_layout) } {
            Some(moved) => {
                self.allocated_bytes.fetch_add(new_size, Ordering::Relaxed);
                self.allocated_bytes
                    .fetch_sub(layout.size(), Ordering::Relaxed);
                moved.as_ptr()
            }
            None => core::ptr::null_mut(),
        }
    }
}

// On the host (unit tests) std's allocator serves the tests.
#[cfg_attr(not(test), global_allocator)]
static ALLOCATOR: KernelHeap = KernelHeap::new();

/// Claims the static arena. Call once, before the first allocation.
pub fn init_bootstrap() {
    // SAFETY: the arena is used only by the allocator from here on; this runs once.
    let arena = unsafe { &mut *addr_of_mut!(BOOTSTRAP_ARENA) };
    // SAFETY: the arena is valid, writable memory that nothing else uses, for ever.
    let _ = unsafe {
        ALLOCATOR
            .pool
            .lock()
            .insert_free_block_ptr(NonNull::from(&mut arena[..]))
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
                let span = core::ptr::slice_from_raw_parts_mut(address as *mut u8, run * PAGE_SIZE);
                // SAFETY: the run came from the frame allocator and is owned by the heap
                // from now on; it is mapped and writable.
                let inserted = NonNull::new(span).and_then(|block| unsafe {
                    ALLOCATOR.pool.lock().insert_free_block_ptr(block)
                });
                if inserted.is_some() {
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

/// Current heap use: bytes and blocks the program holds (as it asked for them, without
/// the allocator's headers and rounding).
pub fn stats() -> HeapStats {
    HeapStats {
        allocated_bytes: ALLOCATOR.allocated_bytes.load(Ordering::Relaxed),
        allocations: ALLOCATOR.allocations.load(Ordering::Relaxed),
    }
}
