//! Work the event loop does for clients outside their own readiness events: retrying
//! clients parked by blocking commands, and delivering published pub/sub messages.

use super::conn::{After, Protocol};
use super::io::flush_and_rearm;
use super::session::{serve, Env};
use super::timeouts::{arm, close_conn};
use super::Server;
use crate::commands::{blocked_deadline, blocked_order, retry_blocked, Ctx};
use crate::sys::{Fd, Syscalls};
use alloc::vec::Vec;
use hashbrown::HashMap;

/// Pending output above which a pub/sub subscriber is disconnected (Redis: 32 MB).
const PUBSUB_OUTPUT_LIMIT_BYTES: usize = 32 * 1024 * 1024;

impl<S: Syscalls> Server<'_, S> {
    /// The earliest deadline of a client parked by a blocking command (`u64::MAX`: none).
    pub(super) fn next_block_deadline(&self) -> u64 {
        if self.shared.store.blocked_clients == 0 {
            return u64::MAX;
        }
        self.conns
            .values()
            .filter_map(|c| match &c.protocol {
                Protocol::Resp { client, .. } => blocked_deadline(client),
                Protocol::Mysql(_) => None,
            })
            .min()
            .unwrap_or(u64::MAX)
    }

    /// Retry the requests of parked clients (after every round: a push may have served
    /// them); a client served or timed out goes on with its pipelined requests.
    pub(super) fn serve_blocked(&mut self, now_ms: u64) {
        let connected = self.conns.len();
        let mut closed = Vec::new();
        // Parked clients are served in the order they blocked, as in Redis.
        let mut parked: Vec<(u64, Fd)> = self
            .conns
            .iter()
            .filter_map(|(fd, c)| match &c.protocol {
                Protocol::Resp { client, .. } => blocked_order(client).map(|o| (o, *fd)),
                Protocol::Mysql(_) => None,
            })
            .collect();
        parked.sort_unstable();
        for (_, fd) in parked {
            let Some(conn) = self.conns.get_mut(&fd) else {
                continue;
            };
            let Protocol::Resp { client, .. } = &mut conn.protocol else {
                continue;
            };
            let mut ctx = Ctx {
                shared: &mut self.shared,
                client,
                sys: self.sys,
                now_ms,
                connected_clients: connected,
                out: &mut conn.out,
            };
            let before = ctx.out.len();
            let served = retry_blocked(&self.dispatcher, &mut ctx);
            if conn.held_from.is_none() && self.shared.log.as_ref().is_some_and(|l| l.has_pending())
            {
                conn.held_from = Some(before);
                self.held.push(fd);
            }
            if !served {
                continue;
            }
            let mut env = Env {
                shared: &mut self.shared,
                dispatcher: &self.dispatcher,
                sql_settings: &self.sql_settings,
                sys: self.sys,
                now_ms,
                connected,
                held: &mut self.held,
            };
            if serve(&mut env, conn) == After::Close {
                closed.push(conn.fd);
            } else {
                arm(&mut self.deadlines, conn, &self.shared.config);
            }
        }
        for fd in closed {
            if let Some(mut conn) = self.conns.remove(&fd) {
                close_conn(self.sys, &mut self.shared, &mut conn);
            }
        }
    }

    /// Send published messages to their subscribers; a subscriber whose output passed
    /// [`PUBSUB_OUTPUT_LIMIT_BYTES`] is disconnected (Redis's `client-output-buffer-limit
    /// pubsub`).
    pub(super) fn deliver_pushes(&mut self) {
        let outbox = core::mem::take(&mut self.shared.store.pubsub.outbox);
        let by_id: HashMap<u64, Fd> = self
            .conns
            .values()
            .filter_map(|c| match &c.protocol {
                Protocol::Resp { client, .. } => Some((client.id, c.fd)),
                Protocol::Mysql(_) => None,
            })
            .collect();
        let mut touched = Vec::new();
        for (id, push) in outbox {
            let Some(conn) = by_id.get(&id).and_then(|fd| self.conns.get_mut(fd)) else {
                continue;
            };
            if conn.pending_output() > PUBSUB_OUTPUT_LIMIT_BYTES {
                conn.closing = true;
                continue;
            }
            conn.out.extend_from_slice(&push);
            if !touched.contains(&conn.fd) {
                touched.push(conn.fd);
            }
        }
        for fd in touched {
            let Some(conn) = self.conns.get_mut(&fd) else {
                continue;
            };
            let after = flush_and_rearm(self.sys, conn);
            if after == After::Close || (conn.is_closing() && conn.pending_output() == 0) {
                if let Some(mut conn) = self.conns.remove(&fd) {
                    close_conn(self.sys, &mut self.shared, &mut conn);
                }
            }
        }
    }
}
