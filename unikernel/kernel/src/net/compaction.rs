//! Keeping smoltcp's socket set dense after a storm of connections.
//!
//! smoltcp's `SocketSet` is a vector of slots: a removed socket leaves an empty slot
//! behind, `add` takes the first empty one, and the slots are never given back. Every
//! walk smoltcp makes over the set — the send pass of each poll, `poll_delay`, the
//! receive path's search for the socket a segment belongs to — visits every slot,
//! empty or not. After 2,000 connections opened at once (or parked when idle, see
//! `parking`) the set keeps 2,000 slots, and every later poll round pays for all of
//! them, however few connections are left: in `loadgen storm` that was a quarter of
//! the guest's time per connect/close cycle.
//!
//! [`SlotCount`] follows how many slots the set has and how many hold a socket (it
//! knows exactly when `add` grows the vector: when no slot is empty), so the network
//! loop can tell in O(1) when the set is mostly empty. [`rebuild`] then moves the
//! sockets into a fresh set and returns a [`HandleMap`] from their old handles to the
//! new ones, which every holder of a handle applies (listening pools, connections,
//! closing sockets, built-in services).

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use smoltcp::iface::{SocketHandle, SocketSet};

/// A set with fewer slots than this is never rebuilt (a walk over it costs little).
pub const COMPACT_MIN_SLOTS: usize = 256;
/// The set is rebuilt once at most one slot in this many holds a socket.
pub const COMPACT_SPARSENESS: usize = 4;

/// Slots of a `SocketSet` and the sockets in them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SlotCount {
    /// Slots holding a socket.
    pub live: usize,
    /// Slots in the set's vector, empty or not.
    pub slots: usize,
}

impl SlotCount {
    /// A socket was added: smoltcp takes an empty slot, or appends one when none is.
    pub fn added(&mut self) {
        if self.live == self.slots {
            self.slots += 1;
        }
        self.live += 1;
    }

    /// A socket was removed; its slot stays, empty.
    pub fn removed(&mut self) {
        self.live = self.live.saturating_sub(1);
    }

    /// Whether the set is large and mostly empty slots ([`COMPACT_MIN_SLOTS`],
    /// [`COMPACT_SPARSENESS`]).
    pub fn is_sparse(&self) -> bool {
        self.slots >= COMPACT_MIN_SLOTS && self.live * COMPACT_SPARSENESS <= self.slots
    }
}

/// Old handle → new handle, after [`rebuild`].
#[derive(Debug, Default)]
pub struct HandleMap(BTreeMap<SocketHandle, SocketHandle>);

impl HandleMap {
    /// Rewrites `handle` to its socket's new handle (left alone if the set held no
    /// socket under it, which no holder keeps).
    pub fn apply(&self, handle: &mut SocketHandle) {
        if let Some(&new) = self.0.get(handle) {
            *handle = new;
        }
    }

    /// Sockets moved.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// Moves every socket of `set` into a fresh set with one slot per socket; returns where
/// each went and the new set's [`SlotCount`]. O(slots + live²): smoltcp's `add` scans
/// for an empty slot, and the new set has none (the caller rebuilds only a sparse set,
/// where live ≤ slots / [`COMPACT_SPARSENESS`]).
pub fn rebuild(set: &mut SocketSet<'static>) -> (HandleMap, SlotCount) {
    let handles: Vec<SocketHandle> = set.iter().map(|(handle, _)| handle).collect();
    let mut old = core::mem::replace(set, SocketSet::new(Vec::with_capacity(handles.len())));
    let mut map = BTreeMap::new();
    for handle in handles {
        // The only kind of socket this kernel builds (smoltcp's `socket-tcp` alone).
        let smoltcp::socket::Socket::Tcp(socket) = old.remove(handle);
        map.insert(handle, set.add(socket));
    }
    let count = SlotCount {
        live: map.len(),
        slots: map.len(),
    };
    (HandleMap(map), count)
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;

    use smoltcp::socket::tcp;

    use super::*;

    fn socket() -> tcp::Socket<'static> {
        tcp::Socket::new(
            tcp::SocketBuffer::new(alloc::vec![0; 64]),
            tcp::SocketBuffer::new(alloc::vec![0; 64]),
        )
    }

    /// The slot index of a handle (smoltcp prints it as `#N`).
    fn index(handle: SocketHandle) -> usize {
        handle.to_string()[1..].parse().unwrap()
    }

    #[test]
    fn the_count_follows_smoltcps_slots() {
        let mut set = SocketSet::new(Vec::new());
        let mut count = SlotCount::default();
        let mut handles = Vec::new();
        for _ in 0..10 {
            handles.push(set.add(socket()));
            count.added();
        }
        for handle in handles.drain(2..8) {
            set.remove(handle);
            count.removed();
        }
        // Refills the empty slots 2..8 first, then appends one.
        for expected in (2..8).chain([10]) {
            let handle = set.add(socket());
            count.added();
            assert_eq!(index(handle), expected);
        }
        assert_eq!(
            count,
            SlotCount {
                live: 11,
                slots: 11
            }
        );
    }

    #[test]
    fn only_a_large_mostly_empty_set_is_sparse() {
        let count = |live, slots| SlotCount { live, slots };
        assert!(!count(10, 100).is_sparse(), "small sets stay");
        assert!(!count(0, COMPACT_MIN_SLOTS - 1).is_sparse());
        assert!(count(0, COMPACT_MIN_SLOTS).is_sparse());
        assert!(count(500, 2000).is_sparse());
        assert!(!count(501, 2000).is_sparse());
    }

    #[test]
    fn a_rebuilt_set_holds_the_same_sockets_in_as_many_slots() {
        let mut set = SocketSet::new(Vec::new());
        let mut count = SlotCount::default();
        let mut kept = Vec::new();
        let mut dropped = Vec::new();
        for n in 0..2000u16 {
            let mut s = socket();
            s.listen(1000 + n).unwrap();
            let handle = set.add(s);
            count.added();
            if n % 100 == 7 {
                kept.push((handle, 1000 + n));
            } else {
                dropped.push(handle);
            }
        }
        for handle in dropped {
            set.remove(handle);
            count.removed();
        }
        assert_eq!(
            count,
            SlotCount {
                live: 20,
                slots: 2000
            }
        );
        assert!(count.is_sparse());

        let (map, count) = rebuild(&mut set);
        assert_eq!(
            count,
            SlotCount {
                live: 20,
                slots: 20
            }
        );
        assert_eq!(map.len(), 20);
        for (mut handle, port) in kept {
            map.apply(&mut handle);
            assert!(index(handle) < 20, "{handle} is in the dense set");
            let socket = set.get::<tcp::Socket>(handle);
            assert_eq!(socket.state(), tcp::State::Listen);
            assert_eq!(socket.listen_endpoint().port, port, "the same socket");
        }
        // The next socket appends right after them.
        assert_eq!(index(set.add(socket())), 20);
    }
}
