//! A listening port as a pool of smoltcp sockets. smoltcp has no listen backlog: a
//! socket in `Listen` state takes exactly one connection. The pool keeps `target`
//! sockets in the handshake path (listening or not yet accepted), like Linux's
//! backlog: SYNs beyond it are refused with RST. Accepted sockets leave the pool and
//! are replaced by fresh listeners; failed handshakes are re-armed in place.

use alloc::vec;
use alloc::vec::Vec;

use smoltcp::iface::SocketHandle;
use smoltcp::socket::tcp;

use super::NetStack;
use crate::errno::Errno;

/// Smallest and largest pool, whatever `listen(backlog)` asks for.
const MIN_POOL: usize = 8;
const MAX_POOL: usize = 512;

/// The sockets serving one listening port.
pub struct ListenPool {
    port: u16,
    target: usize,
    handles: Vec<SocketHandle>,
}

impl ListenPool {
    /// Opens a pool for `port` sized by `backlog` (bounded by `maxconn=`).
    pub fn open(stack: &mut NetStack, port: u16, backlog: usize) -> Result<ListenPool, Errno> {
        let target = backlog
            .clamp(MIN_POOL, MAX_POOL)
            .min(stack.config.maxconn.max(1));
        let mut pool = ListenPool {
            port,
            target,
            handles: Vec::with_capacity(target),
        };
        pool.replenish(stack);
        if pool.handles.is_empty() {
            return Err(Errno::EADDRINUSE);
        }
        Ok(pool)
    }

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Re-arms sockets whose handshake failed and tops the pool up to its target.
    pub fn replenish(&mut self, stack: &mut NetStack) {
        for handle in &self.handles {
            let socket = stack.sockets.get_mut::<tcp::Socket>(*handle);
            if socket.state() == tcp::State::Closed {
                let _ = socket.listen(self.port);
            }
        }
        while self.handles.len() < self.target {
            let mut socket = new_socket(stack.config.socket_buffer_bytes);
            if socket.listen(self.port).is_err() {
                break;
            }
            self.handles.push(stack.sockets.add(socket));
        }
    }

    /// Whether a connection is waiting to be accepted.
    pub fn has_established(&self, stack: &NetStack) -> bool {
        self.handles
            .iter()
            .any(|h| is_established(stack.sockets.get::<tcp::Socket>(*h)))
    }

    /// Removes and returns one connection that finished its handshake.
    pub fn take_established(&mut self, stack: &mut NetStack) -> Option<SocketHandle> {
        let index = self
            .handles
            .iter()
            .position(|h| is_established(stack.sockets.get::<tcp::Socket>(*h)))?;
        Some(self.handles.swap_remove(index))
    }

    /// Closes the port: every pool socket is aborted and removed.
    pub fn close(self, stack: &mut NetStack) {
        for handle in self.handles {
            stack.sockets.get_mut::<tcp::Socket>(handle).abort();
            stack.sockets.remove(handle);
        }
    }
}

/// Removes a socket whose connection has ended, releasing its buffers.
pub fn release(stack: &mut NetStack, handle: SocketHandle) {
    stack.sockets.get_mut::<tcp::Socket>(handle).abort();
    stack.sockets.remove(handle);
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

fn is_established(socket: &tcp::Socket<'_>) -> bool {
    !matches!(
        socket.state(),
        tcp::State::Listen | tcp::State::SynReceived | tcp::State::Closed
    )
}
