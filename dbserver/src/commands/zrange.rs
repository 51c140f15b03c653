//! Sorted-set ranges: ZRANGE (BYSCORE/BYLEX/REV/LIMIT/WITHSCORES) ZREVRANGE ZRANGEBYSCORE
//! ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZRANGESTORE ZCOUNT ZLEXCOUNT
//! ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX.

use super::zsets::{reply_members, zset};
use super::{clamp_range, eq_ignore_case, Ctx, Replied, NOT_INTEGER, SYNTAX_ERROR, WRONGTYPE};
use crate::resp::{self, Args};
use crate::store::{Ttl, Value, ZSet};
use alloc::boxed::Box;
use alloc::vec::Vec;

const NOT_FLOAT_RANGE: &[u8] = b"-ERR min or max is not a float\r\n";
const NOT_LEX_RANGE: &[u8] = b"-ERR min or max not valid string range item\r\n";

/// One end of a score range.
#[derive(Clone, Copy)]
struct ScoreBound {
    value: f64,
    exclusive: bool,
}

impl ScoreBound {
    /// `1.5`, `(1.5`, `-inf`, `+inf`.
    fn parse(arg: &[u8]) -> Option<Self> {
        let (exclusive, text) = match arg.split_first() {
            Some((b'(', rest)) => (true, rest),
            _ => (false, arg),
        };
        let value = super::zsets::parse_score(text)?;
        Some(Self { value, exclusive })
    }
}

/// One end of a lexicographic range.
#[derive(Clone, Copy)]
enum LexBound<'a> {
    Min,
    Max,
    Inclusive(&'a [u8]),
    Exclusive(&'a [u8]),
}

impl<'a> LexBound<'a> {
    /// `-`, `+`, `[member`, `(member`.
    fn parse(arg: &'a [u8]) -> Option<Self> {
        match arg.split_first()? {
            (b'-', []) => Some(Self::Min),
            (b'+', []) => Some(Self::Max),
            (b'[', rest) => Some(Self::Inclusive(rest)),
            (b'(', rest) => Some(Self::Exclusive(rest)),
            _ => None,
        }
    }

    fn below(self, m: &[u8]) -> bool {
        match self {
            Self::Min => true,
            Self::Max => false,
            Self::Inclusive(b) => m >= b,
            Self::Exclusive(b) => m > b,
        }
    }

    fn above(self, m: &[u8]) -> bool {
        match self {
            Self::Min => false,
            Self::Max => true,
            Self::Inclusive(b) => m <= b,
            Self::Exclusive(b) => m < b,
        }
    }
}

/// What a range selects.
#[derive(Clone, Copy)]
enum Range<'a> {
    Rank(i64, i64),
    Score(ScoreBound, ScoreBound),
    Lex(LexBound<'a>, LexBound<'a>),
}

/// How a range is given.
#[derive(Clone, Copy, PartialEq, Eq)]
enum By {
    Rank,
    Score,
    Lex,
}

/// Parse `min`/`max` (already in min, max order) as a range of kind `by`.
fn parse_range<'a>(
    ctx: &mut Ctx<'_>,
    by: By,
    min: &'a [u8],
    max: &'a [u8],
) -> Result<Range<'a>, Replied> {
    let range = match by {
        By::Rank => resp::parse_i64(min)
            .zip(resp::parse_i64(max))
            .map(|(a, b)| Range::Rank(a, b))
            .ok_or(NOT_INTEGER),
        By::Score => ScoreBound::parse(min)
            .zip(ScoreBound::parse(max))
            .map(|(a, b)| Range::Score(a, b))
            .ok_or(NOT_FLOAT_RANGE),
        By::Lex => LexBound::parse(min)
            .zip(LexBound::parse(max))
            .map(|(a, b)| Range::Lex(a, b))
            .ok_or(NOT_LEX_RANGE),
    };
    range.map_err(|e| {
        ctx.out.extend_from_slice(e);
        Replied
    })
}

/// The members of `z` in `range`, in rank order (`rev`: highest first).
fn matching<'z, 'a: 'z>(
    z: &'z ZSet,
    range: Range<'a>,
    rev: bool,
) -> Box<dyn Iterator<Item = (&'z [u8], f64)> + 'z> {
    match range {
        Range::Rank(start, stop) => match clamp_range(start, stop, z.len()) {
            None => Box::new(core::iter::empty()),
            Some((from, to)) => Box::new(z.range(from, to, rev)),
        },
        Range::Score(min, max) => {
            let above_min = move |s: f64| {
                if min.exclusive {
                    s > min.value
                } else {
                    s >= min.value
                }
            };
            let below_max = move |s: f64| {
                if max.exclusive {
                    s < max.value
                } else {
                    s <= max.value
                }
            };
            if rev {
                Box::new(
                    z.iter()
                        .rev()
                        .skip_while(move |(_, s)| !below_max(*s))
                        .take_while(move |(_, s)| above_min(*s)),
                )
            } else {
                Box::new(
                    z.iter_from_score(min.value)
                        .skip_while(move |(_, s)| !above_min(*s))
                        .take_while(move |(_, s)| below_max(*s)),
                )
            }
        }
        Range::Lex(min, max) => {
            let inside = move |m: &[u8]| min.below(m) && max.above(m);
            let members: Box<dyn Iterator<Item = (&'z [u8], f64)> + 'z> = if rev {
                Box::new(z.iter().rev())
            } else {
                Box::new(z.iter())
            };
            Box::new(members.filter(move |(m, _)| inside(m)))
        }
    }
}

/// A parsed range request.
struct Request<'a> {
    range: Range<'a>,
    rev: bool,
    /// `LIMIT offset count` (count < 0: all).
    limit: Option<(i64, i64)>,
    withscores: bool,
}

/// Parse the range request of ZRANGE-like commands: `key` at `at`, the bounds after it,
/// options from `at + 3`; `by`/`rev` preset by the legacy commands.
fn parse_request<'a>(
    ctx: &mut Ctx<'_>,
    args: &Args<'a>,
    at: usize,
    preset: Option<(By, bool)>,
    store: bool,
) -> Result<Request<'a>, Replied> {
    let (mut by, mut rev) = preset.unwrap_or((By::Rank, false));
    let (mut limit, mut withscores) = (None, false);
    let mut i = at + 3;
    while i < args.len() {
        let opt = args.get(i);
        let left = args.len() - i - 1;
        if eq_ignore_case(opt, "withscores") && !store {
            withscores = true;
        } else if eq_ignore_case(opt, "limit") && left >= 2 {
            let offset = super::int_arg(ctx.out, args, i + 1).ok_or(Replied)?;
            let count = super::int_arg(ctx.out, args, i + 2).ok_or(Replied)?;
            limit = Some((offset, count));
            i += 2;
        } else if preset.is_none() && eq_ignore_case(opt, "rev") {
            rev = true;
        } else if preset.is_none() && by == By::Rank && eq_ignore_case(opt, "bylex") {
            by = By::Lex;
        } else if preset.is_none() && by == By::Rank && eq_ignore_case(opt, "byscore") {
            by = By::Score;
        } else {
            ctx.out.extend_from_slice(SYNTAX_ERROR);
            return Err(Replied);
        }
        i += 1;
    }
    if limit.is_some() && by == By::Rank {
        ctx.out.extend_from_slice(
            b"-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n",
        );
        return Err(Replied);
    }
    if withscores && by == By::Lex {
        ctx.out.extend_from_slice(
            b"-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n",
        );
        return Err(Replied);
    }
    let (mut min, mut max) = (args.get(at + 1), args.get(at + 2));
    if rev && by != By::Rank {
        core::mem::swap(&mut min, &mut max);
    }
    let range = parse_range(ctx, by, min, max)?;
    Ok(Request {
        range,
        rev,
        limit,
        withscores,
    })
}

/// The members a request selects from the sorted set at `key` (cloned).
fn select(
    ctx: &mut Ctx<'_>,
    key: &[u8],
    req: &Request<'_>,
) -> Result<Vec<(Vec<u8>, f64)>, Replied> {
    let Some(z) = zset(ctx, key)? else {
        return Ok(Vec::new());
    };
    let (offset, count) = req.limit.unwrap_or((0, -1));
    let Ok(offset) = usize::try_from(offset) else {
        return Ok(Vec::new());
    };
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    Ok(matching(z, req.range, req.rev)
        .skip(offset)
        .take(count)
        .map(|(m, s)| (m.to_vec(), s))
        .collect())
}

fn range_command(ctx: &mut Ctx<'_>, args: &Args<'_>, preset: Option<(By, bool)>) {
    let Ok(req) = parse_request(ctx, args, 1, preset, false) else {
        return;
    };
    if let Ok(items) = select(ctx, args.get(1), &req) {
        reply_members(ctx.out, &items, req.withscores);
    }
}

/// `ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]`.
pub fn zrange(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    range_command(ctx, args, None);
}

/// `ZREVRANGE key start stop [WITHSCORES]`.
pub fn zrevrange(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    range_command(ctx, args, Some((By::Rank, true)));
}

/// `ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]`.
pub fn zrangebyscore(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    range_command(ctx, args, Some((By::Score, false)));
}

/// `ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]`.
pub fn zrevrangebyscore(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    range_command(ctx, args, Some((By::Score, true)));
}

/// `ZRANGEBYLEX key min max [LIMIT offset count]`.
pub fn zrangebylex(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    range_command(ctx, args, Some((By::Lex, false)));
}

/// `ZREVRANGEBYLEX key max min [LIMIT offset count]`.
pub fn zrevrangebylex(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    range_command(ctx, args, Some((By::Lex, true)));
}

/// `ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]`.
pub fn zrangestore(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let Ok(req) = parse_request(ctx, args, 2, None, true) else {
        return;
    };
    let Ok(items) = select(ctx, args.get(2), &req) else {
        return;
    };
    let n = items.len();
    store_members(ctx, args.get(1), items);
    resp::integer(ctx.out, n as i64);
}

/// Replace `key` with a sorted set of `items` (deleting it when empty).
pub(crate) fn store_members(ctx: &mut Ctx<'_>, key: &[u8], items: Vec<(Vec<u8>, f64)>) {
    let mut z = ZSet::default();
    z.add(
        items.iter().map(|(m, s)| (*s, m.as_slice())),
        crate::store::ZAddOptions::default(),
    );
    ctx.shared
        .store
        .put(key, Value::ZSet(z), Ttl::Clear, ctx.now_ms);
}

fn count_in(ctx: &mut Ctx<'_>, args: &Args<'_>, by: By) {
    let Ok(range) = parse_range(ctx, by, args.get(2), args.get(3)) else {
        return;
    };
    let mut out = Vec::new();
    let Ok(z) = zset(ctx, args.get(1)) else {
        return;
    };
    let n = z.map_or(0, |z| matching(z, range, false).count());
    resp::integer(&mut out, n as i64);
    ctx.out.extend_from_slice(&out);
}

/// `ZCOUNT key min max`.
pub fn zcount(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    count_in(ctx, args, By::Score);
}

/// `ZLEXCOUNT key min max`.
pub fn zlexcount(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    count_in(ctx, args, By::Lex);
}

fn remove_range(ctx: &mut Ctx<'_>, args: &Args<'_>, by: By) {
    let Ok(range) = parse_range(ctx, by, args.get(2), args.get(3)) else {
        return;
    };
    let r = ctx
        .shared
        .store
        .zset_mut(args.get(1), ctx.now_ms, false, |z| {
            let doomed: Vec<Vec<u8>> = matching(z, range, false).map(|(m, _)| m.to_vec()).collect();
            for m in &doomed {
                z.remove(m);
            }
            doomed.len()
        });
    match r {
        Ok(n) => resp::integer(ctx.out, n.unwrap_or(0) as i64),
        Err(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}

/// `ZREMRANGEBYRANK key start stop`.
pub fn zremrangebyrank(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    remove_range(ctx, args, By::Rank);
}

/// `ZREMRANGEBYSCORE key min max`.
pub fn zremrangebyscore(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    remove_range(ctx, args, By::Score);
}

/// `ZREMRANGEBYLEX key min max`.
pub fn zremrangebylex(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    remove_range(ctx, args, By::Lex);
}
