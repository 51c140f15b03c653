//! One client connection: its buffers, its protocol state, and the limits that apply to it
//! (handshake and idle deadlines, the output-buffer limit).

use super::deadlines::{secs_to_ms, Eviction};
use crate::commands::Client;
use crate::config::{Config, OutputBufferLimit};
use crate::mysql::MysqlConn;
use crate::resp::Parser;
use crate::sys::{Fd, Interest};
use alloc::boxed::Box;
use alloc::vec::Vec;

/// Readable, not writable: the interest of an idle connection or a listener.
pub const READABLE: Interest = Interest {
    readable: true,
    writable: false,
};

/// The protocol a connection speaks, with its per-connection state.
pub enum Protocol {
    /// Redis's RESP: the request parser and the client's command state.
    Resp { parser: Parser, client: Client },
    /// MySQL's client/server protocol (boxed: it is much larger than the RESP state).
    Mysql(Box<MysqlConn>),
}

/// What to do with a connection after handling an event.
#[derive(PartialEq, Eq)]
pub enum After {
    Keep,
    Close,
}

/// One client connection.
pub struct Conn {
    pub fd: Fd,
    /// The client id: tells this connection from a later one on the same descriptor.
    pub serial: u64,
    /// Input bytes `start..end` are unprocessed.
    pub inbuf: Vec<u8>,
    pub start: usize,
    pub end: usize,
    /// Output bytes `out_pos..` are still to be sent.
    pub out: Vec<u8>,
    pub out_pos: usize,
    pub protocol: Protocol,
    /// Close once the pending output is sent (QUIT, COM_QUIT, protocol errors).
    pub closing: bool,
    pub interest: Interest,
    /// When the connection was accepted (ms, platform clock).
    pub accepted_ms: u64,
    /// The last complete request, or the last reply bytes the client took (ms).
    pub last_active_ms: u64,
    /// The handshake is over: MySQL authentication done, or a first RESP request run by
    /// an authenticated client.
    pub handshake_done: bool,
    /// Since when the unsent output has been above the soft limit.
    pub over_soft_limit_since: Option<u64>,
    /// The deadline this connection has in the server's deadline heap.
    pub armed_ms: Option<u64>,
    /// Set when the server closes the connection on its own initiative (logged).
    pub evicted: Option<Eviction>,
    /// Output from this offset on answers writes whose log records are not written yet:
    /// it is not sent until the log commits them (`None`: nothing held).
    pub held_from: Option<usize>,
}

impl Conn {
    pub fn new(fd: Fd, serial: u64, protocol: Protocol, now_ms: u64) -> Self {
        Self {
            fd,
            serial,
            inbuf: Vec::new(),
            start: 0,
            end: 0,
            out: Vec::new(),
            out_pos: 0,
            protocol,
            closing: false,
            interest: READABLE,
            accepted_ms: now_ms,
            last_active_ms: now_ms,
            handshake_done: false,
            over_soft_limit_since: None,
            armed_ms: None,
            evicted: None,
            held_from: None,
        }
    }

    pub fn pending_output(&self) -> usize {
        self.out.len() - self.out_pos
    }

    /// Output that may be sent now (not held for the log).
    pub fn sendable_output(&self) -> usize {
        self.held_from.unwrap_or(self.out.len()) - self.out_pos
    }

    /// The connection will close once its output is sent.
    pub fn is_closing(&self) -> bool {
        self.closing
            || matches!(&self.protocol, Protocol::Resp { client, .. } if client.close_after_reply)
    }

    /// A complete request was consumed at `now_ms`: the idle clock restarts, and the
    /// handshake is over once the client is authenticated.
    pub fn note_request(&mut self, now_ms: u64) {
        self.last_active_ms = now_ms;
        if !self.handshake_done {
            self.handshake_done = match &self.protocol {
                Protocol::Resp { client, .. } => client.authenticated,
                Protocol::Mysql(mysql) => mysql.is_authenticated(),
            };
        }
    }

    /// Check the output-buffer limit after output was produced or sent: past the hard
    /// limit the connection is evicted at once; above the soft limit its clock starts
    /// (the deadline heap closes it when the time is up); below it the clock stops.
    pub fn check_output_limit(&mut self, limit: &OutputBufferLimit, now_ms: u64) -> After {
        let pending = self.pending_output();
        if limit.hard_bytes != 0 && pending > limit.hard_bytes {
            self.evicted = Some(Eviction::OutputBufferLimit);
            return After::Close;
        }
        if limit.soft_bytes != 0 && pending > limit.soft_bytes {
            self.over_soft_limit_since.get_or_insert(now_ms);
        } else {
            self.over_soft_limit_since = None;
        }
        After::Keep
    }

    /// The earliest moment the server must look at this connection again, and what closes
    /// it then (`None`: no deadline applies).
    pub fn deadline(&self, config: &Config) -> Option<(u64, Eviction)> {
        let timeout = if !self.handshake_done && config.handshake_timeout != 0 {
            Some((
                self.accepted_ms
                    .saturating_add(secs_to_ms(config.handshake_timeout)),
                Eviction::HandshakeTimeout,
            ))
        } else {
            let idle_secs = match &self.protocol {
                // Like Redis, a client waiting in BLPOP or subscribed is not idle.
                Protocol::Resp { client, .. }
                    if client.blocked.is_some() || client.subscriptions.is_some() =>
                {
                    0
                }
                Protocol::Resp { .. } => config.timeout,
                Protocol::Mysql(_) => config.wait_timeout,
            };
            (idle_secs != 0).then(|| {
                (
                    self.last_active_ms.saturating_add(secs_to_ms(idle_secs)),
                    Eviction::IdleTimeout,
                )
            })
        };
        let output = self.over_soft_limit_since.map(|since| {
            let secs = config.client_output_buffer_limit.soft_seconds;
            (
                since.saturating_add(secs_to_ms(secs)),
                Eviction::OutputBufferLimit,
            )
        });
        match (timeout, output) {
            (Some(a), Some(b)) => Some(if b.0 <= a.0 { b } else { a }),
            (a, b) => a.or(b),
        }
    }
}
