//! Sorted-set algebra: ZUNION ZINTER ZDIFF, their STORE forms, ZINTERCARD. Inputs may be
//! sets (every member scores 1) or sorted sets.

use super::multikey_args::intercard_limit_arg;
use super::zrange::store_members;
use super::zsets::reply_members;
use super::{eq_ignore_case, int_arg, Ctx, Replied, SYNTAX_ERROR, WRONGTYPE};
use crate::hash::HashMap;
use crate::resp::{self, Args};
use crate::store::Value;
use alloc::vec::Vec;

/// The operation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Union,
    Inter,
    Diff,
}

/// How scores of a member in several inputs combine.
#[derive(Clone, Copy)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

impl Aggregate {
    fn apply(self, a: f64, b: f64) -> f64 {
        match self {
            // inf + -inf is NaN: Redis makes it 0.
            Aggregate::Sum => {
                let s = a + b;
                if s.is_nan() {
                    0.0
                } else {
                    s
                }
            }
            Aggregate::Min => a.min(b),
            Aggregate::Max => a.max(b),
        }
    }
}

/// A parsed request.
struct Request<'a> {
    keys: Vec<&'a [u8]>,
    weights: Vec<f64>,
    aggregate: Aggregate,
    withscores: bool,
}

/// Parse `numkeys key... [WEIGHTS w...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]` with
/// `numkeys` at `at`.
fn parse<'a>(
    ctx: &mut Ctx<'_>,
    args: &Args<'a>,
    at: usize,
    op: Op,
    store: bool,
    cmd: &str,
) -> Result<Request<'a>, Replied> {
    let n = int_arg(ctx.out, args, at).ok_or(Replied)?;
    let Some(n) = usize::try_from(n).ok().filter(|&n| n > 0) else {
        let mut msg = Vec::from(&b"ERR at least 1 input key is needed for '"[..]);
        msg.extend_from_slice(cmd.as_bytes());
        msg.extend_from_slice(b"' command");
        resp::error(ctx.out, &msg);
        return Err(Replied);
    };
    if n > args.len() - at - 1 {
        ctx.out.extend_from_slice(SYNTAX_ERROR);
        return Err(Replied);
    }
    let keys: Vec<&[u8]> = args.iter_from(at + 1).take(n).collect();
    let mut req = Request {
        weights: alloc::vec![1.0; n],
        keys,
        aggregate: Aggregate::Sum,
        withscores: false,
    };
    let mut i = at + 1 + n;
    while i < args.len() {
        let opt = args.get(i);
        let left = args.len() - i - 1;
        if op != Op::Diff && eq_ignore_case(opt, "weights") && left >= n {
            for (j, w) in req.weights.iter_mut().enumerate() {
                let Some(v) = super::zsets::parse_score(args.get(i + 1 + j)) else {
                    ctx.out
                        .extend_from_slice(b"-ERR weight value is not a float\r\n");
                    return Err(Replied);
                };
                *w = v;
            }
            i += n;
        } else if op != Op::Diff && eq_ignore_case(opt, "aggregate") && left >= 1 {
            let a = args.get(i + 1);
            req.aggregate = match () {
                () if eq_ignore_case(a, "sum") => Aggregate::Sum,
                () if eq_ignore_case(a, "min") => Aggregate::Min,
                () if eq_ignore_case(a, "max") => Aggregate::Max,
                () => {
                    ctx.out.extend_from_slice(SYNTAX_ERROR);
                    return Err(Replied);
                }
            };
            i += 1;
        } else if !store && eq_ignore_case(opt, "withscores") {
            req.withscores = true;
        } else {
            ctx.out.extend_from_slice(SYNTAX_ERROR);
            return Err(Replied);
        }
        i += 1;
    }
    Ok(req)
}

/// One input as member → score (sets score 1); `None` for a missing key.
fn input(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<Option<HashMap<Vec<u8>, f64>>, Replied> {
    match ctx.shared.store.get(key, ctx.now_ms) {
        None => Ok(None),
        Some(Value::ZSet(z)) => Ok(Some(z.iter().map(|(m, s)| (m.to_vec(), s)).collect())),
        Some(Value::Set(s)) => Ok(Some(s.iter().map(|m| (m.clone(), 1.0)).collect())),
        Some(_) => {
            ctx.out.extend_from_slice(WRONGTYPE);
            Err(Replied)
        }
    }
}

/// `weight * score`, where 0 * inf is 0 as in Redis.
fn weighted(score: f64, weight: f64) -> f64 {
    let v = score * weight;
    if v.is_nan() {
        0.0
    } else {
        v
    }
}

/// The result, sorted by score then member.
fn compute(
    ctx: &mut Ctx<'_>,
    req: &Request<'_>,
    op: Op,
    limit: usize,
) -> Result<Vec<(Vec<u8>, f64)>, Replied> {
    let mut inputs = Vec::with_capacity(req.keys.len());
    for key in &req.keys {
        inputs.push(input(ctx, key)?);
    }
    let mut acc: HashMap<Vec<u8>, f64> = HashMap::default();
    let weights = &req.weights;
    match op {
        Op::Union => {
            for (map, &w) in inputs.iter().zip(weights) {
                for (m, &s) in map.iter().flatten() {
                    let v = weighted(s, w);
                    acc.entry(m.clone())
                        .and_modify(|cur| *cur = req.aggregate.apply(*cur, v))
                        .or_insert(v);
                }
            }
        }
        Op::Inter => {
            if inputs.iter().all(Option::is_some) {
                let maps: Vec<&HashMap<Vec<u8>, f64>> = inputs.iter().flatten().collect();
                let first = (0..maps.len()).min_by_key(|&i| maps[i].len()).unwrap_or(0);
                for (m, _) in maps[first].iter() {
                    if acc.len() >= limit {
                        break;
                    }
                    let mut total: Option<f64> = None;
                    let mut everywhere = true;
                    for (map, &w) in maps.iter().zip(weights) {
                        match map.get(m) {
                            Some(&s) => {
                                let v = weighted(s, w);
                                total = Some(total.map_or(v, |t| req.aggregate.apply(t, v)));
                            }
                            None => {
                                everywhere = false;
                                break;
                            }
                        }
                    }
                    if let (true, Some(t)) = (everywhere, total) {
                        acc.insert(m.clone(), t);
                    }
                }
            }
        }
        Op::Diff => {
            if let Some(Some(first)) = inputs.first() {
                for (m, &s) in first {
                    if !inputs[1..].iter().flatten().any(|map| map.contains_key(m)) {
                        acc.insert(m.clone(), s);
                    }
                }
            }
        }
    }
    let mut items: Vec<(Vec<u8>, f64)> = acc.into_iter().collect();
    items.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    Ok(items)
}

fn reply_op(ctx: &mut Ctx<'_>, args: &Args<'_>, op: Op, cmd: &str) {
    let Ok(req) = parse(ctx, args, 1, op, false, cmd) else {
        return;
    };
    if let Ok(items) = compute(ctx, &req, op, usize::MAX) {
        reply_members(ctx.out, &items, req.withscores);
    }
}

fn store_op(ctx: &mut Ctx<'_>, args: &Args<'_>, op: Op, cmd: &str) {
    let Ok(req) = parse(ctx, args, 2, op, true, cmd) else {
        return;
    };
    if let Ok(items) = compute(ctx, &req, op, usize::MAX) {
        let n = items.len();
        store_members(ctx, args.get(1), items);
        resp::integer(ctx.out, n as i64);
    }
}

/// `ZUNION numkeys key... [WEIGHTS w...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]`.
pub fn zunion(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    reply_op(ctx, args, Op::Union, "zunion");
}

/// `ZINTER numkeys key... [WEIGHTS w...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]`.
pub fn zinter(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    reply_op(ctx, args, Op::Inter, "zinter");
}

/// `ZDIFF numkeys key... [WITHSCORES]`.
pub fn zdiff(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    reply_op(ctx, args, Op::Diff, "zdiff");
}

/// `ZUNIONSTORE destination numkeys key... [WEIGHTS w...] [AGGREGATE SUM|MIN|MAX]`.
pub fn zunionstore(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    store_op(ctx, args, Op::Union, "zunionstore");
}

/// `ZINTERSTORE destination numkeys key... [WEIGHTS w...] [AGGREGATE SUM|MIN|MAX]`.
pub fn zinterstore(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    store_op(ctx, args, Op::Inter, "zinterstore");
}

/// `ZDIFFSTORE destination numkeys key...`.
pub fn zdiffstore(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    store_op(ctx, args, Op::Diff, "zdiffstore");
}

/// `ZINTERCARD numkeys key... [LIMIT limit]`.
pub fn zintercard(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let n = int_arg(ctx.out, args, 1);
    let Some(n) = n else {
        return;
    };
    let Some(n) = usize::try_from(n).ok().filter(|&n| n > 0) else {
        ctx.out
            .extend_from_slice(b"-ERR at least 1 input key is needed for 'zintercard' command\r\n");
        return;
    };
    if n > args.len() - 2 {
        ctx.out
            .extend_from_slice(b"-ERR Number of keys can't be greater than number of args\r\n");
        return;
    }
    let Ok(limit) = intercard_limit_arg(ctx, args, 2 + n) else {
        return;
    };
    let req = Request {
        keys: args.iter_from(2).take(n).collect(),
        weights: alloc::vec![1.0; n],
        aggregate: Aggregate::Sum,
        withscores: false,
    };
    if let Ok(items) = compute(ctx, &req, Op::Inter, limit) {
        resp::integer(ctx.out, items.len() as i64);
    }
}
