//! The virtio-blk disk: probe over PCI, preallocated request slots, INTx interrupt,
//! several requests in flight, `FLUSH`.
//!
//! Built on virtio-drivers' split virtqueue (`VirtQueue`) and PCI transport rather than
//! its `VirtIOBlk`, whose `flush` is a blocking busy-wait and whose queue is fixed at 16
//! descriptors. Here every request, the flush included, is put on the queue without
//! waiting; a large transfer is split into as many [`REQUEST_BYTES`] requests as there are
//! free slots ([`MAX_IN_FLIGHT`]), and the CPU halts (`sti; hlt`, counted as idle) until
//! the device's interrupt says requests completed. No heap allocation per request: the
//! data, header and status buffers of every slot are allocated at probe ([`slots`]).
//!
//! This module holds the device, its interrupt and its counters; [`probe`] brings it up,
//! [`requests`] moves the data.

mod probe;
mod requests;
mod slots;

pub use self::probe::{probe, BlkError};
use self::requests::Buffer;

use core::fmt;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use virtio_drivers::queue::VirtQueue;
use virtio_drivers::transport::pci::bus::DeviceFunction;
use virtio_drivers::transport::pci::PciTransport;

use self::slots::{InFlight, RequestType, Slots};
use super::hal::KernelHal;
use crate::arch::ioapic::{self, Trigger};
use crate::arch::vectors::{DEVICE_IRQ_BASE, DEVICE_IRQ_COUNT};

/// The unit of transfer: offsets and lengths are multiples of it.
pub const SECTOR_SIZE: usize = 512;
/// Descriptors in the request queue (QEMU's virtio-blk offers up to 256).
const QUEUE_SIZE: usize = 64;
/// A request is a chain of three descriptors: header, data, status.
const DESCRIPTORS_PER_REQUEST: usize = 3;
/// Requests in flight at once.
pub const MAX_IN_FLIGHT: usize = QUEUE_SIZE / DESCRIPTORS_PER_REQUEST;
/// Data bytes one request moves (the size of each slot's DMA buffer).
pub const REQUEST_BYTES: usize = 32 * 1024;
const QUEUE: u16 = 0;
/// Feature bits (virtio 1.x §5.2.3, §6).
const FEATURE_RO: u64 = 1 << 5;
const FEATURE_FLUSH: u64 = 1 << 9;
const FEATURE_VERSION_1: u64 = 1 << 32;
/// `VIRTIO_PCI_CAP_ISR_CFG` (virtio 1.x §4.1.4.5).
const VIRTIO_PCI_CAP_ISR_CFG: u8 = 3;
/// Longest halt before the driver looks at the queue again without an interrupt: a lost
/// interrupt costs this much, never a hung machine.
const WATCHDOG_NS: u64 = 10_000_000;

/// Requests completed (reads, writes, flushes).
pub static REQUESTS: AtomicU64 = AtomicU64::new(0);
/// Bytes read from / written to the device.
pub static READ_BYTES: AtomicU64 = AtomicU64::new(0);
pub static WRITTEN_BYTES: AtomicU64 = AtomicU64::new(0);
/// `FLUSH` requests completed.
pub static FLUSHES: AtomicU64 = AtomicU64::new(0);
/// Disk interrupts taken.
pub static IRQS: AtomicU64 = AtomicU64::new(0);
/// TSC cycles spent waiting for the device, and the part of them halted (idle).
pub static WAIT_CYCLES: AtomicU64 = AtomicU64::new(0);
pub static HALTED_CYCLES: AtomicU64 = AtomicU64::new(0);
/// Requests the device failed or the driver could not complete.
pub static ERRORS: AtomicU64 = AtomicU64::new(0);

/// Physical (= virtual) address of the device's ISR status byte; 0 before probe.
static ISR_ADDRESS: AtomicU64 = AtomicU64::new(0);
/// Set by the interrupt handler.
static INTERRUPT_PENDING: AtomicBool = AtomicBool::new(false);

/// Why a transfer failed (the disk layer answers `EIO`).
#[derive(Clone, Copy, Debug)]
pub enum IoError {
    /// The device completed the request with this non-OK status.
    Device(u8),
    /// The virtqueue refused or returned something unexpected.
    Driver(virtio_drivers::Error),
}

impl fmt::Display for IoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IoError::Device(status) => write!(f, "device status {status}"),
            IoError::Driver(error) => write!(f, "virtqueue: {error}"),
        }
    }
}

/// The disk with its request slots.
pub struct VirtioBlk {
    transport: PciTransport,
    queue: VirtQueue<KernelHal, QUEUE_SIZE>,
    capacity_sectors: u64,
    flush_supported: bool,
    read_only: bool,
    location: DeviceFunction,
    irq_line: Option<u8>,
    /// Whether the interrupt reaches [`on_interrupt`]; without it the driver spins.
    interrupt_routed: bool,
    slots: Slots,
}

/// The INTx handler: reading the ISR status byte acknowledges the interrupt and
/// deasserts the level-triggered line; the waiting code looks at the queue itself.
fn on_interrupt() {
    let isr = ISR_ADDRESS.load(Ordering::Acquire);
    if isr == 0 {
        return;
    }
    // SAFETY: `isr` is the device's ISR status byte inside a BAR that `pci::enable` mapped
    // uncached; reading it is the documented acknowledge (virtio 1.x §4.1.4.5).
    let status = unsafe { core::ptr::read_volatile(isr as *const u8) };
    if status != 0 {
        IRQS.fetch_add(1, Ordering::Relaxed);
        INTERRUPT_PENDING.store(true, Ordering::Release);
    }
}

impl VirtioBlk {
    /// The disk's size in bytes.
    pub fn capacity_bytes(&self) -> u64 {
        self.capacity_sectors * SECTOR_SIZE as u64
    }

    /// Whether the device is read-only (`VIRTIO_BLK_F_RO`).
    pub fn read_only(&self) -> bool {
        self.read_only
    }

    /// Whether the device has a write cache to flush (`VIRTIO_BLK_F_FLUSH`).
    pub fn flush_supported(&self) -> bool {
        self.flush_supported
    }

    /// Bus:device.function of the disk.
    pub fn location(&self) -> DeviceFunction {
        self.location
    }

    /// Installs the interrupt handler and routes the INTx line through the IOAPIC
    /// (level-triggered, active high, as for the NIC). Without a line the driver polls.
    pub fn route_interrupt(&mut self) -> Result<Option<u8>, BlkError> {
        let Some(line) = self.irq_line else {
            return Ok(None);
        };
        if line >= DEVICE_IRQ_COUNT {
            return Err(BlkError::IrqLineOutOfRange(line));
        }
        if !crate::irq::register(line, on_interrupt) {
            return Err(BlkError::IrqLineFull(line));
        }
        ioapic::route(u32::from(line), DEVICE_IRQ_BASE + line, Trigger::LevelHigh);
        self.interrupt_routed = true;
        Ok(Some(line))
    }

    /// Reads `buf.len()` bytes (a multiple of [`SECTOR_SIZE`]) from `sector` on.
    pub fn read(&mut self, sector: u64, buf: &mut [u8]) -> Result<(), IoError> {
        self.transfer(sector, Buffer::Read(buf))
    }

    /// Writes `data` (a multiple of [`SECTOR_SIZE`] bytes) from `sector` on; durable after
    /// [`VirtioBlk::flush`].
    pub fn write(&mut self, sector: u64, data: &[u8]) -> Result<(), IoError> {
        self.transfer(sector, Buffer::Write(data))
    }

    /// Makes every completed write durable: a `FLUSH` request (nothing to do on a device
    /// without a write cache).
    pub fn flush(&mut self) -> Result<(), IoError> {
        if !self.flush_supported {
            return Ok(());
        }
        let request = InFlight {
            kind: RequestType::Flush,
            offset: 0,
            len: 0,
        };
        let Some(slot) = self.slots.take(request, 0) else {
            return Err(IoError::Driver(virtio_drivers::Error::QueueFull));
        };
        let submitted = self.submit(slot, request);
        self.notify();
        let mut result = submitted;
        while self.slots.in_flight() > 0 {
            self.wait_for_completion();
            while let Some((_, outcome)) = self.complete_one() {
                result = result.and(outcome);
            }
        }
        if result.is_ok() {
            FLUSHES.fetch_add(1, Ordering::Relaxed);
        }
        result
    }
}

// SAFETY: the disk is only used under the disk layer's lock; its slots are plain DMA
// memory owned by it.
unsafe impl Send for VirtioBlk {}
