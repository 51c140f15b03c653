//! Sorted-set commands on one key: ZADD ZINCRBY ZREM ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK
//! ZPOPMIN ZPOPMAX ZMPOP ZRANDMEMBER. Ranges are in `zrange.rs`, set algebra in
//! `zsetops.rs`.

use super::random::{ensure_seeded, random_count_arg, sample, RandomCount};
use super::{count_arg, eq_ignore_case, Ctx, Replied, SYNTAX_ERROR, WRONGTYPE};
use crate::resp::{self, Args, NULL_BULK};
use crate::store::{Value, ZAddOptions, ZAddResult, ZSet};
use alloc::vec::Vec;

/// The reply to a score that is not a float.
pub(crate) const NOT_FLOAT: &[u8] = b"-ERR value is not a valid float\r\n";
/// The reply when an increment makes a score NaN.
const NAN_SCORE: &[u8] = b"-ERR resulting score is not a number (NaN)\r\n";

/// A score argument: a decimal or `inf`/`+inf`/`-inf`, never NaN.
pub(crate) fn parse_score(arg: &[u8]) -> Option<f64> {
    let v: f64 = core::str::from_utf8(arg).ok()?.parse().ok()?;
    (!v.is_nan()).then_some(v)
}

/// The sorted set at `key`: `Ok(None)` when missing, `Err` (replied) on a wrong type.
pub(crate) fn zset<'c>(ctx: &'c mut Ctx<'_>, key: &[u8]) -> Result<Option<&'c ZSet>, Replied> {
    match ctx.shared.store.get(key, ctx.now_ms) {
        None => Ok(None),
        Some(Value::ZSet(z)) => Ok(Some(z)),
        Some(_) => {
            ctx.out.extend_from_slice(WRONGTYPE);
            Err(Replied)
        }
    }
}

/// Members (with their scores when `withscores`) as a flat array.
pub(crate) fn reply_members(out: &mut Vec<u8>, items: &[(Vec<u8>, f64)], withscores: bool) {
    resp::array_header(out, items.len() * if withscores { 2 } else { 1 });
    for (m, s) in items {
        resp::bulk(out, m);
        if withscores {
            resp::double(out, *s);
        }
    }
}

/// `ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member...]`.
pub fn zadd(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let mut opts = ZAddOptions::default();
    let mut i = 2;
    while i < args.len() {
        let a = args.get(i);
        let flag = match () {
            () if eq_ignore_case(a, "nx") => &mut opts.nx,
            () if eq_ignore_case(a, "xx") => &mut opts.xx,
            () if eq_ignore_case(a, "gt") => &mut opts.gt,
            () if eq_ignore_case(a, "lt") => &mut opts.lt,
            () if eq_ignore_case(a, "ch") => &mut opts.ch,
            () if eq_ignore_case(a, "incr") => &mut opts.incr,
            () => break,
        };
        *flag = true;
        i += 1;
    }
    let pairs = args.len() - i;
    if pairs == 0 || !pairs.is_multiple_of(2) {
        ctx.out.extend_from_slice(SYNTAX_ERROR);
        return;
    }
    if opts.nx && opts.xx {
        ctx.out
            .extend_from_slice(b"-ERR XX and NX options at the same time are not compatible\r\n");
        return;
    }
    if (opts.gt && opts.lt) || (opts.nx && (opts.gt || opts.lt)) {
        ctx.out.extend_from_slice(
            b"-ERR GT, LT, and/or NX options at the same time are not compatible\r\n",
        );
        return;
    }
    if opts.incr && pairs > 2 {
        ctx.out
            .extend_from_slice(b"-ERR INCR option supports a single increment-element pair\r\n");
        return;
    }
    if args
        .iter_from(i)
        .step_by(2)
        .any(|s| parse_score(s).is_none())
    {
        ctx.out.extend_from_slice(NOT_FLOAT);
        return;
    }
    let scores = args
        .iter_from(i)
        .step_by(2)
        .map(|s| parse_score(s).unwrap_or(0.0));
    let items = scores.zip(args.iter_from(i + 1).step_by(2));
    match ctx.shared.store.zadd(args.get(1), items, opts, ctx.now_ms) {
        Err(_) => ctx.out.extend_from_slice(WRONGTYPE),
        Ok(ZAddResult::Count(n)) => resp::integer(ctx.out, n as i64),
        Ok(ZAddResult::Score(Some(s))) => resp::double(ctx.out, s),
        Ok(ZAddResult::Score(None)) => ctx.out.extend_from_slice(NULL_BULK),
        Ok(ZAddResult::NaN) => ctx.out.extend_from_slice(NAN_SCORE),
    }
}

/// `ZINCRBY key increment member`: the new score.
pub fn zincrby(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let Some(incr) = parse_score(args.get(2)) else {
        ctx.out.extend_from_slice(NOT_FLOAT);
        return;
    };
    let opts = ZAddOptions {
        incr: true,
        ..ZAddOptions::default()
    };
    let items = core::iter::once((incr, args.get(3)));
    match ctx.shared.store.zadd(args.get(1), items, opts, ctx.now_ms) {
        Err(_) => ctx.out.extend_from_slice(WRONGTYPE),
        Ok(ZAddResult::Score(Some(s))) => resp::double(ctx.out, s),
        Ok(ZAddResult::NaN) => ctx.out.extend_from_slice(NAN_SCORE),
        Ok(_) => ctx.out.extend_from_slice(NULL_BULK),
    }
}

/// `ZREM key member...`.
pub fn zrem(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let r = ctx
        .shared
        .store
        .zset_mut(args.get(1), ctx.now_ms, false, |z| {
            args.iter_from(2).filter(|m| z.remove(m)).count()
        });
    match r {
        Ok(n) => resp::integer(ctx.out, n.unwrap_or(0) as i64),
        Err(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}

/// `ZCARD key`.
pub fn zcard(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    super::reply_len(ctx, args, |value| match value {
        Value::ZSet(z) => Some(z.len()),
        _ => None,
    });
}

/// `ZSCORE key member`.
pub fn zscore(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let Ok(z) = zset(ctx, args.get(1)) else {
        return;
    };
    match z.and_then(|z| z.score(args.get(2))) {
        Some(s) => resp::double(ctx.out, s),
        None => ctx.out.extend_from_slice(NULL_BULK),
    }
}

/// `ZMSCORE key member...`.
pub fn zmscore(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let mut out = Vec::new();
    let Ok(z) = zset(ctx, args.get(1)) else {
        return;
    };
    resp::array_header(&mut out, args.len() - 2);
    for m in args.iter_from(2) {
        match z.and_then(|z| z.score(m)) {
            Some(s) => resp::double(&mut out, s),
            None => out.extend_from_slice(NULL_BULK),
        }
    }
    ctx.out.extend_from_slice(&out);
}

/// `ZRANK key member`.
pub fn zrank(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    rank(ctx, args, false);
}

/// `ZREVRANK key member`.
pub fn zrevrank(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    rank(ctx, args, true);
}

fn rank(ctx: &mut Ctx<'_>, args: &Args<'_>, rev: bool) {
    let Ok(z) = zset(ctx, args.get(1)) else {
        return;
    };
    let r = z.and_then(|z| {
        let r = z.rank(args.get(2))?;
        Some(if rev { z.len() - 1 - r } else { r })
    });
    match r {
        Some(r) => resp::integer(ctx.out, r as i64),
        None => ctx.out.extend_from_slice(NULL_BULK),
    }
}

/// `ZPOPMIN key [count]`: member, score, member, score...
pub fn zpopmin(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    zpop(ctx, args, false);
}

/// `ZPOPMAX key [count]`.
pub fn zpopmax(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    zpop(ctx, args, true);
}

fn zpop(ctx: &mut Ctx<'_>, args: &Args<'_>, max: bool) {
    let Ok(count) = count_arg(ctx.out, args) else {
        return;
    };
    match pop_from(ctx, args.get(1), count.unwrap_or(1), max) {
        Err(_) => ctx.out.extend_from_slice(WRONGTYPE),
        Ok(popped) => reply_members(ctx.out, &popped, true),
    }
}

/// Pop up to `count` members from the low (or, with `max`, the high) end.
pub(crate) fn pop_from(
    ctx: &mut Ctx<'_>,
    key: &[u8],
    count: usize,
    max: bool,
) -> Result<Vec<(Vec<u8>, f64)>, Replied> {
    let r = ctx.shared.store.zset_mut(key, ctx.now_ms, false, |z| {
        if max {
            z.pop_max(count)
        } else {
            z.pop_min(count)
        }
    });
    r.map(Option::unwrap_or_default).map_err(|_| Replied)
}

/// `ZRANDMEMBER key [count [WITHSCORES]]`.
pub fn zrandmember(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let withscores = match args.len() {
        2 | 3 => false,
        4 if eq_ignore_case(args.get(3), "withscores") => true,
        _ => {
            ctx.out.extend_from_slice(SYNTAX_ERROR);
            return;
        }
    };
    let Ok(count) = random_count_arg(ctx, args) else {
        return;
    };
    ensure_seeded(ctx);
    let seed = ctx.shared.store.random();
    let mut out = Vec::new();
    let Ok(z) = zset(ctx, args.get(1)) else {
        return;
    };
    let members: Vec<(&[u8], f64)> = z.map(|z| z.iter().collect()).unwrap_or_default();
    let picks = sample(seed, members.len(), count);
    if count == RandomCount::One {
        let m = picks.first().and_then(|&i| members.get(i)).map(|e| e.0);
        resp::opt_bulk(&mut out, m);
    } else {
        let picked: Vec<(Vec<u8>, f64)> = picks
            .iter()
            .filter_map(|&i| members.get(i))
            .map(|(m, s)| (m.to_vec(), *s))
            .collect();
        reply_members(&mut out, &picked, withscores);
    }
    ctx.out.extend_from_slice(&out);
}
