//! The one `virtio_drivers::Hal` of the kernel. Physical memory is identity-mapped
//! (phys == virt) and there is no IOMMU, so sharing a buffer with a device is free.

use core::ptr::NonNull;

use virtio_drivers::{BufferDirection, Hal, PhysAddr};

use crate::mem::frames;

/// DMA memory from the frame allocator; MMIO already mapped uncached by [`super::pci`].
pub struct KernelHal;

// SAFETY: `dma_alloc` returns zeroed, page-aligned, physically contiguous frames that
// nothing else uses until `dma_dealloc`; all translations are the identity, which is how
// the kernel maps RAM and device memory.
unsafe impl Hal for KernelHal {
    fn dma_alloc(pages: usize, _direction: BufferDirection) -> (PhysAddr, NonNull<u8>) {
        match frames::alloc_contiguous(pages) {
            Some(address) => match NonNull::new(address as *mut u8) {
                Some(pointer) => (address, pointer),
                None => (0, NonNull::dangling()),
            },
            // virtio-drivers treats physical address 0 as allocation failure.
            None => (0, NonNull::dangling()),
        }
    }

    unsafe fn dma_dealloc(paddr: PhysAddr, _vaddr: NonNull<u8>, pages: usize) -> i32 {
        frames::free(paddr, pages);
        0
    }

    unsafe fn mmio_phys_to_virt(paddr: PhysAddr, _size: usize) -> NonNull<u8> {
        // BARs are mapped uncached (identity) by `pci::map_bars` before the transport is
        // built; a zero address never reaches here (virtio-drivers rejects unassigned BARs).
        NonNull::new(paddr as *mut u8).unwrap_or(NonNull::dangling())
    }

    unsafe fn share(buffer: NonNull<[u8]>, _direction: BufferDirection) -> PhysAddr {
        buffer.as_ptr() as *mut u8 as PhysAddr
    }

    unsafe fn unshare(_paddr: PhysAddr, _buffer: NonNull<[u8]>, _direction: BufferDirection) {}
}
