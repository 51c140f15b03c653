//! One round of request processing on a connection: run what its protocol (RESP or
//! MySQL) finds complete in the input, send the replies, enforce the output limits, and
//! update poll interest.

use super::conn::{After, Conn, Protocol};
use super::io::{compact_input, flush_output, rearm};
use super::mysql_session::run_mysql;
use super::resp_session::run_requests;
use crate::commands::{Dispatcher, Shared};
use crate::mysql::ProtocolSettings;
use crate::sys::{Fd, Syscalls};
use alloc::vec::Vec;

/// What request processing needs besides the connection.
pub(super) struct Env<'a> {
    pub(super) shared: &'a mut Shared,
    pub(super) dispatcher: &'a Dispatcher,
    pub(super) sql_settings: &'a ProtocolSettings,
    pub(super) sys: &'a dyn Syscalls,
    pub(super) now_ms: u64,
    pub(super) connected: usize,
    /// Connections whose replies wait for the log (see [`Conn::held_from`]).
    pub(super) held: &'a mut Vec<Fd>,
}

/// Run buffered requests, send replies, and update poll interest.
pub(super) fn serve(env: &mut Env<'_>, conn: &mut Conn) -> After {
    loop {
        let start_before = conn.start;
        let held_back = match conn.protocol {
            Protocol::Resp { .. } => run_requests(env, conn),
            Protocol::Mysql(_) => run_mysql(env, conn),
        };
        if conn.start != start_before {
            conn.note_request(env.now_ms);
        }
        compact_input(conn);
        if flush_output(env.sys, conn) == After::Close {
            return After::Close;
        }
        let limit = &env.shared.config.client_output_buffer_limit;
        if conn.check_output_limit(limit, env.now_ms) == After::Close {
            return After::Close;
        }
        // Requests held back by backpressure and the output drained at once: go on, as
        // no readiness event will come for bytes already read.
        if !(held_back && conn.pending_output() == 0) {
            break;
        }
    }
    if conn.is_closing() && conn.pending_output() == 0 {
        return After::Close;
    }
    rearm(env.sys, conn)
}
