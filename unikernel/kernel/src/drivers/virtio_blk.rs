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

mod slots;

use core::fmt;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use virtio_drivers::queue::VirtQueue;
use virtio_drivers::transport::pci::bus::DeviceFunction;
use virtio_drivers::transport::pci::{PciTransport, VirtioPciError};
use virtio_drivers::transport::{DeviceStatus, DeviceType, Transport};

use self::slots::{InFlight, RequestType, Slots};
use super::hal::KernelHal;
use super::pci::{self, PciSetupError};
use crate::arch::ioapic::{self, Trigger};
use crate::arch::vectors::{DEVICE_IRQ_BASE, DEVICE_IRQ_COUNT};
use crate::mem::PAGE_SIZE;

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

/// Why the disk could not be brought up.
#[derive(Debug)]
pub enum BlkError {
    Pci(PciSetupError),
    Transport(VirtioPciError),
    Driver(virtio_drivers::Error),
    FeaturesRefused,
    NoIsrCapability,
    OutOfDmaMemory,
    IrqLineOutOfRange(u8),
    IrqLineFull(u8),
}

impl fmt::Display for BlkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlkError::Pci(error) => write!(f, "PCI setup failed: {error}"),
            BlkError::Transport(error) => write!(f, "virtio PCI transport: {error}"),
            BlkError::Driver(error) => write!(f, "virtio-blk queue: {error}"),
            BlkError::FeaturesRefused => f.write_str("the device refused the features"),
            BlkError::NoIsrCapability => f.write_str("the device has no virtio ISR capability"),
            BlkError::OutOfDmaMemory => f.write_str("no frames left for the request slots"),
            BlkError::IrqLineOutOfRange(line) => write!(
                f,
                "interrupt line {line} is beyond the {DEVICE_IRQ_COUNT} device vectors"
            ),
            BlkError::IrqLineFull(line) => {
                write!(f, "interrupt line {line} has no room for another handler")
            }
        }
    }
}

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

/// The caller's side of a transfer.
enum Buffer<'a> {
    Read(&'a mut [u8]),
    Write(&'a [u8]),
}

impl Buffer<'_> {
    fn len(&self) -> usize {
        match self {
            Buffer::Read(buf) => buf.len(),
            Buffer::Write(buf) => buf.len(),
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

/// Finds the first virtio-blk device and brings it up. `Ok(None)` when there is none.
pub fn probe() -> Result<Option<VirtioBlk>, BlkError> {
    let mut root = pci::root();
    let Some(location) = pci::find_virtio(&root, DeviceType::Block) else {
        return Ok(None);
    };
    pci::enable(&mut root, location).map_err(BlkError::Pci)?;
    let isr = pci::virtio_structure_address(&mut root, location, VIRTIO_PCI_CAP_ISR_CFG)
        .ok_or(BlkError::NoIsrCapability)?;
    let mut transport =
        PciTransport::new::<KernelHal, _>(&mut root, location).map_err(BlkError::Transport)?;
    let features = negotiate(&mut transport)?;
    let capacity_sectors = transport
        .read_consistent(|| {
            let low: u32 = transport.read_config_space(0)?;
            let high: u32 = transport.read_config_space(4)?;
            Ok(u64::from(high) << 32 | u64::from(low))
        })
        .map_err(BlkError::Driver)?;
    let queue = VirtQueue::new(&mut transport, QUEUE, false, false).map_err(BlkError::Driver)?;
    transport.finish_init();
    let slots = Slots::allocate().ok_or(BlkError::OutOfDmaMemory)?;
    ISR_ADDRESS.store(isr, Ordering::Release);
    Ok(Some(VirtioBlk {
        transport,
        queue,
        capacity_sectors,
        flush_supported: features & FEATURE_FLUSH != 0,
        read_only: features & FEATURE_RO != 0,
        location,
        irq_line: pci::interrupt_line(location),
        interrupt_routed: false,
        slots,
    }))
}

/// Feature negotiation (virtio 1.x §3.1.1): version 1, `FLUSH` and `RO` when offered.
fn negotiate(transport: &mut PciTransport) -> Result<u64, BlkError> {
    transport.set_status(DeviceStatus::empty());
    transport.set_status(DeviceStatus::ACKNOWLEDGE | DeviceStatus::DRIVER);
    let features =
        transport.read_device_features() & (FEATURE_VERSION_1 | FEATURE_FLUSH | FEATURE_RO);
    transport.write_driver_features(features);
    transport
        .set_status(DeviceStatus::ACKNOWLEDGE | DeviceStatus::DRIVER | DeviceStatus::FEATURES_OK);
    if !transport.get_status().contains(DeviceStatus::FEATURES_OK) {
        transport.set_status(DeviceStatus::FAILED);
        return Err(BlkError::FeaturesRefused);
    }
    transport.set_guest_page_size(PAGE_SIZE as u32);
    Ok(features)
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

    /// Splits the transfer into requests, keeps as many in flight as there are slots,
    /// and returns when all completed (the first error, if any).
    fn transfer(&mut self, first_sector: u64, mut buffer: Buffer<'_>) -> Result<(), IoError> {
        let total = buffer.len();
        let mut submitted = 0;
        let mut result = Ok(());
        loop {
            while submitted < total && result.is_ok() {
                let len = REQUEST_BYTES.min(total - submitted);
                let kind = match buffer {
                    Buffer::Read(_) => RequestType::In,
                    Buffer::Write(_) => RequestType::Out,
                };
                let request = InFlight {
                    kind,
                    offset: submitted,
                    len,
                };
                let sector = first_sector + (submitted / SECTOR_SIZE) as u64;
                let Some(slot) = self.slots.take(request, sector) else {
                    break;
                };
                if let Buffer::Write(data) = &buffer {
                    let parts = self.slots.parts(slot, len);
                    parts
                        .data
                        .copy_from_slice(&data[submitted..submitted + len]);
                }
                result = self.submit(slot, request);
                submitted += len;
            }
            self.notify();
            if self.slots.in_flight() == 0 {
                return result;
            }
            self.wait_for_completion();
            while let Some((slot, outcome)) = self.complete_one() {
                if let (Ok(()), Some(done), Buffer::Read(buf)) =
                    (outcome, self.slots.request(slot), &mut buffer)
                {
                    let parts = self.slots.parts(slot, done.len);
                    buf[done.offset..done.offset + done.len].copy_from_slice(parts.data);
                }
                self.slots.release(slot);
                result = result.and(outcome);
            }
        }
    }

    /// Puts the request of `slot` on the queue. On failure the slot is given back.
    fn submit(&mut self, slot: usize, request: InFlight) -> Result<(), IoError> {
        let parts = self.slots.parts(slot, request.len);
        // SAFETY: the buffers are the slot's DMA memory, which nothing touches until
        // `complete_one` pops this token with the same buffers.
        let added = unsafe {
            match request.kind {
                RequestType::Out => self
                    .queue
                    .add(&[parts.header, parts.data], &mut [parts.status]),
                RequestType::In => self
                    .queue
                    .add(&[parts.header], &mut [parts.data, parts.status]),
                RequestType::Flush => self.queue.add(&[parts.header], &mut [parts.status]),
            }
        };
        match added {
            Ok(token) => {
                self.slots.bind_token(token, slot);
                Ok(())
            }
            Err(error) => {
                self.slots.release(slot);
                ERRORS.fetch_add(1, Ordering::Relaxed);
                Err(IoError::Driver(error))
            }
        }
    }

    /// Tells the device about new requests, unless it asked not to be told.
    fn notify(&mut self) {
        if self.queue.should_notify() {
            self.transport.notify(QUEUE);
        }
    }

    /// Takes the next completed request off the used ring: its slot (still reserved: the
    /// caller releases it after copying data out) and how it ended. Flush slots are
    /// released here.
    fn complete_one(&mut self) -> Option<(usize, Result<(), IoError>)> {
        let token = self.queue.peek_used()?;
        let slot = self.slot_of(token);
        let request = self.slots.request(slot)?;
        let parts = self.slots.parts(slot, request.len);
        // SAFETY: the same buffers `submit` added under this token.
        let popped = unsafe {
            match request.kind {
                RequestType::Out => {
                    self.queue
                        .pop_used(token, &[parts.header, parts.data], &mut [parts.status])
                }
                RequestType::In => {
                    self.queue
                        .pop_used(token, &[parts.header], &mut [parts.data, parts.status])
                }
                RequestType::Flush => {
                    self.queue
                        .pop_used(token, &[parts.header], &mut [parts.status])
                }
            }
        };
        let status = parts.status[0];
        let outcome = match popped {
            Err(error) => Err(IoError::Driver(error)),
            Ok(_) if status != 0 => Err(IoError::Device(status)),
            Ok(_) => Ok(()),
        };
        REQUESTS.fetch_add(1, Ordering::Relaxed);
        match (&outcome, request.kind) {
            (Err(error), _) => {
                ERRORS.fetch_add(1, Ordering::Relaxed);
                log::error!("virtio-blk {}: request failed: {error}", self.location);
            }
            (Ok(()), RequestType::In) => {
                READ_BYTES.fetch_add(request.len as u64, Ordering::Relaxed);
            }
            (Ok(()), RequestType::Out) => {
                WRITTEN_BYTES.fetch_add(request.len as u64, Ordering::Relaxed);
            }
            (Ok(()), RequestType::Flush) => {}
        }
        if request.kind == RequestType::Flush {
            self.slots.release(slot);
        }
        Some((slot, outcome))
    }

    fn slot_of(&self, token: u16) -> usize {
        self.slots.slot_of_token(token)
    }

    /// Halts until the device has used a request (interrupts on, as `poll_wait` idles);
    /// spins when the interrupt is not routed. The halted time is idle time.
    fn wait_for_completion(&mut self) {
        let start = crate::arch::cpu::rdtsc();
        while !self.queue.can_pop() {
            if !self.interrupt_routed {
                core::hint::spin_loop();
                continue;
            }
            // Interrupts are off here: a completion from now on raises an interrupt that
            // wakes the `hlt` below, so none can be missed between the check and the halt.
            INTERRUPT_PENDING.store(false, Ordering::Relaxed);
            crate::time::timer::set_deadline_in(WATCHDOG_NS);
            let halt_start = crate::arch::cpu::rdtsc();
            crate::interrupts::set_idle(true);
            crate::arch::cpu::wait_for_interrupt();
            crate::interrupts::set_idle(false);
            HALTED_CYCLES.fetch_add(
                crate::arch::cpu::rdtsc().wrapping_sub(halt_start),
                Ordering::Relaxed,
            );
        }
        WAIT_CYCLES.fetch_add(
            crate::arch::cpu::rdtsc().wrapping_sub(start),
            Ordering::Relaxed,
        );
    }
}

// SAFETY: the disk is only used under the disk layer's lock; its slots are plain DMA
// memory owned by it.
unsafe impl Send for VirtioBlk {}
