//! The virtio-net NIC: probe over PCI, fixed RX/TX buffer pools, INTx interrupt.
//!
//! Every RX descriptor of the queue is posted with its own 2 KiB buffer at init; a
//! received frame is lent to the network stack and re-posted on the next receive, so at
//! most one RX buffer is ever out of the ring. TX frames are built in place in one of as
//! many TX buffers as the queue has descriptors; when none is free, the caller gets
//! nothing (backpressure) and [`TX_QUEUE_FULL`] counts it. No heap allocation per packet.

use core::fmt;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use virtio_drivers::device::net::VirtIONetRaw;
use virtio_drivers::transport::pci::bus::DeviceFunction;
use virtio_drivers::transport::pci::{PciTransport, VirtioPciError};

use super::hal::KernelHal;
use super::nic_transport::{self, Doorbell, NicTransport};
use super::pci::{self, PciSetupError};
use crate::arch::ioapic::{self, Trigger};
use crate::arch::vectors::{DEVICE_IRQ_BASE, DEVICE_IRQ_COUNT};
use crate::mem::{frames, PAGE_SIZE};

/// Descriptors per virtqueue; must equal QEMU's `rx_queue_size`/`tx_queue_size`
/// (`images/vm.toml`) or be smaller than the device maximum.
pub const QUEUE_SIZE: usize = 256;
/// One Ethernet frame (1514 bytes) plus the virtio-net header, rounded to a power of two.
const BUFFER_BYTES: usize = 2048;
const POOL_PAGES: usize = QUEUE_SIZE * BUFFER_BYTES / PAGE_SIZE;
/// `VIRTIO_PCI_CAP_ISR_CFG` (virtio 1.x §4.1.4.5).
const VIRTIO_PCI_CAP_ISR_CFG: u8 = 3;

type Raw = VirtIONetRaw<KernelHal, NicTransport, QUEUE_SIZE>;

/// Frames handed to the stack / bytes in them (without the virtio-net header).
pub static RX_PACKETS: AtomicU64 = AtomicU64::new(0);
pub static RX_BYTES: AtomicU64 = AtomicU64::new(0);
/// Frames queued for transmission / bytes in them.
pub static TX_PACKETS: AtomicU64 = AtomicU64::new(0);
pub static TX_BYTES: AtomicU64 = AtomicU64::new(0);
/// NIC interrupts taken.
pub static IRQS: AtomicU64 = AtomicU64::new(0);
/// Times a frame could not be sent or received because every TX buffer was in flight.
pub static TX_QUEUE_FULL: AtomicU64 = AtomicU64::new(0);
/// Frames lost to driver errors (malformed used-ring entries); 0 on a healthy device.
pub static ERRORS: AtomicU64 = AtomicU64::new(0);
/// Queue notifications sent to the device (batched: at most one per queue per poll).
pub static DOORBELLS: AtomicU64 = AtomicU64::new(0);

/// Physical (= virtual) address of the device's ISR status byte; 0 before probe.
static ISR_ADDRESS: AtomicU64 = AtomicU64::new(0);
/// Set by the interrupt handler, cleared by [`take_interrupt_pending`].
static INTERRUPT_PENDING: AtomicBool = AtomicBool::new(false);

/// Why the NIC could not be brought up.
#[derive(Debug)]
pub enum NicError {
    Pci(PciSetupError),
    Transport(VirtioPciError),
    Driver(virtio_drivers::Error),
    NoIsrCapability,
    OutOfDmaMemory,
    IrqLineOutOfRange(u8),
}

impl fmt::Display for NicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NicError::Pci(error) => write!(f, "PCI setup failed: {error}"),
            NicError::Transport(error) => write!(f, "virtio PCI transport: {error}"),
            NicError::Driver(error) => write!(f, "virtio-net driver: {error}"),
            NicError::NoIsrCapability => f.write_str("the device has no virtio ISR capability"),
            NicError::OutOfDmaMemory => f.write_str("no frames left for the RX/TX buffer pools"),
            NicError::IrqLineOutOfRange(line) => write!(
                f,
                "interrupt line {line} is beyond the {DEVICE_IRQ_COUNT} device vectors"
            ),
        }
    }
}

/// The NIC with its buffer pools.
pub struct VirtioNic {
    raw: Raw,
    location: DeviceFunction,
    irq_line: Option<u8>,
    rx: Pool,
    tx: Pool,
    /// Size of the virtio-net header in front of every frame.
    header_bytes: usize,
    /// Virtqueue token (head descriptor) → pool slot.
    rx_slot_by_token: [u16; QUEUE_SIZE],
    tx_slot_by_token: [u16; QUEUE_SIZE],
    /// Bytes (header included) queued from each TX slot.
    tx_bytes: [u16; QUEUE_SIZE],
    tx_free: [u16; QUEUE_SIZE],
    tx_free_count: usize,
    /// RX slot lent to the stack by the last [`VirtioNic::receive`].
    rx_lent: Option<u16>,
    /// A received frame taken off the used ring by [`VirtioNic::peek`] and not yet
    /// handed out by [`VirtioNic::receive`]: slot, header bytes, frame bytes.
    rx_staged: Option<(u16, usize, usize)>,
    interrupts_enabled: bool,
    doorbell: Doorbell,
}

/// Finds the first virtio-net device and brings it up with every RX buffer posted and
/// device interrupts disabled. `Ok(None)` when there is no such device.
pub fn probe() -> Result<Option<VirtioNic>, NicError> {
    let mut root = pci::root();
    let Some(location) = pci::find_virtio_net(&root) else {
        return Ok(None);
    };
    pci::enable(&mut root, location).map_err(NicError::Pci)?;
    let isr = pci::virtio_structure_address(&mut root, location, VIRTIO_PCI_CAP_ISR_CFG)
        .ok_or(NicError::NoIsrCapability)?;
    let transport =
        PciTransport::new::<KernelHal, _>(&mut root, location).map_err(NicError::Transport)?;
    let (transport, doorbell) = nic_transport::wrap(transport);
    let raw = Raw::new(transport).map_err(NicError::Driver)?;
    let rx = Pool::allocate().ok_or(NicError::OutOfDmaMemory)?;
    let tx = Pool::allocate().ok_or(NicError::OutOfDmaMemory)?;
    let mut nic = VirtioNic {
        raw,
        location,
        irq_line: pci::interrupt_line(location),
        rx,
        tx,
        header_bytes: 0,
        rx_slot_by_token: [0; QUEUE_SIZE],
        tx_slot_by_token: [0; QUEUE_SIZE],
        tx_bytes: [0; QUEUE_SIZE],
        tx_free: core::array::from_fn(|slot| slot as u16),
        tx_free_count: QUEUE_SIZE,
        rx_lent: None,
        rx_staged: None,
        interrupts_enabled: true,
        doorbell,
    };
    nic.set_interrupts(false);
    nic.write_tx_headers()?;
    for slot in 0..QUEUE_SIZE as u16 {
        nic.post_rx(slot).map_err(NicError::Driver)?;
    }
    ISR_ADDRESS.store(isr, Ordering::Release);
    nic.doorbell.batch();
    Ok(Some(nic))
}

/// Whether the NIC interrupted since the last call (and clears the flag).
pub fn take_interrupt_pending() -> bool {
    INTERRUPT_PENDING.swap(false, Ordering::AcqRel)
}

/// Whether the NIC interrupted since the last [`take_interrupt_pending`].
pub fn interrupt_pending() -> bool {
    INTERRUPT_PENDING.load(Ordering::Acquire)
}

/// The INTx handler: reading the ISR status byte acknowledges the interrupt and
/// deasserts the level-triggered line; the work itself happens outside the interrupt.
fn on_interrupt() {
    let isr = ISR_ADDRESS.load(Ordering::Acquire);
    if isr != 0 {
        // SAFETY: `isr` is the device's ISR status byte inside a BAR that `pci::enable`
        // mapped uncached; reading it is the documented acknowledge (virtio 1.x §4.1.4.5).
        unsafe { core::ptr::read_volatile(isr as *const u8) };
    }
    IRQS.fetch_add(1, Ordering::Relaxed);
    INTERRUPT_PENDING.store(true, Ordering::Release);
}

impl VirtioNic {
    /// The MAC address the device reports.
    pub fn mac(&self) -> [u8; 6] {
        self.raw.mac_address()
    }

    /// Bus:device.function of the NIC.
    pub fn location(&self) -> DeviceFunction {
        self.location
    }

    /// The INTx line (GSI) firmware assigned, if any.
    pub fn irq_line(&self) -> Option<u8> {
        self.irq_line
    }

    /// Installs the interrupt handler and routes the INTx line through the IOAPIC:
    /// level-triggered, active high, as QEMU's `pc` ACPI tables declare the PIIX3's
    /// PCI interrupt links. Returns the line.
    pub fn route_interrupt(&self) -> Result<Option<u8>, NicError> {
        let Some(line) = self.irq_line else {
            return Ok(None);
        };
        if line >= DEVICE_IRQ_COUNT {
            return Err(NicError::IrqLineOutOfRange(line));
        }
        crate::irq::register(line, on_interrupt);
        ioapic::route(u32::from(line), DEVICE_IRQ_BASE + line, Trigger::LevelHigh);
        Ok(Some(line))
    }

    /// Asks the device to interrupt (or not) when it uses buffers. Off while the kernel
    /// is busy processing, on just before it halts.
    pub fn set_interrupts(&mut self, enabled: bool) {
        if enabled != self.interrupts_enabled {
            if enabled {
                self.raw.enable_interrupts();
            } else {
                self.raw.disable_interrupts();
            }
            self.interrupts_enabled = enabled;
        }
    }

    /// Whether the device has used buffers waiting: a received frame or a finished
    /// transmission.
    pub fn has_work(&mut self) -> bool {
        self.rx_staged.is_some()
            || self.raw.poll_receive().is_some()
            || self.raw.poll_transmit().is_some()
    }

    /// The next received frame, without consuming it: the following [`receive`]
    /// returns the same frame. Lets the network layer see where a frame goes before
    /// smoltcp processes it.
    ///
    /// [`receive`]: VirtioNic::receive
    pub fn peek(&mut self) -> Option<&[u8]> {
        self.repost_lent_rx();
        let (slot, header, length) = self.stage()?;
        // SAFETY: a staged slot is out of the ring (completed, not re-posted) until
        // `receive` lends it and a later call re-posts it; `header + length` was checked
        // in `stage`. The borrow of `self` keeps it from being re-posted meanwhile.
        Some(unsafe { core::slice::from_raw_parts(self.rx.slot(slot).add(header), length) })
    }

    /// Takes the next completed RX buffer off the used ring (once) and keeps it staged.
    fn stage(&mut self) -> Option<(u16, usize, usize)> {
        if let Some(staged) = self.rx_staged {
            return Some(staged);
        }
        let token = self.raw.poll_receive()?;
        let Some(&slot) = self.rx_slot_by_token.get(usize::from(token)) else {
            return self.device_error("RX token out of range");
        };
        let buffer = self.rx.slot(slot);
        // SAFETY: `buffer` is the slot posted with this token (recorded in `post_rx`);
        // the device is done with it once it shows up in the used ring.
        let received = unsafe {
            self.raw
                .receive_complete(token, core::slice::from_raw_parts_mut(buffer, BUFFER_BYTES))
        };
        match received {
            Ok((header, length)) if header + length <= BUFFER_BYTES => {
                self.rx_staged = Some((slot, header, length));
                self.rx_staged
            }
            _ => {
                if self.post_rx(slot).is_err() {
                    log::error!("virtio-net: cannot re-post RX buffer {slot}");
                }
                self.device_error("bad RX completion")
            }
        }
    }

    /// The next received frame, with a transmitter for a reply. `None` when nothing was
    /// received, or when no TX buffer is free (backpressure: the frame stays queued).
    pub fn receive(&mut self) -> Option<(&[u8], Transmitter<'_>)> {
        self.repost_lent_rx();
        self.reclaim_tx();
        if self.rx_staged.is_none() && self.raw.poll_receive().is_none() {
            return None;
        }
        let Some(tx_slot) = self.take_tx_slot() else {
            TX_QUEUE_FULL.fetch_add(1, Ordering::Relaxed);
            return None;
        };
        let Some((slot, header, length)) = self.stage() else {
            self.tx_release(tx_slot);
            return None;
        };
        self.rx_staged = None;
        let buffer = self.rx.slot(slot);
        self.rx_lent = Some(slot);
        RX_PACKETS.fetch_add(1, Ordering::Relaxed);
        RX_BYTES.fetch_add(length as u64, Ordering::Relaxed);
        // SAFETY: the slot is out of the ring until the next `receive` (which needs
        // `&mut self`, so this borrow has ended); `header + length` was checked above.
        let frame = unsafe { core::slice::from_raw_parts(buffer.add(header), length) };
        Some((
            frame,
            Transmitter {
                nic: self,
                slot: Some(tx_slot),
            },
        ))
    }

    /// A transmitter with a reserved TX buffer, or `None` when all are in flight.
    pub fn transmitter(&mut self) -> Option<Transmitter<'_>> {
        self.reclaim_tx();
        match self.take_tx_slot() {
            Some(slot) => Some(Transmitter {
                nic: self,
                slot: Some(slot),
            }),
            None => {
                TX_QUEUE_FULL.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    /// Notifies the device of every frame queued and RX buffer posted since the last
    /// call (one doorbell per queue). The network layer calls it at the end of every
    /// poll, so nothing waits for a later round.
    pub fn ring_doorbells(&mut self) {
        DOORBELLS.fetch_add(u64::from(self.doorbell.ring()), Ordering::Relaxed);
    }

    /// Re-posts the RX buffer lent by the last `receive`.
    pub fn repost_lent_rx(&mut self) {
        if let Some(slot) = self.rx_lent.take() {
            if let Err(error) = self.post_rx(slot) {
                ERRORS.fetch_add(1, Ordering::Relaxed);
                log::error!("virtio-net: cannot re-post RX buffer {slot}: {error}");
            }
        }
    }

    /// Returns TX buffers whose transmission the device finished to the free list.
    pub fn reclaim_tx(&mut self) {
        while let Some(token) = self.raw.poll_transmit() {
            let Some(&slot) = self.tx_slot_by_token.get(usize::from(token)) else {
                self.device_error::<()>("TX token out of range");
                return;
            };
            let length = usize::from(self.tx_bytes[usize::from(slot)]);
            // SAFETY: the same slot and length `Transmitter::send` queued with this token.
            let done = unsafe {
                self.raw.transmit_complete(
                    token,
                    core::slice::from_raw_parts(self.tx.slot(slot), length),
                )
            };
            if done.is_err() {
                self.device_error::<()>("bad TX completion");
                return;
            }
            self.tx_release(slot);
        }
    }

    fn post_rx(&mut self, slot: u16) -> Result<(), virtio_drivers::Error> {
        let buffer = self.rx.slot(slot);
        // SAFETY: the slot belongs to no one else until it is completed and lent out by
        // `receive`; the pool lives as long as the NIC.
        let token = unsafe {
            self.raw
                .receive_begin(core::slice::from_raw_parts_mut(buffer, BUFFER_BYTES))?
        };
        if let Some(entry) = self.rx_slot_by_token.get_mut(usize::from(token)) {
            *entry = slot;
        }
        Ok(())
    }

    /// Writes the (all-default) virtio-net header in front of every TX buffer once.
    fn write_tx_headers(&mut self) -> Result<(), NicError> {
        for slot in 0..QUEUE_SIZE as u16 {
            // SAFETY: TX buffers are not in the ring during init; the pool is ours.
            let buffer =
                unsafe { core::slice::from_raw_parts_mut(self.tx.slot(slot), BUFFER_BYTES) };
            self.header_bytes = self
                .raw
                .fill_buffer_header(buffer)
                .map_err(NicError::Driver)?;
        }
        Ok(())
    }

    fn take_tx_slot(&mut self) -> Option<u16> {
        if self.tx_free_count == 0 || !self.raw.can_send() {
            return None;
        }
        self.tx_free_count -= 1;
        Some(self.tx_free[self.tx_free_count])
    }

    fn tx_release(&mut self, slot: u16) {
        if self.tx_free_count < QUEUE_SIZE {
            self.tx_free[self.tx_free_count] = slot;
            self.tx_free_count += 1;
        }
    }

    fn device_error<T>(&self, what: &str) -> Option<T> {
        ERRORS.fetch_add(1, Ordering::Relaxed);
        log::error!("virtio-net {}: {what}", self.location);
        None
    }
}

/// A reserved TX buffer. Dropping it unused returns the buffer.
pub struct Transmitter<'a> {
    nic: &'a mut VirtioNic,
    slot: Option<u16>,
}

impl Transmitter<'_> {
    /// Lets `fill` write a `length`-byte frame into the buffer, then queues it.
    pub fn send<R>(mut self, length: usize, fill: impl FnOnce(&mut [u8]) -> R) -> R {
        let nic = &mut *self.nic;
        let header = nic.header_bytes;
        let length = length.min(BUFFER_BYTES - header);
        let Some(slot) = self.slot.take() else {
            // Unreachable: a transmitter always holds a slot until `send` consumes it.
            let mut scratch = [0u8; 0];
            return fill(&mut scratch);
        };
        let buffer = nic.tx.slot(slot);
        // SAFETY: the slot was taken off the free list for this transmitter, so the
        // device does not own it; `header + length <= BUFFER_BYTES`.
        let result = fill(unsafe { core::slice::from_raw_parts_mut(buffer.add(header), length) });
        let total = header + length;
        // SAFETY: the buffer stays untouched until `reclaim_tx` sees its token in the
        // used ring and completes it with the same slot and length.
        let queued = unsafe {
            nic.raw
                .transmit_begin(core::slice::from_raw_parts(buffer, total))
        };
        match queued {
            Ok(token) => {
                if let Some(entry) = nic.tx_slot_by_token.get_mut(usize::from(token)) {
                    *entry = slot;
                }
                nic.tx_bytes[usize::from(slot)] = total as u16;
                TX_PACKETS.fetch_add(1, Ordering::Relaxed);
                TX_BYTES.fetch_add(length as u64, Ordering::Relaxed);
            }
            Err(error) => {
                nic.tx_release(slot);
                ERRORS.fetch_add(1, Ordering::Relaxed);
                log::warn!("virtio-net: frame not queued: {error}");
            }
        }
        result
    }
}

impl Drop for Transmitter<'_> {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            self.nic.tx_release(slot);
        }
    }
}

/// `QUEUE_SIZE` buffers of `BUFFER_BYTES` in one physically contiguous DMA run.
struct Pool {
    base: u64,
}

impl Pool {
    fn allocate() -> Option<Pool> {
        frames::alloc_contiguous(POOL_PAGES).map(|base| Pool { base })
    }

    /// Start of buffer `slot` (identity-mapped, so also its bus address).
    fn slot(&self, slot: u16) -> *mut u8 {
        let index = usize::from(slot) % QUEUE_SIZE;
        (self.base + (index * BUFFER_BYTES) as u64) as *mut u8
    }
}

// SAFETY: the NIC is only used under the network stack's lock; the pools are plain DMA
// memory owned by it, and the raw pointers inside never alias memory of other owners.
unsafe impl Send for VirtioNic {}
