//! The smoltcp interface: Ethernet + ARP + IPv4 (ICMP echo answered by smoltcp itself)
//! + TCP, over the virtio-net device.

use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};

use smoltcp::iface::{
    Config, Interface, PollIngressSingleResult, PollResult, SocketHandle, SocketSet, SocketStorage,
};
use smoltcp::socket::tcp;
use smoltcp::time::Instant;
use smoltcp::wire::{EthernetAddress, HardwareAddress, IpCidr};

use super::compaction::{self, HandleMap, SlotCount};
use super::device::NicDevice;
use super::parking::{self, Conns};
use super::NetConfig;
use crate::drivers::virtio_net::{self, VirtioNic};

/// Socket slots reserved at boot. The set grows as connections arrive (and keeps its
/// slots, a few hundred bytes each, for reuse), so a large `maxconn` costs nothing at rest.
const INITIAL_SOCKET_SLOTS: usize = 64;

/// Received frames processed between two sweeps of the listening pools (at most this
/// many SYNs can arrive for a pool between sweeps; see `listener::LISTENING_SOCKETS`).
pub const INGRESS_BURST_FRAMES: usize = 8;

/// Calls of [`NetStack::poll`].
pub(super) static POLLS: AtomicU64 = AtomicU64::new(0);
/// Rebuilds of the socket set ([`NetStack::compact_sockets`]).
pub(super) static COMPACTIONS: AtomicU64 = AtomicU64::new(0);

/// The one network stack: interface, sockets and the device.
pub struct NetStack {
    pub iface: Interface,
    pub sockets: SocketSet<'static>,
    pub config: NetConfig,
    device: NicDevice,
    /// Sockets in `sockets` or parked (a counter: smoltcp's set can only be counted by
    /// walking it).
    socket_count: usize,
    /// Slots of `sockets` and the sockets in them (see `compaction`).
    slot_count: SlotCount,
    /// Accepted connections, some parked outside `sockets` (see `parking`).
    pub(super) conns: Conns,
    /// A one-slot set to ask smoltcp about one socket.
    pub(super) probe: SocketSet<'static>,
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
        let storage: Vec<SocketStorage<'static>> = Vec::with_capacity(INITIAL_SOCKET_SLOTS);
        NetStack {
            iface,
            sockets: SocketSet::new(storage),
            config,
            device,
            socket_count: 0,
            slot_count: SlotCount::default(),
            conns: Conns::default(),
            probe: parking::probe_set(),
        }
    }

    /// Adds a new TCP socket to the set.
    pub fn add_socket(&mut self, socket: tcp::Socket<'static>) -> SocketHandle {
        self.socket_count += 1;
        self.set_add(socket)
    }

    /// Removes a socket from the set for good, dropping its buffers.
    pub fn remove_socket(&mut self, handle: SocketHandle) {
        self.socket_count -= 1;
        drop(self.set_take(handle));
    }

    /// Puts a socket into the set (new, or back from parking). Every socket enters the
    /// set here, so the slot count stays exact.
    pub(super) fn set_add(&mut self, socket: tcp::Socket<'static>) -> SocketHandle {
        self.slot_count.added();
        self.sockets.add(socket)
    }

    /// Takes a socket out of the set (for good, or to park it).
    pub(super) fn set_take(&mut self, handle: SocketHandle) -> tcp::Socket<'static> {
        self.slot_count.removed();
        // The only kind of socket this kernel builds (smoltcp's `socket-tcp` alone).
        let smoltcp::socket::Socket::Tcp(socket) = self.sockets.remove(handle);
        socket
    }

    /// Slots of the set and the sockets in them.
    pub fn slot_count(&self) -> SlotCount {
        self.slot_count
    }

    /// When the set is mostly empty slots (after a storm of connections, or with most
    /// connections parked): moves its sockets into a dense set, updates the
    /// connections' handles and returns the map every other holder of a handle must
    /// apply (listening pools, closing sockets, services). O(1) when not sparse.
    pub(super) fn compact_sockets(&mut self) -> Option<HandleMap> {
        if !self.slot_count.is_sparse() {
            return None;
        }
        let slots_before = self.slot_count.slots;
        let (map, count) = compaction::rebuild(&mut self.sockets);
        self.slot_count = count;
        log::debug!(
            "net: socket set rebuilt: {} sockets, {slots_before} -> {} slots",
            map.len(),
            count.slots
        );
        self.conns.remap(&map);
        COMPACTIONS.fetch_add(1, Ordering::Relaxed);
        Some(map)
    }

    /// Sockets in the set. O(1).
    pub fn socket_count(&self) -> usize {
        self.socket_count
    }

    /// One smoltcp poll at `time::now_ns()`: all received frames, in bursts of
    /// [`INGRESS_BURST_FRAMES`] with `after_burst` run after each (and at least once:
    /// it refills the listening pools), then all pending transmissions. True if anything
    /// changed (frames moved or a socket changed state).
    pub fn poll(&mut self, mut after_burst: impl FnMut(&mut NetStack)) -> bool {
        POLLS.fetch_add(1, Ordering::Relaxed);
        // Busy: the device need not interrupt until `wait_for_event` re-enables it.
        self.device.nic.set_interrupts(false);
        let frames_before = frames_moved();
        let mut changed = false;
        loop {
            let mut frames = 0;
            while frames < INGRESS_BURST_FRAMES {
                if !self.conns.parked.is_empty() {
                    if let Some(flow) = self.device.nic.peek().and_then(parking::flow_of) {
                        self.unpark_for_frame(flow);
                    }
                }
                match self
                    .iface
                    .poll_ingress_single(now(), &mut self.device, &mut self.sockets)
                {
                    PollIngressSingleResult::None => break,
                    PollIngressSingleResult::PacketProcessed => {}
                    PollIngressSingleResult::SocketStateChanged => changed = true,
                }
                frames += 1;
            }
            after_burst(self);
            if frames < INGRESS_BURST_FRAMES {
                break;
            }
        }
        let egress = self
            .iface
            .poll_egress(now(), &mut self.device, &mut self.sockets);
        // Give the last lent RX buffer back to the device right away.
        self.device.nic.repost_lent_rx();
        self.device.nic.reclaim_tx();
        // Before anything can wait: the frames and buffers of this round reach the device.
        self.device.nic.ring_doorbells();
        changed || egress == PollResult::SocketStateChanged || frames_moved() != frames_before
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
pub(super) fn now() -> Instant {
    Instant::from_micros((crate::time::now_ns() / 1000) as i64)
}

fn frames_moved() -> u64 {
    virtio_net::RX_PACKETS.load(Ordering::Relaxed) + virtio_net::TX_PACKETS.load(Ordering::Relaxed)
}
