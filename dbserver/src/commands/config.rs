//! `CONFIG GET/SET/RESETSTAT`: the settings the server has, and the compact-encoding
//! thresholds Redis exposes (accepted and remembered; see [`ENCODING_HINTS`]).

use super::admin::unknown_subcommand;
use super::{eq_ignore_case, glob_match, wrong_arity, Ctx};
use crate::config::parse_size;
use crate::durability::Fsync;
use crate::resp::{self, Args, OK};
use crate::store::{EncodingHint, ENCODING_HINTS};
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// `CONFIG GET pattern...` / `CONFIG SET name value...` / `CONFIG RESETSTAT`.
pub fn config(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let sub = args.get(1);
    if eq_ignore_case(sub, "get") && args.len() >= 3 {
        let params = config_params(ctx);
        let matched: Vec<&(&str, String)> = params
            .iter()
            .filter(|(name, _)| {
                args.iter_from(2)
                    .any(|p| glob_match(&p.to_ascii_lowercase(), name.as_bytes()))
            })
            .collect();
        resp::array_header(ctx.out, matched.len() * 2);
        for (name, value) in matched {
            resp::bulk(ctx.out, name.as_bytes());
            resp::bulk(ctx.out, value.as_bytes());
        }
    } else if eq_ignore_case(sub, "set") && args.len() >= 4 && args.len().is_multiple_of(2) {
        config_set(ctx, args);
    } else if eq_ignore_case(sub, "resetstat") && args.len() == 2 {
        ctx.shared.stats.reset();
        ctx.out.extend_from_slice(OK);
    } else if eq_ignore_case(sub, "get") || eq_ignore_case(sub, "set") {
        let mut name = String::from("config|");
        name.push_str(&String::from_utf8_lossy(sub).to_ascii_lowercase());
        wrong_arity(ctx.out, &name);
    } else {
        unknown_subcommand(ctx.out, sub, "CONFIG");
    }
}

/// Parameters `CONFIG GET` knows, with their current values.
fn config_params(ctx: &Ctx<'_>) -> Vec<(&'static str, String)> {
    let c = &ctx.shared.config;
    let [a, b, cc, d] = c.bind;
    let mut params = alloc::vec![
        ("save", String::new()),
        (
            "appendonly",
            if c.appendonly { "yes" } else { "no" }.to_string()
        ),
        ("appendfsync", c.appendfsync.to_string()),
        ("disk", c.disk.clone().unwrap_or_default()),
        ("maxmemory", c.maxmemory.to_string()),
        ("maxmemory-policy", "noeviction".to_string()),
        ("maxclients", c.maxclients.to_string()),
        ("port", c.port.to_string()),
        ("bind", alloc::format!("{a}.{b}.{cc}.{d}")),
        ("requirepass", c.requirepass.clone().unwrap_or_default()),
        ("proto-max-bulk-len", c.max_bulk_len.to_string()),
        ("client-query-buffer-limit", c.max_query_buffer.to_string()),
        ("databases", "1".to_string()),
        ("timeout", "0".to_string()),
    ];
    let hints = &ctx.shared.store.encoding_hints;
    // Redis 7.0 answers `CONFIG GET` for both names of a renamed setting.
    for h in ENCODING_HINTS {
        params.push((h.name, hints.get(h.name).to_string()));
        if h.alias != h.name {
            params.push((h.alias, hints.get(h.name).to_string()));
        }
    }
    params
}

fn config_set(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    // Validate everything first so that a failed CONFIG SET changes nothing.
    let mut next = ctx.shared.config.clone();
    let mut hints = Vec::new();
    let mut i = 2;
    while i + 1 < args.len() {
        let (name, value) = (args.get(i).to_ascii_lowercase(), args.get(i + 1));
        let text = core::str::from_utf8(value).unwrap_or("");
        let size = parse_size(text).ok();
        let slot = match name.as_slice() {
            b"maxmemory" => Some(&mut next.maxmemory),
            b"maxclients" => Some(&mut next.maxclients),
            b"proto-max-bulk-len" => Some(&mut next.max_bulk_len),
            b"client-query-buffer-limit" => Some(&mut next.max_query_buffer),
            b"requirepass" => {
                next.requirepass = (!text.is_empty()).then(|| text.to_string());
                None
            }
            b"save" => None,
            b"appendfsync" => {
                let Some(policy) = Fsync::parse(text) else {
                    invalid_argument(ctx.out, value, &name);
                    return;
                };
                next.appendfsync = policy;
                None
            }
            // The log is opened and replayed at start-up only: a change would need a
            // rewrite of the whole data set into it (or leave it behind the data).
            b"appendonly" | b"disk" => {
                let current = if name == b"disk" {
                    next.disk.as_deref().unwrap_or("")
                } else if next.appendonly {
                    "yes"
                } else {
                    "no"
                };
                if !text.eq_ignore_ascii_case(current) {
                    let mut msg = Vec::from(&b"ERR CONFIG SET failed - '"[..]);
                    msg.extend_from_slice(&name);
                    msg.extend_from_slice(b"' can only be set at start-up");
                    resp::error(ctx.out, &msg);
                    return;
                }
                None
            }
            hint if find_hint(hint).is_some() => {
                let Some(v) = resp::parse_i64(value) else {
                    invalid_argument(ctx.out, value, &name);
                    return;
                };
                hints.push((find_hint(hint).map_or("", |h| h.name), v));
                None
            }
            _ => {
                let mut msg =
                    Vec::from(&b"ERR Unknown option or number of arguments for CONFIG SET - '"[..]);
                msg.extend_from_slice(args.get(i));
                msg.push(b'\'');
                resp::error(ctx.out, &msg);
                return;
            }
        };
        if let Some(slot) = slot {
            match size.filter(|&s| s > 0 || name == b"maxmemory") {
                Some(s) => *slot = s,
                None => {
                    invalid_argument(ctx.out, value, &name);
                    return;
                }
            }
        }
        i += 2;
    }
    ctx.shared.config = next;
    for (name, v) in hints {
        ctx.shared.store.encoding_hints.set(name, v);
    }
    ctx.out.extend_from_slice(OK);
}

/// Redis 7.0's reply to a value a setting does not accept.
fn invalid_argument(out: &mut Vec<u8>, value: &[u8], name: &[u8]) {
    let mut msg = Vec::from(&b"ERR CONFIG SET failed (possibly related to argument '"[..]);
    msg.extend_from_slice(name);
    msg.extend_from_slice(b"') - Invalid argument '");
    msg.extend_from_slice(value);
    msg.extend_from_slice(b"'");
    resp::error(out, &msg);
}

/// Looks up an encoding threshold by its name or its Redis 6 alias (`ziplist` for
/// `listpack`).
fn find_hint(name: &[u8]) -> Option<&'static EncodingHint> {
    ENCODING_HINTS
        .iter()
        .find(|h| h.name.as_bytes() == name || h.alias.as_bytes() == name)
}
