//! The event loop: one thread, level-triggered readiness, two listeners (the Redis protocol
//! and the MySQL protocol), per-connection input and output buffers, pipelining (every
//! complete request in the input is run, the replies go out with one `send`), and
//! backpressure (a client whose replies pile up is not read from until they drain).
//! Connections are closed by the server when a deadline passes (handshake, idle) or their
//! unsent output passes the output-buffer limit ([`deadlines`], [`timeouts`]).

mod accept;
mod conn;
mod deadlines;
mod durable;
mod io;
mod mysql_session;
mod parked;
mod resp_session;
mod session;
mod timeouts;

use accept::open_listener;
use conn::{After, Conn};
use deadlines::Deadlines;
use io::read_input;
use session::{serve, Env};
use timeouts::{arm, close_conn, TimerSettings};

use crate::commands::{Dispatcher, Shared, COMMANDS};
use crate::config::Config;
use crate::mysql::ProtocolSettings;
use crate::sql::{Engine, EngineLimits};
use crate::stats::Stats;
use crate::store::Store;
use crate::sys::{Errno, Event, Fd, Syscalls};
use alloc::format;
use alloc::vec;
use alloc::vec::Vec;
use hashbrown::HashMap;

/// `listen(2)` backlog of the RESP port (Redis: `tcp-backlog`).
const LISTEN_BACKLOG: u32 = 511;
/// `listen(2)` backlog of the MySQL port. SQL benchmarks open tens of connections, not
/// thousands, and the unikernel keeps one listening socket (with its buffers, visited on
/// every poll round) per backlog slot, so a small backlog keeps the KV path as it was.
const SQL_LISTEN_BACKLOG: u32 = 16;
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
    /// Connections whose replies wait for this round's log commit.
    held: Vec<Fd>,
}

impl<'s, S: Syscalls> Server<'s, S> {
    /// Bind and listen on `config.bind:config.port` (RESP) and `config.sql_port` (MySQL).
    /// Logs `dbserver: listening on ADDR:PORT (RESP)` and `... (MySQL)` with the ports
    /// actually bound (port 0 lets the platform choose).
    pub fn new(sys: &'s S, config: Config) -> Result<Self, Errno> {
        // Before any map exists: every client-filled hash table is keyed with it.
        crate::hash::set_process_seed(sys.random_seed());
        let now_ms = sys.clock_ns() / NS_PER_MS;
        let engine = Engine::new(EngineLimits {
            max_nesting_depth: config.sql_max_nesting_depth,
            max_data_bytes: None,
        });
        let mut shared = Shared {
            store: Store::new(),
            config: config.clone(),
            stats: Stats::new(now_ms, COMMANDS.len()),
            sql: engine,
            log: None,
        };
        let dispatcher = Dispatcher::default();
        // Replay the log before listening: no client sees a state the log is not in.
        shared.log = durable::open_log(sys, &mut shared, &dispatcher, now_ms)?;
        shared.stats = Stats::new(now_ms, COMMANDS.len());
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
        let sql_settings = ProtocolSettings {
            password: config.sql_password.clone(),
            max_allowed_packet: config.max_allowed_packet,
        };
        let timer_settings = TimerSettings::of(&config);
        Ok(Self {
            sys,
            listener,
            sql_listener: sql.map(|(fd, _)| fd),
            sql_settings,
            shared,
            dispatcher,
            conns: HashMap::new(),
            events: vec![Event::default(); MAX_EVENTS],
            next_client_id: 1,
            next_cron_ms: now_ms + CRON_INTERVAL_MS,
            accept_errors: 0,
            deadlines: Deadlines::default(),
            timer_settings,
            held: Vec::new(),
        })
    }

    /// Wait for readiness (at most until the next housekeeping round) and handle it.
    pub fn poll_once(&mut self) -> Result<(), Errno> {
        let now_ms = self.now_ms();
        let wake_ms = self
            .next_cron_ms
            .min(self.next_block_deadline())
            .min(self.deadlines.next_ms())
            .min(self.next_log_ms(now_ms));
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
        self.commit_log(now_ms);
        Ok(())
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
                held: &mut self.held,
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

#[cfg(test)]
mod tests;
