//! Redis commands: the state they share ([`Shared`], [`Client`], [`Ctx`]); the command
//! table is in `table`, the dispatcher in `dispatch`, shared argument helpers in `args`.

use crate::config::Config;
use crate::durability::Log;
use crate::sql::Engine;
use crate::stats::Stats;
use crate::store::Store;
use crate::sys::Syscalls;
use alloc::vec::Vec;
pub use blocking::{blocked_deadline, blocked_order, retry_blocked};

mod admin;
mod args;
pub(crate) use args::{
    clamp_range, count_arg, eq_ignore_case, int_arg, reply_len, wrong_arity, Replied, NOT_INTEGER,
    SYNTAX_ERROR, WRONGTYPE,
};
mod bits;
mod blocking;
mod config;
mod counters;
mod dispatch;
pub use dispatch::Dispatcher;
mod expire;
mod glob;
pub(crate) use glob::glob_match;
mod hashes;
mod info;
mod info_persistence;
mod keys;
mod list_elements;
mod lists;
mod logged_reply;
mod logging;
mod mpop;
mod multi;
mod multikey_args;
mod pubsub;
mod random;
mod reply_shapes;
mod scan;
mod sets;
mod strings;
mod table;
pub use table::{Command, COMMANDS};
mod zrange;
mod zsetops;
mod zsets;

/// Server-wide state the commands read and change.
pub struct Shared {
    /// The keyspace.
    pub store: Store,
    /// The live configuration (`CONFIG SET` changes it).
    pub config: Config,
    /// Counters for `INFO`.
    pub stats: Stats,
    /// The SQL engine's tables (served on the MySQL port; counted against `maxmemory`).
    pub sql: Engine,
    /// The durability log (`None` with `appendonly no`).
    pub log: Option<Log>,
}

impl Shared {
    /// Bytes of data `maxmemory` is checked against: the keyspace and the SQL tables.
    pub fn used_memory(&self) -> usize {
        self.store
            .used_bytes()
            .saturating_add(self.sql.used_bytes())
    }
}

/// Per-connection state the commands read and change.
#[derive(Debug, Default)]
pub struct Client {
    /// Unique id (`CLIENT ID`, `HELLO`).
    pub id: u64,
    /// `AUTH` succeeded (or no password is configured).
    pub authenticated: bool,
    /// `CLIENT SETNAME`.
    pub name: Option<Vec<u8>>,
    /// Close the connection once the replies so far are sent (`QUIT`, protocol errors).
    pub close_after_reply: bool,
    /// The open transaction (`MULTI`), if any.
    pub multi: Option<alloc::boxed::Box<multi::Multi>>,
    /// `WATCH`ed keys with their versions.
    pub watched: Vec<(Vec<u8>, u64)>,
    /// A blocking command waits (its further requests wait too).
    pub blocked: Option<alloc::boxed::Box<blocking::Blocked>>,
    /// While a parked request is retried: its deadline.
    pub block_deadline: Option<Option<u64>>,
    /// A parked request is being retried (a key of another type then keeps it waiting,
    /// as in Redis, instead of answering `WRONGTYPE`).
    pub retrying_blocked: bool,
    /// While a parked request is retried: its place in the order of blocking (kept when it
    /// parks again).
    pub block_order: Option<u64>,
    /// `EXEC` runs the queued commands (blocking commands do not park).
    pub in_exec: bool,
    /// Pub/sub subscriptions (`None`: none; boxed, as most clients never subscribe).
    pub subscriptions: Option<alloc::boxed::Box<pubsub::Subscriptions>>,
    /// The client chose RESP3 (`HELLO 3`): replies are rewritten by [`crate::resp::resp3`].
    pub resp3: bool,
}

/// Release what a disconnecting client holds in the shared state (its `WATCH`es).
pub fn client_closed(shared: &mut Shared, client: &mut Client) {
    blocking::forget(shared, client);
    pubsub::forget(shared, client);
    for (key, _) in core::mem::take(&mut client.watched) {
        shared.store.unwatch(&key);
    }
}

/// Everything a command handler gets.
pub struct Ctx<'a> {
    /// Server-wide state.
    pub shared: &'a mut Shared,
    /// The calling client.
    pub client: &'a mut Client,
    /// The platform (for `INFO`'s platform section).
    pub sys: &'a dyn Syscalls,
    /// The current time, cached once per event-loop round.
    pub now_ms: u64,
    /// Clients connected now.
    pub connected_clients: usize,
    /// The client's output buffer; handlers append exactly one reply.
    pub out: &'a mut Vec<u8>,
}

#[cfg(test)]
mod tests;
