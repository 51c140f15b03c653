//! List commands that push, pop, read and move: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LRANGE
//! LLEN LINDEX LMOVE RPOPLPUSH. Finding and editing elements inside a list (LSET LINSERT LPOS
//! LREM LTRIM) is in `list_elements`; the blocking pops are in `blocking`.

use super::{
    clamp_range, count_arg, eq_ignore_case, int_arg, Ctx, Replied, SYNTAX_ERROR, WRONGTYPE,
};
use crate::resp::{self, Args, NULL_ARRAY, NULL_BULK};
use crate::store::Value;
use alloc::collections::VecDeque;
use alloc::vec::Vec;

/// `LPUSH key element...`.
pub fn lpush(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    push(ctx, args, true, true);
}

/// `RPUSH key element...`.
pub fn rpush(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    push(ctx, args, false, true);
}

/// `LPUSHX key element...`: only onto an existing list.
pub fn lpushx(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    push(ctx, args, true, false);
}

/// `RPUSHX key element...`: only onto an existing list.
pub fn rpushx(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    push(ctx, args, false, false);
}

fn push(ctx: &mut Ctx<'_>, args: &Args<'_>, front: bool, create: bool) {
    let key = args.get(1);
    let store = &mut ctx.shared.store;
    if !create && !store.exists(key, ctx.now_ms) {
        resp::integer(ctx.out, 0);
        return;
    }
    match store.push(key, args.iter_from(2), front, ctx.now_ms) {
        Ok(len) => resp::integer(ctx.out, len as i64),
        Err(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}

/// `LPOP key [count]`.
pub fn lpop(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    pop(ctx, args, true, "lpop");
}

/// `RPOP key [count]`.
pub fn rpop(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    pop(ctx, args, false, "rpop");
}

fn pop(ctx: &mut Ctx<'_>, args: &Args<'_>, front: bool, name: &str) {
    if args.len() > 3 {
        super::wrong_arity(ctx.out, name);
        return;
    }
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
        Some(_) => bulk_array(ctx.out, &popped),
    }
}

/// An array of bulk strings.
pub(crate) fn bulk_array(out: &mut Vec<u8>, items: &[Vec<u8>]) {
    resp::array_header(out, items.len());
    for v in items {
        resp::bulk(out, v);
    }
}

/// The list at `key`: `Ok(None)` when missing, `Err` (replied) on a wrong type.
pub(super) fn list<'c>(
    ctx: &'c mut Ctx<'_>,
    key: &[u8],
) -> Result<Option<&'c VecDeque<Vec<u8>>>, Replied> {
    match ctx.shared.store.get(key, ctx.now_ms) {
        None => Ok(None),
        Some(Value::List(l)) => Ok(Some(l)),
        Some(_) => {
            ctx.out.extend_from_slice(WRONGTYPE);
            Err(Replied)
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
                resp::bulk_array(ctx.out, list.range(from..=to).map(Vec::as_slice));
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

/// A list index (negative: from the end) as a position in `0..len`.
pub(super) fn position(index: i64, len: usize) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let i = if index < 0 {
        index.checked_add(len)?
    } else {
        index
    };
    (0..len).contains(&i).then_some(i as usize)
}

/// `LINDEX key index`.
pub fn lindex(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let Some(index) = int_arg(ctx.out, args, 2) else {
        return;
    };
    let Ok(l) = list(ctx, args.get(1)) else {
        return;
    };
    let item = l.and_then(|l| l.get(position(index, l.len())?));
    let item = item.map(|v| v.to_vec());
    resp::opt_bulk(ctx.out, item.as_deref());
}

/// `LEFT` or `RIGHT`: true for the head.
pub(crate) fn side(ctx: &mut Ctx<'_>, arg: &[u8]) -> Result<bool, Replied> {
    if eq_ignore_case(arg, "left") {
        Ok(true)
    } else if eq_ignore_case(arg, "right") {
        Ok(false)
    } else {
        ctx.out.extend_from_slice(SYNTAX_ERROR);
        Err(Replied)
    }
}

/// `LMOVE source destination LEFT|RIGHT LEFT|RIGHT`.
pub fn lmove(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let Ok(from_head) = side(ctx, args.get(3)) else {
        return;
    };
    let Ok(to_head) = side(ctx, args.get(4)) else {
        return;
    };
    move_element(ctx, args.get(1), args.get(2), from_head, to_head);
}

/// `RPOPLPUSH source destination`.
pub fn rpoplpush(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    move_element(ctx, args.get(1), args.get(2), false, true);
}

/// Pop from `src` and push onto `dst` (both lists or missing); replies with the element.
pub(crate) fn move_element(
    ctx: &mut Ctx<'_>,
    src: &[u8],
    dst: &[u8],
    from_head: bool,
    to_head: bool,
) {
    match list(ctx, src) {
        Err(Replied) => return,
        Ok(None) => {
            ctx.out.extend_from_slice(NULL_BULK);
            return;
        }
        Ok(Some(_)) => {}
    }
    if list(ctx, dst).is_err() {
        return;
    }
    let store = &mut ctx.shared.store;
    let popped = store.pop(src, 1, from_head, ctx.now_ms).unwrap_or_default();
    let Some(item) = popped.first() else {
        ctx.out.extend_from_slice(NULL_BULK);
        return;
    };
    let _ = store.push(dst, core::iter::once(item.as_slice()), to_head, ctx.now_ms);
    resp::bulk(ctx.out, item);
}
