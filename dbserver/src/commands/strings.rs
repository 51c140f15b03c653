//! String commands: GET SET INCR/DECR(BY) MGET MSET APPEND STRLEN.

use super::{eq_ignore_case, wrong_arity, Ctx, NOT_INTEGER, SYNTAX_ERROR, WRONGTYPE};
use crate::resp::{self, Args, NULL_BULK, OK};
use crate::store::{Ttl, Value};

/// Milliseconds per second.
pub(crate) const MS_PER_SEC: i64 = 1000;

/// `GET key`.
pub fn get(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    match ctx.shared.store.get(args.get(1), ctx.now_ms) {
        None => ctx.out.extend_from_slice(NULL_BULK),
        Some(Value::Str(s)) => resp::bulk(ctx.out, s),
        Some(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}

/// `SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]`.
pub fn set(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let (key, value) = (args.get(1), args.get(2));
    let (mut nx, mut xx, mut get, mut ttl) = (false, false, false, None::<Ttl>);
    let mut i = 3;
    while i < args.len() {
        let opt = args.get(i);
        let unit_ms = [
            ("ex", MS_PER_SEC, false),
            ("px", 1, false),
            ("exat", MS_PER_SEC, true),
            ("pxat", 1, true),
        ]
        .into_iter()
        .find(|(name, _, _)| eq_ignore_case(opt, name));
        if eq_ignore_case(opt, "nx") && !xx {
            nx = true;
        } else if eq_ignore_case(opt, "xx") && !nx {
            xx = true;
        } else if eq_ignore_case(opt, "get") {
            get = true;
        } else if eq_ignore_case(opt, "keepttl") && ttl.is_none() {
            ttl = Some(Ttl::Keep);
        } else if let (Some((_, unit, absolute)), None, true) = (unit_ms, ttl, i + 1 < args.len()) {
            i += 1;
            let Some(n) = resp::parse_i64(args.get(i)) else {
                ctx.out.extend_from_slice(NOT_INTEGER);
                return;
            };
            let Some(at) = deadline_ms(n, unit, absolute, ctx.now_ms) else {
                ctx.out
                    .extend_from_slice(b"-ERR invalid expire time in 'set' command\r\n");
                return;
            };
            ttl = Some(Ttl::At(at));
        } else {
            ctx.out.extend_from_slice(SYNTAX_ERROR);
            return;
        }
        i += 1;
    }
    let store = &mut ctx.shared.store;
    let old = store.get(key, ctx.now_ms);
    let exists = old.is_some();
    if get {
        match old {
            None => ctx.out.extend_from_slice(NULL_BULK),
            Some(Value::Str(s)) => resp::bulk(ctx.out, s),
            Some(_) => {
                ctx.out.extend_from_slice(WRONGTYPE);
                return;
            }
        }
    }
    if (nx && exists) || (xx && !exists) {
        if !get {
            ctx.out.extend_from_slice(NULL_BULK);
        }
        return;
    }
    store.set_str(key, value, ttl.unwrap_or(Ttl::Clear), ctx.now_ms);
    if !get {
        ctx.out.extend_from_slice(OK);
    }
}

/// The absolute deadline for a positive time to live `n` in `unit_ms` (or an absolute
/// time when `absolute`); `None` when not positive or overflowing.
pub(crate) fn deadline_ms(n: i64, unit_ms: i64, absolute: bool, now_ms: u64) -> Option<u64> {
    if n <= 0 {
        return None;
    }
    let ms = u64::try_from(n.checked_mul(unit_ms)?).ok()?;
    if absolute {
        Some(ms)
    } else {
        now_ms.checked_add(ms)
    }
}

/// `INCR key`.
pub fn incr(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    incr_by(ctx, args.get(1), Some(1));
}

/// `DECR key`.
pub fn decr(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    incr_by(ctx, args.get(1), Some(-1));
}

/// `INCRBY key n`.
pub fn incrby(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    incr_by(ctx, args.get(1), resp::parse_i64(args.get(2)));
}

/// `DECRBY key n`.
pub fn decrby(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    incr_by(
        ctx,
        args.get(1),
        resp::parse_i64(args.get(2)).and_then(i64::checked_neg),
    );
}

fn incr_by(ctx: &mut Ctx<'_>, key: &[u8], delta: Option<i64>) {
    let Some(delta) = delta else {
        ctx.out.extend_from_slice(NOT_INTEGER);
        return;
    };
    let current = match ctx.shared.store.get(key, ctx.now_ms) {
        None => 0,
        Some(Value::Str(s)) => match resp::parse_i64(s) {
            Some(v) => v,
            None => {
                ctx.out.extend_from_slice(NOT_INTEGER);
                return;
            }
        },
        Some(_) => {
            ctx.out.extend_from_slice(WRONGTYPE);
            return;
        }
    };
    let Some(new) = current.checked_add(delta) else {
        ctx.out
            .extend_from_slice(b"-ERR increment or decrement would overflow\r\n");
        return;
    };
    let mut digits = resp::DecimalBuf::default();
    ctx.shared
        .store
        .set_str(key, digits.format(new), Ttl::Keep, ctx.now_ms);
    resp::integer(ctx.out, new);
}

/// `MGET key...`: values, nil for missing keys and non-strings.
pub fn mget(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    resp::array_header(ctx.out, args.len() - 1);
    for key in args.iter_from(1) {
        match ctx.shared.store.get(key, ctx.now_ms) {
            Some(Value::Str(s)) => resp::bulk(ctx.out, s),
            _ => ctx.out.extend_from_slice(NULL_BULK),
        }
    }
}

/// `MSET key value [key value...]`.
pub fn mset(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    if args.len().is_multiple_of(2) {
        wrong_arity(ctx.out, "mset");
        return;
    }
    let mut i = 1;
    while i + 1 < args.len() {
        ctx.shared
            .store
            .set_str(args.get(i), args.get(i + 1), Ttl::Clear, ctx.now_ms);
        i += 2;
    }
    ctx.out.extend_from_slice(OK);
}

/// `APPEND key tail`.
pub fn append(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    match ctx
        .shared
        .store
        .append(args.get(1), args.get(2), ctx.now_ms)
    {
        Ok(len) => resp::integer(ctx.out, len as i64),
        Err(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}

/// `STRLEN key`.
pub fn strlen(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    super::reply_len(ctx, args, |value| match value {
        Value::Str(s) => Some(s.len()),
        _ => None,
    });
}
