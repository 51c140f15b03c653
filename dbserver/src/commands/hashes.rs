//! Hash commands: HSET HMSET HSETNX HGET HMGET HGETALL HKEYS HVALS HDEL HLEN HEXISTS
//! HSTRLEN HINCRBY HINCRBYFLOAT HRANDFIELD.

use super::counters::{add_float, parse_float, NOT_FLOAT, OVERFLOW};
use super::random::{random_count_arg, sample, RandomCount};
use super::{eq_ignore_case, int_arg, wrong_arity, Ctx, Replied, SYNTAX_ERROR, WRONGTYPE};
use crate::hash::HashMap;
use crate::resp::{self, Args, OK};
use crate::store::{element_cost, Value};
use alloc::vec::Vec;

type Hash = HashMap<Vec<u8>, Vec<u8>>;

/// The hash at `key`: `Ok(None)` when missing, `Err` (replied) on a wrong type.
fn hash<'c>(ctx: &'c mut Ctx<'_>, key: &[u8]) -> Result<Option<&'c Hash>, Replied> {
    match ctx.shared.store.get(key, ctx.now_ms) {
        None => Ok(None),
        Some(Value::Hash(h)) => Ok(Some(h)),
        Some(_) => {
            ctx.out.extend_from_slice(WRONGTYPE);
            Err(Replied)
        }
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

/// `HSETNX key field value`: 1 when the field was new.
pub fn hsetnx(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let (field, value) = (args.get(2), args.get(3));
    let r = ctx
        .shared
        .store
        .hash_mut(args.get(1), ctx.now_ms, true, |h| {
            if h.contains_key(field) {
                (0, 0)
            } else {
                h.insert(field.to_vec(), value.to_vec());
                (1, element_cost(field.len() + value.len()))
            }
        });
    match r {
        Ok(n) => resp::integer(ctx.out, n.unwrap_or(0)),
        Err(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}

/// `HGET key field`.
pub fn hget(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let Ok(h) = hash(ctx, args.get(1)) else {
        return;
    };
    let v = h.and_then(|h| h.get(args.get(2))).cloned();
    resp::opt_bulk(ctx.out, v.as_deref());
}

/// `HMGET key field...`.
pub fn hmget(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let mut out = Vec::new();
    let Ok(h) = hash(ctx, args.get(1)) else {
        return;
    };
    resp::array_header(&mut out, args.len() - 2);
    for f in args.iter_from(2) {
        resp::opt_bulk(&mut out, h.and_then(|h| h.get(f)).map(|v| v.as_slice()));
    }
    ctx.out.extend_from_slice(&out);
}

/// Which parts of a hash `HGETALL`, `HKEYS` and `HVALS` reply with.
#[derive(Clone, Copy)]
enum Parts {
    Both,
    Fields,
    Values,
}

fn hash_parts(ctx: &mut Ctx<'_>, args: &Args<'_>, parts: Parts) {
    let mut out = Vec::new();
    let Ok(h) = hash(ctx, args.get(1)) else {
        return;
    };
    let per = if matches!(parts, Parts::Both) { 2 } else { 1 };
    resp::array_header(&mut out, h.map_or(0, |h| h.len() * per));
    for (f, v) in h.into_iter().flatten() {
        if !matches!(parts, Parts::Values) {
            resp::bulk(&mut out, f);
        }
        if !matches!(parts, Parts::Fields) {
            resp::bulk(&mut out, v);
        }
    }
    ctx.out.extend_from_slice(&out);
}

/// `HGETALL key`: field, value, field, value...
pub fn hgetall(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    hash_parts(ctx, args, Parts::Both);
}

/// `HKEYS key`.
pub fn hkeys(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    hash_parts(ctx, args, Parts::Fields);
}

/// `HVALS key`.
pub fn hvals(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    hash_parts(ctx, args, Parts::Values);
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

/// `HEXISTS key field`.
pub fn hexists(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let Ok(h) = hash(ctx, args.get(1)) else {
        return;
    };
    let found = h.is_some_and(|h| h.contains_key(args.get(2)));
    resp::integer(ctx.out, i64::from(found));
}

/// `HSTRLEN key field`.
pub fn hstrlen(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let Ok(h) = hash(ctx, args.get(1)) else {
        return;
    };
    let len = h.and_then(|h| h.get(args.get(2))).map_or(0, |v| v.len());
    resp::integer(ctx.out, len as i64);
}

/// `HINCRBY key field increment`.
pub fn hincrby(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let Some(incr) = int_arg(ctx.out, args, 3) else {
        return;
    };
    let field = args.get(2);
    let current = match hash(ctx, args.get(1)) {
        Err(Replied) => return,
        Ok(h) => h.and_then(|h| h.get(field)).map(|v| resp::parse_i64(v)),
    };
    let current = match current {
        None => 0,
        Some(Some(v)) => v,
        Some(None) => {
            ctx.out
                .extend_from_slice(b"-ERR hash value is not an integer\r\n");
            return;
        }
    };
    let Some(new) = current.checked_add(incr) else {
        ctx.out.extend_from_slice(OVERFLOW);
        return;
    };
    let mut digits = resp::DecimalBuf::default();
    let text = digits.format(new);
    let _ = ctx
        .shared
        .store
        .hset(args.get(1), core::iter::once((field, text)), ctx.now_ms);
    resp::integer(ctx.out, new);
}

/// `HINCRBYFLOAT key field increment`.
pub fn hincrbyfloat(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let Some(incr) = parse_float(args.get(3)) else {
        ctx.out.extend_from_slice(NOT_FLOAT);
        return;
    };
    // Redis refuses an infinite increment before it looks at the key.
    if !incr.is_finite() {
        ctx.out
            .extend_from_slice(b"-ERR value is NaN or Infinity\r\n");
        return;
    }
    let field = args.get(2);
    let current = match hash(ctx, args.get(1)) {
        Err(Replied) => return,
        Ok(h) => h.and_then(|h| h.get(field)).map(|v| parse_float(v)),
    };
    let current = match current {
        None => 0.0,
        Some(Some(v)) => v,
        Some(None) => {
            ctx.out
                .extend_from_slice(b"-ERR hash value is not a float\r\n");
            return;
        }
    };
    match add_float(current, incr) {
        Ok(text) => {
            let _ = ctx.shared.store.hset(
                args.get(1),
                core::iter::once((field, text.as_slice())),
                ctx.now_ms,
            );
            resp::bulk(ctx.out, &text);
        }
        Err(e) => ctx.out.extend_from_slice(e),
    }
}

/// `HRANDFIELD key [count [WITHVALUES]]`.
pub fn hrandfield(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let with_values = match args.len() {
        2 | 3 => false,
        4 if eq_ignore_case(args.get(3), "withvalues") => true,
        _ => {
            ctx.out.extend_from_slice(SYNTAX_ERROR);
            return;
        }
    };
    let Ok(count) = random_count_arg(ctx, args) else {
        return;
    };
    super::random::ensure_seeded(ctx);
    let mut out = Vec::new();
    let store = &mut ctx.shared.store;
    let seed = store.random();
    let h = match store.get(args.get(1), ctx.now_ms) {
        None => None,
        Some(Value::Hash(h)) => Some(h),
        Some(_) => {
            ctx.out.extend_from_slice(WRONGTYPE);
            return;
        }
    };
    let entries: Vec<(&Vec<u8>, &Vec<u8>)> = h.map(|h| h.iter().collect()).unwrap_or_default();
    let picks = sample(seed, entries.len(), count);
    match count {
        RandomCount::One => {
            let f = picks.first().and_then(|&i| entries.get(i)).map(|e| e.0);
            resp::opt_bulk(&mut out, f.map(|f| f.as_slice()));
        }
        _ => {
            let per = if with_values { 2 } else { 1 };
            resp::array_header(&mut out, picks.len() * per);
            for (f, v) in picks.iter().filter_map(|&i| entries.get(i)) {
                resp::bulk(&mut out, f);
                if with_values {
                    resp::bulk(&mut out, v);
                }
            }
        }
    }
    ctx.out.extend_from_slice(&out);
}
