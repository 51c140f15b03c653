//! PCI configuration space through the legacy port mechanism (0xCF8 address, 0xCFC data)
//! of the `pc` machine, plus what the virtio drivers (NIC, disk) need from it: finding a device, mapping
//! its memory BARs uncached, enabling it, and its INTx line.

use core::fmt;
use core::sync::atomic::{AtomicU64, Ordering};

use virtio_drivers::transport::pci::bus::{
    BarInfo, Command, ConfigurationAccess, DeviceFunction, MemoryBarType, PciError, PciRoot,
};
use virtio_drivers::transport::pci::virtio_device_type;
use virtio_drivers::transport::DeviceType;

use crate::arch::pio;
use crate::mem::paging::{self, PagingError};

const CONFIG_ENABLE: u32 = 1 << 31;
/// Interrupt line (byte 0) and pin (byte 1) in the type-0 header.
const INTERRUPT_REGISTER: u8 = 0x3c;
/// The interrupt line value firmware leaves for "not connected / unknown".
const LINE_UNKNOWN: u8 = 0xff;
/// The PIIX3 ISA bridge of QEMU's `pc` machine and its PIRQ[A-D] route registers.
const PIIX3_ISA_BRIDGE: DeviceFunction = DeviceFunction {
    bus: 0,
    device: 1,
    function: 0,
};
const PIIX3_VENDOR_DEVICE: u32 = 0x7000_8086;
const PIIX3_PIRQ_ROUTE: u8 = 0x60;
const PIIX3_PIRQ_DISABLED: u8 = 0x80;
const PIIX3_PIRQ_IRQ_MASK: u8 = 0x0f;
/// Offsets inside a virtio PCI capability (virtio 1.x §4.1.4).
const VIRTIO_CAP_BAR: u8 = 4;
const VIRTIO_CAP_OFFSET: u8 = 8;
const PCI_CAP_ID_VENDOR: u8 = 0x09;
/// Only bus 0 is scanned: QEMU's `pc` machine puts every device there.
const BUS: u8 = 0;
/// Where BARs that firmware left unassigned (qboot assigns none) are placed: the
/// `pc` machine's 32-bit PCI hole, which starts at 3.5 GiB at the latest and ends at
/// the IOAPIC.
const MMIO_WINDOW_START: u64 = 0xe000_0000;
const MMIO_WINDOW_END: u64 = 0xfec0_0000;

/// Next free address in the MMIO window.
static NEXT_MMIO: AtomicU64 = AtomicU64::new(MMIO_WINDOW_START);

/// Configuration access through ports 0xCF8/0xCFC. Only used with interrupts off on the
/// one CPU, so the address/data pair cannot be interleaved.
#[derive(Debug)]
pub struct PortCam;

impl ConfigurationAccess for PortCam {
    fn read_word(&self, function: DeviceFunction, register_offset: u8) -> u32 {
        pio::pci_config_read(config_address(function, register_offset))
    }

    fn write_word(&mut self, function: DeviceFunction, register_offset: u8, data: u32) {
        // Callers only write registers of devices this kernel drives (command register,
        // BAR sizing done by virtio-drivers).
        pio::pci_config_write(config_address(function, register_offset), data);
    }

    unsafe fn unsafe_clone(&self) -> Self {
        PortCam
    }
}

fn config_address(function: DeviceFunction, register_offset: u8) -> u32 {
    CONFIG_ENABLE
        | u32::from(function.bus) << 16
        | u32::from(function.device & 0x1f) << 11
        | u32::from(function.function & 0x7) << 8
        | u32::from(register_offset & 0xfc)
}

/// Why a PCI device could not be prepared.
#[derive(Debug)]
pub enum PciSetupError {
    Bar(PciError),
    MmioWindowFull(u8),
    Map(PagingError),
}

impl fmt::Display for PciSetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PciSetupError::Bar(error) => write!(f, "cannot read a BAR: {error}"),
            PciSetupError::MmioWindowFull(index) => {
                write!(f, "no room for BAR{index} in the PCI MMIO window")
            }
            PciSetupError::Map(error) => write!(f, "cannot map a BAR uncached: {error}"),
        }
    }
}

/// The configuration space of the machine.
pub fn root() -> PciRoot<PortCam> {
    PciRoot::new(PortCam)
}

/// Logs every function on bus 0 (debug) and returns the first virtio network device.
pub fn find_virtio_net(root: &PciRoot<PortCam>) -> Option<DeviceFunction> {
    find_virtio(root, DeviceType::Network)
}

/// The first virtio device of type `kind` on bus 0 (every function is logged at debug).
pub fn find_virtio(root: &PciRoot<PortCam>, kind: DeviceType) -> Option<DeviceFunction> {
    let mut found = None;
    for (function, info) in root.enumerate_bus(BUS) {
        log::debug!("pci: {function} {info}");
        if found.is_none() && virtio_device_type(&info) == Some(kind) {
            found = Some(function);
        }
    }
    found
}

/// Gives every memory BAR of `function` an address if firmware did not, maps them
/// uncached and enables memory decoding and bus mastering (DMA).
pub fn enable(root: &mut PciRoot<PortCam>, function: DeviceFunction) -> Result<(), PciSetupError> {
    let bars = root.bars(function).map_err(PciSetupError::Bar)?;
    for (index, bar) in bars.iter().enumerate() {
        let index = index as u8;
        let Some(BarInfo::Memory {
            address,
            size,
            address_type,
            ..
        }) = bar
        else {
            continue;
        };
        if *size == 0 {
            continue;
        }
        let address = if *address == 0 {
            assign_bar(root, function, index, *size, *address_type)?
        } else {
            *address
        };
        log::debug!("pci: {function} BAR{index} memory {address:#x} + {size:#x}");
        paging::map_uncached(address..address + *size).map_err(PciSetupError::Map)?;
    }
    let (_, command) = root.get_status_command(function);
    root.set_command(
        function,
        command | Command::MEMORY_SPACE | Command::BUS_MASTER,
    );
    Ok(())
}

/// Places BAR `index` (naturally aligned) in the MMIO window.
fn assign_bar(
    root: &mut PciRoot<PortCam>,
    function: DeviceFunction,
    index: u8,
    size: u64,
    address_type: MemoryBarType,
) -> Result<u64, PciSetupError> {
    let full = PciSetupError::MmioWindowFull(index);
    let next = NEXT_MMIO.load(Ordering::Relaxed);
    let address = next.checked_next_multiple_of(size).ok_or(full)?;
    let end = address
        .checked_add(size)
        .ok_or(PciSetupError::MmioWindowFull(index))?;
    if end > MMIO_WINDOW_END {
        return Err(PciSetupError::MmioWindowFull(index));
    }
    NEXT_MMIO.store(end, Ordering::Relaxed);
    match address_type {
        MemoryBarType::Width64 => root.set_bar_64(function, index, address),
        _ => root.set_bar_32(function, index, address as u32),
    }
    log::debug!("pci: {function} BAR{index} assigned {address:#x}");
    Ok(address)
}

/// The legacy interrupt line (an IOAPIC GSI on the `pc` machine) of `function`, if it
/// uses INTx at all. On the i440FX/PIIX3 the line is computed from the chipset's PIRQ
/// routing, because qboot writes a wrong value into the interrupt-line register (it
/// swizzles as `slot + pin - 1`; QEMU wires `slot - 1 + pin - 1`).
pub fn interrupt_line(function: DeviceFunction) -> Option<u8> {
    let register = PortCam.read_word(function, INTERRUPT_REGISTER);
    let line = register as u8;
    let pin = (register >> 8) as u8;
    if !(1..=4).contains(&pin) {
        return None;
    }
    match piix3_route(function, pin) {
        Some(routed) => {
            if routed != line {
                log::debug!(
                    "pci: {function} INTx pin {pin}: PIIX3 routes it to IRQ {routed}, firmware wrote {line}"
                );
            }
            Some(routed)
        }
        None => (line != LINE_UNKNOWN).then_some(line),
    }
}

/// The ISA IRQ the PIIX3 routes INTx `pin` (1 = INTA) of a bus-0 device to, if the
/// machine has a PIIX3 and the route is enabled.
fn piix3_route(function: DeviceFunction, pin: u8) -> Option<u8> {
    if function.bus != BUS || PortCam.read_word(PIIX3_ISA_BRIDGE, 0) != PIIX3_VENDOR_DEVICE {
        return None;
    }
    // (slot - 1 + pin - 1) mod 4, written without underflow.
    let pirq = (u32::from(function.device) + u32::from(pin) + 2) % 4;
    let route = (PortCam.read_word(PIIX3_ISA_BRIDGE, PIIX3_PIRQ_ROUTE) >> (8 * pirq)) as u8;
    (route & PIIX3_PIRQ_DISABLED == 0).then_some(route & PIIX3_PIRQ_IRQ_MASK)
}

/// Physical address of the structure described by the first virtio vendor capability of
/// `cfg_type` (virtio 1.x §4.1.4), e.g. the ISR status byte.
pub fn virtio_structure_address(
    root: &mut PciRoot<PortCam>,
    function: DeviceFunction,
    cfg_type: u8,
) -> Option<u64> {
    let capability = root.capabilities(function).find(|capability| {
        capability.id == PCI_CAP_ID_VENDOR && (capability.private_header >> 8) as u8 == cfg_type
    })?;
    let bar = PortCam.read_word(function, capability.offset + VIRTIO_CAP_BAR) as u8;
    let offset = PortCam.read_word(function, capability.offset + VIRTIO_CAP_OFFSET);
    let (address, size) = root.bar_info(function, bar).ok()??.memory_address_size()?;
    (address != 0 && u64::from(offset) < size).then_some(address + u64::from(offset))
}
