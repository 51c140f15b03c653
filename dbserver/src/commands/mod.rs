//! Command dispatch: the command table, the checks every command goes through (arity,
//! authentication, `maxmemory`) and small helpers the command modules share.

use crate::config::Config;
use crate::resp::{self, Args};
use crate::sql::Engine;
use crate::stats::Stats;
use crate::store::{Store, Value};
use crate::sys::Syscalls;
use alloc::vec::Vec;
pub use blocking::{blocked_deadline, blocked_order, retry_blocked};
use hashbrown::HashMap;

mod admin;
mod bits;
mod blocking;
mod config;
mod counters;
mod expire;
mod glob;
pub(crate) use glob::glob_match;
mod hashes;
mod keys;
mod lists;
mod mpop;
mod multi;
mod multikey_args;
mod pubsub;
mod random;
mod reply_shapes;
mod scan;
mod sets;
mod strings;
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
    /// The client chose RESP3 (`HELLO 3`): replies are rewritten by [`resp::resp3`].
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

/// The command may grow the data set: refused above `maxmemory`.
const DENY_OOM: u8 = 1 << 0;
/// The command runs before the client authenticated.
const NO_AUTH: u8 = 1 << 1;
/// The command runs at once inside `MULTI` instead of being queued.
const TX_CONTROL: u8 = 1 << 2;
/// The command is allowed in subscribed mode.
const PUBSUB_OK: u8 = 1 << 3;

type Handler = fn(&mut Ctx<'_>, &Args<'_>);

/// One entry of the command table.
pub struct Command {
    /// Lower-case name.
    pub name: &'static str,
    /// Redis arity: `n` exactly `n` arguments (name included), `-n` at least `n`.
    arity: i32,
    flags: u8,
    handler: Handler,
}

const fn cmd(name: &'static str, arity: i32, flags: u8, handler: Handler) -> Command {
    Command {
        name,
        arity,
        flags,
        handler,
    }
}

/// Every command the server knows.
pub static COMMANDS: &[Command] = &[
    cmd("ping", -1, PUBSUB_OK, admin::ping),
    cmd("echo", 2, 0, admin::echo),
    cmd("quit", -1, NO_AUTH | TX_CONTROL | PUBSUB_OK, admin::quit),
    cmd("subscribe", -2, PUBSUB_OK, pubsub::subscribe),
    cmd("unsubscribe", -1, PUBSUB_OK, pubsub::unsubscribe),
    cmd("psubscribe", -2, PUBSUB_OK, pubsub::psubscribe),
    cmd("punsubscribe", -1, PUBSUB_OK, pubsub::punsubscribe),
    cmd("publish", 3, 0, pubsub::publish),
    cmd("pubsub", -2, 0, pubsub::pubsub),
    cmd("multi", 1, TX_CONTROL, multi::multi),
    cmd("exec", 1, TX_CONTROL, multi::exec_without_dispatcher),
    cmd("discard", 1, TX_CONTROL, multi::discard),
    cmd("watch", -2, TX_CONTROL, multi::watch),
    cmd("unwatch", 1, TX_CONTROL, multi::unwatch),
    cmd("auth", -2, NO_AUTH, admin::auth),
    cmd("hello", -1, NO_AUTH, admin::hello),
    cmd("client", -2, 0, admin::client),
    cmd("config", -2, 0, config::config),
    cmd("command", -1, 0, admin::command),
    cmd("info", -1, 0, admin::info),
    cmd("select", 2, 0, admin::select),
    cmd("dbsize", 1, 0, admin::dbsize),
    cmd("flushall", -1, 0, admin::flushall),
    cmd("flushdb", -1, 0, admin::flushall),
    cmd("function", -2, 0, admin::function),
    cmd("get", 2, 0, strings::get),
    cmd("set", -3, DENY_OOM, strings::set),
    cmd("getex", -2, 0, strings::getex),
    cmd("getdel", 2, 0, strings::getdel),
    cmd("getset", 3, DENY_OOM, strings::getset),
    cmd("setnx", 3, DENY_OOM, strings::setnx),
    cmd("setex", 4, DENY_OOM, strings::setex),
    cmd("psetex", 4, DENY_OOM, strings::psetex),
    cmd("mget", -2, 0, strings::mget),
    cmd("mset", -3, DENY_OOM, strings::mset),
    cmd("msetnx", -3, DENY_OOM, strings::msetnx),
    cmd("append", 3, DENY_OOM, strings::append),
    cmd("strlen", 2, 0, strings::strlen),
    cmd("getrange", 4, 0, strings::getrange),
    cmd("substr", 4, 0, strings::getrange),
    cmd("setrange", 4, DENY_OOM, strings::setrange),
    cmd("incr", 2, DENY_OOM, counters::incr),
    cmd("decr", 2, DENY_OOM, counters::decr),
    cmd("incrby", 3, DENY_OOM, counters::incrby),
    cmd("decrby", 3, DENY_OOM, counters::decrby),
    cmd("incrbyfloat", 3, DENY_OOM, counters::incrbyfloat),
    cmd("setbit", 4, DENY_OOM, bits::setbit),
    cmd("getbit", 3, 0, bits::getbit),
    cmd("bitcount", -2, 0, bits::bitcount),
    cmd("lcs", -3, 0, bits::lcs),
    cmd("del", -2, 0, keys::del),
    cmd("unlink", -2, 0, keys::del),
    cmd("exists", -2, 0, keys::exists),
    cmd("type", 2, 0, keys::type_),
    cmd("keys", 2, 0, keys::keys),
    cmd("scan", -2, 0, scan::scan),
    cmd("sscan", -3, 0, scan::sscan),
    cmd("hscan", -3, 0, scan::hscan),
    cmd("zscan", -3, 0, scan::zscan),
    cmd("rename", 3, 0, keys::rename),
    cmd("renamenx", 3, 0, keys::renamenx),
    cmd("copy", -3, DENY_OOM, keys::copy),
    cmd("randomkey", 1, 0, keys::randomkey),
    cmd("object", -2, 0, keys::object),
    cmd("memory", -2, 0, keys::memory),
    cmd("expire", -3, 0, expire::expire),
    cmd("pexpire", -3, 0, expire::pexpire),
    cmd("expireat", -3, 0, expire::expireat),
    cmd("pexpireat", -3, 0, expire::pexpireat),
    cmd("ttl", 2, 0, expire::ttl),
    cmd("pttl", 2, 0, expire::pttl),
    cmd("expiretime", 2, 0, expire::expiretime),
    cmd("pexpiretime", 2, 0, expire::pexpiretime),
    cmd("persist", 2, 0, expire::persist),
    cmd("time", 1, 0, expire::time),
    cmd("lpush", -3, DENY_OOM, lists::lpush),
    cmd("rpush", -3, DENY_OOM, lists::rpush),
    cmd("lpushx", -3, DENY_OOM, lists::lpushx),
    cmd("rpushx", -3, DENY_OOM, lists::rpushx),
    cmd("lpop", -2, 0, lists::lpop),
    cmd("rpop", -2, 0, lists::rpop),
    cmd("lrange", 4, 0, lists::lrange),
    cmd("llen", 2, 0, lists::llen),
    cmd("lindex", 3, 0, lists::lindex),
    cmd("lset", 4, DENY_OOM, lists::lset),
    cmd("linsert", 5, DENY_OOM, lists::linsert),
    cmd("lpos", -3, 0, lists::lpos),
    cmd("lrem", 4, 0, lists::lrem),
    cmd("ltrim", 4, 0, lists::ltrim),
    cmd("lmove", 5, DENY_OOM, lists::lmove),
    cmd("rpoplpush", 3, DENY_OOM, lists::rpoplpush),
    cmd("lmpop", -4, 0, mpop::lmpop),
    cmd("blmpop", -5, 0, mpop::blmpop),
    cmd("blpop", -3, 0, blocking::blpop),
    cmd("brpop", -3, 0, blocking::brpop),
    cmd("blmove", 6, DENY_OOM, blocking::blmove),
    cmd("brpoplpush", 4, DENY_OOM, blocking::brpoplpush),
    cmd("bzpopmin", -3, 0, blocking::bzpopmin),
    cmd("bzpopmax", -3, 0, blocking::bzpopmax),
    cmd("sadd", -3, DENY_OOM, sets::sadd),
    cmd("srem", -3, 0, sets::srem),
    cmd("spop", -2, 0, sets::spop),
    cmd("srandmember", -2, 0, sets::srandmember),
    cmd("smembers", 2, 0, sets::smembers),
    cmd("scard", 2, 0, sets::scard),
    cmd("sismember", 3, 0, sets::sismember),
    cmd("smismember", -3, 0, sets::smismember),
    cmd("smove", 4, 0, sets::smove),
    cmd("sinter", -2, 0, sets::sinter),
    cmd("sunion", -2, 0, sets::sunion),
    cmd("sdiff", -2, 0, sets::sdiff),
    cmd("sinterstore", -3, DENY_OOM, sets::sinterstore),
    cmd("sunionstore", -3, DENY_OOM, sets::sunionstore),
    cmd("sdiffstore", -3, DENY_OOM, sets::sdiffstore),
    cmd("sintercard", -3, 0, sets::sintercard),
    cmd("hset", -4, DENY_OOM, hashes::hset),
    cmd("hmset", -4, DENY_OOM, hashes::hmset),
    cmd("hsetnx", 4, DENY_OOM, hashes::hsetnx),
    cmd("hget", 3, 0, hashes::hget),
    cmd("hmget", -3, 0, hashes::hmget),
    cmd("hgetall", 2, 0, hashes::hgetall),
    cmd("hkeys", 2, 0, hashes::hkeys),
    cmd("hvals", 2, 0, hashes::hvals),
    cmd("hdel", -3, 0, hashes::hdel),
    cmd("hlen", 2, 0, hashes::hlen),
    cmd("hexists", 3, 0, hashes::hexists),
    cmd("hstrlen", 3, 0, hashes::hstrlen),
    cmd("hincrby", 4, DENY_OOM, hashes::hincrby),
    cmd("hincrbyfloat", 4, DENY_OOM, hashes::hincrbyfloat),
    cmd("hrandfield", -2, 0, hashes::hrandfield),
    cmd("zadd", -4, DENY_OOM, zsets::zadd),
    cmd("zincrby", 4, DENY_OOM, zsets::zincrby),
    cmd("zrem", -3, 0, zsets::zrem),
    cmd("zcard", 2, 0, zsets::zcard),
    cmd("zscore", 3, 0, zsets::zscore),
    cmd("zmscore", -3, 0, zsets::zmscore),
    cmd("zrank", 3, 0, zsets::zrank),
    cmd("zrevrank", 3, 0, zsets::zrevrank),
    cmd("zpopmin", -2, 0, zsets::zpopmin),
    cmd("zpopmax", -2, 0, zsets::zpopmax),
    cmd("zmpop", -4, 0, mpop::zmpop),
    cmd("bzmpop", -5, 0, mpop::bzmpop),
    cmd("zrandmember", -2, 0, zsets::zrandmember),
    cmd("zrange", -4, 0, zrange::zrange),
    cmd("zrevrange", -4, 0, zrange::zrevrange),
    cmd("zrangebyscore", -4, 0, zrange::zrangebyscore),
    cmd("zrevrangebyscore", -4, 0, zrange::zrevrangebyscore),
    cmd("zrangebylex", -4, 0, zrange::zrangebylex),
    cmd("zrevrangebylex", -4, 0, zrange::zrevrangebylex),
    cmd("zrangestore", -5, DENY_OOM, zrange::zrangestore),
    cmd("zcount", 4, 0, zrange::zcount),
    cmd("zlexcount", 4, 0, zrange::zlexcount),
    cmd("zremrangebyrank", 4, 0, zrange::zremrangebyrank),
    cmd("zremrangebyscore", 4, 0, zrange::zremrangebyscore),
    cmd("zremrangebylex", 4, 0, zrange::zremrangebylex),
    cmd("zunion", -3, 0, zsetops::zunion),
    cmd("zinter", -3, 0, zsetops::zinter),
    cmd("zdiff", -3, 0, zsetops::zdiff),
    cmd("zunionstore", -4, DENY_OOM, zsetops::zunionstore),
    cmd("zinterstore", -4, DENY_OOM, zsetops::zinterstore),
    cmd("zdiffstore", -4, DENY_OOM, zsetops::zdiffstore),
    cmd("zintercard", -3, 0, zsetops::zintercard),
];

/// Longest command name looked up (longer names are unknown).
const MAX_NAME_LEN: usize = 16;

/// Finds commands by name.
pub struct Dispatcher {
    by_name: HashMap<&'static [u8], usize>,
}

impl Default for Dispatcher {
    fn default() -> Self {
        let by_name = COMMANDS
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.as_bytes(), i))
            .collect();
        Self { by_name }
    }
}

impl Dispatcher {
    /// Run one request (`args` non-empty) and append its reply to `ctx.out`.
    pub fn execute(&self, ctx: &mut Ctx<'_>, args: &Args<'_>) {
        let before = ctx.out.len();
        self.dispatch(ctx, args);
        if ctx.client.resp3 {
            if let Some(command) = self.lookup(args.get(0)).and_then(|i| COMMANDS.get(i)) {
                let shape = reply_shapes::shape(command.name, args);
                resp::resp3::rewrite(ctx.out, before, shape);
            } else {
                resp::resp3::rewrite(ctx.out, before, resp::resp3::Shape::Plain);
            }
        }
        if ctx.out.get(before) == Some(&b'-') {
            ctx.shared.stats.total_error_replies += 1;
        }
    }

    fn dispatch(&self, ctx: &mut Ctx<'_>, args: &Args<'_>) {
        let name = args.get(0);
        let Some(index) = self.lookup(name) else {
            multi::fail(ctx);
            unknown_command(ctx.out, args);
            log_unknown_command(ctx, name);
            return;
        };
        let Some(command) = COMMANDS.get(index) else {
            return;
        };
        let argc = args.len();
        let arity_ok = match usize::try_from(command.arity) {
            Ok(exact) => argc == exact,
            Err(_) => argc >= command.arity.unsigned_abs() as usize,
        };
        if !arity_ok {
            multi::fail(ctx);
            wrong_arity(ctx.out, command.name);
            ctx.shared.stats.count_rejected(index);
            return;
        }
        if !ctx.client.authenticated && command.flags & NO_AUTH == 0 {
            multi::fail(ctx);
            ctx.out
                .extend_from_slice(b"-NOAUTH Authentication required.\r\n");
            ctx.shared.stats.count_rejected(index);
            return;
        }
        if command.flags & PUBSUB_OK == 0 && pubsub::subscribed(ctx.client) {
            pubsub::not_allowed(ctx.out, command.name);
            ctx.shared.stats.count_rejected(index);
            return;
        }
        let maxmemory = ctx.shared.config.maxmemory;
        if command.flags & DENY_OOM != 0 && maxmemory != 0 && ctx.shared.used_memory() > maxmemory {
            multi::fail(ctx);
            ctx.out
                .extend_from_slice(b"-OOM command not allowed when used memory > 'maxmemory'.\r\n");
            ctx.shared.stats.count_rejected(index);
            return;
        }
        let before = ctx.out.len();
        if command.flags & TX_CONTROL != 0 && command.name == "exec" {
            multi::exec(self, ctx);
        } else if ctx.client.multi.is_some() && command.flags & TX_CONTROL == 0 {
            multi::queue(ctx, args);
            return;
        } else {
            (command.handler)(ctx, args);
        }
        ctx.shared.stats.count_command(index);
        if ctx.out.get(before) == Some(&b'-') {
            ctx.shared.stats.count_failed(index);
        }
    }

    fn lookup(&self, name: &[u8]) -> Option<usize> {
        let mut lower = [0u8; MAX_NAME_LEN];
        let dst = lower.get_mut(..name.len())?;
        for (d, s) in dst.iter_mut().zip(name) {
            *d = s.to_ascii_lowercase();
        }
        self.by_name.get(&*dst).copied()
    }
}

/// Redis's reply to an unknown command: the name and up to 128 bytes of arguments.
fn unknown_command(out: &mut Vec<u8>, args: &Args<'_>) {
    /// Redis quotes at most this many bytes of the name and of the arguments.
    const QUOTE_MAX: usize = 128;
    let mut msg = Vec::new();
    msg.extend_from_slice(b"ERR unknown command '");
    let name = args.get(0);
    msg.extend_from_slice(&name[..name.len().min(QUOTE_MAX)]);
    msg.extend_from_slice(b"', with args beginning with: ");
    let mut quoted = 0;
    for arg in args.iter_from(1) {
        if quoted >= QUOTE_MAX {
            break;
        }
        let take = arg.len().min(QUOTE_MAX - quoted);
        msg.push(b'\'');
        msg.extend_from_slice(&arg[..take]);
        msg.extend_from_slice(b"' ");
        quoted += take + 3;
    }
    resp::error(out, &msg);
}

/// Log the first few unknown command names (to see what clients expect), never more.
fn log_unknown_command(ctx: &mut Ctx<'_>, name: &[u8]) {
    /// Unknown commands logged per server run.
    const LOG_LIMIT: u64 = 16;
    /// Bytes of the name logged.
    const NAME_MAX: usize = 64;
    let stats = &mut ctx.shared.stats;
    stats.unknown_commands += 1;
    if stats.unknown_commands > LOG_LIMIT {
        return;
    }
    let shown: alloc::string::String = name
        .iter()
        .take(NAME_MAX)
        .map(|&b| if b.is_ascii_graphic() { b as char } else { '?' })
        .collect();
    ctx.sys
        .log(&alloc::format!("dbserver: unknown command '{shown}'\n"));
}

/// `-ERR wrong number of arguments for '<name>' command`.
pub(crate) fn wrong_arity(out: &mut Vec<u8>, name: &str) {
    out.extend_from_slice(b"-ERR wrong number of arguments for '");
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"' command\r\n");
}

/// The reply to an operation on a value of the wrong type.
/// Replies with the length of the value at `args[1]` as measured by `len`, which
/// returns `None` for a value of the wrong type: 0 for a missing key, `-WRONGTYPE` for a
/// value of another type. Serves LLEN, SCARD, HLEN, STRLEN and ZCARD.
pub(crate) fn reply_len(ctx: &mut Ctx<'_>, args: &Args<'_>, len: fn(&Value) -> Option<usize>) {
    match ctx.shared.store.get(args.get(1), ctx.now_ms).map(len) {
        None => resp::integer(ctx.out, 0),
        Some(Some(n)) => resp::integer(ctx.out, n as i64),
        Some(None) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}

pub(crate) const WRONGTYPE: &[u8] =
    b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
/// The reply to an argument that should be an integer.
pub(crate) const NOT_INTEGER: &[u8] = b"-ERR value is not an integer or out of range\r\n";
/// The reply to unknown or conflicting options.
pub(crate) const SYNTAX_ERROR: &[u8] = b"-ERR syntax error\r\n";
/// The reply to a negative count.
pub(crate) const NOT_POSITIVE: &[u8] = b"-ERR value is out of range, must be positive\r\n";

/// Argument `i` as an integer, or `NOT_INTEGER` written to `out`.
pub(crate) fn int_arg(out: &mut Vec<u8>, args: &Args<'_>, i: usize) -> Option<i64> {
    let v = resp::parse_i64(args.get(i));
    if v.is_none() {
        out.extend_from_slice(NOT_INTEGER);
    }
    v
}

/// An argument was invalid and the error reply has already been written.
pub(crate) struct Replied;

/// The optional count argument of `LPOP`/`SPOP`/`ZPOPMIN` at index 2: `Ok(None)` when
/// absent.
pub(crate) fn count_arg(out: &mut Vec<u8>, args: &Args<'_>) -> Result<Option<usize>, Replied> {
    if args.len() > 3 {
        out.extend_from_slice(SYNTAX_ERROR);
        return Err(Replied);
    }
    if args.len() < 3 {
        return Ok(None);
    }
    let n = int_arg(out, args, 2).ok_or(Replied)?;
    match usize::try_from(n) {
        Ok(n) => Ok(Some(n)),
        Err(_) => {
            out.extend_from_slice(NOT_POSITIVE);
            Err(Replied)
        }
    }
}

/// Clamp Redis `start`/`stop` ranks (negative: from the end) to `0..len`; `None` when empty.
pub(crate) fn clamp_range(start: i64, stop: i64, len: usize) -> Option<(usize, usize)> {
    let len = i64::try_from(len).ok()?;
    let start = if start < 0 {
        start.saturating_add(len).max(0)
    } else {
        start
    };
    let stop = if stop < 0 {
        stop.saturating_add(len)
    } else {
        stop.min(len - 1)
    };
    if start > stop || start >= len {
        return None;
    }
    Some((usize::try_from(start).ok()?, usize::try_from(stop).ok()?))
}

/// Case-insensitive ASCII comparison of an argument with a keyword.
pub(crate) fn eq_ignore_case(arg: &[u8], keyword: &str) -> bool {
    arg.eq_ignore_ascii_case(keyword.as_bytes())
}

#[cfg(test)]
mod tests;
