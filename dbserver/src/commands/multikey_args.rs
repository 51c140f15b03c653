//! Arguments shared by the commands over several keys: `numkeys` and the `LIMIT` of
//! `SINTERCARD`/`ZINTERCARD`.

use super::{eq_ignore_case, Ctx, Replied, SYNTAX_ERROR};
use crate::resp::Args;

/// `numkeys key... [rest]`: the key count at index 1, checked against the arguments;
/// returns the count.
pub(crate) fn numkeys_arg(ctx: &mut Ctx<'_>, args: &Args<'_>, at: usize) -> Result<usize, Replied> {
    // Redis answers a non-integer with the same error as a non-positive count.
    let n = crate::resp::parse_i64(args.get(at));
    let Some(n) = n.and_then(|n| usize::try_from(n).ok()).filter(|&n| n > 0) else {
        ctx.out
            .extend_from_slice(b"-ERR numkeys should be greater than 0\r\n");
        return Err(Replied);
    };
    if n > args.len() - at - 1 {
        ctx.out
            .extend_from_slice(b"-ERR Number of keys can't be greater than number of args\r\n");
        return Err(Replied);
    }
    Ok(n)
}

/// The optional `LIMIT limit` from index `from` to the end (`usize::MAX` when absent or 0).
pub(crate) fn intercard_limit_arg(
    ctx: &mut Ctx<'_>,
    args: &Args<'_>,
    from: usize,
) -> Result<usize, Replied> {
    let mut limit = usize::MAX;
    let mut i = from;
    while i < args.len() {
        if eq_ignore_case(args.get(i), "limit") && i + 1 < args.len() {
            let l = crate::resp::parse_i64(args.get(i + 1));
            let Some(l) = l.and_then(|l| usize::try_from(l).ok()) else {
                ctx.out
                    .extend_from_slice(b"-ERR LIMIT can't be negative\r\n");
                return Err(Replied);
            };
            limit = if l == 0 { usize::MAX } else { l };
            i += 2;
        } else {
            ctx.out.extend_from_slice(SYNTAX_ERROR);
            return Err(Replied);
        }
    }
    Ok(limit)
}
