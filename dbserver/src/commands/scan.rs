//! Cursor iteration: SCAN SSCAN HSCAN ZSCAN with MATCH, COUNT (and TYPE for SCAN).
//!
//! The cursor is a position in a fixed order of elements, the order of a 64-bit hash of
//! each key or member: a call returns the (about) `COUNT` elements with the smallest hashes
//! not below the cursor, and the next cursor is just above the last hash returned. An
//! element present during the whole iteration has a fixed hash, so it is returned exactly
//! once whatever else is added or removed (Redis's guarantee); elements with equal hashes
//! are never split across calls. Each call walks the whole collection, so a full iteration
//! costs O(n²/COUNT): fine for the collection sizes clients iterate interactively.

use super::{eq_ignore_case, glob_match, Ctx, Replied, SYNTAX_ERROR, WRONGTYPE};
use crate::resp::{self, Args};
use crate::store::Value;
use alloc::collections::BinaryHeap;
use alloc::vec::Vec;

/// Elements a call returns without `COUNT` (Redis's default).
const DEFAULT_COUNT: usize = 10;
/// FNV-1a 64-bit parameters.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The fixed hash that orders the iteration.
fn order_hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(FNV_OFFSET, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(FNV_PRIME)
    })
}

/// Parsed `cursor [MATCH pattern] [COUNT count] [TYPE type]`.
struct Options<'a> {
    cursor: u64,
    pattern: Option<&'a [u8]>,
    count: usize,
    type_name: Option<&'a [u8]>,
}

fn parse<'a>(
    ctx: &mut Ctx<'_>,
    args: &Args<'a>,
    at: usize,
    allow_type: bool,
) -> Result<Options<'a>, Replied> {
    let cursor = core::str::from_utf8(args.get(at))
        .ok()
        .and_then(|s| s.parse::<u64>().ok());
    let Some(cursor) = cursor else {
        ctx.out.extend_from_slice(b"-ERR invalid cursor\r\n");
        return Err(Replied);
    };
    let mut o = Options {
        cursor,
        pattern: None,
        count: DEFAULT_COUNT,
        type_name: None,
    };
    let mut i = at + 1;
    while i < args.len() {
        let opt = args.get(i);
        if i + 1 >= args.len() {
            ctx.out.extend_from_slice(SYNTAX_ERROR);
            return Err(Replied);
        }
        if eq_ignore_case(opt, "match") {
            let p = args.get(i + 1);
            o.pattern = (p != b"*").then_some(p);
        } else if eq_ignore_case(opt, "count") {
            let n = super::int_arg(ctx.out, args, i + 1).ok_or(Replied)?;
            match usize::try_from(n) {
                Ok(n) if n >= 1 => o.count = n,
                _ => {
                    ctx.out.extend_from_slice(SYNTAX_ERROR);
                    return Err(Replied);
                }
            }
        } else if allow_type && eq_ignore_case(opt, "type") {
            o.type_name = Some(args.get(i + 1));
        } else {
            ctx.out.extend_from_slice(SYNTAX_ERROR);
            return Err(Replied);
        }
        i += 2;
    }
    Ok(o)
}

/// The indexes (into `hashes`) of the next page from `cursor`, and the next cursor.
fn page(hashes: &[u64], cursor: u64, count: usize) -> (Vec<usize>, u64) {
    // The `count` smallest hashes not below the cursor (a max-heap of them).
    let mut heap: BinaryHeap<u64> = BinaryHeap::new();
    for &h in hashes.iter().filter(|&&h| h >= cursor) {
        if heap.len() < count {
            heap.push(h);
        } else if heap.peek().is_some_and(|&top| h < top) {
            heap.pop();
            heap.push(h);
        }
    }
    let Some(&last) = heap.peek() else {
        return (Vec::new(), 0);
    };
    // Everything from the cursor up to and including `last` (ties included).
    let picked: Vec<usize> = (0..hashes.len())
        .filter(|&i| (cursor..=last).contains(&hashes[i]))
        .collect();
    let more = hashes.iter().any(|&h| h > last);
    let next = if more { last.wrapping_add(1) } else { 0 };
    (picked, next)
}

fn reply(out: &mut Vec<u8>, next: u64, items: &[&[u8]]) {
    resp::array_header(out, 2);
    let mut digits = resp::DecimalBuf::default();
    // Cursors above i64::MAX print as unsigned.
    if let Ok(n) = i64::try_from(next) {
        resp::bulk(out, digits.format(n));
    } else {
        resp::bulk(out, alloc::format!("{next}").as_bytes());
    }
    resp::array_header(out, items.len());
    for item in items {
        resp::bulk(out, item);
    }
}

/// `SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]`.
pub fn scan(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let Ok(o) = parse(ctx, args, 1, true) else {
        return;
    };
    let now_ms = ctx.now_ms;
    let keys: Vec<Vec<u8>> = ctx
        .shared
        .store
        .keys()
        .filter(|(_, at)| at.is_none_or(|at| at > now_ms))
        .map(|(k, _)| k.to_vec())
        .collect();
    let hashes: Vec<u64> = keys.iter().map(|k| order_hash(k)).collect();
    let (picked, next) = page(&hashes, o.cursor, o.count);
    let mut items: Vec<&[u8]> = Vec::new();
    for &i in &picked {
        let key = keys[i].as_slice();
        if o.pattern.is_some_and(|p| !glob_match(p, key)) {
            continue;
        }
        if let Some(t) = o.type_name {
            let found = ctx.shared.store.peek(key).map(|v| v.type_name());
            if !found.is_some_and(|name| eq_ignore_case(t, name)) {
                continue;
            }
        }
        items.push(key);
    }
    reply(ctx.out, next, &items);
}

/// `SSCAN`/`HSCAN`/`ZSCAN key cursor [MATCH pattern] [COUNT count]`.
fn scan_value(ctx: &mut Ctx<'_>, args: &Args<'_>, want: fn(&Value) -> bool) {
    let Ok(o) = parse(ctx, args, 2, false) else {
        return;
    };
    let mut out = Vec::new();
    // Elements as (the member or field, its value or score text).
    let mut elements: Vec<(&[u8], Option<Vec<u8>>)> = Vec::new();
    match ctx.shared.store.get(args.get(1), ctx.now_ms) {
        None => {}
        Some(v) if !want(v) => {
            ctx.out.extend_from_slice(WRONGTYPE);
            return;
        }
        Some(Value::Set(s)) => elements.extend(s.iter().map(|m| (m.as_slice(), None))),
        Some(Value::Hash(h)) => {
            elements.extend(h.iter().map(|(f, v)| (f.as_slice(), Some(v.clone()))));
        }
        Some(Value::ZSet(z)) => {
            for (m, s) in z.iter() {
                let mut text = Vec::new();
                resp::double_text(&mut text, s);
                elements.push((m, Some(text)));
            }
        }
        Some(_) => {}
    }
    let hashes: Vec<u64> = elements.iter().map(|(m, _)| order_hash(m)).collect();
    let (picked, next) = page(&hashes, o.cursor, o.count);
    let mut items: Vec<&[u8]> = Vec::new();
    for &i in &picked {
        let (m, v) = &elements[i];
        if o.pattern.is_some_and(|p| !glob_match(p, m)) {
            continue;
        }
        items.push(m);
        if let Some(v) = v {
            items.push(v);
        }
    }
    reply(&mut out, next, &items);
    ctx.out.extend_from_slice(&out);
}

/// `SSCAN key cursor [MATCH pattern] [COUNT count]`.
pub fn sscan(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    scan_value(ctx, args, |v| matches!(v, Value::Set(_)));
}

/// `HSCAN key cursor [MATCH pattern] [COUNT count]`.
pub fn hscan(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    scan_value(ctx, args, |v| matches!(v, Value::Hash(_)));
}

/// `ZSCAN key cursor [MATCH pattern] [COUNT count]`.
pub fn zscan(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    scan_value(ctx, args, |v| matches!(v, Value::ZSet(_)));
}
