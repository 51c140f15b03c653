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
        Ok(entry)
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
