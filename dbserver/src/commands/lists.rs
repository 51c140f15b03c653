//! List commands: LPUSH RPUSH LPOP RPOP LRANGE LLEN.

use super::{clamp_range, count_arg, int_arg, Ctx, WRONGTYPE};
use crate::resp::{self, Args, NULL_ARRAY, NULL_BULK};
use crate::store::Value;

/// `LPUSH key element...`.
pub fn lpush(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    push(ctx, args, true);
}

/// `RPUSH key element...`.
pub fn rpush(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    push(ctx, args, false);
}

fn push(ctx: &mut Ctx<'_>, args: &Args<'_>, front: bool) {
    match ctx
        .shared
        .store
        .push(args.get(1), args.iter_from(2), front, ctx.now_ms)
    {
        Ok(len) => resp::integer(ctx.out, len as i64),
        Err(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}

/// `LPOP key [count]`.
pub fn lpop(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    pop(ctx, args, true);
}

/// `RPOP key [count]`.
pub fn rpop(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    pop(ctx, args, false);
}

fn pop(ctx: &mut Ctx<'_>, args: &Args<'_>, front: bool) {
    let Ok(count) = count_arg(ctx.out, args) else {
        return;
    };
    let key = args.get(1);
    match ctx.shared.store.get(key, ctx.now_ms) {
        None => {
            let nil = if count.is_some() {
                NULL_ARRAY
            } else {
                NULL_BULK
            };
            ctx.out.extend_from_slice(nil);
            return;
        }
        Some(Value::List(_)) => {}
        Some(_) => {
            ctx.out.extend_from_slice(WRONGTYPE);
            return;
        }
    }
    let popped = ctx
        .shared
        .store
        .pop(key, count.unwrap_or(1), front, ctx.now_ms)
        .unwrap_or_default();
    match count {
        None => resp::opt_bulk(ctx.out, popped.first().map(|v| v.as_slice())),
        Some(_) => {
            resp::array_header(ctx.out, popped.len());
            for v in &popped {
                resp::bulk(ctx.out, v);
            }
        }
    }
}

/// `LRANGE key start stop`.
pub fn lrange(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let Some(start) = int_arg(ctx.out, args, 2) else {
        return;
    };
    let Some(stop) = int_arg(ctx.out, args, 3) else {
        return;
    };
    match ctx.shared.store.get(args.get(1), ctx.now_ms) {
        None => resp::array_header(ctx.out, 0),
        Some(Value::List(list)) => match clamp_range(start, stop, list.len()) {
            None => resp::array_header(ctx.out, 0),
            Some((from, to)) => {
                resp::array_header(ctx.out, to - from + 1);
                for v in list.range(from..=to) {
                    resp::bulk(ctx.out, v);
                }
            }
        },
        Some(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}

/// `LLEN key`.
pub fn llen(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    super::reply_len(ctx, args, |value| match value {
        Value::List(l) => Some(l.len()),
        _ => None,
    });
}
