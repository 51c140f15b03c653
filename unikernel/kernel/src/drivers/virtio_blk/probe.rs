//! Bringing the disk up: finding it on PCI, negotiating features, reading its size,
//! setting up the request queue and the slots.

use core::fmt;
use core::sync::atomic::Ordering;

use virtio_drivers::queue::VirtQueue;
use virtio_drivers::transport::pci::{PciTransport, VirtioPciError};
use virtio_drivers::transport::{DeviceStatus, DeviceType, Transport};

use super::slots::Slots;
use super::{
    VirtioBlk, FEATURE_FLUSH, FEATURE_RO, FEATURE_VERSION_1, ISR_ADDRESS, QUEUE,
    VIRTIO_PCI_CAP_ISR_CFG,
};
use crate::arch::vectors::DEVICE_IRQ_COUNT;
use crate::drivers::hal::KernelHal;
use crate::drivers::pci::{self, PciSetupError};
use crate::mem::PAGE_SIZE;

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
