//! Counters on strings: INCR DECR INCRBY DECRBY INCRBYFLOAT, and HINCRBY HINCRBYFLOAT's
//! shared number handling.

use super::{Ctx, NOT_INTEGER, WRONGTYPE};
use crate::resp::{self, Args};
use crate::store::{Ttl, Value};
use alloc::vec::Vec;
use core::fmt::Write;

/// The reply to an argument or a value that is not a float.
pub(crate) const NOT_FLOAT: &[u8] = b"-ERR value is not a valid float\r\n";
/// The reply when an increment overflows `i64`.
pub(crate) const OVERFLOW: &[u8] = b"-ERR increment or decrement would overflow\r\n";
/// The reply when a float increment gives NaN or an infinity.
pub(crate) const NAN_OR_INF: &[u8] = b"-ERR increment would produce NaN or Infinity\r\n";

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
        ctx.out.extend_from_slice(OVERFLOW);
        return;
    };
    let mut digits = resp::DecimalBuf::default();
    ctx.shared
        .store
        .set_str(key, digits.format(new), Ttl::Keep, ctx.now_ms);
    resp::integer(ctx.out, new);
}

/// A float as Redis parses it (`strtold`): no spaces, not NaN.
pub(crate) fn parse_float(arg: &[u8]) -> Option<f64> {
    let text = core::str::from_utf8(arg).ok()?;
    if text.is_empty() || text.trim() != text {
        return None;
    }
    let v: f64 = text.parse().ok()?;
    (!v.is_nan()).then_some(v)
}

/// `current + incr` as the text Redis stores (`%.17Lg`-like, shortest exact here), or the
/// error reply.
pub(crate) fn add_float(current: f64, incr: f64) -> Result<Vec<u8>, &'static [u8]> {
    let sum = current + incr;
    if !sum.is_finite() {
        return Err(NAN_OR_INF);
    }
    let mut text = alloc::string::String::new();
    let _ = write!(text, "{sum}");
    Ok(text.into_bytes())
}

/// `INCRBYFLOAT key increment`: the new value as a bulk string.
pub fn incrbyfloat(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let key = args.get(1);
    let Some(incr) = parse_float(args.get(2)) else {
        ctx.out.extend_from_slice(NOT_FLOAT);
        return;
    };
    let current = match ctx.shared.store.get(key, ctx.now_ms) {
        None => 0.0,
        Some(Value::Str(s)) => match parse_float(s) {
            Some(v) => v,
            None => {
                ctx.out.extend_from_slice(NOT_FLOAT);
                return;
            }
        },
        Some(_) => {
            ctx.out.extend_from_slice(WRONGTYPE);
            return;
        }
    };
    match add_float(current, incr) {
        Ok(text) => {
            ctx.shared.store.set_str(key, &text, Ttl::Keep, ctx.now_ms);
            resp::bulk(ctx.out, &text);
        }
        Err(e) => ctx.out.extend_from_slice(e),
    }
}
