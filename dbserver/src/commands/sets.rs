//! Set and hash commands: SADD SPOP SMEMBERS SCARD SISMEMBER, HSET HMSET HGET HGETALL
//! HDEL HLEN.

use super::{count_arg, wrong_arity, Ctx, WRONGTYPE};
use crate::resp::{self, Args, NULL_BULK, OK};
use crate::store::Value;

/// `SADD key member...`.
pub fn sadd(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    match ctx
        .shared
        .store
        .sadd(args.get(1), args.iter_from(2), ctx.now_ms)
    {
        Ok(n) => resp::integer(ctx.out, n as i64),
        Err(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}

/// `SPOP key [count]`.
pub fn spop(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let Ok(count) = count_arg(ctx.out, args) else {
        return;
    };
    match ctx
        .shared
        .store
        .spop(args.get(1), count.unwrap_or(1), ctx.now_ms)
    {
        Err(_) => ctx.out.extend_from_slice(WRONGTYPE),
        Ok(popped) if count.is_none() => {
            resp::opt_bulk(ctx.out, popped.first().map(|v| v.as_slice()))
        }
        Ok(popped) => {
            resp::array_header(ctx.out, popped.len());
            for v in &popped {
                resp::bulk(ctx.out, v);
            }
        }
    }
}

/// `SMEMBERS key`.
pub fn smembers(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    match ctx.shared.store.get(args.get(1), ctx.now_ms) {
        None => resp::array_header(ctx.out, 0),
        Some(Value::Set(s)) => {
            resp::array_header(ctx.out, s.len());
            for m in s {
                resp::bulk(ctx.out, m);
            }
        }
        Some(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}

/// `SCARD key`.
pub fn scard(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    super::reply_len(ctx, args, |value| match value {
        Value::Set(s) => Some(s.len()),
        _ => None,
    });
}

/// `SISMEMBER key member`.
pub fn sismember(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    match ctx.shared.store.get(args.get(1), ctx.now_ms) {
        None => resp::integer(ctx.out, 0),
        Some(Value::Set(s)) => resp::integer(ctx.out, i64::from(s.contains(args.get(2)))),
        Some(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}

/// `HSET key field value [field value...]`: number of new fields.
pub fn hset(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    if let Some(n) = hset_generic(ctx, args, "hset") {
        resp::integer(ctx.out, n as i64);
    }
}

/// `HMSET key field value [field value...]`: `+OK`.
pub fn hmset(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    if hset_generic(ctx, args, "hmset").is_some() {
        ctx.out.extend_from_slice(OK);
    }
}

fn hset_generic(ctx: &mut Ctx<'_>, args: &Args<'_>, name: &str) -> Option<usize> {
    if !args.len().is_multiple_of(2) {
        wrong_arity(ctx.out, name);
        return None;
    }
    let fields = args.iter_from(2).step_by(2);
    let values = args.iter_from(3).step_by(2);
    match ctx
        .shared
        .store
        .hset(args.get(1), fields.zip(values), ctx.now_ms)
    {
        Ok(n) => Some(n),
        Err(_) => {
            ctx.out.extend_from_slice(WRONGTYPE);
            None
        }
    }
}

/// `HGET key field`.
pub fn hget(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    match ctx.shared.store.get(args.get(1), ctx.now_ms) {
        None => ctx.out.extend_from_slice(NULL_BULK),
        Some(Value::Hash(h)) => resp::opt_bulk(ctx.out, h.get(args.get(2)).map(|v| v.as_slice())),
        Some(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}

/// `HGETALL key`: field, value, field, value...
pub fn hgetall(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    match ctx.shared.store.get(args.get(1), ctx.now_ms) {
        None => resp::array_header(ctx.out, 0),
        Some(Value::Hash(h)) => {
            resp::array_header(ctx.out, h.len() * 2);
            for (f, v) in h {
                resp::bulk(ctx.out, f);
                resp::bulk(ctx.out, v);
            }
        }
        Some(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}

/// `HDEL key field...`.
pub fn hdel(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    match ctx
        .shared
        .store
        .hdel(args.get(1), args.iter_from(2), ctx.now_ms)
    {
        Ok(n) => resp::integer(ctx.out, n as i64),
        Err(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}

/// `HLEN key`.
pub fn hlen(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    super::reply_len(ctx, args, |value| match value {
        Value::Hash(h) => Some(h.len()),
        _ => None,
    });
}
