//! A `Transport` wrapper around virtio-drivers' `PciTransport` that declines
//! `VIRTIO_F_EVENT_IDX`. With event indices, virtio-drivers ignores
//! `disable_interrupts()` and re-arms the used-event index on every pop, so a busy kernel
//! would still get an interrupt per packet; without them, the avail-ring
//! `NO_INTERRUPT` flag suppresses interrupts until the kernel goes idle again.
//!
//! It also batches doorbells: while batching is on, a queue notification (an MMIO write
//! that makes QEMU process the queue: 25-34k guest cycles under TCG) is only recorded,
//! and [`Doorbell::ring`] sends one per queue at the end of the network poll, so a
//! round that queues several frames costs one notification, not one per frame. The
//! network layer rings before it returns from every poll, so no frame waits for a
//! later round (nor for the kernel to go idle).

use alloc::boxed::Box;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use spin::Mutex;
use virtio_drivers::transport::pci::PciTransport;
use virtio_drivers::transport::{DeviceStatus, DeviceType, InterruptStatus, Transport};
use virtio_drivers::{PhysAddr, Result};
use zerocopy::{FromBytes, Immutable, IntoBytes};

/// `VIRTIO_F_EVENT_IDX` (virtio 1.x §6.3).
const FEATURE_EVENT_IDX: u64 = 1 << 29;

/// What the transport inside the driver and the NIC's [`Doorbell`] share.
struct Shared {
    transport: Mutex<PciTransport>,
    batching: AtomicBool,
    /// One bit per queue with a notification held back.
    pending: AtomicU32,
}

/// `PciTransport` minus the event-index feature and with batched notifications;
/// everything else is passed through.
pub struct NicTransport(&'static Shared);

/// Rings the notifications the transport held back.
pub struct Doorbell(&'static Shared);

impl core::fmt::Debug for NicTransport {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("NicTransport")
    }
}

/// Wraps `transport` (for the NIC's lifetime: one allocation, never freed); the
/// [`Doorbell`] controls its batching.
pub fn wrap(transport: PciTransport) -> (NicTransport, Doorbell) {
    let shared: &'static Shared = Box::leak(Box::new(Shared {
        transport: Mutex::new(transport),
        batching: AtomicBool::new(false),
        pending: AtomicU32::new(0),
    }));
    (NicTransport(shared), Doorbell(shared))
}

impl Doorbell {
    /// From now on, notifications wait for [`Doorbell::ring`].
    pub fn batch(&self) {
        self.0.batching.store(true, Ordering::Relaxed);
    }

    /// Sends the notifications held back, one per queue. Returns how many.
    pub fn ring(&self) -> u32 {
        let pending = self.0.pending.swap(0, Ordering::Relaxed);
        if pending == 0 {
            return 0;
        }
        let mut transport = self.0.transport.lock();
        for queue in 0..u32::BITS as u16 {
            if pending & (1 << queue) != 0 {
                transport.notify(queue);
            }
        }
        pending.count_ones()
    }
}

impl NicTransport {
    fn inner(&self) -> spin::MutexGuard<'_, PciTransport> {
        self.0.transport.lock()
    }
}

impl Transport for NicTransport {
    fn device_type(&self) -> DeviceType {
        self.inner().device_type()
    }

    fn read_device_features(&mut self) -> u64 {
        self.inner().read_device_features() & !FEATURE_EVENT_IDX
    }

    fn write_driver_features(&mut self, driver_features: u64) {
        self.inner().write_driver_features(driver_features)
    }

    fn max_queue_size(&mut self, queue: u16) -> u32 {
        self.inner().max_queue_size(queue)
    }

    fn notify(&mut self, queue: u16) {
        if self.0.batching.load(Ordering::Relaxed) && queue < u32::BITS as u16 {
            self.0.pending.fetch_or(1 << queue, Ordering::Relaxed);
        } else {
            self.inner().notify(queue)
        }
    }

    fn get_status(&self) -> DeviceStatus {
        self.inner().get_status()
    }

    fn set_status(&mut self, status: DeviceStatus) {
        self.inner().set_status(status)
    }

    fn set_guest_page_size(&mut self, guest_page_size: u32) {
        self.inner().set_guest_page_size(guest_page_size)
    }

    fn requires_legacy_layout(&self) -> bool {
        self.inner().requires_legacy_layout()
    }

    fn queue_set(
        &mut self,
        queue: u16,
        size: u32,
        descriptors: PhysAddr,
        driver_area: PhysAddr,
        device_area: PhysAddr,
    ) {
        self.inner()
            .queue_set(queue, size, descriptors, driver_area, device_area)
    }

    fn queue_unset(&mut self, queue: u16) {
        self.inner().queue_unset(queue)
    }

    fn queue_used(&mut self, queue: u16) -> bool {
        self.inner().queue_used(queue)
    }

    fn ack_interrupt(&mut self) -> InterruptStatus {
        self.inner().ack_interrupt()
    }

    fn read_config_generation(&self) -> u32 {
        self.inner().read_config_generation()
    }

    fn read_config_space<T: FromBytes + IntoBytes>(&self, offset: usize) -> Result<T> {
        self.inner().read_config_space(offset)
    }

    fn write_config_space<T: IntoBytes + Immutable>(
        &mut self,
        offset: usize,
        value: T,
    ) -> Result<()> {
        self.inner().write_config_space(offset, value)
    }
}
