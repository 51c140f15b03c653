//! The MySQL client/server protocol front-end: packets, handshake and authentication,
//! text and binary result sets, prepared statements. It turns packets into calls of the
//! SQL [`Engine`] and its [`crate::sql::Outcome`]s into packets.
//!
//! The server loop owns the socket; a [`MysqlConn`] only sees bytes in and bytes out.

use crate::sql::{Engine, Session};
use alloc::string::String;
use alloc::vec::Vec;

/// Default `max_allowed_packet` (MySQL 8.0's: 64 MiB).
pub const DEFAULT_MAX_ALLOWED_PACKET: usize = 64 * 1024 * 1024;

/// Protocol settings, from the server's configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolSettings {
    /// Password for `mysql_native_password` (None: any user, any or no password).
    pub password: Option<String>,
    /// Largest logical packet (statement, parameter data) accepted; 1153 past it.
    pub max_allowed_packet: usize,
}

impl Default for ProtocolSettings {
    fn default() -> Self {
        Self {
            password: None,
            max_allowed_packet: DEFAULT_MAX_ALLOWED_PACKET,
        }
    }
}

/// What [`MysqlConn::process`] did with the input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Input bytes consumed (complete packets only); the caller drops them.
    pub consumed: usize,
    /// Close the connection once `out` is sent (COM_QUIT, fatal protocol error).
    pub close: bool,
    /// Work is left that waits for output to drain (rows still to encode, or packets not
    /// yet processed because `out` is above the high-water mark): call `process` again
    /// once the output has drained, even if no new input arrives.
    pub held_back: bool,
}

/// One MySQL-protocol connection.
#[derive(Debug)]
pub struct MysqlConn {
    session: Session,
}

impl MysqlConn {
    /// A new connection with id `connection_id`; writes the initial handshake into `out`.
    /// `salt_seed` is mixed into the 20-byte authentication salt.
    pub fn new(connection_id: u32, salt_seed: u64, out: &mut Vec<u8>) -> Self {
        let _ = (salt_seed, out);
        Self {
            session: Session::new(connection_id),
        }
    }

    /// Handle the complete packets at the start of `input`, appending replies to `out`;
    /// stop early when `out` holds more than `out_high_water` bytes.
    pub fn process(
        &mut self,
        input: &[u8],
        engine: &mut Engine,
        settings: &ProtocolSettings,
        out: &mut Vec<u8>,
        out_high_water: usize,
    ) -> Progress {
        let _ = (input, engine, settings, out, out_high_water);
        Progress::default()
    }

    /// The connection is going away: release its transaction and prepared statements.
    pub fn close(&mut self, engine: &mut Engine) {
        engine.end_session(&mut self.session);
    }
}

/// An ERR packet with sequence id 0 for a connection refused before the handshake
/// (e.g. 1040 "Too many connections").
pub fn refusal_packet(code: u16, sqlstate: &str, message: &str) -> Vec<u8> {
    let _ = (code, sqlstate, message);
    Vec::new()
}
