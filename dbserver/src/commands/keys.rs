//! Key-space commands: DEL EXISTS EXPIRE PEXPIRE TTL PTTL PERSIST TYPE KEYS.

use super::strings::{deadline_ms, MS_PER_SEC};
use super::{glob_match, Ctx, NOT_INTEGER};
use crate::resp::{self, Args};
use alloc::vec::Vec;

/// `DEL key...` (also `UNLINK`).
pub fn del(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let removed = args
        .iter_from(1)
        .filter(|k| ctx.shared.store.delete(k, ctx.now_ms))
        .count();
    resp::integer(ctx.out, removed as i64);
}

/// `EXISTS key...`: how many of the keys exist (repeats count again).
pub fn exists(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let found = args
        .iter_from(1)
        .filter(|k| ctx.shared.store.exists(k, ctx.now_ms))
        .count();
    resp::integer(ctx.out, found as i64);
}

/// `EXPIRE key seconds`.
pub fn expire(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    expire_generic(ctx, args, MS_PER_SEC, "expire");
}

/// `PEXPIRE key milliseconds`.
pub fn pexpire(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    expire_generic(ctx, args, 1, "pexpire");
}

fn expire_generic(ctx: &mut Ctx<'_>, args: &Args<'_>, unit_ms: i64, name: &str) {
    if let Some(opt) = args.iter_from(3).next() {
        // NX/XX/GT/LT of Redis 7 are not supported.
        let mut msg = Vec::from(&b"ERR Unsupported option "[..]);
        msg.extend_from_slice(opt);
        resp::error(ctx.out, &msg);
        return;
    }
    let Some(n) = resp::parse_i64(args.get(2)) else {
        ctx.out.extend_from_slice(NOT_INTEGER);
        return;
    };
    let key = args.get(1);
    let store = &mut ctx.shared.store;
    if n <= 0 {
        // A deadline in the past deletes the key, like Redis.
        let removed = store.delete(key, ctx.now_ms);
        resp::integer(ctx.out, i64::from(removed));
        return;
    }
    let Some(at) = deadline_ms(n, unit_ms, false, ctx.now_ms) else {
        let mut msg = Vec::from(&b"ERR invalid expire time in '"[..]);
        msg.extend_from_slice(name.as_bytes());
        msg.extend_from_slice(b"' command");
        resp::error(ctx.out, &msg);
        return;
    };
    let set = store.expire(key, Some(at), ctx.now_ms);
    resp::integer(ctx.out, i64::from(set));
}

/// `TTL key`: seconds left (rounded), -1 without expiry, -2 without key.
pub fn ttl(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    /// Half a second, to round like Redis.
    const HALF_SEC_MS: u64 = 500;
    let reply = match ctx.shared.store.ttl_ms(args.get(1), ctx.now_ms) {
        None => -2,
        Some(None) => -1,
        Some(Some(ms)) => ((ms + HALF_SEC_MS) / MS_PER_SEC as u64) as i64,
    };
    resp::integer(ctx.out, reply);
}

/// `PTTL key`: milliseconds left, -1 without expiry, -2 without key.
pub fn pttl(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let reply = match ctx.shared.store.ttl_ms(args.get(1), ctx.now_ms) {
        None => -2,
        Some(None) => -1,
        Some(Some(ms)) => i64::try_from(ms).unwrap_or(i64::MAX),
    };
    resp::integer(ctx.out, reply);
}

/// `PERSIST key`: 1 when an expiry was removed.
pub fn persist(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let key = args.get(1);
    let store = &mut ctx.shared.store;
    let had = matches!(store.ttl_ms(key, ctx.now_ms), Some(Some(_)));
    if had {
        store.expire(key, None, ctx.now_ms);
    }
    resp::integer(ctx.out, i64::from(had));
}

/// `TYPE key`.
pub fn type_(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let name = ctx
        .shared
        .store
        .get(args.get(1), ctx.now_ms)
        .map_or("none", |v| v.type_name());
    resp::simple(ctx.out, name.as_bytes());
}

/// `KEYS pattern` (walks the whole key space, like Redis).
pub fn keys(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let pattern = args.get(1);
    let now_ms = ctx.now_ms;
    let matched: Vec<Vec<u8>> = ctx
        .shared
        .store
        .keys()
        .filter(|(k, expire_at)| expire_at.is_none_or(|at| at > now_ms) && glob_match(pattern, k))
        .map(|(k, _)| k.to_vec())
        .collect();
    resp::array_header(ctx.out, matched.len());
    for k in &matched {
        resp::bulk(ctx.out, k);
    }
}
