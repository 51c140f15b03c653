//! Times to live: EXPIRE PEXPIRE EXPIREAT PEXPIREAT (with NX/XX/GT/LT), TTL PTTL
//! EXPIRETIME PEXPIRETIME PERSIST TIME, and the expire-time arguments of SET, SETEX,
//! PSETEX and GETEX.
//!
//! The store keeps deadlines on the monotonic clock (`Ctx::now_ms`). Absolute Unix times
//! are converted through the platform's wall clock ([`Syscalls::realtime_ns`]); a platform
//! without one answers [`NO_WALL_CLOCK`] to the commands that need it.
//!
//! [`Syscalls::realtime_ns`]: crate::sys::Syscalls::realtime_ns

use super::{eq_ignore_case, Ctx, Replied, NOT_INTEGER};
use crate::resp::{self, Args};
use alloc::vec::Vec;

/// Milliseconds per second.
pub(crate) const MS_PER_SEC: i64 = 1000;
/// Nanoseconds per millisecond.
const NS_PER_MS: u64 = 1_000_000;
/// Microseconds per millisecond.
const US_PER_MS: u64 = 1000;
/// Half a second, to round `TTL` like Redis.
const HALF_SEC_MS: u64 = 500;
/// The reply of commands that need the wall clock on a platform without one.
pub(crate) const NO_WALL_CLOCK: &[u8] = b"-ERR the platform has no wall clock\r\n";

/// The wall clock in milliseconds since the Unix epoch, if the platform has one.
pub(crate) fn wall_ms(ctx: &Ctx<'_>) -> Option<i64> {
    let ns = ctx.sys.realtime_ns().ok()?;
    i64::try_from(ns / NS_PER_MS).ok()
}

/// Unix time minus `ctx.now_ms`, stable across calls (see [`Store::wall_offset_ms`]).
///
/// [`Store::wall_offset_ms`]: crate::store::Store::wall_offset_ms
pub(crate) fn wall_offset(ctx: &mut Ctx<'_>) -> Option<i64> {
    let measured = wall_ms(ctx)?.checked_sub(i64::try_from(ctx.now_ms).ok()?)?;
    Some(ctx.shared.store.wall_offset_ms(measured))
}

/// `-ERR invalid expire time in '<cmd>' command`.
pub(crate) fn invalid_expire_time(out: &mut Vec<u8>, cmd: &str) {
    out.extend_from_slice(b"-ERR invalid expire time in '");
    out.extend_from_slice(cmd.as_bytes());
    out.extend_from_slice(b"' command\r\n");
}

/// A monotonic deadline from a target in milliseconds that is relative to now or, when
/// `absolute`, a Unix time; `None` without a wall clock for an absolute time. Clamped to
/// the `u64` range (a past deadline is due at once).
fn monotonic_deadline(ctx: &mut Ctx<'_>, ms: i64, absolute: bool) -> Option<u64> {
    let target = if absolute {
        i128::from(ms) - i128::from(wall_offset(ctx)?)
    } else {
        i128::from(ctx.now_ms) + i128::from(ms)
    };
    Some(u64::try_from(target.max(0)).unwrap_or(u64::MAX))
}

/// The time-to-live argument `arg` of `SET EX/PX/EXAT/PXAT`, `SETEX`, `PSETEX` or `GETEX`
/// as a monotonic deadline: it must be positive and not overflow, as in Redis's
/// `getExpireMillisecondsOrReply`.
pub(crate) fn ttl_arg(
    ctx: &mut Ctx<'_>,
    arg: &[u8],
    unit_ms: i64,
    absolute: bool,
    cmd: &str,
) -> Result<u64, Replied> {
    let Some(n) = resp::parse_i64(arg) else {
        ctx.out.extend_from_slice(NOT_INTEGER);
        return Err(Replied);
    };
    let Some(ms) = n.checked_mul(unit_ms).filter(|_| n > 0) else {
        invalid_expire_time(ctx.out, cmd);
        return Err(Replied);
    };
    if !absolute {
        let base = wall_ms(ctx).unwrap_or(ctx.now_ms as i64);
        if ms > i64::MAX - base {
            invalid_expire_time(ctx.out, cmd);
            return Err(Replied);
        }
    }
    deadline_or_reply(ctx, ms, absolute)
}

fn deadline_or_reply(ctx: &mut Ctx<'_>, ms: i64, absolute: bool) -> Result<u64, Replied> {
    monotonic_deadline(ctx, ms, absolute).ok_or_else(|| {
        ctx.out.extend_from_slice(NO_WALL_CLOCK);
        Replied
    })
}

/// `EXPIRE key seconds [NX|XX|GT|LT]`.
pub fn expire(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    expire_generic(ctx, args, MS_PER_SEC, false, "expire");
}

/// `PEXPIRE key milliseconds [NX|XX|GT|LT]`.
pub fn pexpire(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    expire_generic(ctx, args, 1, false, "pexpire");
}

/// `EXPIREAT key unix-seconds [NX|XX|GT|LT]`.
pub fn expireat(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    expire_generic(ctx, args, MS_PER_SEC, true, "expireat");
}

/// `PEXPIREAT key unix-milliseconds [NX|XX|GT|LT]`.
pub fn pexpireat(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    expire_generic(ctx, args, 1, true, "pexpireat");
}

/// The condition flags of `EXPIRE` and its relatives.
#[derive(Clone, Copy, Default)]
struct Condition {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

impl Condition {
    fn parse(ctx: &mut Ctx<'_>, args: &Args<'_>) -> Result<Self, Replied> {
        let mut c = Condition::default();
        for opt in args.iter_from(3) {
            let flag = match () {
                () if eq_ignore_case(opt, "nx") => &mut c.nx,
                () if eq_ignore_case(opt, "xx") => &mut c.xx,
                () if eq_ignore_case(opt, "gt") => &mut c.gt,
                () if eq_ignore_case(opt, "lt") => &mut c.lt,
                () => {
                    let mut msg = Vec::from(&b"ERR Unsupported option "[..]);
                    msg.extend_from_slice(opt);
                    resp::error(ctx.out, &msg);
                    return Err(Replied);
                }
            };
            *flag = true;
        }
        if c.nx && (c.xx || c.gt || c.lt) {
            ctx.out.extend_from_slice(
                b"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n",
            );
            return Err(Replied);
        }
        if c.gt && c.lt {
            ctx.out.extend_from_slice(
                b"-ERR GT and LT options at the same time are not compatible\r\n",
            );
            return Err(Replied);
        }
        Ok(c)
    }

    /// Whether the new deadline `at` may replace `current` (`None`: no expiry, which
    /// counts as infinite for GT/LT as in Redis).
    fn allows(self, current: Option<u64>, at: u64) -> bool {
        match current {
            None => !(self.xx || self.gt),
            Some(cur) => !(self.nx || (self.gt && at <= cur) || (self.lt && at >= cur)),
        }
    }
}

/// Redis's `expireGenericCommand`: the overflow checks, then the key, then the condition;
/// a deadline already past deletes the key.
fn expire_generic(ctx: &mut Ctx<'_>, args: &Args<'_>, unit_ms: i64, absolute: bool, cmd: &str) {
    let Ok(cond) = Condition::parse(ctx, args) else {
        return;
    };
    let Some(n) = resp::parse_i64(args.get(2)) else {
        ctx.out.extend_from_slice(NOT_INTEGER);
        return;
    };
    let Some(ms) = n.checked_mul(unit_ms) else {
        invalid_expire_time(ctx.out, cmd);
        return;
    };
    let base = if absolute {
        0
    } else {
        wall_ms(ctx).unwrap_or(ctx.now_ms as i64)
    };
    if ms > i64::MAX - base {
        invalid_expire_time(ctx.out, cmd);
        return;
    }
    let key = args.get(1);
    let Some(current) = ctx.shared.store.expire_at_ms(key, ctx.now_ms) else {
        resp::integer(ctx.out, 0);
        return;
    };
    let Ok(at) = deadline_or_reply(ctx, ms, absolute) else {
        return;
    };
    if !cond.allows(current, at) {
        resp::integer(ctx.out, 0);
        return;
    }
    let store = &mut ctx.shared.store;
    if at <= ctx.now_ms {
        store.delete(key, ctx.now_ms);
    } else {
        store.expire(key, Some(at), ctx.now_ms);
    }
    resp::integer(ctx.out, 1);
}

/// `TTL key`: seconds left (rounded), -1 without expiry, -2 without key.
pub fn ttl(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let reply = match ctx.shared.store.ttl_ms(args.get(1), ctx.now_ms) {
        None => -2,
        Some(None) => -1,
        Some(Some(ms)) => (ms.saturating_add(HALF_SEC_MS) / MS_PER_SEC as u64) as i64,
    };
    resp::integer(ctx.out, reply);
}

/// `PTTL key`: milliseconds left, -1 without expiry, -2 without key.
pub fn pttl(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let reply = match ctx.shared.store.ttl_ms(args.get(1), ctx.now_ms) {
        None => -2,
        Some(None) => -1,
        Some(Some(ms)) => i64::try_from(ms).unwrap_or(i64::MAX),
    };
    resp::integer(ctx.out, reply);
}

/// `EXPIRETIME key`: the Unix time in seconds the key expires at, -1, -2.
pub fn expiretime(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    expiretime_generic(ctx, args, MS_PER_SEC);
}

/// `PEXPIRETIME key`: the Unix time in milliseconds the key expires at, -1, -2.
pub fn pexpiretime(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    expiretime_generic(ctx, args, 1);
}

fn expiretime_generic(ctx: &mut Ctx<'_>, args: &Args<'_>, unit_ms: i64) {
    let reply = match ctx.shared.store.expire_at_ms(args.get(1), ctx.now_ms) {
        None => -2,
        Some(None) => -1,
        Some(Some(at)) => {
            let Some(offset) = wall_offset(ctx) else {
                ctx.out.extend_from_slice(NO_WALL_CLOCK);
                return;
            };
            let unix = i128::from(at) + i128::from(offset);
            i64::try_from(unix).unwrap_or(i64::MAX) / unit_ms
        }
    };
    resp::integer(ctx.out, reply);
}

/// `PERSIST key`: 1 when an expiry was removed.
pub fn persist(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let key = args.get(1);
    let store = &mut ctx.shared.store;
    let had = matches!(store.ttl_ms(key, ctx.now_ms), Some(Some(_)));
    if had {
        store.expire(key, None, ctx.now_ms);
    }
    resp::integer(ctx.out, i64::from(had));
}

/// `TIME`: Unix seconds and microseconds, as two bulk strings.
pub fn time(ctx: &mut Ctx<'_>, _args: &Args<'_>) {
    let Ok(ns) = ctx.sys.realtime_ns() else {
        ctx.out.extend_from_slice(NO_WALL_CLOCK);
        return;
    };
    let us = ns / (NS_PER_MS / US_PER_MS);
    let per_sec = MS_PER_SEC as u64 * US_PER_MS;
    let mut digits = resp::DecimalBuf::default();
    resp::array_header(ctx.out, 2);
    resp::bulk(ctx.out, digits.format((us / per_sec) as i64));
    resp::bulk(ctx.out, digits.format((us % per_sec) as i64));
}
