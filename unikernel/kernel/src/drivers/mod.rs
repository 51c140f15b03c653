//! Device drivers.
//!
//! The disk is QEMU's `virtio-blk-pci` ([`virtio_blk`]): virtio-drivers' virtqueue and
//! PCI transport, with the request protocol, the slots and the interrupt written here.
//!
//! The NIC is QEMU's `virtio-net-pci`. Its virtqueue and transport logic comes from the
//! `virtio-drivers` crate (maintained, `no_std`, used by several Rust kernels): split
//! virtqueues, feature negotiation and the modern PCI transport are easy to get subtly
//! wrong by hand. Everything the crate needs from us sits behind one seam, [`hal::KernelHal`].
//!
//! Written by hand here:
//! - [`pci`]: configuration-space access through ports 0xCF8/0xCFC (the `pc` machine has
//!   no ECAM window without ACPI); BAR assignment in the 32-bit PCI hole (qboot assigns
//!   none) and uncached mapping; the INTx line from the PIIX3's PIRQ routing (qboot
//!   writes a wrong interrupt-line register: IRQ 11 where QEMU wires IRQ 10).
//! - [`nic_transport`]: a transport wrapper that declines `VIRTIO_F_EVENT_IDX` (so the
//!   avail-ring "no interrupt" flag really suppresses interrupts while the kernel is busy).
//! - [`virtio_net`]: the interrupt handler (reads the ISR register directly: short, lock-free), and fixed
//!   pools of RX/TX DMA buffers allocated once at init, so steady-state traffic never
//!   touches the heap.

pub mod hal;
pub mod nic_transport;
pub mod pci;
pub mod virtio_blk;
pub mod virtio_net;
