//! Sorted-set commands: ZADD ZPOPMIN ZRANGE ZCARD ZSCORE.

use super::{clamp_range, count_arg, eq_ignore_case, int_arg, Ctx, SYNTAX_ERROR, WRONGTYPE};
use crate::resp::{self, Args, NULL_BULK};
use crate::store::{Value, ZAddOptions, ZAddResult};

/// A score argument: a decimal or `inf`/`+inf`/`-inf`, never NaN.
fn parse_score(arg: &[u8]) -> Option<f64> {
    let v: f64 = core::str::from_utf8(arg).ok()?.parse().ok()?;
    (!v.is_nan()).then_some(v)
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
        ctx.out
            .extend_from_slice(b"-ERR value is not a valid float\r\n");
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
        Ok(ZAddResult::NaN) => ctx
            .out
            .extend_from_slice(b"-ERR resulting score is not a number (NaN)\r\n"),
    }
}

/// `ZPOPMIN key [count]`: member, score, member, score...
pub fn zpopmin(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let Ok(count) = count_arg(ctx.out, args) else {
        return;
    };
    match ctx
        .shared
        .store
        .zpopmin(args.get(1), count.unwrap_or(1), ctx.now_ms)
    {
        Err(_) => ctx.out.extend_from_slice(WRONGTYPE),
        Ok(popped) => {
            resp::array_header(ctx.out, popped.len() * 2);
            for (m, s) in &popped {
                resp::bulk(ctx.out, m);
                resp::double(ctx.out, *s);
            }
        }
    }
}

/// `ZRANGE key start stop [REV] [WITHSCORES]` (by rank only).
pub fn zrange(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let (mut rev, mut withscores) = (false, false);
    for a in args.iter_from(4) {
        if eq_ignore_case(a, "rev") {
            rev = true;
        } else if eq_ignore_case(a, "withscores") {
            withscores = true;
        } else {
            ctx.out.extend_from_slice(SYNTAX_ERROR);
            return;
        }
    }
    let Some(start) = int_arg(ctx.out, args, 2) else {
        return;
    };
    let Some(stop) = int_arg(ctx.out, args, 3) else {
        return;
    };
    match ctx.shared.store.get(args.get(1), ctx.now_ms) {
        None => resp::array_header(ctx.out, 0),
        Some(Value::ZSet(z)) => match clamp_range(start, stop, z.len()) {
            None => resp::array_header(ctx.out, 0),
            Some((from, to)) => {
                let n = to - from + 1;
                resp::array_header(ctx.out, if withscores { n * 2 } else { n });
                for (m, s) in z.range(from, to, rev) {
                    resp::bulk(ctx.out, m);
                    if withscores {
                        resp::double(ctx.out, s);
                    }
                }
            }
        },
        Some(_) => ctx.out.extend_from_slice(WRONGTYPE),
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
    match ctx.shared.store.get(args.get(1), ctx.now_ms) {
        None => ctx.out.extend_from_slice(NULL_BULK),
        Some(Value::ZSet(z)) => match z.score(args.get(2)) {
            Some(s) => resp::double(ctx.out, s),
            None => ctx.out.extend_from_slice(NULL_BULK),
        },
        Some(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}
