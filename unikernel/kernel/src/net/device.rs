//! smoltcp's `Device` over the virtio-net driver: tokens borrow the driver's fixed
//! buffers directly, so frames are never copied or allocated here.

use smoltcp::phy::{Device, DeviceCapabilities, Medium, RxToken, TxToken};
use smoltcp::time::Instant;

use crate::drivers::virtio_net::{Transmitter, VirtioNic};

/// Largest Ethernet frame without FCS: 1500 bytes of payload + 14 bytes of header.
const ETHERNET_MTU_BYTES: usize = 1514;

/// The NIC as smoltcp sees it.
pub struct NicDevice {
    pub(super) nic: VirtioNic,
}

impl Device for NicDevice {
    type RxToken<'a> = RxFrame<'a>;
    type TxToken<'a> = TxFrame<'a>;

    fn receive(&mut self, _timestamp: Instant) -> Option<(RxFrame<'_>, TxFrame<'_>)> {
        let (frame, transmitter) = self.nic.receive()?;
        Some((RxFrame(frame), TxFrame(transmitter)))
    }

    fn transmit(&mut self, _timestamp: Instant) -> Option<TxFrame<'_>> {
        self.nic.transmitter().map(TxFrame)
    }

    fn capabilities(&self) -> DeviceCapabilities {
        let mut caps = DeviceCapabilities::default();
        caps.medium = Medium::Ethernet;
        caps.max_transmission_unit = ETHERNET_MTU_BYTES;
        caps
    }
}

/// A received frame, lent by the driver until the next receive.
pub struct RxFrame<'a>(&'a [u8]);

impl RxToken for RxFrame<'_> {
    fn consume<R, F>(self, f: F) -> R
    where
        F: FnOnce(&[u8]) -> R,
    {
        f(self.0)
    }
}

/// A reserved TX buffer; the frame is queued when smoltcp has written it.
pub struct TxFrame<'a>(Transmitter<'a>);

impl TxToken for TxFrame<'_> {
    fn consume<R, F>(self, len: usize, f: F) -> R
    where
        F: FnOnce(&mut [u8]) -> R,
    {
        self.0.send(len, f)
    }
}
