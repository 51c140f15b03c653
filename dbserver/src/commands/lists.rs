//! List commands: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LRANGE LLEN LINDEX LSET LINSERT
//! LPOS LREM LTRIM LMOVE RPOPLPUSH.

use super::{
    clamp_range, count_arg, eq_ignore_case, int_arg, Ctx, Replied, SYNTAX_ERROR, WRONGTYPE,
};
use crate::resp::{self, Args, NULL_ARRAY, NULL_BULK, OK};
use crate::store::{element_cost, Value};
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
fn list<'c>(ctx: &'c mut Ctx<'_>, key: &[u8]) -> Result<Option<&'c VecDeque<Vec<u8>>>, Replied> {
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

/// A list index (negative: from the end) as a position in `0..len`.
fn position(index: i64, len: usize) -> Option<usize> {
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

/// `LSET key index element`.
pub fn lset(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let Some(index) = int_arg(ctx.out, args, 2) else {
        return;
    };
    let element = args.get(3);
    let r = ctx
        .shared
        .store
        .list_mut(args.get(1), ctx.now_ms, false, |l| {
            match position(index, l.len()).and_then(|i| l.get_mut(i)) {
                Some(slot) => {
                    let delta = element.len() as isize - slot.len() as isize;
                    slot.clear();
                    slot.extend_from_slice(element);
                    (true, delta)
                }
                None => (false, 0),
            }
        });
    match r {
        Ok(Some(true)) => ctx.out.extend_from_slice(OK),
        Ok(Some(false)) => ctx.out.extend_from_slice(b"-ERR index out of range\r\n"),
        Ok(None) => ctx.out.extend_from_slice(b"-ERR no such key\r\n"),
        Err(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}

/// `LINSERT key BEFORE|AFTER pivot element`: the new length, -1 without the pivot.
pub fn linsert(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let after = match args.get(2) {
        w if eq_ignore_case(w, "after") => true,
        w if eq_ignore_case(w, "before") => false,
        _ => {
            ctx.out.extend_from_slice(SYNTAX_ERROR);
            return;
        }
    };
    let (pivot, element) = (args.get(3), args.get(4));
    let r = ctx
        .shared
        .store
        .list_mut(args.get(1), ctx.now_ms, false, |l| {
            match l.iter().position(|v| v == pivot) {
                Some(i) => {
                    l.insert(i + usize::from(after), element.to_vec());
                    (l.len() as i64, element_cost(element.len()))
                }
                None => (-1, 0),
            }
        });
    match r {
        Ok(n) => resp::integer(ctx.out, n.unwrap_or(0)),
        Err(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}

/// Options of `LPOS`.
struct LposOptions {
    rank: i64,
    count: Option<usize>,
    maxlen: usize,
}

fn lpos_options(ctx: &mut Ctx<'_>, args: &Args<'_>) -> Result<LposOptions, Replied> {
    let mut o = LposOptions {
        rank: 1,
        count: None,
        maxlen: 0,
    };
    let mut i = 3;
    while i < args.len() {
        let opt = args.get(i);
        if i + 1 >= args.len() {
            ctx.out.extend_from_slice(SYNTAX_ERROR);
            return Err(Replied);
        }
        let n = int_arg(ctx.out, args, i + 1).ok_or(Replied)?;
        if eq_ignore_case(opt, "rank") {
            if n == 0 || n == i64::MIN {
                ctx.out.extend_from_slice(b"-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n");
                return Err(Replied);
            }
            o.rank = n;
        } else if eq_ignore_case(opt, "count") {
            let Ok(n) = usize::try_from(n) else {
                ctx.out
                    .extend_from_slice(b"-ERR COUNT can't be negative\r\n");
                return Err(Replied);
            };
            o.count = Some(n);
        } else if eq_ignore_case(opt, "maxlen") {
            let Ok(n) = usize::try_from(n) else {
                ctx.out
                    .extend_from_slice(b"-ERR MAXLEN can't be negative\r\n");
                return Err(Replied);
            };
            o.maxlen = n;
        } else {
            ctx.out.extend_from_slice(SYNTAX_ERROR);
            return Err(Replied);
        }
        i += 2;
    }
    Ok(o)
}

/// `LPOS key element [RANK rank] [COUNT num] [MAXLEN len]`.
pub fn lpos(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let Ok(o) = lpos_options(ctx, args) else {
        return;
    };
    let element = args.get(2);
    let Ok(l) = list(ctx, args.get(1)) else {
        return;
    };
    let mut found = Vec::new();
    if let Some(l) = l {
        let len = l.len();
        let scan = if o.maxlen == 0 {
            len
        } else {
            o.maxlen.min(len)
        };
        let want = match o.count {
            Some(0) => usize::MAX,
            Some(n) => n,
            None => 1,
        };
        let mut skip = o.rank.unsigned_abs().saturating_sub(1);
        let indexes: &mut dyn Iterator<Item = usize> = if o.rank > 0 {
            &mut (0..scan)
        } else {
            &mut (len - scan..len).rev()
        };
        for i in indexes {
            if found.len() >= want {
                break;
            }
            if l.get(i).is_some_and(|v| v == element) {
                if skip > 0 {
                    skip -= 1;
                } else {
                    found.push(i as i64);
                }
            }
        }
    }
    match o.count {
        None => match found.first() {
            Some(&i) => resp::integer(ctx.out, i),
            None => ctx.out.extend_from_slice(NULL_BULK),
        },
        Some(_) => {
            resp::array_header(ctx.out, found.len());
            for i in found {
                resp::integer(ctx.out, i);
            }
        }
    }
}

/// `LREM key count element`: removed elements (count > 0 from the head, < 0 from the
/// tail, 0 all).
pub fn lrem(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let Some(count) = int_arg(ctx.out, args, 2) else {
        return;
    };
    let element = args.get(3);
    let limit = if count == 0 {
        usize::MAX
    } else {
        usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX)
    };
    let r = ctx
        .shared
        .store
        .list_mut(args.get(1), ctx.now_ms, false, |l| {
            let mut removed = 0usize;
            if count >= 0 {
                let mut i = 0;
                while i < l.len() && removed < limit {
                    if l[i] == element {
                        l.remove(i);
                        removed += 1;
                    } else {
                        i += 1;
                    }
                }
            } else {
                let mut i = l.len();
                while i > 0 && removed < limit {
                    i -= 1;
                    if l[i] == element {
                        l.remove(i);
                        removed += 1;
                    }
                }
            }
            (removed, -(removed as isize) * element_cost(element.len()))
        });
    match r {
        Ok(n) => resp::integer(ctx.out, n.unwrap_or(0) as i64),
        Err(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}

/// `LTRIM key start stop`.
pub fn ltrim(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let Some(start) = int_arg(ctx.out, args, 2) else {
        return;
    };
    let Some(stop) = int_arg(ctx.out, args, 3) else {
        return;
    };
    let r = ctx
        .shared
        .store
        .list_mut(args.get(1), ctx.now_ms, false, |l| {
            let (from, to) = clamp_range(start, stop, l.len()).unwrap_or((l.len(), l.len()));
            let cost = |v: &Vec<u8>| element_cost(v.len());
            let mut freed: isize = l.iter().skip(to.saturating_add(1)).map(cost).sum();
            freed += l.iter().take(from).map(cost).sum::<isize>();
            l.truncate(to.saturating_add(1));
            l.drain(..from.min(l.len()));
            ((), -freed)
        });
    match r {
        Ok(_) => ctx.out.extend_from_slice(OK),
        Err(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
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
