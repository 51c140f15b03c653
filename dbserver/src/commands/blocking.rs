//! Blocking pops: BLPOP BRPOP BLMOVE BRPOPLPUSH BZPOPMIN BZPOPMAX (and, in [`super::mpop`],
//! BLMPOP BZMPOP).
//!
//! A blocking command that finds nothing to pop parks the client: it keeps an owned copy
//! of the request and its deadline in [`Client::blocked`], and the event loop stops running
//! the client's further requests. After every round of events the loop calls
//! [`retry_blocked`] for each parked client, which runs the request again (serving it as
//! soon as another client pushed) or, past the deadline, answers the timeout reply. Inside
//! `MULTI`/`EXEC` a blocking command never parks: it answers the timeout reply at once.
//!
//! [`Client::blocked`]: super::Client::blocked

use super::multi::Queued;
use super::{Ctx, Dispatcher, Replied, WRONGTYPE};
use crate::resp::{self, Args, NULL_ARRAY, NULL_BULK};
use crate::store::Value;
use alloc::vec::Vec;

/// Milliseconds per second.
const MS_PER_SEC: f64 = 1000.0;

/// A parked request.
#[derive(Debug)]
pub struct Blocked {
    request: Queued,
    /// Monotonic deadline (`None`: wait forever).
    deadline_ms: Option<u64>,
    /// The reply when the deadline passes.
    timeout_reply: &'static [u8],
    /// When it blocked, in the order of all blocking requests (served oldest first).
    order: u64,
}

/// The timeout argument (seconds, fractional allowed) as a deadline; `None` for 0 (wait
/// forever).
pub(crate) fn timeout_arg(ctx: &mut Ctx<'_>, arg: &[u8]) -> Result<Option<u64>, Replied> {
    let secs = core::str::from_utf8(arg)
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|v| v.is_finite());
    let Some(secs) = secs else {
        ctx.out
            .extend_from_slice(b"-ERR timeout is not a float or out of range\r\n");
        return Err(Replied);
    };
    if secs < 0.0 {
        ctx.out.extend_from_slice(b"-ERR timeout is negative\r\n");
        return Err(Replied);
    }
    let ms = secs * MS_PER_SEC;
    if ms >= i64::MAX as f64 {
        ctx.out
            .extend_from_slice(b"-ERR timeout is out of range\r\n");
        return Err(Replied);
    }
    if ms == 0.0 {
        return Ok(None);
    }
    // A retry keeps the deadline of the first attempt.
    if let Some(deadline) = ctx.client.block_deadline.take() {
        return Ok(deadline);
    }
    Ok(Some(ctx.now_ms.saturating_add((ms as u64).max(1))))
}

/// Park the client with its request, or answer the timeout reply inside `EXEC`.
pub(crate) fn park(
    ctx: &mut Ctx<'_>,
    args: &Args<'_>,
    deadline_ms: Option<u64>,
    timeout_reply: &'static [u8],
) {
    if ctx.client.in_exec {
        ctx.out.extend_from_slice(timeout_reply);
        return;
    }
    let mut data = Vec::new();
    let mut ranges = Vec::with_capacity(args.len());
    for a in args.iter_from(0) {
        let start = data.len();
        data.extend_from_slice(a);
        ranges.push((start, data.len()));
    }
    let order = ctx.client.block_order.take().unwrap_or_else(|| {
        ctx.shared.store.block_sequence += 1;
        ctx.shared.store.block_sequence
    });
    ctx.client.blocked = Some(alloc::boxed::Box::new(Blocked {
        request: (data, ranges),
        deadline_ms,
        timeout_reply,
        order,
    }));
    ctx.shared.store.blocked_clients += 1;
}

/// Retry a parked request: serve it, time it out, or keep waiting (then nothing is
/// written). Returns true when the client is no longer blocked.
pub fn retry_blocked(dispatcher: &Dispatcher, ctx: &mut Ctx<'_>) -> bool {
    let Some(blocked) = ctx.client.blocked.take() else {
        return true;
    };
    ctx.shared.store.blocked_clients = ctx.shared.store.blocked_clients.saturating_sub(1);
    if blocked.deadline_ms.is_some_and(|d| ctx.now_ms >= d) {
        let reply = if ctx.client.resp3 {
            crate::resp::resp3::NULL
        } else {
            blocked.timeout_reply
        };
        ctx.out.extend_from_slice(reply);
        return true;
    }
    ctx.client.block_deadline = Some(blocked.deadline_ms);
    ctx.client.block_order = Some(blocked.order);
    ctx.client.retrying_blocked = true;
    let (data, ranges) = &blocked.request;
    dispatcher.execute(ctx, &Args::new(data, ranges));
    ctx.client.retrying_blocked = false;
    ctx.client.block_deadline = None;
    ctx.client.block_order = None;
    ctx.client.blocked.is_none()
}

/// The deadline of a parked client, for the event loop's wait (`None`: none or forever).
pub fn blocked_deadline(client: &super::Client) -> Option<u64> {
    client.blocked.as_ref().and_then(|b| b.deadline_ms)
}

/// The place of a parked client in the order of blocking (`None`: not parked).
pub fn blocked_order(client: &super::Client) -> Option<u64> {
    client.blocked.as_ref().map(|b| b.order)
}

/// Release a parked request of a disconnecting client.
pub(crate) fn forget(shared: &mut super::Shared, client: &mut super::Client) {
    if client.blocked.take().is_some() {
        shared.store.blocked_clients = shared.store.blocked_clients.saturating_sub(1);
    }
}

/// The first key of `keys` holding a non-empty value `is_kind` accepts; `Err` (replied)
/// on a key of another type.
pub(crate) fn first_ready<'k>(
    ctx: &mut Ctx<'_>,
    keys: impl Iterator<Item = &'k [u8]>,
    is_kind: fn(&Value) -> bool,
) -> Result<Option<&'k [u8]>, Replied> {
    for key in keys {
        match ctx.shared.store.get(key, ctx.now_ms) {
            None => {}
            Some(v) if is_kind(v) => return Ok(Some(key)),
            Some(_) if ctx.client.retrying_blocked => {}
            Some(_) => {
                ctx.out.extend_from_slice(WRONGTYPE);
                return Err(Replied);
            }
        }
    }
    Ok(None)
}

/// `BLPOP key... timeout`.
pub fn blpop(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    block_pop_list(ctx, args, true);
}

/// `BRPOP key... timeout`.
pub fn brpop(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    block_pop_list(ctx, args, false);
}

fn block_pop_list(ctx: &mut Ctx<'_>, args: &Args<'_>, front: bool) {
    let Ok(deadline) = timeout_arg(ctx, args.get(args.len() - 1)) else {
        return;
    };
    let keys = args.iter_from(1).take(args.len() - 2);
    let Ok(ready) = first_ready(ctx, keys, |v| matches!(v, Value::List(_))) else {
        return;
    };
    let Some(key) = ready else {
        park(ctx, args, deadline, NULL_ARRAY);
        return;
    };
    let popped = ctx
        .shared
        .store
        .pop(key, 1, front, ctx.now_ms)
        .unwrap_or_default();
    resp::array_header(ctx.out, 2);
    resp::bulk(ctx.out, key);
    resp::opt_bulk(ctx.out, popped.first().map(|v| v.as_slice()));
}

/// `BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout`.
pub fn blmove(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let Ok(from_head) = super::lists::side(ctx, args.get(3)) else {
        return;
    };
    let Ok(to_head) = super::lists::side(ctx, args.get(4)) else {
        return;
    };
    block_move(ctx, args, 5, from_head, to_head);
}

/// `BRPOPLPUSH source destination timeout`.
pub fn brpoplpush(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    block_move(ctx, args, 3, false, true);
}

fn block_move(
    ctx: &mut Ctx<'_>,
    args: &Args<'_>,
    timeout_at: usize,
    from_head: bool,
    to_head: bool,
) {
    let Ok(deadline) = timeout_arg(ctx, args.get(timeout_at)) else {
        return;
    };
    let src = args.get(1);
    let Ok(ready) = first_ready(ctx, core::iter::once(src), |v| matches!(v, Value::List(_))) else {
        return;
    };
    if ready.is_none() {
        park(ctx, args, deadline, NULL_BULK);
        return;
    }
    super::lists::move_element(ctx, src, args.get(2), from_head, to_head);
}

/// `BZPOPMIN key... timeout`: `[key, member, score]`.
pub fn bzpopmin(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    block_zpop(ctx, args, false);
}

/// `BZPOPMAX key... timeout`.
pub fn bzpopmax(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    block_zpop(ctx, args, true);
}

fn block_zpop(ctx: &mut Ctx<'_>, args: &Args<'_>, max: bool) {
    let Ok(deadline) = timeout_arg(ctx, args.get(args.len() - 1)) else {
        return;
    };
    let keys = args.iter_from(1).take(args.len() - 2);
    let Ok(ready) = first_ready(ctx, keys, |v| matches!(v, Value::ZSet(_))) else {
        return;
    };
    let Some(key) = ready else {
        park(ctx, args, deadline, NULL_ARRAY);
        return;
    };
    let popped = ctx.shared.store.zset_mut(key, ctx.now_ms, false, |z| {
        if max {
            z.pop_max(1)
        } else {
            z.pop_min(1)
        }
    });
    let popped = popped.ok().flatten().unwrap_or_default();
    match popped.first() {
        Some((m, s)) => {
            resp::array_header(ctx.out, 3);
            resp::bulk(ctx.out, key);
            resp::bulk(ctx.out, m);
            resp::double(ctx.out, *s);
        }
        None => ctx.out.extend_from_slice(NULL_ARRAY),
    }
}
