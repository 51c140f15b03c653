//! The disk's request slots: one DMA buffer of [`REQUEST_BYTES`] per request that can be
//! in flight, plus its request header and status byte, all allocated once at probe. A
//! request never touches the heap.

use zerocopy::{Immutable, IntoBytes};

use super::{MAX_IN_FLIGHT, QUEUE_SIZE, REQUEST_BYTES};
use crate::mem::{frames, PAGE_SIZE};

/// `virtio_blk_req.type` (virtio 1.x §5.2.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum RequestType {
    In = 0,
    Out = 1,
    Flush = 4,
}

/// The device-readable head of every request.
#[derive(IntoBytes, Immutable)]
#[repr(C)]
struct Header {
    kind: u32,
    reserved: u32,
    sector: u64,
}

const HEADER_BYTES: usize = core::mem::size_of::<Header>();
/// Headers first, then one status byte per slot, in one page.
const STATUS_OFFSET: usize = MAX_IN_FLIGHT * HEADER_BYTES;
const DATA_PAGES: usize = MAX_IN_FLIGHT * REQUEST_BYTES / PAGE_SIZE;
/// What the status byte holds until the device writes it.
const STATUS_PENDING: u8 = 0xff;

const _: () = assert!(STATUS_OFFSET + MAX_IN_FLIGHT <= PAGE_SIZE);
const _: () = assert!(REQUEST_BYTES.is_multiple_of(PAGE_SIZE));
const _: () = assert!(MAX_IN_FLIGHT <= u32::BITS as usize);

/// One request's three buffers, as the virtqueue sees them.
pub struct Parts<'a> {
    pub header: &'a [u8],
    pub data: &'a mut [u8],
    pub status: &'a mut [u8],
}

/// What a slot in flight is doing.
#[derive(Clone, Copy)]
pub struct InFlight {
    pub kind: RequestType,
    /// Where its data goes in (or comes from) the caller's buffer.
    pub offset: usize,
    pub len: usize,
}

/// The slots and which of them are in flight.
pub struct Slots {
    /// Headers and status bytes (one page).
    control: u64,
    /// `MAX_IN_FLIGHT` data buffers of `REQUEST_BYTES`, physically contiguous.
    data: u64,
    free: u32,
    requests: [Option<InFlight>; MAX_IN_FLIGHT],
    /// Virtqueue token (head descriptor) → slot.
    slot_by_token: [u8; QUEUE_SIZE],
}

impl Slots {
    /// Takes the DMA memory from the frame allocator; `None` when there is not enough.
    pub fn allocate() -> Option<Slots> {
        let control = frames::alloc_contiguous(1)?;
        let Some(data) = frames::alloc_contiguous(DATA_PAGES) else {
            frames::free(control, 1);
            return None;
        };
        Some(Slots {
            control,
            data,
            free: u32::MAX >> (u32::BITS as usize - MAX_IN_FLIGHT),
            requests: [None; MAX_IN_FLIGHT],
            slot_by_token: [0; QUEUE_SIZE],
        })
    }

    pub fn in_flight(&self) -> usize {
        MAX_IN_FLIGHT - self.free.count_ones() as usize
    }

    /// Reserves a free slot for `request` and writes its header; `None` when all are in
    /// flight.
    pub fn take(&mut self, request: InFlight, sector: u64) -> Option<usize> {
        if self.free == 0 {
            return None;
        }
        let slot = self.free.trailing_zeros() as usize;
        self.free &= !(1 << slot);
        self.requests[slot] = Some(request);
        let header = Header {
            kind: request.kind as u32,
            reserved: 0,
            sector,
        };
        // SAFETY: the header lies in the control page this `Slots` owns (see `parts`); the
        // slot was free, so the device is not reading it.
        unsafe {
            core::ptr::copy_nonoverlapping(
                header.as_bytes().as_ptr(),
                self.header_address(slot) as *mut u8,
                HEADER_BYTES,
            );
        }
        self.parts(slot, 0).status[0] = STATUS_PENDING;
        Some(slot)
    }

    /// Gives `slot` back.
    pub fn release(&mut self, slot: usize) {
        self.requests[slot] = None;
        self.free |= 1 << slot;
    }

    pub fn request(&self, slot: usize) -> Option<InFlight> {
        self.requests.get(slot).copied().flatten()
    }

    pub fn bind_token(&mut self, token: u16, slot: usize) {
        self.slot_by_token[usize::from(token) % QUEUE_SIZE] = slot as u8;
    }

    pub fn slot_of_token(&self, token: u16) -> usize {
        usize::from(self.slot_by_token[usize::from(token) % QUEUE_SIZE])
    }

    fn header_address(&self, slot: usize) -> u64 {
        self.control + ((slot % MAX_IN_FLIGHT) * HEADER_BYTES) as u64
    }

    /// The header, the first `len` data bytes and the status byte of `slot`.
    pub fn parts(&mut self, slot: usize, len: usize) -> Parts<'_> {
        let slot = slot % MAX_IN_FLIGHT;
        let len = len.min(REQUEST_BYTES);
        let header = self.header_address(slot) as *const u8;
        let status = (self.control + (STATUS_OFFSET + slot) as u64) as *mut u8;
        let data = (self.data + (slot * REQUEST_BYTES) as u64) as *mut u8;
        // SAFETY: the three ranges are disjoint parts of DMA memory this `Slots` owns
        // (allocated in `allocate`, never freed), identity-mapped; `&mut self` makes these
        // the only references for their lifetime. The device accesses them only between
        // the virtqueue's `add` and `pop_used`, while the driver waits and reads nothing.
        unsafe {
            Parts {
                header: core::slice::from_raw_parts(header, HEADER_BYTES),
                data: core::slice::from_raw_parts_mut(data, len),
                status: core::slice::from_raw_parts_mut(status, 1),
            }
        }
    }
}

// SAFETY: the slots are plain DMA memory owned by the disk driver, used only under the
// disk's lock.
unsafe impl Send for Slots {}
