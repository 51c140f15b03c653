//! Socket I/O of a connection: receiving into the input buffer, sending pending output,
//! backpressure (poll interest follows the pending output) and releasing buffers that grew.

use super::conn::{After, Conn};
use crate::config::Config;
use crate::sys::{Errno, Interest, Syscalls};
use alloc::vec::Vec;

/// Bytes read per `recv` at least (Redis: `PROTO_IOBUF_LEN`).
const READ_CHUNK_BYTES: usize = 16 * 1024;
/// Pending output above which a client's further requests wait (backpressure).
pub(super) const OUTPUT_HIGH_WATER_BYTES: usize = 16 * 1024 * 1024;
/// Buffers that grew beyond this are released once empty.
const BUFFER_SHRINK_BYTES: usize = 1024 * 1024;

/// Receive once into the connection's input buffer.
pub(super) fn read_input(sys: &dyn Syscalls, conn: &mut Conn, config: &Config) -> After {
    if conn.inbuf.len() - conn.end < READ_CHUNK_BYTES {
        if conn.start > 0 {
            conn.inbuf.copy_within(conn.start..conn.end, 0);
            conn.end -= conn.start;
            conn.start = 0;
        }
        if conn.inbuf.len() - conn.end < READ_CHUNK_BYTES {
            let grown = (conn.inbuf.len() * 2).max(conn.end + READ_CHUNK_BYTES);
            // Never buffer (much) more than the query-buffer limit allows.
            let cap = config.max_query_buffer.saturating_add(READ_CHUNK_BYTES);
            conn.inbuf.resize(grown.min(cap).max(conn.end + 1), 0);
        }
    }
    let free = conn.inbuf.get_mut(conn.end..).unwrap_or(&mut []);
    match sys.recv(conn.fd, free) {
        Ok(0) => After::Close,
        Ok(n) => {
            conn.end += n;
            After::Keep
        }
        Err(Errno::EAGAIN | Errno::EINTR) => After::Keep,
        Err(_) => After::Close,
    }
}

/// Send what is pending, then update poll interest (used right after accepting).
pub(super) fn flush_and_rearm(sys: &dyn Syscalls, conn: &mut Conn) -> After {
    if flush_output(sys, conn) == After::Close {
        return After::Close;
    }
    rearm(sys, conn)
}

/// Read while output is below the high-water mark and the connection stays open; wait
/// for writability while output is pending.
pub(super) fn rearm(sys: &dyn Syscalls, conn: &mut Conn) -> After {
    let want = Interest {
        readable: !conn.is_closing() && conn.pending_output() <= OUTPUT_HIGH_WATER_BYTES,
        writable: conn.sendable_output() > 0,
    };
    if want != conn.interest {
        if sys.poll_ctl(conn.fd, want).is_err() {
            return After::Close;
        }
        conn.interest = want;
    }
    After::Keep
}

/// Forget fully processed input; release a buffer that grew large once it is empty.
pub(super) fn compact_input(conn: &mut Conn) {
    if conn.start == conn.end {
        conn.start = 0;
        conn.end = 0;
        if conn.inbuf.len() > BUFFER_SHRINK_BYTES {
            conn.inbuf = Vec::new();
        }
    }
}

/// Send as much pending output as the socket takes.
/// Replies held for the log ([`Conn::held_from`]) stay until it released them.
pub(super) fn flush_output(sys: &dyn Syscalls, conn: &mut Conn) -> After {
    let limit = conn.held_from.unwrap_or(conn.out.len());
    while conn.out_pos < limit {
        match sys.send(conn.fd, &conn.out[conn.out_pos..limit]) {
            Ok(n) => conn.out_pos += n,
            Err(Errno::EAGAIN) => break,
            Err(Errno::EINTR) => continue,
            Err(_) => return After::Close,
        }
    }
    if conn.out_pos == conn.out.len() {
        conn.out.clear();
        conn.out_pos = 0;
        if conn.out.capacity() > BUFFER_SHRINK_BYTES {
            conn.out = Vec::new();
        }
    }
    After::Keep
}
