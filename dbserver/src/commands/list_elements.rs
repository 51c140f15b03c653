//! List commands that find or edit elements inside a list: LSET LINSERT LPOS LREM LTRIM.

use super::lists::{list, position};
use super::{clamp_range, eq_ignore_case, int_arg, Ctx, Replied, SYNTAX_ERROR, WRONGTYPE};
use crate::resp::{self, Args, NULL_BULK, OK};
use crate::store::element_cost;
use alloc::vec::Vec;

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
