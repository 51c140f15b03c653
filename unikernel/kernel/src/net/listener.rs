//! A listening port as a small pool of smoltcp sockets plus an accept queue.
//!
//! smoltcp has no listen backlog: a socket in `Listen` state takes exactly one
//! connection. The pool keeps [`LISTENING_SOCKETS`] sockets listening, whatever the
//! backlog, plus those in the middle of a handshake (Linux's SYN queue; at most the
//! backlog together with the accept queue). A socket that
//! finished its handshake moves to the accept queue (bounded by `backlog`, Linux's
//! accept queue) and a fresh listener takes its place, so a large backlog costs nothing
//! at rest: buffers exist only for the few listeners and for real connections. SYNs
//! arriving when no socket listens (more than [`LISTENING_SOCKETS`] within one sweep,
//! or with the backlog full) are refused with RST.
//!
//! Nothing here walks the sockets of established connections. Failed handshakes are re-armed in place.

use alloc::collections::VecDeque;
use alloc::vec;
use alloc::vec::Vec;

use smoltcp::iface::SocketHandle;
use smoltcp::socket::tcp;

use super::compaction::HandleMap;
use super::NetStack;
use crate::errno::Errno;

/// Sockets kept listening per port (the SYN queue). The network loop sweeps the pools
/// at least once per this many received frames (see `NetStack::poll`), so a burst of
/// SYNs finds a listener for each.
pub const LISTENING_SOCKETS: usize = 16;
/// Largest accept queue, whatever `listen(backlog)` asks for (Linux's `somaxconn`).
pub const MAX_BACKLOG: usize = 4096;

/// The sockets serving one listening port.
pub struct ListenPool {
    port: u16,
    /// Established connections waiting for `accept`, at most this many.
    backlog: usize,
    /// Sockets listening or in their handshake.
    handshaking: Vec<SocketHandle>,
    /// Established connections, oldest first.
    accept_queue: VecDeque<SocketHandle>,
}

/// How many connections a listener queues for `accept`: `backlog` bounded to
/// `1..=MAX_BACKLOG` (like Linux, where 0 still admits one).
pub fn accept_queue_limit(backlog: usize) -> usize {
    backlog.clamp(1, MAX_BACKLOG)
}

impl ListenPool {
    /// Opens a pool for `port` whose accept queue holds up to `backlog` connections.
    pub fn open(stack: &mut NetStack, port: u16, backlog: usize) -> Result<ListenPool, Errno> {
        let mut pool = ListenPool {
            port,
            backlog: accept_queue_limit(backlog),
            handshaking: Vec::with_capacity(LISTENING_SOCKETS),
            accept_queue: VecDeque::new(),
        };
        pool.replenish(stack);
        if pool.handshaking.is_empty() {
            return Err(Errno::EADDRINUSE);
        }
        Ok(pool)
    }

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Moves finished handshakes to the accept queue (while it has room), re-arms
    /// sockets whose handshake failed and tops the sockets still listening up to
    /// [`LISTENING_SOCKETS`], as long as the handshakes in progress plus the accept
    /// queue stay within the backlog (plus the listeners). O(handshakes in progress):
    /// [`LISTENING_SOCKETS`] at rest.
    pub fn replenish(&mut self, stack: &mut NetStack) {
        let mut index = 0;
        let mut listening = 0;
        while index < self.handshaking.len() {
            let handle = self.handshaking[index];
            let socket = stack.sockets.get_mut::<tcp::Socket>(handle);
            match socket.state() {
                tcp::State::Listen => {
                    listening += 1;
                    index += 1;
                }
                tcp::State::SynReceived => index += 1,
                tcp::State::Closed => {
                    let _ = socket.listen(self.port);
                    listening += 1;
                    index += 1;
                }
                // Established (or already closing: `accept` still returns it, and the
                // application sees the end of stream, as on Linux).
                _ if self.accept_queue.len() < self.backlog => {
                    self.accept_queue
                        .push_back(self.handshaking.swap_remove(index));
                }
                // Accept queue full: the connection waits here; its slot is not
                // re-armed, so further SYNs are refused until `accept` makes room.
                _ => index += 1,
            }
        }
        let limit = self.backlog + LISTENING_SOCKETS;
        while listening < LISTENING_SOCKETS
            && self.handshaking.len() + self.accept_queue.len() < limit
        {
            let mut socket = new_socket(stack.config.socket_buffer_bytes);
            if socket.listen(self.port).is_err() {
                break;
            }
            self.handshaking.push(stack.add_socket(socket));
            listening += 1;
        }
    }

    /// Whether a connection is waiting to be accepted. O(1).
    pub fn has_established(&self) -> bool {
        !self.accept_queue.is_empty()
    }

    /// Removes and returns the oldest connection that finished its handshake. O(1).
    pub fn take_established(&mut self) -> Option<SocketHandle> {
        let handle = self.accept_queue.pop_front();
        if self.accept_queue.is_empty() && self.accept_queue.capacity() > LISTENING_SOCKETS {
            // After a burst of connections: give the memory back.
            self.accept_queue = VecDeque::new();
        }
        handle
    }

    /// After the socket set was rebuilt: the pool's new handles.
    pub fn remap(&mut self, map: &HandleMap) {
        self.handshaking.iter_mut().for_each(|h| map.apply(h));
        self.accept_queue.iter_mut().for_each(|h| map.apply(h));
    }

    /// Closes the port: every pool and queued socket is aborted and removed.
    pub fn close(self, stack: &mut NetStack) {
        for handle in self.handshaking.into_iter().chain(self.accept_queue) {
            release(stack, handle);
        }
    }
}

/// Removes a socket whose connection has ended, releasing its buffers.
pub fn release(stack: &mut NetStack, handle: SocketHandle) {
    stack.sockets.get_mut::<tcp::Socket>(handle).abort();
    stack.remove_socket(handle);
}

/// A TCP socket with `buffer_bytes` of receive and send buffer, Nagle off (request/
/// response traffic must not wait for an ACK before the reply leaves).
pub fn new_socket(buffer_bytes: usize) -> tcp::Socket<'static> {
    let mut socket = tcp::Socket::new(
        tcp::SocketBuffer::new(vec![0; buffer_bytes]),
        tcp::SocketBuffer::new(vec![0; buffer_bytes]),
    );
    socket.set_nagle_enabled(false);
    socket
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_accept_queue_follows_the_backlog_within_bounds() {
        assert_eq!(accept_queue_limit(0), 1);
        assert_eq!(accept_queue_limit(1), 1);
        assert_eq!(accept_queue_limit(511), 511);
        assert_eq!(accept_queue_limit(1 << 20), MAX_BACKLOG);
    }
}
