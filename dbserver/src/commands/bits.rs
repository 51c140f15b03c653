//! Bit and sequence commands on strings: SETBIT GETBIT BITCOUNT LCS.

use super::strings::may_grow;
use super::{eq_ignore_case, int_arg, Ctx, SYNTAX_ERROR, WRONGTYPE};
use crate::resp::{self, Args};
use crate::store::Value;
use alloc::vec;
use alloc::vec::Vec;

/// Bits per byte.
const BITS_PER_BYTE: u64 = 8;
/// The reply to a bad bit offset.
const BAD_OFFSET: &[u8] = b"-ERR bit offset is not an integer or out of range\r\n";

/// A bit offset: non-negative and inside a string of at most `proto-max-bulk-len` bytes.
fn bit_offset(ctx: &mut Ctx<'_>, arg: &[u8]) -> Option<u64> {
    let max_bytes = ctx.shared.config.max_bulk_len as u64;
    let offset = resp::parse_i64(arg)
        .and_then(|n| u64::try_from(n).ok())
        .filter(|n| n / BITS_PER_BYTE < max_bytes);
    if offset.is_none() {
        ctx.out.extend_from_slice(BAD_OFFSET);
    }
    offset
}

/// The byte index and the mask of bit `offset` (bit 0 is the most significant).
fn locate(offset: u64) -> (usize, u8) {
    let byte = (offset / BITS_PER_BYTE) as usize;
    let mask = 0x80u8 >> (offset % BITS_PER_BYTE);
    (byte, mask)
}

/// `SETBIT key offset 0|1`: the bit's old value.
pub fn setbit(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let key = args.get(1);
    let Some(offset) = bit_offset(ctx, args.get(2)) else {
        return;
    };
    let on = match args.get(3) {
        b"1" => true,
        b"0" => false,
        _ => {
            ctx.out
                .extend_from_slice(b"-ERR bit is not an integer or out of range\r\n");
            return;
        }
    };
    let (byte, mask) = locate(offset);
    let len = match ctx.shared.store.get(key, ctx.now_ms) {
        None => 0,
        Some(Value::Str(s)) => s.len(),
        Some(_) => {
            ctx.out.extend_from_slice(WRONGTYPE);
            return;
        }
    };
    if byte >= len && !may_grow(ctx, byte + 1, byte + 1 - len) {
        return;
    }
    let old = ctx.shared.store.str_mut(key, ctx.now_ms, true, |s| {
        if s.len() <= byte {
            s.resize(byte + 1, 0);
        }
        let b = &mut s[byte];
        let old = *b & mask != 0;
        if on {
            *b |= mask;
        } else {
            *b &= !mask;
        }
        old
    });
    match old {
        Ok(old) => resp::integer(ctx.out, i64::from(old.unwrap_or(false))),
        Err(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}

/// `GETBIT key offset`.
pub fn getbit(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let Some(offset) = bit_offset(ctx, args.get(2)) else {
        return;
    };
    let (byte, mask) = locate(offset);
    match ctx.shared.store.get(args.get(1), ctx.now_ms) {
        None => resp::integer(ctx.out, 0),
        Some(Value::Str(s)) => {
            let bit = s.get(byte).is_some_and(|b| b & mask != 0);
            resp::integer(ctx.out, i64::from(bit));
        }
        Some(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}

/// `BITCOUNT key [start end [BYTE|BIT]]`.
pub fn bitcount(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let range = match args.len() {
        2 => None,
        4 | 5 => {
            let Some(start) = int_arg(ctx.out, args, 2) else {
                return;
            };
            let Some(end) = int_arg(ctx.out, args, 3) else {
                return;
            };
            let bits = match args.len() {
                5 if eq_ignore_case(args.get(4), "bit") => true,
                5 if eq_ignore_case(args.get(4), "byte") => false,
                5 => {
                    ctx.out.extend_from_slice(SYNTAX_ERROR);
                    return;
                }
                _ => false,
            };
            Some((start, end, bits))
        }
        _ => {
            ctx.out.extend_from_slice(SYNTAX_ERROR);
            return;
        }
    };
    let s = match ctx.shared.store.get(args.get(1), ctx.now_ms) {
        None => {
            resp::integer(ctx.out, 0);
            return;
        }
        Some(Value::Str(s)) => s,
        Some(_) => {
            ctx.out.extend_from_slice(WRONGTYPE);
            return;
        }
    };
    let Some((start, end, bits)) = range else {
        let n: u32 = s.iter().map(|b| b.count_ones()).sum();
        resp::integer(ctx.out, i64::from(n));
        return;
    };
    let unit = if bits { BITS_PER_BYTE as i64 } else { 1 };
    let total = (s.len() as i64).saturating_mul(unit);
    let from_end = |i: i64| if i < 0 { (total + i).max(0) } else { i };
    let (start, end) = (from_end(start), from_end(end).min(total - 1));
    if start > end || total == 0 {
        resp::integer(ctx.out, 0);
        return;
    }
    let count: i64 = if bits {
        let set = |&i: &i64| {
            let (byte, mask) = locate(i as u64);
            s.get(byte).is_some_and(|b| b & mask != 0)
        };
        (start..=end).filter(set).count() as i64
    } else {
        let bytes = s.get(start as usize..=end as usize).unwrap_or(&[]);
        bytes.iter().map(|b| i64::from(b.count_ones())).sum()
    };
    resp::integer(ctx.out, count);
}

/// `LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]`.
pub fn lcs(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let (mut len_only, mut idx, mut with_len, mut min_len) = (false, false, false, 0i64);
    let mut i = 3;
    while i < args.len() {
        let opt = args.get(i);
        if eq_ignore_case(opt, "len") {
            len_only = true;
        } else if eq_ignore_case(opt, "idx") {
            idx = true;
        } else if eq_ignore_case(opt, "withmatchlen") {
            with_len = true;
        } else if eq_ignore_case(opt, "minmatchlen") && i + 1 < args.len() {
            i += 1;
            let Some(n) = int_arg(ctx.out, args, i) else {
                return;
            };
            min_len = n.max(0);
        } else {
            ctx.out.extend_from_slice(SYNTAX_ERROR);
            return;
        }
        i += 1;
    }
    if len_only && idx {
        ctx.out.extend_from_slice(
            b"-ERR If you want both the length and indexes, please just use IDX.\r\n",
        );
        return;
    }
    let mut strings: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
    for (slot, key) in strings.iter_mut().zip([args.get(1), args.get(2)]) {
        match ctx.shared.store.get(key, ctx.now_ms) {
            None => {}
            Some(Value::Str(s)) => *slot = s.clone(),
            Some(_) => {
                ctx.out
                    .extend_from_slice(b"-ERR The specified keys must contain string values\r\n");
                return;
            }
        }
    }
    let [a, b] = &strings;
    let cells = (a.len() + 1).checked_mul(b.len() + 1);
    let limit = ctx.shared.config.max_bulk_len / core::mem::size_of::<u32>();
    let Some(cells) = cells.filter(|&c| c <= limit && c <= u32::MAX as usize) else {
        ctx.out.extend_from_slice(
            b"-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n",
        );
        return;
    };
    // table[i][j]: the LCS length of a[..i] and b[..j].
    let width = b.len() + 1;
    let mut table = vec![0u32; cells];
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            table[i * width + j] = if a[i - 1] == b[j - 1] {
                table[(i - 1) * width + j - 1] + 1
            } else {
                table[(i - 1) * width + j].max(table[i * width + j - 1])
            };
        }
    }
    let total = table[a.len() * width + b.len()] as usize;
    if len_only {
        resp::integer(ctx.out, total as i64);
        return;
    }
    // Walk back from the end, collecting the common string and the matching ranges.
    let mut common = vec![0u8; total];
    let mut matches: Vec<[(usize, usize); 2]> = Vec::new();
    let mut current: Option<[(usize, usize); 2]> = None;
    let (mut i, mut j, mut k) = (a.len(), b.len(), total);
    let flush = |current: &mut Option<[(usize, usize); 2]>, matches: &mut Vec<_>| {
        if let Some(m) = current.take() {
            let len = (m[0].1 - m[0].0 + 1) as i64;
            if len >= min_len {
                matches.push(m);
            }
        }
    };
    while i > 0 && j > 0 {
        if a[i - 1] == b[j - 1] {
            k -= 1;
            common[k] = a[i - 1];
            let (ai, bj) = (i - 1, j - 1);
            match &mut current {
                Some([ra, rb]) if ra.0 == ai + 1 && rb.0 == bj + 1 => {
                    ra.0 = ai;
                    rb.0 = bj;
                }
                _ => {
                    flush(&mut current, &mut matches);
                    current = Some([(ai, ai), (bj, bj)]);
                }
            }
            i -= 1;
            j -= 1;
        } else if table[(i - 1) * width + j] > table[i * width + j - 1] {
            i -= 1;
        } else {
            j -= 1;
        }
    }
    flush(&mut current, &mut matches);
    if !idx {
        resp::bulk(ctx.out, &common);
        return;
    }
    resp::array_header(ctx.out, 4);
    resp::bulk(ctx.out, b"matches");
    resp::array_header(ctx.out, matches.len());
    for m in &matches {
        resp::array_header(ctx.out, if with_len { 3 } else { 2 });
        for (from, to) in m {
            resp::array_header(ctx.out, 2);
            resp::integer(ctx.out, *from as i64);
            resp::integer(ctx.out, *to as i64);
        }
        if with_len {
            resp::integer(ctx.out, (m[0].1 - m[0].0 + 1) as i64);
        }
    }
    resp::bulk(ctx.out, b"len");
    resp::integer(ctx.out, total as i64);
}
