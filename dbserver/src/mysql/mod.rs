//! The MySQL client/server protocol front-end: packets, handshake and authentication,
//! text and binary result sets, prepared statements. It turns packets into calls of the
//! SQL [`Engine`] and its [`crate::sql::Outcome`]s into packets.
//!
//! The server loop owns the socket; a [`MysqlConn`] only sees bytes in and bytes out.
//! Nothing a client sends can panic: every read is bounds-checked, every length is
//! checked against the packet and `max_allowed_packet`, and every limit is answered with
//! an ERR packet.
//!
//! Modules: [`packet`] (framing), [`wire`] (integers and strings), [`reply`] (OK, ERR,
//! EOF), [`handshake`] (HandshakeV10, HandshakeResponse41, `mysql_native_password`),
//! `auth` (the connection phase), `command` (the command phase), [`resultset`] (text and
//! binary rows, streamed), [`prepared`] (statement ids, COM_STMT_EXECUTE parameters).

mod auth;
mod command;
pub mod consts;
pub mod handshake;
pub mod packet;
pub mod prepared;
pub mod reply;
pub mod resultset;
#[cfg(test)]
mod tests;
pub mod wire;

use crate::sql::{Engine, Session};
use alloc::string::String;
use alloc::vec::Vec;
use consts::{ER_NET_PACKETS_OUT_OF_ORDER, ER_NET_PACKET_TOO_LARGE, SALT_LEN, SQLSTATE_NET};
use handshake::{make_salt, put_handshake_v10};
use packet::{read_frame, write_packet, FrameError};
use prepared::Statements;
use resultset::RowStream;

/// Default `max_allowed_packet` (MySQL 8.0's: 64 MiB).
pub const DEFAULT_MAX_ALLOWED_PACKET: usize = 64 * 1024 * 1024;

/// Largest packet accepted before the client is authenticated (handshake response with
/// connection attributes, auth switch response).
pub const MAX_HANDSHAKE_PACKET: usize = 64 * 1024;

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

/// Where the connection is in the protocol.
#[derive(Debug)]
enum Phase {
    /// HandshakeV10 sent; waiting for HandshakeResponse41 (sequence id 1).
    HandshakeResponse,
    /// AuthSwitchRequest sent; waiting for the client's scramble.
    AuthSwitchResponse {
        user: String,
        database: Option<String>,
        /// Sequence id the response must carry.
        seq: u8,
    },
    /// Authenticated: commands, each starting at sequence id 0.
    Command,
    /// A fatal error or COM_QUIT: nothing more is read.
    Closed,
}

/// One MySQL-protocol connection.
#[derive(Debug)]
pub struct MysqlConn {
    session: Session,
    salt: [u8; SALT_LEN],
    phase: Phase,
    /// Sequence id of the next packet written.
    seq: u8,
    statements: Statements,
    /// A result set whose rows are still being encoded.
    stream: Option<RowStream>,
    /// Statements received (COM_STATISTICS).
    questions: u64,
    /// The client's address for "Access denied" messages.
    peer_host: String,
}

impl MysqlConn {
    /// A new connection with id `connection_id`; writes the initial handshake into `out`.
    /// `salt_seed` is mixed into the 20-byte authentication salt.
    pub fn new(connection_id: u32, salt_seed: u64, out: &mut Vec<u8>) -> Self {
        let salt = make_salt(salt_seed, connection_id);
        let mut seq = 0;
        write_packet(out, &mut seq, |p| {
            put_handshake_v10(p, connection_id, &salt)
        });
        Self {
            session: Session::new(connection_id),
            salt,
            phase: Phase::HandshakeResponse,
            seq,
            statements: Statements::default(),
            stream: None,
            questions: 0,
            peer_host: String::from("localhost"),
        }
    }

    /// The client's host or address, shown in "Access denied for user 'u'@'host'"
    /// (default "localhost").
    pub fn set_peer_host(&mut self, host: &str) {
        self.peer_host = String::from(host);
    }

    /// The client has authenticated (the command phase has begun).
    pub fn is_authenticated(&self) -> bool {
        matches!(self.phase, Phase::Command)
    }

    /// The connection's SQL session.
    pub fn session(&self) -> &Session {
        &self.session
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
        let mut progress = Progress::default();
        loop {
            if matches!(self.phase, Phase::Closed) {
                progress.close = true;
                // Nothing after the end is read; let the caller drop it.
                progress.consumed = input.len();
                break;
            }
            if let Some(stream) = &mut self.stream {
                let status = reply::status_flags(&self.session);
                if stream.pump(out, &mut self.seq, out_high_water, status) {
                    self.stream = None;
                } else {
                    progress.held_back = true;
                    break;
                }
            }
            let rest = input.get(progress.consumed..).unwrap_or_default();
            if rest.is_empty() {
                break;
            }
            if out.len() > out_high_water {
                progress.held_back = true;
                break;
            }
            let (expected_seq, limit) = match &self.phase {
                Phase::HandshakeResponse => (self.seq, MAX_HANDSHAKE_PACKET),
                Phase::AuthSwitchResponse { seq, .. } => (*seq, MAX_HANDSHAKE_PACKET),
                _ => (0, settings.max_allowed_packet),
            };
            let limit = limit.min(settings.max_allowed_packet);
            match read_frame(rest, expected_seq, limit) {
                Ok(None) => break,
                Ok(Some(frame)) => {
                    progress.consumed = progress.consumed.saturating_add(frame.consumed);
                    self.seq = frame.next_seq;
                    self.handle_packet(&frame.payload, engine, settings, out);
                }
                Err(e) => {
                    // Answer after the offending packet's sequence id.
                    self.seq = packet::header_seq(rest).map_or(0, |s| s.wrapping_add(1));
                    let (code, message) = match e {
                        FrameError::TooLarge => (
                            ER_NET_PACKET_TOO_LARGE,
                            "Got a packet bigger than 'max_allowed_packet' bytes",
                        ),
                        FrameError::OutOfOrder { .. } => {
                            (ER_NET_PACKETS_OUT_OF_ORDER, "Got packets out of order")
                        }
                    };
                    self.fatal(out, code, SQLSTATE_NET, message);
                }
            }
        }
        progress
    }

    fn handle_packet(
        &mut self,
        payload: &[u8],
        engine: &mut Engine,
        settings: &ProtocolSettings,
        out: &mut Vec<u8>,
    ) {
        match &self.phase {
            Phase::HandshakeResponse => self.on_handshake_response(payload, engine, settings, out),
            Phase::AuthSwitchResponse { .. } => {
                self.on_auth_switch_response(payload, engine, settings, out)
            }
            Phase::Command => self.on_command(payload, engine, settings, out),
            Phase::Closed => {}
        }
    }

    /// Send an ERR packet and end the connection.
    fn fatal(&mut self, out: &mut Vec<u8>, code: u16, sqlstate: &str, message: &str) {
        reply::err_packet(out, &mut self.seq, code, sqlstate, message);
        self.phase = Phase::Closed;
    }

    /// The connection is going away: release its transaction and prepared statements.
    pub fn close(&mut self, engine: &mut Engine) {
        self.stream = None;
        self.statements.clear();
        self.phase = Phase::Closed;
        engine.end_session(&mut self.session);
    }
}

/// An ERR packet with sequence id 0 for a connection refused before the handshake
/// (e.g. 1040 "Too many connections").
pub fn refusal_packet(code: u16, sqlstate: &str, message: &str) -> Vec<u8> {
    let mut out = Vec::new();
    reply::err_packet(&mut out, &mut 0, code, sqlstate, message);
    out
}
