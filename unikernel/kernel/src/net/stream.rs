//! A connected smoltcp TCP socket as an `embedded_io` byte stream, so the kernel's
//! services speak the same `Read`/`Write` vocabulary as the serial console.
//!
//! The stream never blocks: it lives inside the network poll loop. Callers ask
//! [`ReadReady`]/[`WriteReady`] first; a `read` with nothing buffered answers
//! [`StreamError::WouldBlock`] (not `Ok(0)`, which `embedded_io` reserves for end of
//! stream), and a `write` with a full send buffer answers `Ok(0)`.

use embedded_io::{ErrorKind, ErrorType, Read, ReadReady, Write, WriteReady};
use smoltcp::socket::tcp;

/// Why a stream operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamError {
    /// The connection is not in a state that allows the operation (not yet
    /// established, or already closed on our side).
    NotConnected,
    /// Nothing is buffered to read yet; poll again later.
    WouldBlock,
}

impl embedded_io::Error for StreamError {
    fn kind(&self) -> ErrorKind {
        match self {
            StreamError::NotConnected => ErrorKind::NotConnected,
            StreamError::WouldBlock => ErrorKind::Other,
        }
    }
}

/// A non-blocking byte stream over one TCP socket of the interface's socket set.
pub struct TcpStream<'a> {
    socket: &'a mut tcp::Socket<'static>,
}

impl<'a> TcpStream<'a> {
    /// Wraps `socket` for the duration of one round of service work.
    pub fn new(socket: &'a mut tcp::Socket<'static>) -> TcpStream<'a> {
        TcpStream { socket }
    }

    /// Bytes the send buffer can still take.
    pub fn send_room(&self) -> usize {
        self.socket.send_capacity() - self.socket.send_queue()
    }

    /// Whether the connection is established and everything written so far was sent.
    pub fn is_idle_established(&self) -> bool {
        self.socket.may_send()
            && self.socket.send_queue() == 0
            && self.socket.state() == tcp::State::Established
    }

    /// Closes our side of the connection (a FIN after the queued bytes).
    pub fn close(&mut self) {
        self.socket.close();
    }
}

impl ErrorType for TcpStream<'_> {
    type Error = StreamError;
}

impl ReadReady for TcpStream<'_> {
    fn read_ready(&mut self) -> Result<bool, StreamError> {
        Ok(self.socket.can_recv())
    }
}

impl WriteReady for TcpStream<'_> {
    fn write_ready(&mut self) -> Result<bool, StreamError> {
        Ok(self.socket.can_send())
    }
}

impl Read for TcpStream<'_> {
    /// Copies buffered bytes into `buf`; `Ok(0)` once the peer has closed and every
    /// byte was read.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, StreamError> {
        if buf.is_empty() {
            return Ok(0);
        }
        match self.socket.recv_slice(buf) {
            Ok(0) => Err(StreamError::WouldBlock),
            Ok(received) => Ok(received),
            Err(tcp::RecvError::Finished) => Ok(0),
            Err(tcp::RecvError::InvalidState) => Err(StreamError::NotConnected),
        }
    }
}

impl Write for TcpStream<'_> {
    /// Queues as much of `buf` as the send buffer takes.
    fn write(&mut self, buf: &[u8]) -> Result<usize, StreamError> {
        self.socket
            .send_slice(buf)
            .map_err(|tcp::SendError::InvalidState| StreamError::NotConnected)
    }

    /// Nothing to do: smoltcp transmits queued bytes on the next interface poll.
    fn flush(&mut self) -> Result<(), StreamError> {
        Ok(())
    }
}
