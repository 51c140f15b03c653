//! Listeners and accepting: binding the two ports, admitting clients up to `maxclients`
//! (a client past it gets the protocol's error at once and is closed, as Redis and MySQL
//! do), and setting up a new connection (the MySQL greeting, its handshake deadline).

use super::conn::{After, Conn, Protocol, READABLE};
use super::io::flush_and_rearm;
use super::timeouts::arm;
use super::{ListenerKind, Server};
use crate::commands::Client;
use crate::mysql::{self, MysqlConn};
use crate::resp::Parser;
use crate::sys::{Errno, Fd, SockAddrV4, Syscalls};
use alloc::boxed::Box;
use alloc::format;
use alloc::vec::Vec;

/// Connections accepted per readiness event of the listener.
const ACCEPTS_PER_ROUND: usize = 1000;
/// Sent to a RESP connection refused because of `maxclients`.
const MAXCLIENTS_REPLY: &[u8] = b"-ERR max number of clients reached\r\n";
/// MySQL's error for a connection refused because of `maxclients` (ER_CON_COUNT_ERROR).
const MYSQL_TOO_MANY_CONNECTIONS: (u16, &str, &str) = (1040, "08004", "Too many connections");

impl<S: Syscalls> Server<'_, S> {
    pub(super) fn accept_clients(&mut self, listener: Fd, kind: ListenerKind) {
        for _ in 0..ACCEPTS_PER_ROUND {
            let fd = match self.sys.accept(listener) {
                Ok(fd) => fd,
                Err(Errno::EAGAIN) => return,
                Err(Errno::EINTR | Errno::ECONNABORTED) => continue,
                Err(e) => {
                    // E.g. EMFILE: the listener stays readable, so log rarely (1, 2, 4, ...).
                    self.accept_errors += 1;
                    if self.accept_errors.is_power_of_two() {
                        let n = self.accept_errors;
                        self.sys.log(&format!(
                            "dbserver: accept failed: errno {} ({n} failures)\n",
                            e.0
                        ));
                    }
                    return;
                }
            };
            let stats = &mut self.shared.stats;
            stats.total_connections_received += 1;
            if self.conns.len() >= self.shared.config.maxclients {
                stats.rejected_connections += 1;
                // Best effort: the socket is fresh, so the short reply fits its buffer.
                let _ = match kind {
                    ListenerKind::Resp => self.sys.send(fd, MAXCLIENTS_REPLY),
                    ListenerKind::Mysql => {
                        let (code, state, message) = MYSQL_TOO_MANY_CONNECTIONS;
                        self.sys
                            .send(fd, &mysql::refusal_packet(code, state, message))
                    }
                };
                let _ = self.sys.close(fd);
                continue;
            }
            if self.sys.poll_ctl(fd, READABLE).is_err() {
                let _ = self.sys.close(fd);
                continue;
            }
            let id = self.next_client_id;
            self.next_client_id += 1;
            let mut greeting = Vec::new();
            let protocol = match kind {
                ListenerKind::Resp => Protocol::Resp {
                    parser: Parser::default(),
                    client: Client {
                        id,
                        authenticated: self.shared.config.requirepass.is_none(),
                        ..Client::default()
                    },
                },
                ListenerKind::Mysql => {
                    // MySQL connection ids are 32 bits; wrapping only repeats an id.
                    let salt_seed = self.sys.clock_ns() ^ id.rotate_left(32);
                    Protocol::Mysql(Box::new(MysqlConn::new(
                        id as u32,
                        salt_seed,
                        &mut greeting,
                    )))
                }
            };
            let now_ms = self.now_ms();
            let mut conn = Conn::new(fd, id, protocol, now_ms);
            conn.out = greeting;
            // The MySQL server speaks first: send the handshake now.
            if conn.pending_output() > 0 && flush_and_rearm(self.sys, &mut conn) == After::Close {
                let _ = self.sys.close(fd);
                continue;
            }
            arm(&mut self.deadlines, &mut conn, &self.shared.config);
            self.conns.insert(fd, conn);
        }
    }
}

/// Bind and listen on `addr:port` and register for readiness; returns the descriptor and
/// the port bound (the chosen one when `port` is 0 and the platform reports it).
pub(super) fn open_listener<S: Syscalls>(
    sys: &S,
    addr: [u8; 4],
    port: u16,
    backlog: u32,
) -> Result<(Fd, u16), Errno> {
    let fd = sys.socket()?;
    let setup = sys
        .bind(fd, SockAddrV4 { addr, port })
        .and_then(|()| sys.listen(fd, backlog))
        .and_then(|()| sys.poll_ctl(fd, READABLE));
    if let Err(e) = setup {
        let _ = sys.close(fd);
        return Err(e);
    }
    Ok((fd, sys.local_port(fd).unwrap_or(port)))
}
