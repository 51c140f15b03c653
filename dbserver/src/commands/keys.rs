//! Key-space commands: DEL EXISTS TYPE KEYS RENAME RENAMENX COPY RANDOMKEY OBJECT
//! MEMORY USAGE.

use super::admin::unknown_subcommand;
use super::random::ensure_seeded;
use super::{eq_ignore_case, glob_match, int_arg, wrong_arity, Ctx, SYNTAX_ERROR};
use crate::resp::{self, Args, NULL_BULK};
use crate::store::{Ttl, Value, ELEMENT_OVERHEAD_BYTES};
use alloc::vec::Vec;

/// `DEL key...` (also `UNLINK`).
pub fn del(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let removed = args
        .iter_from(1)
        .filter(|k| ctx.shared.store.delete(k, ctx.now_ms))
        .count();
    resp::integer(ctx.out, removed as i64);
}

/// `EXISTS key...`: how many of the keys exist (repeats count again).
pub fn exists(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let found = args
        .iter_from(1)
        .filter(|k| ctx.shared.store.exists(k, ctx.now_ms))
        .count();
    resp::integer(ctx.out, found as i64);
}

/// `TYPE key`.
pub fn type_(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let name = ctx
        .shared
        .store
        .get(args.get(1), ctx.now_ms)
        .map_or("none", |v| v.type_name());
    resp::simple(ctx.out, name.as_bytes());
}

/// `KEYS pattern` (walks the whole key space, like Redis).
pub fn keys(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let pattern = args.get(1);
    let now_ms = ctx.now_ms;
    let matched: Vec<Vec<u8>> = ctx
        .shared
        .store
        .keys()
        .filter(|(k, expire_at)| expire_at.is_none_or(|at| at > now_ms) && glob_match(pattern, k))
        .map(|(k, _)| k.to_vec())
        .collect();
    super::lists::bulk_array(ctx.out, &matched);
}

/// `RENAME key newkey`.
pub fn rename(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    rename_generic(ctx, args, false);
}

/// `RENAMENX key newkey`.
pub fn renamenx(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    rename_generic(ctx, args, true);
}

fn rename_generic(ctx: &mut Ctx<'_>, args: &Args<'_>, nx: bool) {
    let (src, dst) = (args.get(1), args.get(2));
    let store = &mut ctx.shared.store;
    if !store.exists(src, ctx.now_ms) {
        ctx.out.extend_from_slice(b"-ERR no such key\r\n");
        return;
    }
    if src == dst {
        if nx {
            resp::integer(ctx.out, 0);
        } else {
            ctx.out.extend_from_slice(resp::OK);
        }
        return;
    }
    if nx && store.exists(dst, ctx.now_ms) {
        resp::integer(ctx.out, 0);
        return;
    }
    if let Some((value, at)) = store.take(src, ctx.now_ms) {
        let ttl = at.map_or(Ttl::Clear, Ttl::At);
        store.put(dst, value, ttl, ctx.now_ms);
    }
    if nx {
        resp::integer(ctx.out, 1);
    } else {
        ctx.out.extend_from_slice(resp::OK);
    }
}

/// `COPY source destination [DB destination-db] [REPLACE]`.
pub fn copy(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let mut replace = false;
    let mut i = 3;
    while i < args.len() {
        let opt = args.get(i);
        if eq_ignore_case(opt, "replace") {
            replace = true;
        } else if eq_ignore_case(opt, "db") && i + 1 < args.len() {
            i += 1;
            let Some(db) = int_arg(ctx.out, args, i) else {
                return;
            };
            if db != 0 {
                ctx.out
                    .extend_from_slice(b"-ERR DB index is out of range\r\n");
                return;
            }
        } else {
            ctx.out.extend_from_slice(SYNTAX_ERROR);
            return;
        }
        i += 1;
    }
    let (src, dst) = (args.get(1), args.get(2));
    if src == dst {
        ctx.out
            .extend_from_slice(b"-ERR source and destination objects are the same\r\n");
        return;
    }
    let store = &mut ctx.shared.store;
    let Some(value) = store.get(src, ctx.now_ms).cloned() else {
        resp::integer(ctx.out, 0);
        return;
    };
    let at = store.expire_at_ms(src, ctx.now_ms).flatten();
    if !replace && store.exists(dst, ctx.now_ms) {
        resp::integer(ctx.out, 0);
        return;
    }
    store.put(dst, value, at.map_or(Ttl::Clear, Ttl::At), ctx.now_ms);
    resp::integer(ctx.out, 1);
}

/// `RANDOMKEY`.
pub fn randomkey(ctx: &mut Ctx<'_>, _args: &Args<'_>) {
    ensure_seeded(ctx);
    let key = ctx.shared.store.random_key(ctx.now_ms);
    resp::opt_bulk(ctx.out, key.as_deref());
}

/// Redis's small-encoding limits (`*-max-listpack-entries`/`-value`, `set-max-intset-entries`).
const SMALL_ENTRIES: usize = 128;
const SMALL_VALUE_BYTES: usize = 64;
const INTSET_ENTRIES: usize = 512;
/// Longest string Redis stores as `embstr`.
const EMBSTR_MAX_BYTES: usize = 44;

/// The encoding Redis 7.0 would report for `value` (ours is always the same structure).
fn encoding(value: &Value) -> &'static str {
    let small = |n: usize, max_item: usize| n <= SMALL_ENTRIES && max_item <= SMALL_VALUE_BYTES;
    match value {
        Value::Str(s) if s.len() <= 20 && resp::parse_i64(s).is_some() => "int",
        Value::Str(s) if s.len() <= EMBSTR_MAX_BYTES => "embstr",
        Value::Str(_) => "raw",
        Value::List(_) => "quicklist",
        Value::Set(s)
            if s.len() <= INTSET_ENTRIES && s.iter().all(|m| resp::parse_i64(m).is_some()) =>
        {
            "intset"
        }
        Value::Set(_) => "hashtable",
        Value::Hash(h) => {
            let longest = h.iter().map(|(f, v)| f.len().max(v.len())).max();
            if small(h.len(), longest.unwrap_or(0)) {
                "listpack"
            } else {
                "hashtable"
            }
        }
        Value::ZSet(z) => {
            let longest = z.range(0, z.len(), false).map(|(m, _)| m.len()).max();
            if small(z.len(), longest.unwrap_or(0)) {
                "listpack"
            } else {
                "skiplist"
            }
        }
    }
}

/// `OBJECT ENCODING|REFCOUNT|IDLETIME|FREQ key`, `OBJECT HELP`.
pub fn object(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let sub = args.get(1);
    if eq_ignore_case(sub, "help") && args.len() == 2 {
        resp::array_header(ctx.out, 1);
        resp::simple(ctx.out, b"OBJECT ENCODING|REFCOUNT|IDLETIME|FREQ <key>");
        return;
    }
    let known = ["encoding", "refcount", "idletime", "freq"];
    let Some(name) = known.iter().find(|k| eq_ignore_case(sub, k)) else {
        unknown_subcommand(ctx.out, sub, "OBJECT");
        return;
    };
    if args.len() != 3 {
        wrong_arity(ctx.out, &alloc::format!("object|{name}"));
        return;
    }
    let Some(value) = ctx.shared.store.get(args.get(2), ctx.now_ms) else {
        ctx.out.extend_from_slice(NULL_BULK);
        return;
    };
    if eq_ignore_case(sub, "encoding") {
        resp::bulk(ctx.out, encoding(value).as_bytes());
    } else if eq_ignore_case(sub, "refcount") {
        resp::integer(ctx.out, 1);
    } else if eq_ignore_case(sub, "idletime") {
        resp::integer(ctx.out, 0);
    } else {
        ctx.out.extend_from_slice(
            b"-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n",
        );
    }
}

/// `MEMORY USAGE key [SAMPLES n]`: the accounted bytes of the key.
pub fn memory(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let sub = args.get(1);
    if !eq_ignore_case(sub, "usage") {
        unknown_subcommand(ctx.out, sub, "MEMORY");
        return;
    }
    if args.len() != 3 && args.len() != 5 {
        wrong_arity(ctx.out, "memory|usage");
        return;
    }
    let key = args.get(2);
    match ctx.shared.store.accounted_key_bytes(key, ctx.now_ms) {
        Some(n) => resp::integer(ctx.out, n.saturating_add(ELEMENT_OVERHEAD_BYTES) as i64),
        None => ctx.out.extend_from_slice(NULL_BULK),
    }
}
