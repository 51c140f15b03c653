//! The descriptor table: descriptors handed out lowest-free-first from 3, what each one
//! is (fresh, bound, listening, stream) and its readiness interest, and the readiness
//! scan over them.

use alloc::collections::BinaryHeap;
use alloc::vec::Vec;
use core::cmp::Reverse;

use smoltcp::iface::SocketHandle;
use spin::Mutex;

use super::{Fd, Interest, PollEvent, SocketStats};
use crate::errno::Errno;
use crate::net::compaction::HandleMap;
use crate::net::listener::ListenPool;
use crate::net::parking::ConnId;
use crate::net::readiness::fair_scan;
use crate::net::NetStack;

/// First descriptor handed out (0-2 are stdin/stdout/stderr on Linux; kept free so
/// descriptor numbers look the same on both platforms).
const FIRST_FD: usize = 3;

/// What a descriptor is.
pub(super) enum Kind {
    /// After `socket()`.
    Fresh,
    /// After `bind()`.
    Bound { port: u16 },
    /// After `listen()`.
    Listening(ListenPool),
    /// An accepted connection.
    Stream(ConnId),
}

pub(super) struct Entry {
    pub(super) kind: Kind,
    pub(super) interest: Interest,
}

/// The descriptor table and socket bookkeeping. Every operation on one descriptor is
/// O(1) or O(log n) in the number of descriptors.
pub(super) struct Table {
    entries: Vec<Option<Entry>>,
    /// Free slots of `entries` below its length, lowest first (descriptors are handed
    /// out lowest-free-first, as on Linux).
    free: BinaryHeap<Reverse<usize>>,
    /// Descriptors in use.
    descriptors: usize,
    /// Descriptors of listening sockets (few: refilled on every burst of frames).
    pub(super) listeners: Vec<Fd>,
    /// Where the next readiness scan starts: one past the last descriptor reported, so
    /// when more are ready than fit in one `poll_wait`, the next call continues there
    /// and none starves.
    scan_cursor: usize,
    /// Accepted connections currently open (limited by `maxconn=`).
    pub(super) streams: usize,
    /// Streams closed by the application that smoltcp is still shutting down, with the
    /// time they were closed.
    pub(super) closing: Vec<(SocketHandle, u64)>,
}

pub(super) static TABLE: Mutex<Table> = Mutex::new(Table::new());

impl Table {
    const fn new() -> Table {
        Table {
            entries: Vec::new(),
            free: BinaryHeap::new(),
            descriptors: 0,
            listeners: Vec::new(),
            scan_cursor: 0,
            streams: 0,
            closing: Vec::new(),
        }
    }

    /// Counts only: O(1).
    pub(super) fn snapshot(&self, stack: Option<&NetStack>) -> SocketStats {
        SocketStats {
            descriptors: self.descriptors,
            streams: self.streams,
            closing: self.closing.len(),
            smoltcp_sockets: stack.map_or(0, NetStack::socket_count),
            socket_slots: stack.map_or(0, |stack| stack.slot_count().slots),
            parked: stack.map_or(0, NetStack::parked_count),
        }
    }

    pub(super) fn insert(&mut self, entry: Entry) -> Result<Fd, Errno> {
        if self.entries.len() < FIRST_FD {
            self.entries.resize_with(FIRST_FD, || None);
        }
        let slot = match self.free.pop() {
            Some(Reverse(free)) => free,
            None => {
                self.entries.push(None);
                self.entries.len() - 1
            }
        };
        let Ok(fd) = Fd::try_from(slot) else {
            self.free.push(Reverse(slot));
            return Err(Errno::EMFILE);
        };
        self.entries[slot] = Some(entry);
        self.descriptors += 1;
        Ok(fd)
    }

    pub(super) fn replenish_listeners(&mut self, stack: &mut NetStack) {
        for &fd in &self.listeners {
            if let Some(Some(Entry {
                kind: Kind::Listening(pool),
                ..
            })) = self.entries.get_mut(fd as usize)
            {
                pool.replenish(stack);
            }
        }
    }

    /// After the socket set was rebuilt: the new handles of the listening pools and of
    /// the closing sockets.
    pub(super) fn remap(&mut self, map: &HandleMap) {
        for &fd in &self.listeners {
            if let Some(Some(Entry {
                kind: Kind::Listening(pool),
                ..
            })) = self.entries.get_mut(fd as usize)
            {
                pool.remap(map);
            }
        }
        for (handle, _) in &mut self.closing {
            map.apply(handle);
        }
    }

    pub(super) fn get_mut(&mut self, fd: Fd) -> Result<&mut Entry, Errno> {
        usize::try_from(fd)
            .ok()
            .and_then(|i| self.entries.get_mut(i))
            .and_then(Option::as_mut)
            .ok_or(Errno::EBADF)
    }

    pub(super) fn remove(&mut self, fd: Fd) -> Result<Entry, Errno> {
        let slot = usize::try_from(fd).map_err(|_| Errno::EBADF)?;
        let entry = self
            .entries
            .get_mut(slot)
            .and_then(Option::take)
            .ok_or(Errno::EBADF)?;
        self.free.push(Reverse(slot));
        self.descriptors -= 1;
        self.trim();
        Ok(entry)
    }

    /// Drops the free slots at the end of the table, so the readiness scan visits no
    /// more slots than up to the highest descriptor open (not the highest ever open:
    /// after a storm of 2,000 connections it would visit 2,000 slots per `poll_wait`).
    /// Amortised O(1): a slot leaves `free` at most once per time it was freed.
    fn trim(&mut self) {
        let before = self.entries.len();
        while self.entries.len() > FIRST_FD && self.entries.last().is_some_and(Option::is_none) {
            self.entries.pop();
        }
        let len = self.entries.len();
        if len == before {
            return;
        }
        self.free.retain(|&Reverse(slot)| slot < len);
        if self.entries.capacity() > 4 * len.max(64) {
            // After a storm: give the memory back.
            self.entries.shrink_to(2 * len);
            self.free.shrink_to_fit();
        }
    }

    /// Slots the readiness scan visits.
    #[cfg(test)]
    fn slots(&self) -> usize {
        self.entries.len()
    }

    pub(super) fn stream(&mut self, fd: Fd) -> Result<ConnId, Errno> {
        match self.get_mut(fd)?.kind {
            Kind::Stream(handle) => Ok(handle),
            Kind::Listening(_) => Err(Errno::EINVAL),
            Kind::Fresh | Kind::Bound { .. } => Err(Errno::ENOTCONN),
        }
    }

    pub(super) fn port_in_use(&self, port: u16) -> bool {
        self.entries
            .iter()
            .flatten()
            .any(|entry| match &entry.kind {
                Kind::Bound { port: p } => *p == port,
                Kind::Listening(pool) => pool.port() == port,
                _ => false,
            })
    }

    /// Fills `events` with ready descriptors, fairly (see [`fair_scan`]).
    pub(super) fn collect_ready(
        &mut self,
        stack: &mut NetStack,
        events: &mut [PollEvent],
    ) -> usize {
        let below_maxconn = self.streams < stack.config.maxconn;
        let entries = &self.entries;
        fair_scan(&mut self.scan_cursor, entries.len(), events, |index| {
            let entry = entries[index].as_ref()?;
            if entry.interest == Interest::default() {
                return None;
            }
            let mut event = PollEvent {
                fd: index as Fd,
                ..PollEvent::default()
            };
            match &entry.kind {
                Kind::Stream(conn) => {
                    let socket = stack.stream_state(*conn);
                    event.hangup = !socket.is_open;
                    let end_of_stream = !socket.may_recv;
                    event.readable = entry.interest.readable
                        && (socket.can_recv || end_of_stream || event.hangup);
                    event.writable = entry.interest.writable && (socket.can_send || event.hangup);
                }
                Kind::Listening(pool) => {
                    // At `maxconn`, accept would say EAGAIN: not readable (no busy spin).
                    event.readable =
                        entry.interest.readable && below_maxconn && pool.has_established();
                }
                Kind::Fresh | Kind::Bound { .. } => {}
            }
            (event.readable || event.writable || event.hangup).then_some(event)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty_table() -> Table {
        Table::new()
    }

    fn fresh() -> Entry {
        Entry {
            kind: Kind::Fresh,
            interest: Interest::default(),
        }
    }

    #[test]
    fn descriptors_start_after_stdio_and_reuse_the_lowest_free_slot() {
        let mut table = empty_table();
        assert_eq!(table.insert(fresh()), Ok(3));
        assert_eq!(table.insert(fresh()), Ok(4));
        assert_eq!(table.insert(fresh()), Ok(5));
        assert!(table.remove(4).is_ok());
        assert_eq!(table.insert(fresh()), Ok(4));
        assert_eq!(table.insert(fresh()), Ok(6));
        assert_eq!(table.snapshot(None).descriptors, 4);
    }

    #[test]
    fn the_table_shrinks_back_to_the_highest_open_descriptor() {
        let mut table = empty_table();
        let fds: Vec<Fd> = (0..2000).map(|_| table.insert(fresh()).unwrap()).collect();
        assert_eq!(table.slots(), FIRST_FD + 2000);
        // Keep 3, 4 and 10 open; close the rest, highest last.
        for &fd in fds.iter().filter(|&&fd| ![3, 4, 10].contains(&fd)) {
            table.remove(fd).unwrap();
        }
        assert_eq!(table.slots(), 11, "the scan ends at descriptor 10");
        assert_eq!(table.snapshot(None).descriptors, 3);
        // Lowest free first, then past the end; no descriptor handed out twice.
        let again: Vec<Fd> = (0..8).map(|_| table.insert(fresh()).unwrap()).collect();
        assert_eq!(again, [5, 6, 7, 8, 9, 11, 12, 13]);
        table.remove(10).unwrap();
        table.remove(13).unwrap();
        assert_eq!(table.slots(), 13);
        assert_eq!(table.insert(fresh()), Ok(10));
        assert_eq!(table.insert(fresh()), Ok(13));
        for fd in (3..=13).rev() {
            table.remove(fd).unwrap();
        }
        assert_eq!(table.slots(), FIRST_FD);
        assert_eq!(table.insert(fresh()), Ok(3));
    }

    #[test]
    fn unknown_and_closed_descriptors_are_ebadf() {
        let mut table = empty_table();
        let fd = table.insert(fresh()).unwrap();
        for bad in [-1, 0, 1, 2, fd + 1, Fd::MAX] {
            assert_eq!(table.get_mut(bad).err(), Some(Errno::EBADF), "{bad}");
        }
        assert!(table.remove(fd).is_ok());
        assert_eq!(table.remove(fd).err(), Some(Errno::EBADF));
        assert_eq!(table.get_mut(fd).err(), Some(Errno::EBADF));
    }

    #[test]
    fn only_streams_carry_data() {
        let mut table = empty_table();
        let unbound = table.insert(fresh()).unwrap();
        let bound = table
            .insert(Entry {
                kind: Kind::Bound { port: 6379 },
                interest: Interest::default(),
            })
            .unwrap();
        let conn: ConnId = 7;
        let stream = table
            .insert(Entry {
                kind: Kind::Stream(conn),
                interest: Interest::default(),
            })
            .unwrap();
        assert_eq!(table.stream(unbound).err(), Some(Errno::ENOTCONN));
        assert_eq!(table.stream(bound).err(), Some(Errno::ENOTCONN));
        assert_eq!(table.stream(stream).ok(), Some(conn));
        assert_eq!(table.stream(99).err(), Some(Errno::EBADF));
    }

    #[test]
    fn a_bound_port_is_in_use_until_its_descriptor_is_removed() {
        let mut table = empty_table();
        let fd = table
            .insert(Entry {
                kind: Kind::Bound { port: 7 },
                interest: Interest::default(),
            })
            .unwrap();
        assert!(table.port_in_use(7));
        assert!(!table.port_in_use(8));
        table.remove(fd).unwrap();
        assert!(!table.port_in_use(7));
    }
}
