//! What the durability log records for a write command, and the refusal of writes the
//! log cannot take. A command is logged after it ran, only if it did not answer an error,
//! in the form that replays to the same state (what Redis's AOF propagates): relative
//! expiries as absolute Unix times (`SET ... PXAT`, `PEXPIREAT`), `SPOP` as `SREM` of the
//! popped members, `INCRBYFLOAT` as `SET ... KEEPTTL` of the result, blocking pops as
//! their non-blocking form on the key that served them.

use super::logged_reply::{parse_reply, Reply};
use super::{eq_ignore_case, Ctx};
use crate::durability::encoded_len;
use crate::resp::{self, Args};
use crate::store::Value;
use alloc::vec;
use alloc::vec::Vec;

/// Commands that change the data set (Redis's `write` flag).
const WRITES: &[&str] = &[
    "append",
    "blmove",
    "blmpop",
    "blpop",
    "brpop",
    "brpoplpush",
    "bzmpop",
    "bzpopmax",
    "bzpopmin",
    "copy",
    "decr",
    "decrby",
    "del",
    "expire",
    "expireat",
    "flushall",
    "flushdb",
    "getdel",
    "getex",
    "getset",
    "hdel",
    "hincrby",
    "hincrbyfloat",
    "hmset",
    "hset",
    "hsetnx",
    "incr",
    "incrby",
    "incrbyfloat",
    "linsert",
    "lmove",
    "lmpop",
    "lpop",
    "lpush",
    "lpushx",
    "lrem",
    "lset",
    "ltrim",
    "mset",
    "msetnx",
    "persist",
    "pexpire",
    "pexpireat",
    "psetex",
    "rename",
    "renamenx",
    "rpop",
    "rpoplpush",
    "rpush",
    "rpushx",
    "sadd",
    "sdiffstore",
    "set",
    "setbit",
    "setex",
    "setnx",
    "setrange",
    "sinterstore",
    "smove",
    "spop",
    "srem",
    "sunionstore",
    "unlink",
    "zadd",
    "zdiffstore",
    "zincrby",
    "zinterstore",
    "zmpop",
    "zpopmax",
    "zpopmin",
    "zrangestore",
    "zrem",
    "zremrangebylex",
    "zremrangebyrank",
    "zremrangebyscore",
    "zunionstore",
];

/// Whether command `name` changes the data set.
pub(super) fn is_write(name: &[u8]) -> bool {
    WRITES
        .iter()
        .any(|w| w.as_bytes().eq_ignore_ascii_case(name))
}

/// Refuse (before it runs) a write of about `payload_bytes` the log cannot take: answer
/// `-MISCONF` naming the cause and return true.
pub(super) fn refuse(ctx: &mut Ctx<'_>, payload_bytes: usize) -> bool {
    let Some(log) = ctx.shared.log.as_mut() else {
        return false;
    };
    let Some(cause) = log.refusal(payload_bytes) else {
        return false;
    };
    log.stats.refused += 1;
    let mut msg = Vec::from(&b"MISCONF Errors writing to the AOF file: "[..]);
    msg.extend_from_slice(cause.as_bytes());
    resp::error(ctx.out, &msg);
    true
}

/// Bytes the record of `args` takes as given (the estimate [`refuse`] checks).
pub(super) fn payload_bytes(args: &Args<'_>) -> usize {
    encoded_len(args.iter_from(0))
}

/// The request (or `EXEC`) is over: its logged commands become one record.
pub(super) fn seal(ctx: &mut Ctx<'_>) {
    if let Some(log) = ctx.shared.log.as_mut() {
        log.seal_request();
    }
}

/// Log the write `name` that ran with `args` and replied `ctx.out[before..]`.
pub(super) fn record(ctx: &mut Ctx<'_>, name: &str, args: &Args<'_>, before: usize) {
    if ctx.shared.log.is_none() {
        return;
    }
    let reply = &ctx.out[before..];
    if reply.is_empty() || reply[0] == b'-' {
        return;
    }
    // Only the rewritten commands read their reply: copy it for them alone.
    let rewritten_from_reply = matches!(
        name,
        "spop"
            | "incrbyfloat"
            | "hincrbyfloat"
            | "blpop"
            | "brpop"
            | "bzpopmin"
            | "bzpopmax"
            | "brpoplpush"
            | "blmove"
            | "blmpop"
            | "bzmpop"
    );
    let copy = if rewritten_from_reply {
        reply.to_vec()
    } else {
        Vec::new()
    };
    let reply = parse_reply(&copy).unwrap_or(Reply::Other);
    let commands = propagated(ctx, name, args, &reply);
    if let Some(log) = ctx.shared.log.as_mut() {
        for c in commands {
            let refs: Vec<&[u8]> = c.iter().map(|a| &a[..]).collect();
            log.push_command(&refs);
        }
    }
}

type Cmd = Vec<Vec<u8>>;

fn cmd(parts: &[&[u8]]) -> Cmd {
    parts.iter().map(|p| p.to_vec()).collect()
}

/// The commands that replay `name` deterministically.
fn propagated(ctx: &mut Ctx<'_>, name: &str, args: &Args<'_>, reply: &Reply) -> Vec<Cmd> {
    let as_is = || vec![args.iter_from(0).map(<[u8]>::to_vec).collect()];
    let arg = |i: usize| args.get(i);
    match (name, reply) {
        ("set", _) if has_ttl_option(args) => string_state(ctx, arg(1)).unwrap_or_else(as_is),
        ("setex" | "psetex", _) => string_state(ctx, arg(1)).unwrap_or_else(as_is),
        ("getex", _) if args.len() > 2 => expiry_state(ctx, arg(1)).unwrap_or_else(as_is),
        ("expire" | "pexpire" | "expireat" | "pexpireat", _) => {
            expiry_state(ctx, arg(1)).unwrap_or_else(as_is)
        }
        ("spop", Reply::Bulk(m)) => vec![cmd(&[b"SREM", arg(1), m])],
        ("spop", Reply::Array(ms)) if !ms.is_empty() => {
            let mut c = cmd(&[b"SREM", arg(1)]);
            c.extend(ms.iter().filter_map(Reply::bulk).map(<[u8]>::to_vec));
            vec![c]
        }
        ("spop", _) => Vec::new(),
        ("incrbyfloat", Reply::Bulk(v)) => vec![cmd(&[b"SET", arg(1), v, b"KEEPTTL"])],
        ("hincrbyfloat", Reply::Bulk(v)) => vec![cmd(&[b"HSET", arg(1), arg(2), v])],
        ("blpop" | "brpop" | "bzpopmin" | "bzpopmax", Reply::Array(items)) => {
            let pop: &[u8] = match name {
                "blpop" => b"LPOP",
                "brpop" => b"RPOP",
                "bzpopmin" => b"ZPOPMIN",
                _ => b"ZPOPMAX",
            };
            items
                .first()
                .and_then(Reply::bulk)
                .map_or_else(Vec::new, |key| vec![cmd(&[pop, key])])
        }
        ("brpoplpush", Reply::Bulk(_)) => vec![cmd(&[b"RPOPLPUSH", arg(1), arg(2)])],
        ("blmove", Reply::Bulk(_)) => vec![cmd(&[b"LMOVE", arg(1), arg(2), arg(3), arg(4)])],
        ("blmpop" | "bzmpop", Reply::Array(items)) => multi_pop(name, args, items),
        ("blpop" | "brpop" | "bzpopmin" | "bzpopmax" | "brpoplpush" | "blmove", _)
        | ("blmpop" | "bzmpop", _) => Vec::new(),
        _ => as_is(),
    }
}

/// `BLMPOP`/`BZMPOP timeout numkeys key... side [COUNT n]` that popped `[key, [items]]`:
/// `LMPOP`/`ZMPOP 1 key side COUNT <items popped>`.
fn multi_pop(name: &str, args: &Args<'_>, items: &[Reply]) -> Vec<Cmd> {
    let (Some(key), Some(Reply::Array(popped))) =
        (items.first().and_then(Reply::bulk), items.get(1))
    else {
        return Vec::new();
    };
    let numkeys = resp::parse_i64(args.get(2)).unwrap_or(0).max(0) as usize;
    let side = args.get(3 + numkeys);
    let command: &[u8] = if name == "blmpop" { b"LMPOP" } else { b"ZMPOP" };
    let count = alloc::format!("{}", popped.len());
    vec![cmd(&[command, b"1", key, side, b"COUNT", count.as_bytes()])]
}

/// `SET` with `EX`, `PX`, `EXAT` or `PXAT`.
fn has_ttl_option(args: &Args<'_>) -> bool {
    args.iter_from(3).any(|a| {
        ["ex", "px", "exat", "pxat"]
            .iter()
            .any(|o| eq_ignore_case(a, o))
    })
}

/// The absolute Unix time in ms of a monotonic deadline (`None` without a wall clock).
fn unix_ms(ctx: &mut Ctx<'_>, at_ms: u64) -> Option<Vec<u8>> {
    let offset = super::expire::wall_offset(ctx)?;
    let unix = i64::try_from(at_ms).ok()?.checked_add(offset)?;
    Some(alloc::format!("{unix}").into_bytes())
}

/// A string key as it is now: `SET key value [PXAT unix-ms]`, or `DEL key` if gone.
fn string_state(ctx: &mut Ctx<'_>, key: &[u8]) -> Option<Vec<Cmd>> {
    let Some(at) = ctx.shared.store.expire_at_ms(key, ctx.now_ms) else {
        return Some(vec![cmd(&[b"DEL", key])]);
    };
    let Some(Value::Str(value)) = ctx.shared.store.peek(key) else {
        return None;
    };
    let mut set = cmd(&[b"SET", key, value]);
    if let Some(at) = at {
        set.push(b"PXAT".to_vec());
        set.push(unix_ms(ctx, at)?);
    }
    Some(vec![set])
}

/// A key's expiry as it is now: `PEXPIREAT key unix-ms`, `PERSIST key`, or `DEL key`.
fn expiry_state(ctx: &mut Ctx<'_>, key: &[u8]) -> Option<Vec<Cmd>> {
    Some(match ctx.shared.store.expire_at_ms(key, ctx.now_ms) {
        None => vec![cmd(&[b"DEL", key])],
        Some(None) => vec![cmd(&[b"PERSIST", key])],
        Some(Some(at)) => {
            let unix = unix_ms(ctx, at)?;
            vec![vec![b"PEXPIREAT".to_vec(), key.to_vec(), unix]]
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::COMMANDS;
    use super::WRITES;

    #[test]
    fn every_logged_write_is_a_command() {
        for w in WRITES {
            assert!(COMMANDS.iter().any(|c| c.name == *w), "{w}");
        }
    }
}
