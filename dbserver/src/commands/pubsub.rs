//! Pub/sub: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH PUBSUB
//! CHANNELS|NUMSUB|NUMPAT. Messages for other connections go to the registry's outbox,
//! which the event loop delivers after each round.

use super::{eq_ignore_case, glob_match, Client, Ctx, Shared};
use crate::resp::{self, Args};
use alloc::vec::Vec;

/// A client's subscriptions.
#[derive(Debug, Default)]
pub struct Subscriptions {
    /// Subscribed channels.
    pub channels: Vec<Vec<u8>>,
    /// Subscribed patterns.
    pub patterns: Vec<Vec<u8>>,
}

/// Whether the client is in subscribed mode (only pub/sub commands, PING, QUIT, RESET).
pub(crate) fn subscribed(client: &Client) -> bool {
    client.subscriptions.is_some()
}

fn subs(client: &mut Client) -> &mut Subscriptions {
    client.subscriptions.get_or_insert_with(Default::default)
}

/// Leave subscribed mode once nothing is subscribed.
fn tidy(client: &mut Client) {
    if client
        .subscriptions
        .as_ref()
        .is_some_and(|s| s.channels.is_empty() && s.patterns.is_empty())
    {
        client.subscriptions = None;
    }
}

/// The reply to other commands in subscribed mode.
pub(crate) fn not_allowed(out: &mut Vec<u8>, name: &str) {
    out.extend_from_slice(b"-ERR Can't execute '");
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(
        b"': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
    );
}

/// `[kind, name, count]`, the confirmation of (un)subscribing.
fn confirm(out: &mut Vec<u8>, kind: &[u8], name: Option<&[u8]>, count: usize) {
    resp::array_header(out, 3);
    resp::bulk(out, kind);
    resp::opt_bulk(out, name);
    resp::integer(out, count as i64);
}

fn subscriptions(client: &Client) -> usize {
    client
        .subscriptions
        .as_ref()
        .map_or(0, |s| s.channels.len() + s.patterns.len())
}

/// `SUBSCRIBE channel...`.
pub fn subscribe(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    for ch in args.iter_from(1) {
        if ctx.shared.store.pubsub.subscribe(ch, ctx.client.id) {
            subs(ctx.client).channels.push(ch.to_vec());
        }
        confirm(ctx.out, b"subscribe", Some(ch), subscriptions(ctx.client));
    }
}

/// `PSUBSCRIBE pattern...`.
pub fn psubscribe(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    for p in args.iter_from(1) {
        if ctx.shared.store.pubsub.psubscribe(p, ctx.client.id) {
            subs(ctx.client).patterns.push(p.to_vec());
        }
        confirm(ctx.out, b"psubscribe", Some(p), subscriptions(ctx.client));
    }
}

/// `UNSUBSCRIBE [channel...]` (none: all).
pub fn unsubscribe(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    leave(ctx, args, Kind::Channel);
}

/// `PUNSUBSCRIBE [pattern...]` (none: all).
pub fn punsubscribe(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    leave(ctx, args, Kind::Pattern);
}

/// Channel or pattern subscriptions.
#[derive(Clone, Copy)]
enum Kind {
    Channel,
    Pattern,
}

/// Unsubscribe from the named channels or patterns (none named: from all), confirming each.
fn leave(ctx: &mut Ctx<'_>, args: &Args<'_>, kind: Kind) {
    let confirmation: &[u8] = match kind {
        Kind::Channel => b"unsubscribe",
        Kind::Pattern => b"punsubscribe",
    };
    let names: Vec<Vec<u8>> = if args.len() > 1 {
        args.iter_from(1).map(|c| c.to_vec()).collect()
    } else {
        ctx.client
            .subscriptions
            .as_ref()
            .map(|s| match kind {
                Kind::Channel => s.channels.clone(),
                Kind::Pattern => s.patterns.clone(),
            })
            .unwrap_or_default()
    };
    if names.is_empty() {
        confirm(ctx.out, confirmation, None, subscriptions(ctx.client));
    }
    for name in &names {
        let registry = &mut ctx.shared.store.pubsub;
        match kind {
            Kind::Channel => registry.unsubscribe(name, ctx.client.id),
            Kind::Pattern => registry.punsubscribe(name, ctx.client.id),
        };
        if let Some(s) = ctx.client.subscriptions.as_mut() {
            match kind {
                Kind::Channel => s.channels.retain(|c| c != name),
                Kind::Pattern => s.patterns.retain(|p| p != name),
            }
        }
        tidy(ctx.client);
        confirm(ctx.out, confirmation, Some(name), subscriptions(ctx.client));
    }
}

/// The client switched protocol (`HELLO`): messages published to it are framed accordingly.
pub(crate) fn protocol_changed(ctx: &mut Ctx<'_>) {
    let ps = &mut ctx.shared.store.pubsub;
    if ctx.client.resp3 {
        ps.resp3_clients.insert(ctx.client.id);
    } else {
        ps.resp3_clients.remove(&ctx.client.id);
    }
}

/// Drop every subscription of a disconnecting client.
pub(crate) fn forget(shared: &mut Shared, client: &mut Client) {
    shared.store.pubsub.resp3_clients.remove(&client.id);
    let Some(s) = client.subscriptions.take() else {
        return;
    };
    for ch in &s.channels {
        shared.store.pubsub.unsubscribe(ch, client.id);
    }
    for p in &s.patterns {
        shared.store.pubsub.punsubscribe(p, client.id);
    }
}

/// `PUBLISH channel message`: the number of clients that received it.
pub fn publish(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let (ch, msg) = (args.get(1), args.get(2));
    let ps = &mut ctx.shared.store.pubsub;
    let mut receivers = 0usize;
    if let Some(ids) = ps.channels.get(ch) {
        let mut push = Vec::new();
        resp::array_header(&mut push, 3);
        resp::bulk(&mut push, b"message");
        resp::bulk(&mut push, ch);
        resp::bulk(&mut push, msg);
        for &id in ids {
            ps.outbox.push((id, framed(&ps.resp3_clients, id, &push)));
            receivers += 1;
        }
    }
    let matches: Vec<(Vec<u8>, u64)> = ps
        .patterns
        .iter()
        .filter(|(p, _)| glob_match(p, ch))
        .cloned()
        .collect();
    for (p, id) in matches {
        let mut push = Vec::new();
        resp::array_header(&mut push, 4);
        resp::bulk(&mut push, b"pmessage");
        resp::bulk(&mut push, &p);
        resp::bulk(&mut push, ch);
        resp::bulk(&mut push, msg);
        ps.outbox.push((id, framed(&ps.resp3_clients, id, &push)));
        receivers += 1;
    }
    resp::integer(ctx.out, receivers as i64);
}

/// A message for client `id`: as built (a RESP2 array) or, for a RESP3 client, as a push.
fn framed(resp3_clients: &crate::hash::HashSet<u64>, id: u64, message: &[u8]) -> Vec<u8> {
    let mut out = message.to_vec();
    if resp3_clients.contains(&id) {
        resp::resp3::rewrite(&mut out, 0, resp::resp3::Shape::Push);
    }
    out
}

/// `PUBSUB CHANNELS [pattern]` / `NUMSUB [channel...]` / `NUMPAT`.
pub fn pubsub(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let sub = args.get(1);
    let ps = &ctx.shared.store.pubsub;
    if eq_ignore_case(sub, "channels") && args.len() <= 3 {
        let pattern = (args.len() == 3).then(|| args.get(2));
        let names: Vec<Vec<u8>> = ps
            .channels
            .keys()
            .filter(|c| pattern.is_none_or(|p| glob_match(p, c)))
            .cloned()
            .collect();
        super::lists::bulk_array(ctx.out, &names);
    } else if eq_ignore_case(sub, "numsub") {
        resp::array_header(ctx.out, (args.len() - 2) * 2);
        for ch in args.iter_from(2) {
            resp::bulk(ctx.out, ch);
            resp::integer(ctx.out, ps.channels.get(ch).map_or(0, |v| v.len()) as i64);
        }
    } else if eq_ignore_case(sub, "numpat") && args.len() == 2 {
        // Patterns with at least one subscriber, each counted once.
        let mut unique: Vec<&[u8]> = ps.patterns.iter().map(|(p, _)| p.as_slice()).collect();
        unique.sort_unstable();
        unique.dedup();
        resp::integer(ctx.out, unique.len() as i64);
    } else {
        super::admin::unknown_subcommand(ctx.out, sub, "PUBSUB");
    }
}
