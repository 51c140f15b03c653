//! POSIX-like TCP sockets over smoltcp: the kernel functions behind `socket`, `bind`,
//! `listen`, `accept`, `recv`, `send`, `close`, `poll_ctl` and `poll_wait`. Descriptors
//! are small integers into one table; every socket is non-blocking; readiness is
//! level-triggered. Errors are Linux errno values.

use alloc::collections::BinaryHeap;
use alloc::vec::Vec;
use core::cmp::Reverse;
use core::sync::atomic::{AtomicU64, Ordering};

use smoltcp::iface::SocketHandle;
use smoltcp::socket::tcp;
use spin::Mutex;

use super::listener::ListenPool;
use super::parking::ConnId;
use super::readiness::fair_scan;
use super::{NetStack, STACK};
use crate::errno::Errno;

/// A descriptor, as on Linux.
pub type Fd = i32;

/// How long a closed connection may take to finish TCP's close handshake before it is
/// reset (a peer that keeps sending, or never acknowledges our FIN).
const CLOSE_LINGER_NS: u64 = 10_000_000_000;

/// First descriptor handed out (0-2 are stdin/stdout/stderr on Linux; kept free so
/// descriptor numbers look the same on both platforms).
const FIRST_FD: usize = 3;

/// What a registered descriptor wants to be woken for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Interest {
    pub readable: bool,
    pub writable: bool,
}

/// One readiness event from [`poll_wait`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PollEvent {
    pub fd: Fd,
    pub readable: bool,
    pub writable: bool,
    /// The connection is gone entirely (reset or fully closed), like `EPOLLHUP`.
    pub hangup: bool,
}

enum Kind {
    /// After `socket()`.
    Fresh,
    /// After `bind()`.
    Bound { port: u16 },
    /// After `listen()`.
    Listening(ListenPool),
    /// An accepted connection.
    Stream(ConnId),
}

struct Entry {
    kind: Kind,
    interest: Interest,
}

/// The descriptor table and socket bookkeeping. Every operation on one descriptor is
/// O(1) or O(log n) in the number of descriptors.
struct Table {
    entries: Vec<Option<Entry>>,
    /// Free slots of `entries` below its length, lowest first (descriptors are handed
    /// out lowest-free-first, as on Linux).
    free: BinaryHeap<Reverse<usize>>,
    /// Descriptors in use.
    descriptors: usize,
    /// Descriptors of listening sockets (few: refilled on every burst of frames).
    listeners: Vec<Fd>,
    /// Where the next readiness scan starts: one past the last descriptor reported, so
    /// when more are ready than fit in one `poll_wait`, the next call continues there
    /// and none starves.
    scan_cursor: usize,
    /// Accepted connections currently open (limited by `maxconn=`).
    streams: usize,
    /// Streams closed by the application that smoltcp is still shutting down, with the
    /// time they were closed.
    closing: Vec<(SocketHandle, u64)>,
}

static TABLE: Mutex<Table> = Mutex::new(Table::new());

/// TSC cycles spent halted (or spinning, in `net=poll`) in `poll_wait` with nothing to do.
pub static IDLE_CYCLES: AtomicU64 = AtomicU64::new(0);

/// `socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)`.
pub fn socket() -> Result<Fd, Errno> {
    with_stack(|_| Ok(()))?;
    TABLE.lock().insert(Entry {
        kind: Kind::Fresh,
        interest: Interest::default(),
    })
}

/// `bind(2)` to `addr:port`; `addr` must be 0.0.0.0 or the interface address.
pub fn bind(fd: Fd, addr: [u8; 4], port: u16) -> Result<(), Errno> {
    let own = with_stack(|stack| Ok(stack.config.ip.address().octets()))?;
    if addr != [0, 0, 0, 0] && addr != own {
        return Err(Errno::EADDRNOTAVAIL);
    }
    let mut table = TABLE.lock();
    if table.port_in_use(port) {
        return Err(Errno::EADDRINUSE);
    }
    let entry = table.get_mut(fd)?;
    match entry.kind {
        Kind::Fresh => {
            entry.kind = Kind::Bound { port };
            Ok(())
        }
        _ => Err(Errno::EINVAL),
    }
}

/// `listen(2)`: opens a pool of `backlog` listening smoltcp sockets on the bound port.
pub fn listen(fd: Fd, backlog: u32) -> Result<(), Errno> {
    let mut table = TABLE.lock();
    let entry = table.get_mut(fd)?;
    let Kind::Bound { port } = entry.kind else {
        return Err(Errno::EINVAL);
    };
    let pool = with_stack(|stack| ListenPool::open(stack, port, backlog as usize))?;
    entry.kind = Kind::Listening(pool);
    table.listeners.push(fd);
    Ok(())
}

/// `accept4(2)` with `SOCK_NONBLOCK`: the oldest established connection of the accept
/// queue, or `EAGAIN`. While `maxconn` connections are open, further ones wait in the
/// accept queue (their handshakes complete; the listener is not reported readable) or
/// are refused with RST once it is full.
pub fn accept(fd: Fd) -> Result<Fd, Errno> {
    let mut table = TABLE.lock();
    let streams = table.streams;
    let conn = with_stack(|stack| {
        if streams >= stack.config.maxconn {
            return Err(Errno::EAGAIN);
        }
        let Kind::Listening(pool) = &mut table.get_mut(fd)?.kind else {
            return Err(Errno::EINVAL);
        };
        let handle = pool.take_established().ok_or(Errno::EAGAIN)?;
        Ok(stack.adopt(handle))
    })?;
    table.streams += 1;
    table.insert(Entry {
        kind: Kind::Stream(conn),
        interest: Interest::default(),
    })
}

/// `recv(2)`: `Ok(0)` at end of stream.
pub fn recv(fd: Fd, buf: &mut [u8]) -> Result<usize, Errno> {
    let conn = TABLE.lock().stream(fd)?;
    with_stack(|stack| {
        let socket = stack.stream_mut(conn).ok_or(Errno::EBADF)?;
        match socket.recv_slice(buf) {
            Ok(0) if buf.is_empty() => Ok(0),
            Ok(0) => Err(Errno::EAGAIN),
            Ok(n) => Ok(n),
            Err(tcp::RecvError::Finished) => Ok(0),
            Err(tcp::RecvError::InvalidState) => Err(Errno::ECONNRESET),
        }
    })
}

/// `send(2)`: may accept fewer bytes than offered; `EAGAIN` when the buffer is full.
pub fn send(fd: Fd, buf: &[u8]) -> Result<usize, Errno> {
    let conn = TABLE.lock().stream(fd)?;
    with_stack(|stack| {
        let socket = stack.stream_mut(conn).ok_or(Errno::EBADF)?;
        if !socket.may_send() {
            return Err(if socket.is_open() {
                Errno::ENOTCONN
            } else {
                Errno::EPIPE
            });
        }
        match socket.send_slice(buf) {
            Ok(0) if !buf.is_empty() => Err(Errno::EAGAIN),
            Ok(n) => Ok(n),
            Err(tcp::SendError::InvalidState) => Err(Errno::EPIPE),
        }
    })
}

/// `close(2)`: a connection is shut down gracefully (FIN after queued data); a
/// listener closes its pool.
pub fn close(fd: Fd) -> Result<(), Errno> {
    let mut table = TABLE.lock();
    let entry = table.remove(fd)?;
    match entry.kind {
        Kind::Stream(conn) => {
            table.streams -= 1;
            // The socket stays in the set (never parked again) until it finished closing.
            if let Ok(Some(handle)) = with_stack(|stack| Ok(stack.disown(conn))) {
                let _ = with_stack(|stack| {
                    stack.sockets.get_mut::<tcp::Socket>(handle).close();
                    Ok(())
                });
                table.closing.push((handle, crate::time::now_ns()));
            }
        }
        Kind::Listening(pool) => {
            table.listeners.retain(|&listener| listener != fd);
            let _ = with_stack(|stack| {
                pool.close(stack);
                Ok(())
            });
        }
        Kind::Fresh | Kind::Bound { .. } => {}
    }
    Ok(())
}

/// `epoll_ctl(2)`: sets `fd`'s interest; an empty interest removes it from the set.
pub fn poll_ctl(fd: Fd, interest: Interest) -> Result<(), Errno> {
    TABLE.lock().get_mut(fd)?.interest = interest;
    Ok(())
}

/// `epoll_wait(2)`: polls the network, fills `events` with ready descriptors and waits
/// (halting in `net=irq` mode) up to `timeout_ms` (-1 = forever) when none is ready.
pub fn poll_wait(events: &mut [PollEvent], timeout_ms: i32) -> Result<usize, Errno> {
    let start = crate::time::now_ns();
    let deadline = u64::try_from(timeout_ms)
        .ok()
        .map(|ms| start + ms * 1_000_000);
    loop {
        let (ready, delay_ns) = {
            let mut table = TABLE.lock();
            with_stack(|stack| {
                progress(stack, &mut table);
                let ready = table.collect_ready(stack, events);
                let now = crate::time::now_ns();
                if ready > 0 || events.is_empty() || deadline.is_some_and(|d| now >= d) {
                    return Ok((Some(ready), None));
                }
                // Only when about to wait: smoltcp computes its next timer by visiting
                // every socket.
                Ok((None, stack.poll_delay_ns()))
            })?
        };
        if let Some(ready) = ready {
            return Ok(ready);
        }
        let now = crate::time::now_ns();
        let wait_ns = match (deadline, delay_ns) {
            (Some(d), Some(delay)) => Some(d.saturating_sub(now).min(delay)),
            (Some(d), None) => Some(d.saturating_sub(now)),
            (None, delay) => delay,
        };
        let idle_start = crate::arch::cpu::rdtsc();
        crate::interrupts::set_idle(true);
        super::wait_for_event(wait_ns);
        crate::interrupts::set_idle(false);
        IDLE_CYCLES.fetch_add(crate::arch::cpu::rdtsc() - idle_start, Ordering::Relaxed);
    }
}

/// Runs the network without an application: poll, serve the echo service, idle.
/// For images whose application does not call `poll_wait` (tests, echo-only).
pub fn serve_forever_until(deadline_ns: Option<u64>) {
    let mut no_events: [PollEvent; 0] = [];
    while deadline_ns.is_none_or(|d| crate::time::now_ns() < d) {
        let _ = poll_wait(&mut no_events, 0);
        let wait = {
            let mut guard = STACK.lock();
            guard.as_mut().and_then(NetStack::poll_delay_ns)
        };
        let until_deadline = deadline_ns.map(|d| d.saturating_sub(crate::time::now_ns()));
        let wait = match (wait, until_deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if wait != Some(0) {
            super::wait_for_event(wait);
        }
    }
}

/// Socket-layer statistics.
#[derive(Clone, Copy, Debug, Default)]
pub struct SocketStats {
    pub descriptors: usize,
    pub streams: usize,
    pub closing: usize,
    pub smoltcp_sockets: usize,
    /// Idle connections parked outside smoltcp's socket set (see `parking`).
    pub parked: usize,
}

/// Current descriptor and socket counts.
pub fn stats() -> SocketStats {
    let table = TABLE.lock();
    let guard = STACK.lock();
    table.snapshot(guard.as_ref())
}

/// One round of network progress: smoltcp poll (refilling the listening pools between
/// bursts of frames), reaping of connections that finished closing, and the built-in
/// services.
fn progress(stack: &mut NetStack, table: &mut Table) {
    stack.poll(|stack| {
        table.replenish_listeners(stack);
        super::services::replenish(stack);
    });
    let now = crate::time::now_ns();
    table.closing.retain(|&(handle, closed_at)| {
        let socket = stack.sockets.get_mut::<tcp::Socket>(handle);
        // Nobody will read a closed socket: discard what still arrives, so a peer that
        // is still sending is not stalled by a zero window and can read our last reply.
        let _ = socket.recv(|unread| (unread.len(), ()));
        let done = matches!(socket.state(), tcp::State::Closed | tcp::State::TimeWait);
        if done || now.saturating_sub(closed_at) > CLOSE_LINGER_NS {
            super::listener::release(stack, handle);
            return false;
        }
        true
    });
    stack.park_idle(now);
    if table.closing.is_empty() && table.closing.capacity() > 0 {
        // After a storm of closes: give the memory back, so the heap returns to where
        // it was before the storm.
        table.closing = Vec::new();
    }
    let snapshot = table.snapshot(Some(stack));
    super::services::serve(stack, &snapshot);
}

fn with_stack<T>(f: impl FnOnce(&mut NetStack) -> Result<T, Errno>) -> Result<T, Errno> {
    let mut guard = STACK.lock();
    let stack = guard.as_mut().ok_or(Errno::ENETDOWN)?;
    f(stack)
}

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
    fn snapshot(&self, stack: Option<&NetStack>) -> SocketStats {
        SocketStats {
            descriptors: self.descriptors,
            streams: self.streams,
            closing: self.closing.len(),
            smoltcp_sockets: stack.map_or(0, NetStack::socket_count),
            parked: stack.map_or(0, NetStack::parked_count),
        }
    }

    fn insert(&mut self, entry: Entry) -> Result<Fd, Errno> {
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

    fn replenish_listeners(&mut self, stack: &mut NetStack) {
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

    fn get_mut(&mut self, fd: Fd) -> Result<&mut Entry, Errno> {
        usize::try_from(fd)
            .ok()
            .and_then(|i| self.entries.get_mut(i))
            .and_then(Option::as_mut)
            .ok_or(Errno::EBADF)
    }

    fn remove(&mut self, fd: Fd) -> Result<Entry, Errno> {
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

    fn stream(&mut self, fd: Fd) -> Result<ConnId, Errno> {
        match self.get_mut(fd)?.kind {
            Kind::Stream(handle) => Ok(handle),
            Kind::Listening(_) => Err(Errno::EINVAL),
            Kind::Fresh | Kind::Bound { .. } => Err(Errno::ENOTCONN),
        }
    }

    fn port_in_use(&self, port: u16) -> bool {
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
    fn collect_ready(&mut self, stack: &mut NetStack, events: &mut [PollEvent]) -> usize {
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
