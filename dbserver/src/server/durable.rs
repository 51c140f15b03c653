//! The server's side of the durability log: opening and replaying it at start-up, and
//! committing each poll round's records before the replies they hold back are sent
//! (group commit).

use super::conn::After;
use super::conn::Protocol;
use super::session::{serve, Env};
use super::timeouts::{arm, close_conn};
use super::Server;
use crate::commands::{Client, Ctx, Dispatcher, Shared};
use crate::durability::{self, decode_commands, Kind, Log};
use crate::resp::Args;
use crate::sys::{Errno, Syscalls};
use alloc::format;
use alloc::vec::Vec;

/// Commits per poll round: replies released by a commit may let pipelined writes run,
/// whose records the next commit takes; what is left waits for the next round.
const COMMITS_PER_ROUND: usize = 4;
/// Replay errors logged one by one (the rest are counted).
const REPLAY_ERRORS_LOGGED: u64 = 8;

/// With `appendonly`: open the log on `config.disk` and apply every record it holds
/// before the server listens. `None` with `appendonly no`.
pub(super) fn open_log(
    sys: &dyn Syscalls,
    shared: &mut Shared,
    dispatcher: &Dispatcher,
    now_ms: u64,
) -> Result<Option<Log>, Errno> {
    if !shared.config.appendonly {
        return Ok(None);
    }
    let Some(path) = shared.config.disk.clone() else {
        sys.log("dbserver: fatal: appendonly yes needs a disk for the log (--disk PATH, kernel key disk=)\n");
        return Err(Errno::EINVAL);
    };
    let mut client = Client {
        authenticated: true,
        ..Client::default()
    };
    let mut out = Vec::new();
    let (mut errors, mut sql_failed) = (0u64, 0u64);
    let mut apply = |kind: Kind, payload: &[u8]| match kind {
        Kind::Kv => {
            let Some(commands) = decode_commands(payload) else {
                errors += 1;
                return;
            };
            for (data, ranges) in commands {
                out.clear();
                let args = Args::new(&data, &ranges);
                let mut ctx = Ctx {
                    shared: &mut *shared,
                    client: &mut client,
                    sys,
                    now_ms,
                    connected_clients: 0,
                    out: &mut out,
                };
                dispatcher.execute(&mut ctx, &args);
                if out.first() == Some(&b'-') {
                    errors += 1;
                    if errors <= REPLAY_ERRORS_LOGGED {
                        let reply = alloc::string::String::from_utf8_lossy(&out);
                        sys.log(&format!(
                            "dbserver: replayed command failed: {}\n",
                            reply.trim_end()
                        ));
                    }
                }
            }
        }
        Kind::Sql => {
            if let Err(e) = shared.sql.apply_committed(payload) {
                sql_failed += 1;
                if sql_failed <= REPLAY_ERRORS_LOGGED {
                    sys.log(&format!("dbserver: replayed SQL transaction failed: {e}\n"));
                }
            }
        }
    };
    let log = match durability::open(sys, &path, &mut apply) {
        Ok(log) => log,
        Err(e) => {
            sys.log(&format!("dbserver: fatal: {e}\n"));
            return Err(Errno::EINVAL);
        }
    };
    if errors > 0 || sql_failed > 0 {
        sys.log(&format!(
            "dbserver: replay: {errors} commands answered an error, {sql_failed} SQL transactions failed\n"
        ));
    }
    // From now on every SQL commit leaves a payload for the log.
    shared.sql.set_redo_capture(true);
    Ok(Some(log))
}

impl<S: Syscalls> Server<'_, S> {
    /// Write this round's records (one `pwrite`, and one `fdatasync` with `always`), then
    /// send the replies they held back and run what those connections have buffered. If
    /// the log fails, the held replies are dropped and their connections closed: a
    /// write whose record is not on the disk is never acknowledged.
    pub(super) fn commit_log(&mut self, now_ms: u64) {
        for _ in 0..COMMITS_PER_ROUND {
            let Some(log) = self.shared.log.as_mut() else {
                return;
            };
            if self.held.is_empty() && !log.has_pending() {
                break;
            }
            let committed = log.commit(self.sys, self.shared.config.appendfsync, now_ms);
            let connected = self.conns.len();
            let mut closed = Vec::new();
            for fd in core::mem::take(&mut self.held) {
                let Some(conn) = self.conns.get_mut(&fd) else {
                    continue;
                };
                let Some(mark) = conn.held_from.take() else {
                    continue;
                };
                if !committed {
                    conn.out.truncate(mark.max(conn.out_pos));
                    conn.closing = true;
                    if let Protocol::Resp { client, .. } = &mut conn.protocol {
                        client.close_after_reply = true;
                    }
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
                    closed.push(fd);
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
        if let Some(log) = self.shared.log.as_mut() {
            log.tick(self.sys, self.shared.config.appendfsync, now_ms);
        }
    }

    /// When the log next needs the event loop (`u64::MAX`: not before an event).
    pub(super) fn next_log_ms(&self, now_ms: u64) -> u64 {
        match &self.shared.log {
            None => u64::MAX,
            Some(_) if !self.held.is_empty() => now_ms,
            Some(log) => log.next_tick_ms(self.shared.config.appendfsync),
        }
    }
}
