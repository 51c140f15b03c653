//! The server's side of connection deadlines: arming a connection's deadline after it
//! changed, closing the connections whose deadline passed, and re-arming everyone when
//! `CONFIG SET` changes a timeout.

use super::conn::{Conn, Protocol};
use super::deadlines::{Deadlines, Entry, Eviction};
use super::Server;
use crate::commands::{client_closed, Shared};
use crate::config::Config;
use crate::sys::Syscalls;
use alloc::format;

/// The settings that decide deadlines; when `CONFIG SET` changes them, every connection
/// is re-armed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TimerSettings {
    timeout: u64,
    wait_timeout: u64,
    handshake_timeout: u64,
    soft_seconds: u64,
}

impl TimerSettings {
    pub fn of(config: &Config) -> Self {
        Self {
            timeout: config.timeout,
            wait_timeout: config.wait_timeout,
            handshake_timeout: config.handshake_timeout,
            soft_seconds: config.client_output_buffer_limit.soft_seconds,
        }
    }
}

/// Put `conn`'s deadline in the heap if it has one earlier than the one armed.
pub fn arm(deadlines: &mut Deadlines, conn: &mut Conn, config: &Config) {
    let Some((at_ms, _)) = conn.deadline(config) else {
        return;
    };
    if conn.armed_ms.is_some_and(|armed| armed <= at_ms) {
        return;
    }
    deadlines.push(Entry {
        at_ms,
        fd: conn.fd,
        serial: conn.serial,
    });
    conn.armed_ms = Some(at_ms);
}

/// Release a connection's protocol state, log why the server closed it (if it did), and
/// close its descriptor.
pub fn close_conn(sys: &dyn Syscalls, shared: &mut Shared, conn: &mut Conn) {
    match &mut conn.protocol {
        Protocol::Mysql(mysql) => mysql.close(&mut shared.sql),
        Protocol::Resp { client, .. } => client_closed(shared, client),
    }
    if let Some(eviction) = conn.evicted {
        if eviction == Eviction::OutputBufferLimit {
            shared.stats.client_output_buffer_limit_disconnections += 1;
        } else {
            shared.stats.timedout_clients += 1;
        }
        sys.log(&format!(
            "dbserver: closing client id={}: {} ({} bytes of output unsent)\n",
            conn.serial,
            eviction.reason(),
            conn.pending_output()
        ));
    }
    let _ = sys.close(conn.fd);
}

impl<S: Syscalls> Server<'_, S> {
    /// Close every connection whose deadline has passed at `now_ms`; re-arm the others
    /// whose entry came due.
    pub(super) fn evict_due(&mut self, now_ms: u64) {
        let settings = TimerSettings::of(&self.shared.config);
        if settings != self.timer_settings {
            self.timer_settings = settings;
            for conn in self.conns.values_mut() {
                conn.armed_ms = None;
                arm(&mut self.deadlines, conn, &self.shared.config);
            }
        }
        let conns = &self.conns;
        self.deadlines.prune(conns.len(), |e| {
            conns
                .get(&e.fd)
                .is_some_and(|c| c.serial == e.serial && c.armed_ms == Some(e.at_ms))
        });
        while let Some(entry) = self.deadlines.pop_due(now_ms) {
            let Some(conn) = self.conns.get_mut(&entry.fd) else {
                continue;
            };
            if conn.serial != entry.serial || conn.armed_ms != Some(entry.at_ms) {
                continue; // Stale: the connection was re-armed earlier, or is another one.
            }
            conn.armed_ms = None;
            if conn.over_soft_limit_since.is_some() {
                let _ =
                    conn.check_output_limit(&self.shared.config.client_output_buffer_limit, now_ms);
            }
            match conn.deadline(&self.shared.config) {
                Some((at_ms, eviction)) if at_ms <= now_ms => {
                    conn.evicted = Some(eviction);
                    if let Some(mut conn) = self.conns.remove(&entry.fd) {
                        close_conn(self.sys, &mut self.shared, &mut conn);
                    }
                }
                Some(_) => arm(&mut self.deadlines, conn, &self.shared.config),
                None => {}
            }
        }
    }
}
