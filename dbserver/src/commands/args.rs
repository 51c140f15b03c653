//! Helpers the command modules share: argument parsing and the common error replies.

use super::Ctx;
use crate::resp::{self, Args};
use crate::store::Value;
use alloc::vec::Vec;

/// `-ERR wrong number of arguments for '<name>' command`.
pub(crate) fn wrong_arity(out: &mut Vec<u8>, name: &str) {
    out.extend_from_slice(b"-ERR wrong number of arguments for '");
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"' command\r\n");
}

/// The reply to an operation on a value of the wrong type.
/// Replies with the length of the value at `args[1]` as measured by `len`, which
/// returns `None` for a value of the wrong type: 0 for a missing key, `-WRONGTYPE` for a
/// value of another type. Serves LLEN, SCARD, HLEN, STRLEN and ZCARD.
pub(crate) fn reply_len(ctx: &mut Ctx<'_>, args: &Args<'_>, len: fn(&Value) -> Option<usize>) {
    match ctx.shared.store.get(args.get(1), ctx.now_ms).map(len) {
        None => resp::integer(ctx.out, 0),
        Some(Some(n)) => resp::integer(ctx.out, n as i64),
        Some(None) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}

pub(crate) const WRONGTYPE: &[u8] =
    b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
/// The reply to an argument that should be an integer.
pub(crate) const NOT_INTEGER: &[u8] = b"-ERR value is not an integer or out of range\r\n";
/// The reply to unknown or conflicting options.
pub(crate) const SYNTAX_ERROR: &[u8] = b"-ERR syntax error\r\n";
/// The reply to a negative count.
pub(crate) const NOT_POSITIVE: &[u8] = b"-ERR value is out of range, must be positive\r\n";

/// Argument `i` as an integer, or `NOT_INTEGER` written to `out`.
pub(crate) fn int_arg(out: &mut Vec<u8>, args: &Args<'_>, i: usize) -> Option<i64> {
    let v = resp::parse_i64(args.get(i));
    if v.is_none() {
        out.extend_from_slice(NOT_INTEGER);
    }
    v
}

/// An argument was invalid and the error reply has already been written.
pub(crate) struct Replied;

/// The optional count argument of `LPOP`/`SPOP`/`ZPOPMIN` at index 2: `Ok(None)` when
/// absent.
pub(crate) fn count_arg(out: &mut Vec<u8>, args: &Args<'_>) -> Result<Option<usize>, Replied> {
    if args.len() > 3 {
        out.extend_from_slice(SYNTAX_ERROR);
        return Err(Replied);
    }
    if args.len() < 3 {
        return Ok(None);
    }
    let n = int_arg(out, args, 2).ok_or(Replied)?;
    match usize::try_from(n) {
        Ok(n) => Ok(Some(n)),
        Err(_) => {
            out.extend_from_slice(NOT_POSITIVE);
            Err(Replied)
        }
    }
}

/// Clamp Redis `start`/`stop` ranks (negative: from the end) to `0..len`; `None` when empty.
pub(crate) fn clamp_range(start: i64, stop: i64, len: usize) -> Option<(usize, usize)> {
    let len = i64::try_from(len).ok()?;
    let start = if start < 0 {
        start.saturating_add(len).max(0)
    } else {
        start
    };
    let stop = if stop < 0 {
        stop.saturating_add(len)
    } else {
        stop.min(len - 1)
    };
    if start > stop || start >= len {
        return None;
    }
    Some((usize::try_from(start).ok()?, usize::try_from(stop).ok()?))
}

/// Case-insensitive ASCII comparison of an argument with a keyword.
pub(crate) fn eq_ignore_case(arg: &[u8], keyword: &str) -> bool {
    arg.eq_ignore_ascii_case(keyword.as_bytes())
}
