//! Pops from the first non-empty of several keys: LMPOP BLMPOP ZMPOP BZMPOP. Each answers
//! `[key, popped]` for the first key holding elements, or a null array (the blocking forms
//! park until a key gets elements or the timeout passes, see [`super::blocking`]).

use super::blocking::{first_ready, park, timeout_arg};
use super::multikey_args::numkeys_arg;
use super::zsets::pop_from;
use super::{eq_ignore_case, Ctx, Replied, SYNTAX_ERROR, WRONGTYPE};
use crate::resp::{self, Args, NULL_ARRAY};
use crate::store::Value;

/// What the arguments after `numkeys` ask for.
struct MpopRequest {
    /// Index of the first key.
    first_key: usize,
    /// Number of keys.
    keys: usize,
    /// The second end was named (`RIGHT`, `MAX`).
    second_end: bool,
    /// Elements to pop at most.
    count: usize,
}

/// Parse `numkeys key... END1|END2 [COUNT count]` from index `at`.
fn parse(
    ctx: &mut Ctx<'_>,
    args: &Args<'_>,
    at: usize,
    ends: [&str; 2],
) -> Result<MpopRequest, Replied> {
    let keys = numkeys_arg(ctx, args, at)?;
    let end_at = at + 1 + keys;
    let second_end = match args.get(end_at) {
        w if eq_ignore_case(w, ends[0]) => false,
        w if eq_ignore_case(w, ends[1]) => true,
        _ => {
            ctx.out.extend_from_slice(SYNTAX_ERROR);
            return Err(Replied);
        }
    };
    let count = match args.len().saturating_sub(end_at + 1) {
        0 => 1,
        2 if eq_ignore_case(args.get(end_at + 1), "count") => {
            // Redis answers a non-integer count with the same error as a count below 1.
            let c = resp::parse_i64(args.get(end_at + 2)).unwrap_or(0);
            match usize::try_from(c) {
                Ok(c) if c > 0 => c,
                _ => {
                    ctx.out
                        .extend_from_slice(b"-ERR count should be greater than 0\r\n");
                    return Err(Replied);
                }
            }
        }
        _ => {
            ctx.out.extend_from_slice(SYNTAX_ERROR);
            return Err(Replied);
        }
    };
    Ok(MpopRequest {
        first_key: at + 1,
        keys,
        second_end,
        count,
    })
}

fn is_list(v: &Value) -> bool {
    matches!(v, Value::List(_))
}

fn is_zset(v: &Value) -> bool {
    matches!(v, Value::ZSet(_))
}

/// What differs between the list and the sorted-set forms.
struct Family {
    /// The two ends, as named in the command (`LEFT|RIGHT`, `MIN|MAX`).
    ends: [&'static str; 2],
    /// Whether a value is of the family's type.
    holds: fn(&Value) -> bool,
    /// Pops from `key` and writes `[key, popped]`.
    reply: fn(&mut Ctx<'_>, &[u8], &MpopRequest),
}

const LISTS: Family = Family {
    ends: ["left", "right"],
    holds: is_list,
    reply: reply_list_pop,
};

const ZSETS: Family = Family {
    ends: ["min", "max"],
    holds: is_zset,
    reply: reply_zset_pop,
};

/// The four commands: `blocking` forms take a timeout first and park when no key is ready.
fn mpop(ctx: &mut Ctx<'_>, args: &Args<'_>, family: &Family, blocking: bool) {
    let Ok(req) = parse(ctx, args, if blocking { 2 } else { 1 }, family.ends) else {
        return;
    };
    let deadline = if blocking {
        let Ok(deadline) = timeout_arg(ctx, args.get(1)) else {
            return;
        };
        Some(deadline)
    } else {
        None
    };
    let keys = args.iter_from(req.first_key).take(req.keys);
    let Ok(ready) = first_ready(ctx, keys, family.holds) else {
        return;
    };
    match (ready, deadline) {
        (Some(key), _) => (family.reply)(ctx, key, &req),
        (None, Some(deadline)) => park(ctx, args, deadline, NULL_ARRAY),
        (None, None) => ctx.out.extend_from_slice(NULL_ARRAY),
    }
}

/// `LMPOP numkeys key... LEFT|RIGHT [COUNT count]`.
pub fn lmpop(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    mpop(ctx, args, &LISTS, false);
}

/// `BLMPOP timeout numkeys key... LEFT|RIGHT [COUNT count]`.
pub fn blmpop(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    mpop(ctx, args, &LISTS, true);
}

/// `ZMPOP numkeys key... MIN|MAX [COUNT count]`: `[key, [[member, score]...]]`.
pub fn zmpop(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    mpop(ctx, args, &ZSETS, false);
}

/// `BZMPOP timeout numkeys key... MIN|MAX [COUNT count]`.
pub fn bzmpop(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    mpop(ctx, args, &ZSETS, true);
}

fn reply_list_pop(ctx: &mut Ctx<'_>, key: &[u8], req: &MpopRequest) {
    let front = !req.second_end;
    match ctx.shared.store.pop(key, req.count, front, ctx.now_ms) {
        Err(_) => ctx.out.extend_from_slice(WRONGTYPE),
        Ok(popped) => {
            resp::array_header(ctx.out, 2);
            resp::bulk(ctx.out, key);
            super::lists::bulk_array(ctx.out, &popped);
        }
    }
}

fn reply_zset_pop(ctx: &mut Ctx<'_>, key: &[u8], req: &MpopRequest) {
    let Ok(popped) = pop_from(ctx, key, req.count, req.second_end) else {
        ctx.out.extend_from_slice(WRONGTYPE);
        return;
    };
    resp::array_header(ctx.out, 2);
    resp::bulk(ctx.out, key);
    resp::array_header(ctx.out, popped.len());
    for (m, s) in &popped {
        resp::array_header(ctx.out, 2);
        resp::bulk(ctx.out, m);
        resp::double(ctx.out, *s);
    }
}
