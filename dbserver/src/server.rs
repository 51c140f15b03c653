//! The event loop: one thread, level-triggered readiness, two listeners (the Redis protocol
//! and the MySQL protocol), per-connection input and output buffers, pipelining (every
//! complete request in the input is run, the replies go out with one `send`), and
//! backpressure (a client whose replies pile up is not read from until they drain).
//! Connections are closed by the server when a deadline passes (handshake, idle) or their
//! unsent output passes the output-buffer limit ([`deadlines`], [`timeouts`]).

mod accept;
mod conn;
mod deadlines;
mod timeouts;

use accept::open_listener;
use conn::{After, Conn, Protocol};
use deadlines::Deadlines;
use timeouts::{arm, close_conn, TimerSettings};

use crate::commands::{
    blocked_deadline, blocked_order, retry_blocked, Client, Ctx, Dispatcher, Shared, COMMANDS,
};
use crate::config::Config;
use crate::mysql::ProtocolSettings;
use crate::resp::Limits;
use crate::sql::{Engine, EngineLimits};
use crate::stats::Stats;
use crate::store::Store;
use crate::sys::{Errno, Event, Fd, Interest, Syscalls};
use alloc::format;
use alloc::vec;
use alloc::vec::Vec;
use hashbrown::HashMap;

/// Bytes read per `recv` at least (Redis: `PROTO_IOBUF_LEN`).
const READ_CHUNK_BYTES: usize = 16 * 1024;
/// Pending output above which a client's further requests wait (backpressure).
const OUTPUT_HIGH_WATER_BYTES: usize = 16 * 1024 * 1024;
/// Buffers that grew beyond this are released once empty.
const BUFFER_SHRINK_BYTES: usize = 1024 * 1024;
/// `listen(2)` backlog of the RESP port (Redis: `tcp-backlog`).
const LISTEN_BACKLOG: u32 = 511;
/// `listen(2)` backlog of the MySQL port. SQL benchmarks open tens of connections, not
/// thousands, and the unikernel keeps one listening socket (with its buffers, visited on
/// every poll round) per backlog slot, so a small backlog keeps the KV path as it was.
const SQL_LISTEN_BACKLOG: u32 = 16;
/// Pending output above which a pub/sub subscriber is disconnected (Redis: 32 MB).
const PUBSUB_OUTPUT_LIMIT_BYTES: usize = 32 * 1024 * 1024;
/// Readiness events fetched per `poll_wait`.
const MAX_EVENTS: usize = 1024;
/// Period of housekeeping (active expiry), like Redis's `hz 10`.
const CRON_INTERVAL_MS: u64 = 100;
/// Keys active expiry may delete per housekeeping round.
const ACTIVE_EXPIRE_BUDGET: usize = 1000;
/// Nanoseconds per millisecond.
const NS_PER_MS: u64 = 1_000_000;

/// Run the server until a fatal platform error.
pub fn run<S: Syscalls>(sys: &S, config: &Config) -> Result<(), Errno> {
    let mut server = Server::new(sys, config.clone())?;
    loop {
        server.poll_once()?;
    }
}

/// Which listener a readiness event is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ListenerKind {
    Resp,
    Mysql,
}

/// A listening server and its clients.
pub struct Server<'s, S: Syscalls> {
    sys: &'s S,
    listener: Fd,
    /// The MySQL-protocol listener (`None` when `sql_port` is off).
    sql_listener: Option<Fd>,
    sql_settings: ProtocolSettings,
    shared: Shared,
    dispatcher: Dispatcher,
    conns: HashMap<Fd, Conn>,
    events: Vec<Event>,
    next_client_id: u64,
    next_cron_ms: u64,
    accept_errors: u64,
    /// Handshake, idle and soft-output-limit deadlines of the connections.
    deadlines: Deadlines,
    /// The timeouts the armed deadlines were computed with.
    timer_settings: TimerSettings,
}

impl<'s, S: Syscalls> Server<'s, S> {
    /// Bind and listen on `config.bind:config.port` (RESP) and `config.sql_port` (MySQL).
    /// Logs `dbserver: listening on ADDR:PORT (RESP)` and `... (MySQL)` with the ports
    /// actually bound (port 0 lets the platform choose).
    pub fn new(sys: &'s S, config: Config) -> Result<Self, Errno> {
        // Before any map exists: every client-filled hash table is keyed with it.
        crate::hash::set_process_seed(sys.random_seed());
        let (listener, port) = open_listener(sys, config.bind, config.port, LISTEN_BACKLOG)?;
        let sql = match config.sql_port {
            None => None,
            Some(sql_port) => match open_listener(sys, config.bind, sql_port, SQL_LISTEN_BACKLOG) {
                Ok(bound) => Some(bound),
                Err(e) => {
                    let _ = sys.close(listener);
                    return Err(e);
                }
            },
        };
        let [a, b, c, d] = config.bind;
        sys.log(&format!(
            "dbserver: listening on {a}.{b}.{c}.{d}:{port} (RESP)\n"
        ));
        if let Some((_, sql_port)) = sql {
            sys.log(&format!(
                "dbserver: listening on {a}.{b}.{c}.{d}:{sql_port} (MySQL)\n"
            ));
        }
        let now_ms = sys.clock_ns() / NS_PER_MS;
        let sql_settings = ProtocolSettings {
            password: config.sql_password.clone(),
            max_allowed_packet: config.max_allowed_packet,
        };
        let engine = Engine::new(EngineLimits {
            max_nesting_depth: config.sql_max_nesting_depth,
            max_data_bytes: None,
        });
        let timer_settings = TimerSettings::of(&config);
        Ok(Self {
            sys,
            listener,
            sql_listener: sql.map(|(fd, _)| fd),
            sql_settings,
            shared: Shared {
                store: Store::new(),
                config,
                stats: Stats::new(now_ms, COMMANDS.len()),
                sql: engine,
            },
            dispatcher: Dispatcher::default(),
            conns: HashMap::new(),
            events: vec![Event::default(); MAX_EVENTS],
            next_client_id: 1,
            next_cron_ms: now_ms + CRON_INTERVAL_MS,
            accept_errors: 0,
            deadlines: Deadlines::default(),
            timer_settings,
        })
    }

    /// Wait for readiness (at most until the next housekeeping round) and handle it.
    pub fn poll_once(&mut self) -> Result<(), Errno> {
        let now_ms = self.now_ms();
        let wake_ms = self
            .next_cron_ms
            .min(self.next_block_deadline())
            .min(self.deadlines.next_ms());
        let timeout_ms = wake_ms.saturating_sub(now_ms).min(CRON_INTERVAL_MS) as i32;
        let n = match self.sys.poll_wait(&mut self.events, timeout_ms) {
            Ok(n) => n.min(self.events.len()),
            Err(Errno::EINTR) => 0,
            Err(e) => return Err(e),
        };
        let now_ms = self.now_ms();
        for i in 0..n {
            let ev = self.events[i];
            if ev.fd == self.listener {
                self.accept_clients(ev.fd, ListenerKind::Resp);
            } else if Some(ev.fd) == self.sql_listener {
                self.accept_clients(ev.fd, ListenerKind::Mysql);
            } else {
                self.handle_client(ev, now_ms);
            }
        }
        if self.shared.store.blocked_clients > 0 {
            self.serve_blocked(now_ms);
        }
        if !self.shared.store.pubsub.outbox.is_empty() {
            self.deliver_pushes();
        }
        self.evict_due(now_ms);
        if now_ms >= self.next_cron_ms {
            self.shared.store.expire_due(now_ms, ACTIVE_EXPIRE_BUDGET);
            self.next_cron_ms = now_ms + CRON_INTERVAL_MS;
        }
        Ok(())
    }

    /// The earliest deadline of a client parked by a blocking command (`u64::MAX`: none).
    fn next_block_deadline(&self) -> u64 {
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
    fn serve_blocked(&mut self, now_ms: u64) {
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
            if !retry_blocked(&self.dispatcher, &mut ctx) {
                continue;
            }
            let mut env = Env {
                shared: &mut self.shared,
                dispatcher: &self.dispatcher,
                sql_settings: &self.sql_settings,
                sys: self.sys,
                now_ms,
                connected,
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
    fn deliver_pushes(&mut self) {
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

    /// Connected clients.
    pub fn clients(&self) -> usize {
        self.conns.len()
    }

    fn now_ms(&self) -> u64 {
        self.sys.clock_ns() / NS_PER_MS
    }

    fn handle_client(&mut self, ev: Event, now_ms: u64) {
        let connected = self.conns.len();
        let Some(conn) = self.conns.get_mut(&ev.fd) else {
            return;
        };
        let mut after = After::Keep;
        if ev.readable && conn.interest.readable {
            after = read_input(self.sys, conn, &self.shared.config);
        } else if ev.hangup && !ev.writable {
            after = After::Close;
        }
        if after == After::Keep {
            let mut env = Env {
                shared: &mut self.shared,
                dispatcher: &self.dispatcher,
                sql_settings: &self.sql_settings,
                sys: self.sys,
                now_ms,
                connected,
            };
            after = serve(&mut env, conn);
        }
        if after == After::Close {
            if let Some(mut conn) = self.conns.remove(&ev.fd) {
                close_conn(self.sys, &mut self.shared, &mut conn);
            }
        } else {
            arm(&mut self.deadlines, conn, &self.shared.config);
        }
    }
}

/// What request processing needs besides the connection.
struct Env<'a> {
    shared: &'a mut Shared,
    dispatcher: &'a Dispatcher,
    sql_settings: &'a ProtocolSettings,
    sys: &'a dyn Syscalls,
    now_ms: u64,
    connected: usize,
}

/// Receive once into the connection's input buffer.
fn read_input(sys: &dyn Syscalls, conn: &mut Conn, config: &Config) -> After {
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

/// Run buffered requests, send replies, and update poll interest.
fn serve(env: &mut Env<'_>, conn: &mut Conn) -> After {
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

/// Send what is pending, then update poll interest (used right after accepting).
fn flush_and_rearm(sys: &dyn Syscalls, conn: &mut Conn) -> After {
    if flush_output(sys, conn) == After::Close {
        return After::Close;
    }
    rearm(sys, conn)
}

/// Read while output is below the high-water mark and the connection stays open; wait
/// for writability while output is pending.
fn rearm(sys: &dyn Syscalls, conn: &mut Conn) -> After {
    let want = Interest {
        readable: !conn.is_closing() && conn.pending_output() <= OUTPUT_HIGH_WATER_BYTES,
        writable: conn.pending_output() > 0,
    };
    if want != conn.interest {
        if sys.poll_ctl(conn.fd, want).is_err() {
            return After::Close;
        }
        conn.interest = want;
    }
    After::Keep
}

/// Feed buffered MySQL packets to the protocol front-end. Returns true when work was held
/// back until the output drains.
fn run_mysql(env: &mut Env<'_>, conn: &mut Conn) -> bool {
    let Conn {
        inbuf,
        start,
        end,
        out,
        protocol,
        closing,
        ..
    } = conn;
    let Protocol::Mysql(mysql) = protocol else {
        return false;
    };
    if *closing {
        return false;
    }
    // The SQL tables may use what the keyspace leaves of `maxmemory`.
    let config = &env.shared.config;
    let max_data_bytes = (config.maxmemory != 0).then(|| {
        config
            .maxmemory
            .saturating_sub(env.shared.store.used_bytes())
    });
    env.shared.sql.set_limits(EngineLimits {
        max_nesting_depth: config.sql_max_nesting_depth,
        max_data_bytes,
    });
    let progress = mysql.process(
        &inbuf[*start..*end],
        &mut env.shared.sql,
        env.sql_settings,
        out,
        OUTPUT_HIGH_WATER_BYTES,
    );
    *start = (*start + progress.consumed).min(*end);
    if progress.close {
        *closing = true;
    }
    progress.held_back
}

/// Parse and execute every complete request in the input buffer. Returns true when
/// requests were held back because too much output is pending.
fn run_requests(env: &mut Env<'_>, conn: &mut Conn) -> bool {
    let Conn {
        inbuf,
        start,
        end,
        out,
        out_pos,
        protocol,
        ..
    } = conn;
    let Protocol::Resp { parser, client } = protocol else {
        return false;
    };
    let mut held_back = false;
    while *start < *end && !client.close_after_reply && client.blocked.is_none() {
        if out.len() - *out_pos > OUTPUT_HIGH_WATER_BYTES {
            held_back = true;
            break;
        }
        let limits = Limits {
            max_bulk_len: env.shared.config.max_bulk_len,
            unauthenticated: !client.authenticated,
        };
        let buf = &inbuf[*start..*end];
        match parser.parse(buf, &limits) {
            Ok(None) => {
                if buf.len() > env.shared.config.max_query_buffer {
                    protocol_error(
                        env,
                        out,
                        client,
                        "query buffer exceeds client-query-buffer-limit",
                    );
                }
                break;
            }
            Ok(Some(n)) => {
                let args = parser.args(buf);
                if !args.is_empty() {
                    let mut ctx = Ctx {
                        shared: env.shared,
                        client,
                        sys: env.sys,
                        now_ms: env.now_ms,
                        connected_clients: env.connected,
                        out,
                    };
                    env.dispatcher.execute(&mut ctx, &args);
                }
                *start += n;
            }
            Err(e) => {
                protocol_error(env, out, client, &format!("{e}"));
                break;
            }
        }
    }
    held_back
}

/// Forget fully processed input; release a buffer that grew large once it is empty.
fn compact_input(conn: &mut Conn) {
    if conn.start == conn.end {
        conn.start = 0;
        conn.end = 0;
        if conn.inbuf.len() > BUFFER_SHRINK_BYTES {
            conn.inbuf = Vec::new();
        }
    }
}

/// Reply `-ERR Protocol error: <msg>` and close once it is sent.
fn protocol_error(env: &mut Env<'_>, out: &mut Vec<u8>, client: &mut Client, msg: &str) {
    out.extend_from_slice(b"-ERR Protocol error: ");
    out.extend_from_slice(msg.as_bytes());
    out.extend_from_slice(b"\r\n");
    client.close_after_reply = true;
    env.shared.stats.protocol_errors += 1;
}

/// Send as much pending output as the socket takes.
fn flush_output(sys: &dyn Syscalls, conn: &mut Conn) -> After {
    while conn.out_pos < conn.out.len() {
        match sys.send(conn.fd, &conn.out[conn.out_pos..]) {
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

#[cfg(test)]
mod tests;
