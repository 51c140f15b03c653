//! Idle connections parked outside smoltcp's socket set.
//!
//! smoltcp's `Interface` visits every socket of the set it is given: each received
//! segment is matched by a linear search, and the send pass calls every socket's
//! `dispatch`. With thousands of idle connections that is most of the work per request.
//! So a connection that has been idle for [`PARK_AFTER_NS`] — established, nothing
//! queued either way, and no timer pending in smoltcp (no delayed ACK, retransmission
//! or anything else: its next poll would do nothing) — is moved out of the set into a
//! box, indexed by its 4-tuple. Before each received frame reaches smoltcp, the network
//! loop reads the frame's addresses ([`flow_of`]) and moves a parked connection it
//! belongs to back into the set (O(log n)); any use by the socket layer does the same.
//! smoltcp itself is unchanged: a parked socket is simply one it is not shown, at a
//! time when showing it would change nothing.
//!
//! What stays linear: the set smoltcp walks holds the listening pools and the
//! connections active in the last [`PARK_AFTER_NS`]; the park sweep visits every
//! connection once per [`PARK_SWEEP_NS`].

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use smoltcp::iface::{SocketHandle, SocketSet};
use smoltcp::socket::{tcp, Socket};
use smoltcp::wire::IpAddress;

use super::compaction::HandleMap;
use super::NetStack;

/// A connection idle this long is parked.
pub const PARK_AFTER_NS: u64 = 200_000_000;
/// How often the connections are checked for parking.
pub const PARK_SWEEP_NS: u64 = 50_000_000;

/// A connection of the socket layer, stable while its socket moves in and out of the
/// set.
pub type ConnId = usize;

/// The addresses that tell connections apart (the local address is the interface's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Flow {
    pub remote_addr: [u8; 4],
    pub remote_port: u16,
    pub local_port: u16,
}

/// Where a connection's socket is.
pub(super) enum ConnSlot {
    /// In the set, last used by the socket layer at the time given.
    Active(SocketHandle, u64),
    /// Parked.
    Parked(Box<tcp::Socket<'static>>, Flow),
    Free,
}

/// What `poll_wait` needs to know of a connection.
pub struct StreamState {
    pub is_open: bool,
    pub may_recv: bool,
    pub can_recv: bool,
    pub can_send: bool,
}

/// The TCP flow of an Ethernet frame carrying IPv4 + TCP, seen from the receiver
/// (source = remote). `None` for anything else or a frame too short to tell.
pub fn flow_of(frame: &[u8]) -> Option<Flow> {
    const ETHERNET_HEADER: usize = 14;
    const ETHERTYPE_IPV4: [u8; 2] = [0x08, 0x00];
    const PROTOCOL_TCP: u8 = 6;
    if frame.get(12..14)? != ETHERTYPE_IPV4 {
        return None;
    }
    let ip = frame.get(ETHERNET_HEADER..)?;
    let version_ihl = *ip.first()?;
    if version_ihl >> 4 != 4 || *ip.get(9)? != PROTOCOL_TCP {
        return None;
    }
    let tcp = ip.get(usize::from(version_ihl & 0x0f) * 4..)?;
    Some(Flow {
        remote_addr: ip.get(12..16)?.try_into().ok()?,
        remote_port: u16::from_be_bytes(tcp.get(0..2)?.try_into().ok()?),
        local_port: u16::from_be_bytes(tcp.get(2..4)?.try_into().ok()?),
    })
}

/// The connections and their parking.
#[derive(Default)]
pub struct Conns {
    pub(super) slots: Vec<ConnSlot>,
    free: Vec<ConnId>,
    pub(super) parked: BTreeMap<Flow, ConnId>,
    last_sweep_ns: u64,
}

impl NetStack {
    /// Connections parked now.
    pub fn parked_count(&self) -> usize {
        self.conns.parked.len()
    }

    /// Makes the accepted socket `handle` a connection.
    pub fn adopt(&mut self, handle: SocketHandle) -> ConnId {
        let slot = ConnSlot::Active(handle, crate::time::now_ns());
        match self.conns.free.pop() {
            Some(id) => {
                self.conns.slots[id] = slot;
                id
            }
            None => {
                self.conns.slots.push(slot);
                self.conns.slots.len() - 1
            }
        }
    }

    /// The connection's socket, moved back into the set if it was parked. `None` for
    /// a connection already released.
    pub fn stream_mut(&mut self, id: ConnId) -> Option<&mut tcp::Socket<'static>> {
        let handle = self.activate(id, true)?;
        Some(self.sockets.get_mut::<tcp::Socket>(handle))
    }

    /// Readiness of a connection, without moving it (a parked connection has nothing
    /// to read and room to send).
    pub fn stream_state(&self, id: ConnId) -> StreamState {
        match self.conns.slots.get(id) {
            Some(ConnSlot::Active(handle, _)) => {
                let socket = self.sockets.get::<tcp::Socket>(*handle);
                StreamState {
                    is_open: socket.is_open(),
                    may_recv: socket.may_recv(),
                    can_recv: socket.can_recv(),
                    can_send: socket.can_send(),
                }
            }
            Some(ConnSlot::Parked(..)) => StreamState {
                is_open: true,
                may_recv: true,
                can_recv: false,
                can_send: true,
            },
            Some(ConnSlot::Free) | None => StreamState {
                is_open: false,
                may_recv: true,
                can_recv: false,
                can_send: true,
            },
        }
    }

    /// Ends the connection's identity; its socket (in the set) is the caller's again.
    pub fn disown(&mut self, id: ConnId) -> Option<SocketHandle> {
        let handle = self.activate(id, false)?;
        self.conns.slots[id] = ConnSlot::Free;
        self.conns.free.push(id);
        if self.conns.slots.len() == self.conns.free.len() {
            // No connection left: give the memory of a storm back.
            self.conns = Conns {
                last_sweep_ns: self.conns.last_sweep_ns,
                ..Conns::default()
            };
        }
        Some(handle)
    }

    /// Moves the parked connection a received frame belongs to back into the set.
    pub(super) fn unpark_for_frame(&mut self, flow: Flow) {
        if let Some(&id) = self.conns.parked.get(&flow) {
            self.activate(id, false);
        }
    }

    /// Parks the connections idle for [`PARK_AFTER_NS`] whose next poll would do
    /// nothing; runs at most once per [`PARK_SWEEP_NS`].
    pub(super) fn park_idle(&mut self, now_ns: u64) {
        if now_ns.saturating_sub(self.conns.last_sweep_ns) < PARK_SWEEP_NS {
            return;
        }
        self.conns.last_sweep_ns = now_ns;
        for id in 0..self.conns.slots.len() {
            let ConnSlot::Active(handle, used_ns) = self.conns.slots[id] else {
                continue;
            };
            if now_ns.saturating_sub(used_ns) < PARK_AFTER_NS {
                continue;
            }
            let socket = self.sockets.get::<tcp::Socket>(handle);
            let quiet = socket.state() == tcp::State::Established
                && socket.send_queue() == 0
                && socket.recv_queue() == 0;
            let flow = match (socket.remote_endpoint(), socket.local_endpoint()) {
                (Some(remote), Some(local)) => match remote.addr {
                    IpAddress::Ipv4(addr) => Some(Flow {
                        remote_addr: addr.octets(),
                        remote_port: remote.port,
                        local_port: local.port,
                    }),
                },
                _ => None,
            };
            let (true, Some(flow)) = (quiet, flow) else {
                continue;
            };
            let socket = self.set_take(handle);
            // Ask smoltcp whether this one socket has anything scheduled.
            let probe_handle = self.probe.add(socket);
            let idle = self
                .iface
                .poll_at(super::interface::now(), &self.probe)
                .is_none();
            let Socket::Tcp(socket) = self.probe.remove(probe_handle);
            if idle {
                self.conns.slots[id] = ConnSlot::Parked(Box::new(socket), flow);
                self.conns.parked.insert(flow, id);
            } else {
                self.conns.slots[id] = ConnSlot::Active(self.set_add(socket), now_ns);
            }
        }
    }

    /// The connection's handle in the set, moving it back in if parked; marks it used
    /// when `used`.
    fn activate(&mut self, id: ConnId, used: bool) -> Option<SocketHandle> {
        let now_ns = crate::time::now_ns();
        let slot = self.conns.slots.get_mut(id)?;
        match core::mem::replace(slot, ConnSlot::Free) {
            ConnSlot::Active(handle, used_ns) => {
                *slot = ConnSlot::Active(handle, if used { now_ns } else { used_ns });
                Some(handle)
            }
            ConnSlot::Parked(socket, flow) => {
                self.conns.parked.remove(&flow);
                let handle = self.set_add(*socket);
                self.conns.slots[id] = ConnSlot::Active(handle, now_ns);
                Some(handle)
            }
            // The socket layer only uses connections it owns; refuse anything else.
            ConnSlot::Free => None,
        }
    }
}

impl Conns {
    /// After the socket set was rebuilt: the active connections' new handles.
    pub(super) fn remap(&mut self, map: &HandleMap) {
        for slot in &mut self.slots {
            if let ConnSlot::Active(handle, _) = slot {
                map.apply(handle);
            }
        }
    }
}

/// A one-slot set for asking smoltcp about one socket.
pub fn probe_set() -> SocketSet<'static> {
    SocketSet::new(Vec::with_capacity(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(ethertype: [u8; 2], protocol: u8, ihl: u8) -> Vec<u8> {
        let mut f = alloc::vec![0u8; 14 + usize::from(ihl) * 4 + 20];
        f[12..14].copy_from_slice(&ethertype);
        f[14] = 0x40 | ihl;
        f[14 + 9] = protocol;
        f[14 + 12..14 + 16].copy_from_slice(&[172, 31, 77, 1]);
        let tcp = 14 + usize::from(ihl) * 4;
        f[tcp..tcp + 2].copy_from_slice(&40000u16.to_be_bytes());
        f[tcp + 2..tcp + 4].copy_from_slice(&6379u16.to_be_bytes());
        f
    }

    #[test]
    fn the_flow_of_a_tcp_frame_is_its_source_and_destination_port() {
        let expected = Some(Flow {
            remote_addr: [172, 31, 77, 1],
            remote_port: 40000,
            local_port: 6379,
        });
        assert_eq!(flow_of(&frame([8, 0], 6, 5)), expected);
        assert_eq!(flow_of(&frame([8, 0], 6, 7)), expected, "IP options");
    }

    #[test]
    fn other_and_short_frames_have_no_flow() {
        assert_eq!(flow_of(&frame([8, 6], 6, 5)), None, "ARP");
        assert_eq!(flow_of(&frame([8, 0], 1, 5)), None, "ICMP");
        let full = frame([8, 0], 6, 5);
        for len in 0..14 + 20 + 4 {
            assert_eq!(flow_of(&full[..len]), None, "{len} bytes");
        }
        let mut bad_ihl = frame([8, 0], 6, 5);
        bad_ihl[14] = 0x4f;
        assert_eq!(flow_of(&bad_ihl), None, "header length past the frame");
    }
}
