//! POSIX-like TCP sockets over smoltcp: the kernel functions behind `socket`, `bind`,
//! `listen`, `accept`, `recv`, `send`, `close`, `poll_ctl` and `poll_wait`. Descriptors
//! are small integers into one table; every socket is non-blocking; readiness is
//! level-triggered. Errors are Linux errno values.
//!
//! This module holds the socket calls themselves; [`table`] is the descriptor table,
//! [`wait`] the readiness wait and the network progress it drives.

mod table;
mod wait;

use smoltcp::socket::tcp;

use self::table::{Entry, Kind, TABLE};
pub use self::wait::{poll_wait, serve_forever_until, IDLE_CYCLES};
use super::listener::ListenPool;
use super::{NetStack, STACK};
use crate::errno::Errno;

/// A descriptor, as on Linux.
pub type Fd = i32;

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

/// Socket-layer statistics.
#[derive(Clone, Copy, Debug, Default)]
pub struct SocketStats {
    pub descriptors: usize,
    pub streams: usize,
    pub closing: usize,
    pub smoltcp_sockets: usize,
    /// Slots of smoltcp's socket set, empty or not (what its walks visit).
    pub socket_slots: usize,
    /// Idle connections parked outside smoltcp's socket set (see `parking`).
    pub parked: usize,
}

/// Current descriptor and socket counts.
pub fn stats() -> SocketStats {
    let table = TABLE.lock();
    let guard = STACK.lock();
    table.snapshot(guard.as_ref())
}

fn with_stack<T>(f: impl FnOnce(&mut NetStack) -> Result<T, Errno>) -> Result<T, Errno> {
    let mut guard = STACK.lock();
    let stack = guard.as_mut().ok_or(Errno::ENETDOWN)?;
    f(stack)
}
