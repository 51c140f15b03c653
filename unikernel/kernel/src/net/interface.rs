//! The smoltcp interface: Ethernet + ARP + IPv4 (ICMP echo answered by smoltcp itself)
//! + TCP, over the virtio-net device.

use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};

use smoltcp::iface::{Config, Interface, PollResult, SocketSet, SocketStorage};
use smoltcp::time::Instant;
use smoltcp::wire::{EthernetAddress, HardwareAddress, IpCidr};

use super::device::NicDevice;
use super::NetConfig;
use crate::drivers::virtio_net::{self, VirtioNic};

/// Socket slots beyond `maxconn`: the socket layer's pool of listening sockets and a
/// few spare. The set grows past this if needed.
const EXTRA_SOCKET_SLOTS: usize = 64;

/// Calls of [`NetStack::poll`].
pub(super) static POLLS: AtomicU64 = AtomicU64::new(0);

/// The one network stack: interface, sockets and the device.
pub struct NetStack {
    pub iface: Interface,
    pub sockets: SocketSet<'static>,
    pub config: NetConfig,
    device: NicDevice,
}

impl NetStack {
    /// Builds the interface on `nic` with the addresses of `config`.
    pub(super) fn new(config: NetConfig, nic: VirtioNic) -> NetStack {
        let mac = config.mac.unwrap_or_else(|| nic.mac());
        let mut device = NicDevice { nic };
        let mut iface_config = Config::new(HardwareAddress::Ethernet(EthernetAddress(mac)));
        iface_config.random_seed = crate::arch::cpu::rdtsc();
        let mut iface = Interface::new(iface_config, &mut device, now());
        iface.update_ip_addrs(|addresses| {
            if addresses.push(IpCidr::Ipv4(config.ip)).is_err() {
                log::error!("net: cannot add {} to the interface", config.ip);
            }
        });
        if let Some(gateway) = config.gateway {
            if iface.routes_mut().add_default_ipv4_route(gateway).is_err() {
                log::error!("net: route table full; no default route via {gateway}");
            }
        }
        let storage: Vec<SocketStorage<'static>> =
            Vec::with_capacity(config.maxconn + EXTRA_SOCKET_SLOTS);
        NetStack {
            iface,
            sockets: SocketSet::new(storage),
            config,
            device,
        }
    }

    /// One smoltcp poll at `time::now_ns()`: all received frames, then all pending
    /// transmissions. True if anything changed (frames moved or a socket changed state).
    pub fn poll(&mut self) -> bool {
        POLLS.fetch_add(1, Ordering::Relaxed);
        // Busy: the device need not interrupt until `wait_for_event` re-enables it.
        self.device.nic.set_interrupts(false);
        let frames_before = frames_moved();
        let result = self.iface.poll(now(), &mut self.device, &mut self.sockets);
        // Give the last lent RX buffer back to the device right away.
        self.device.nic.repost_lent_rx();
        self.device.nic.reclaim_tx();
        result == PollResult::SocketStateChanged || frames_moved() != frames_before
    }

    /// smoltcp's next timer (retransmission, delayed ACK, ARP retry...) in nanoseconds
    /// from now; `None` when nothing is pending.
    pub fn poll_delay_ns(&mut self) -> Option<u64> {
        self.iface
            .poll_delay(now(), &self.sockets)
            .map(|delay| delay.total_micros().saturating_mul(1000))
    }

    /// Before halting: lets the device interrupt again; true when work already arrived
    /// (then the caller must not halt).
    pub(super) fn arm_interrupts(&mut self) -> bool {
        self.device.nic.set_interrupts(true);
        self.device.nic.has_work()
    }

    /// Whether the device has used buffers waiting (for busy polling).
    pub(super) fn device_has_work(&mut self) -> bool {
        self.device.nic.has_work()
    }
}

/// smoltcp's clock: the kernel's monotonic clock.
fn now() -> Instant {
    Instant::from_micros((crate::time::now_ns() / 1000) as i64)
}

fn frames_moved() -> u64 {
    virtio_net::RX_PACKETS.load(Ordering::Relaxed) + virtio_net::TX_PACKETS.load(Ordering::Relaxed)
}
