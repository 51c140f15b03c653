//! Set commands: SADD SREM SPOP SRANDMEMBER SMEMBERS SCARD SISMEMBER SMISMEMBER SMOVE
//! SINTER SUNION SDIFF (and their STORE forms) SINTERCARD.

use super::lists::bulk_array;
use super::multikey_args::{intercard_limit_arg, numkeys_arg};
use super::random::{ensure_seeded, random_count_arg, sample, RandomCount};
use super::{Ctx, Replied, SYNTAX_ERROR, WRONGTYPE};
use crate::hash::HashSet;
use crate::resp::{self, Args};
use crate::store::{element_cost, Ttl, Value};
use alloc::vec::Vec;

type Set = HashSet<Vec<u8>>;

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

/// `SREM key member...`.
pub fn srem(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let r = ctx
        .shared
        .store
        .set_mut(args.get(1), ctx.now_ms, false, |s| {
            let mut freed = 0isize;
            let mut removed = 0i64;
            for m in args.iter_from(2) {
                if s.remove(m) {
                    removed += 1;
                    freed += element_cost(m.len());
                }
            }
            (removed, -freed)
        });
    match r {
        Ok(n) => resp::integer(ctx.out, n.unwrap_or(0)),
        Err(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}

/// The set at `key`: `Ok(None)` when missing, `Err` (replied) on a wrong type.
fn set<'c>(ctx: &'c mut Ctx<'_>, key: &[u8]) -> Result<Option<&'c Set>, Replied> {
    match ctx.shared.store.get(key, ctx.now_ms) {
        None => Ok(None),
        Some(Value::Set(s)) => Ok(Some(s)),
        Some(_) => {
            ctx.out.extend_from_slice(WRONGTYPE);
            Err(Replied)
        }
    }
}

/// `SPOP key [count]`: random members, removed.
pub fn spop(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    if args.len() > 3 {
        ctx.out.extend_from_slice(SYNTAX_ERROR);
        return;
    }
    let Ok(count) = random_count_arg(ctx, args) else {
        return;
    };
    if let RandomCount::Repeat(_) = count {
        ctx.out
            .extend_from_slice(b"-ERR value is out of range, must be positive\r\n");
        return;
    }
    ensure_seeded(ctx);
    let seed = ctx.shared.store.random();
    let r = ctx
        .shared
        .store
        .set_mut(args.get(1), ctx.now_ms, false, |s| {
            let picked: Vec<Vec<u8>> = match count {
                RandomCount::Distinct(n) if n >= s.len() => s.drain().collect(),
                _ => {
                    let mut picks = sample(seed, s.len(), count);
                    picks.sort_unstable();
                    let mut picks = picks.into_iter().peekable();
                    let mut chosen = Vec::new();
                    for (i, m) in s.iter().enumerate() {
                        if picks.peek() == Some(&i) {
                            picks.next();
                            chosen.push(m.clone());
                        }
                    }
                    for m in &chosen {
                        s.remove(m);
                    }
                    chosen
                }
            };
            let freed: isize = picked.iter().map(|m| element_cost(m.len())).sum();
            (picked, -freed)
        });
    match (r, count) {
        (Err(_), _) => ctx.out.extend_from_slice(WRONGTYPE),
        (Ok(popped), RandomCount::One) => resp::opt_bulk(
            ctx.out,
            popped
                .as_ref()
                .and_then(|p| p.first())
                .map(|v| v.as_slice()),
        ),
        (Ok(popped), _) => bulk_array(ctx.out, &popped.unwrap_or_default()),
    }
}

/// `SRANDMEMBER key [count]`.
pub fn srandmember(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    if args.len() > 3 {
        ctx.out.extend_from_slice(SYNTAX_ERROR);
        return;
    }
    let Ok(count) = random_count_arg(ctx, args) else {
        return;
    };
    ensure_seeded(ctx);
    let seed = ctx.shared.store.random();
    let mut out = Vec::new();
    let Ok(s) = set(ctx, args.get(1)) else {
        return;
    };
    let members: Vec<&Vec<u8>> = s.map(|s| s.iter().collect()).unwrap_or_default();
    let picks = sample(seed, members.len(), count);
    let picked = picks.iter().filter_map(|&i| members.get(i));
    if count == RandomCount::One {
        resp::opt_bulk(&mut out, picked.map(|m| m.as_slice()).next());
    } else {
        resp::array_header(&mut out, picks.len());
        for m in picked {
            resp::bulk(&mut out, m);
        }
    }
    ctx.out.extend_from_slice(&out);
}

/// `SMEMBERS key`.
pub fn smembers(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let mut out = Vec::new();
    let Ok(s) = set(ctx, args.get(1)) else {
        return;
    };
    resp::array_header(&mut out, s.map_or(0, |s| s.len()));
    for m in s.into_iter().flatten() {
        resp::bulk(&mut out, m);
    }
    ctx.out.extend_from_slice(&out);
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
    let Ok(s) = set(ctx, args.get(1)) else {
        return;
    };
    let found = s.is_some_and(|s| s.contains(args.get(2)));
    resp::integer(ctx.out, i64::from(found));
}

/// `SMISMEMBER key member...`.
pub fn smismember(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let mut out = Vec::new();
    let Ok(s) = set(ctx, args.get(1)) else {
        return;
    };
    resp::array_header(&mut out, args.len() - 2);
    for m in args.iter_from(2) {
        resp::integer(&mut out, i64::from(s.is_some_and(|s| s.contains(m))));
    }
    ctx.out.extend_from_slice(&out);
}

/// `SMOVE source destination member`.
pub fn smove(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let (src, dst, member) = (args.get(1), args.get(2), args.get(3));
    let Ok(source) = set(ctx, src) else {
        return;
    };
    let present = source.is_some_and(|s| s.contains(member));
    let Ok(destination) = set(ctx, dst) else {
        return;
    };
    // Like Redis, a member already in the destination leaves it untouched (no WATCH
    // invalidation of the destination).
    let in_destination = destination.is_some_and(|s| s.contains(member));
    if !present || src == dst {
        resp::integer(ctx.out, i64::from(present));
        return;
    }
    let store = &mut ctx.shared.store;
    let _ = store.set_mut(src, ctx.now_ms, false, |s| {
        s.remove(member);
        ((), -element_cost(member.len()))
    });
    if !in_destination {
        let _ = store.sadd(dst, core::iter::once(member), ctx.now_ms);
    }
    resp::integer(ctx.out, 1);
}

/// A set algebra operation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Inter,
    Union,
    Diff,
}

/// The members of `op` over `keys`, or the error reply.
fn combine<'k>(
    ctx: &mut Ctx<'_>,
    keys: impl Iterator<Item = &'k [u8]> + Clone,
    op: SetOp,
    limit: usize,
) -> Result<Vec<Vec<u8>>, Replied> {
    let mut missing = false;
    for (i, key) in keys.clone().enumerate() {
        match set(ctx, key)? {
            None if op == SetOp::Inter || (op == SetOp::Diff && i == 0) => missing = true,
            _ => {}
        }
    }
    if missing {
        return Ok(Vec::new());
    }
    let store = &ctx.shared.store;
    let sets: Vec<Option<&Set>> = keys
        .map(|k| match store.peek(k) {
            Some(Value::Set(s)) => Some(s),
            _ => None,
        })
        .collect();
    let mut result: Vec<Vec<u8>> = Vec::new();
    match op {
        SetOp::Union => {
            let mut seen: HashSet<&[u8]> = HashSet::default();
            for m in sets.iter().flatten().flat_map(|s| s.iter()) {
                if seen.insert(m.as_slice()) {
                    result.push(m.clone());
                }
            }
        }
        SetOp::Inter | SetOp::Diff => {
            let (first, rest) = match op {
                SetOp::Inter => {
                    let smallest = (0..sets.len()).min_by_key(|&i| sets[i].map_or(0, |s| s.len()));
                    let i = smallest.unwrap_or(0);
                    let rest: Vec<_> = (0..sets.len()).filter(|&j| j != i).collect();
                    (i, rest)
                }
                _ => (0, (1..sets.len()).collect()),
            };
            for m in sets.get(first).copied().flatten().into_iter().flatten() {
                if result.len() >= limit {
                    break;
                }
                let in_rest = |j: &usize| sets[*j].is_some_and(|s| s.contains(m));
                let keep = match op {
                    SetOp::Inter => rest.iter().all(in_rest),
                    _ => !rest.iter().any(in_rest),
                };
                if keep {
                    result.push(m.clone());
                }
            }
        }
    }
    Ok(result)
}

fn set_op(ctx: &mut Ctx<'_>, args: &Args<'_>, op: SetOp) {
    if let Ok(members) = combine(ctx, args.iter_from(1), op, usize::MAX) {
        bulk_array(ctx.out, &members);
    }
}

fn set_op_store(ctx: &mut Ctx<'_>, args: &Args<'_>, op: SetOp) {
    let Ok(members) = combine(ctx, args.iter_from(2), op, usize::MAX) else {
        return;
    };
    let n = members.len();
    let set: Set = members.into_iter().collect();
    ctx.shared
        .store
        .put(args.get(1), Value::Set(set), Ttl::Clear, ctx.now_ms);
    resp::integer(ctx.out, n as i64);
}

/// `SINTER key...`.
pub fn sinter(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    set_op(ctx, args, SetOp::Inter);
}

/// `SUNION key...`.
pub fn sunion(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    set_op(ctx, args, SetOp::Union);
}

/// `SDIFF key...`.
pub fn sdiff(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    set_op(ctx, args, SetOp::Diff);
}

/// `SINTERSTORE destination key...`.
pub fn sinterstore(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    set_op_store(ctx, args, SetOp::Inter);
}

/// `SUNIONSTORE destination key...`.
pub fn sunionstore(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    set_op_store(ctx, args, SetOp::Union);
}

/// `SDIFFSTORE destination key...`.
pub fn sdiffstore(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    set_op_store(ctx, args, SetOp::Diff);
}

/// `SINTERCARD numkeys key... [LIMIT limit]`.
pub fn sintercard(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let Ok(n) = numkeys_arg(ctx, args, 1) else {
        return;
    };
    let Ok(limit) = intercard_limit_arg(ctx, args, 2 + n) else {
        return;
    };
    let keys = args.iter_from(2).take(n);
    if let Ok(members) = combine(ctx, keys, SetOp::Inter, limit) {
        resp::integer(ctx.out, members.len() as i64);
    }
}
