//! Small TCP helpers the host tests share (the dbserver tests, the image tests).

use std::io::{self, ErrorKind, Read};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Whether the peer closes `stream` within `limit`: `Ok(true)` at end of file or a reset,
/// `Ok(false)` when it is still open after `limit`. Input that arrives meanwhile is read and
/// discarded (a pending reply, a MySQL greeting). The stream's read timeout is restored.
pub fn closed_within(stream: &mut TcpStream, limit: Duration) -> io::Result<bool> {
    let before = stream.read_timeout()?;
    let deadline = Instant::now() + limit;
    let mut chunk = [0u8; 64 * 1024];
    let closed = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break Ok(false);
        }
        stream.set_read_timeout(Some(left))?;
        match stream.read(&mut chunk) {
            Ok(0) => break Ok(true),
            Ok(_) => {}
            Err(e) => match e.kind() {
                ErrorKind::Interrupted => {}
                ErrorKind::WouldBlock | ErrorKind::TimedOut => break Ok(false),
                ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted => break Ok(true),
                _ => break Err(e),
            },
        }
    };
    stream.set_read_timeout(before)?;
    closed
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::TcpListener;

    #[test]
    fn a_close_after_some_output_is_seen_and_an_open_peer_is_not() {
        let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let mut open = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (_kept, _) = listener.accept().unwrap();
        assert!(!closed_within(&mut open, Duration::from_millis(50)).unwrap());

        let mut closing = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut peer, _) = listener.accept().unwrap();
        peer.write_all(b"greeting").unwrap();
        drop(peer);
        assert!(closed_within(&mut closing, Duration::from_secs(30)).unwrap());
        assert_eq!(closing.read_timeout().unwrap(), None);
    }
}
