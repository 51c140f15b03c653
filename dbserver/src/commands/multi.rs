//! Transactions: MULTI EXEC DISCARD WATCH UNWATCH. Commands of a transaction are queued
//! (owned copies of their arguments) and run back to back by EXEC; a command refused while
//! queueing (unknown, wrong arity) makes EXEC answer `EXECABORT`. WATCH records the
//! version of each key; EXEC answers a null array when any changed.

use super::{Ctx, Dispatcher};
use crate::resp::{self, Args, NULL_ARRAY, OK};
use alloc::vec::Vec;

/// Most commands one transaction may queue (their arguments are held in memory).
const MAX_QUEUED: usize = 1 << 20;

/// One queued command: its arguments concatenated, and their `(start, end)` offsets.
pub(crate) type Queued = (Vec<u8>, Vec<(usize, usize)>);

/// A transaction being queued.
#[derive(Debug, Default)]
pub struct Multi {
    /// The queued commands.
    queued: Vec<Queued>,
    /// A command was refused while queueing: EXEC aborts.
    failed: bool,
}

/// Queue a command of an open transaction and reply `+QUEUED`.
pub(crate) fn queue(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let Some(multi) = ctx.client.multi.as_mut() else {
        return;
    };
    if multi.queued.len() >= MAX_QUEUED {
        multi.failed = true;
        ctx.out
            .extend_from_slice(b"-ERR too many commands queued in MULTI\r\n");
        return;
    }
    let mut data = Vec::new();
    let mut ranges = Vec::with_capacity(args.len());
    for a in args.iter_from(0) {
        let start = data.len();
        data.extend_from_slice(a);
        ranges.push((start, data.len()));
    }
    multi.queued.push((data, ranges));
    resp::simple(ctx.out, b"QUEUED");
}

/// Mark the open transaction (if any) as failed.
pub(crate) fn fail(ctx: &mut Ctx<'_>) {
    if let Some(multi) = ctx.client.multi.as_mut() {
        multi.failed = true;
    }
}

/// `MULTI`.
pub fn multi(ctx: &mut Ctx<'_>, _args: &Args<'_>) {
    if ctx.client.multi.is_some() {
        ctx.out
            .extend_from_slice(b"-ERR MULTI calls can not be nested\r\n");
        return;
    }
    ctx.client.multi = Some(alloc::boxed::Box::default());
    ctx.out.extend_from_slice(OK);
}

/// `DISCARD`.
pub fn discard(ctx: &mut Ctx<'_>, _args: &Args<'_>) {
    if ctx.client.multi.take().is_none() {
        ctx.out.extend_from_slice(b"-ERR DISCARD without MULTI\r\n");
        return;
    }
    unwatch_all(ctx);
    ctx.out.extend_from_slice(OK);
}

/// `WATCH key...`.
pub fn watch(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    if ctx.client.multi.is_some() {
        ctx.out
            .extend_from_slice(b"-ERR WATCH inside MULTI is not allowed\r\n");
        return;
    }
    for key in args.iter_from(1) {
        if ctx.client.watched.iter().any(|(k, _)| k == key) {
            continue;
        }
        // Touch the key first so an already expired one is collected (and not counted
        // as a change later).
        ctx.shared.store.exists(key, ctx.now_ms);
        let version = ctx.shared.store.watch(key);
        ctx.client.watched.push((key.to_vec(), version));
    }
    ctx.out.extend_from_slice(OK);
}

/// `UNWATCH`.
pub fn unwatch(ctx: &mut Ctx<'_>, _args: &Args<'_>) {
    unwatch_all(ctx);
    ctx.out.extend_from_slice(OK);
}

/// Drop every watch of the client (also when it disconnects).
pub(crate) fn unwatch_all(ctx: &mut Ctx<'_>) {
    for (key, _) in core::mem::take(&mut ctx.client.watched) {
        ctx.shared.store.unwatch(&key);
    }
}

/// The table's handler of `EXEC`: the dispatcher runs [`exec`] instead (it needs itself
/// to run the queued commands), so this only answers as Redis does without `MULTI`.
pub fn exec_without_dispatcher(ctx: &mut Ctx<'_>, _args: &Args<'_>) {
    ctx.out.extend_from_slice(b"-ERR EXEC without MULTI\r\n");
}

/// `EXEC`: run the queued commands, replying with an array of their replies.
pub(crate) fn exec(dispatcher: &Dispatcher, ctx: &mut Ctx<'_>) {
    let Some(multi) = ctx.client.multi.take() else {
        ctx.out.extend_from_slice(b"-ERR EXEC without MULTI\r\n");
        return;
    };
    let store = &ctx.shared.store;
    let changed = ctx
        .client
        .watched
        .iter()
        .any(|(k, v)| store.watch_version(k) != *v);
    unwatch_all(ctx);
    if multi.failed {
        ctx.out
            .extend_from_slice(b"-EXECABORT Transaction discarded because of previous errors.\r\n");
        return;
    }
    if changed {
        ctx.out.extend_from_slice(NULL_ARRAY);
        return;
    }
    resp::array_header(ctx.out, multi.queued.len());
    ctx.client.in_exec = true;
    for (data, ranges) in &multi.queued {
        dispatcher.execute(ctx, &Args::new(data, ranges));
    }
    ctx.client.in_exec = false;
}

/// Bytes the queued writes of the open transaction would log (0: none is a write), so
/// that `EXEC` is refused whole when the log cannot take them.
pub(crate) fn queued_write_bytes(client: &super::Client, is_write: fn(&[u8]) -> bool) -> usize {
    let Some(multi) = &client.multi else {
        return 0;
    };
    multi
        .queued
        .iter()
        .map(|(data, ranges)| Args::new(data, ranges))
        .filter(|args| is_write(args.get(0)))
        .map(|args| crate::durability::encoded_len(args.iter_from(0)))
        .sum()
}

/// End the open transaction without running it (after `EXEC` was refused).
pub(crate) fn discard_queued(ctx: &mut Ctx<'_>) {
    ctx.client.multi = None;
    unwatch_all(ctx);
}
