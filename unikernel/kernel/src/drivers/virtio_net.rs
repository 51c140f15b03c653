//! The virtio-net NIC: probe over PCI, fixed RX/TX buffer pools, INTx interrupt.
//!
//! Every RX descriptor of the queue is posted with its own 2 KiB buffer at init; a
//! received frame is lent to the network stack and re-posted on the next receive, so at
//! most one RX buffer is ever out of the ring. TX frames are built in place in one of as
//! many TX buffers as the queue has descriptors; when none is free, the caller gets
//! nothing (backpressure) and [`TX_QUEUE_FULL`] counts it. No heap allocation per packet.
//!
//! This module holds device setup, the interrupt and the buffer pools; [`receive`] is
//! the RX side, [`transmit`] the TX side.

mod receive;
mod transmit;

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

pub use self::transmit::Transmitter;

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

    /// Notifies the device of every frame queued and RX buffer posted since the last
    /// call (one doorbell per queue). The network layer calls it at the end of every
    /// poll, so nothing waits for a later round.
    pub fn ring_doorbells(&mut self) {
        DOORBELLS.fetch_add(u64::from(self.doorbell.ring()), Ordering::Relaxed);
    }

    fn device_error<T>(&self, what: &str) -> Option<T> {
        ERRORS.fetch_add(1, Ordering::Relaxed);
        log::error!("virtio-net {}: {what}", self.location);
        None
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
