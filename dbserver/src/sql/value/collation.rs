//! The default collation (`utf8mb4_general_ci` approximated as ASCII case-insensitive with
//! PAD SPACE), character counts and LIKE matching.

use alloc::vec::Vec;
use core::cmp::Ordering;

/// The collation's weight of a byte: ASCII letters compare case-insensitively.
pub fn weight(b: u8) -> u8 {
    b.to_ascii_uppercase()
}

/// The bytes that matter for comparison: trailing spaces dropped (PAD SPACE).
pub fn trim_pad(t: &[u8]) -> &[u8] {
    let end = t.iter().rposition(|b| *b != b' ').map_or(0, |p| p + 1);
    t.get(..end).unwrap_or_default()
}

/// Compare two strings under the default collation.
pub fn collate_cmp(a: &[u8], b: &[u8]) -> Ordering {
    let (a, b) = (trim_pad(a), trim_pad(b));
    a.iter()
        .map(|c| weight(*c))
        .cmp(b.iter().map(|c| weight(*c)))
}

/// A string's sort key under the default collation (equal keys = equal strings).
pub fn collation_key(t: &[u8]) -> Vec<u8> {
    trim_pad(t).iter().map(|c| weight(*c)).collect()
}

/// Number of characters in UTF-8 text (bytes that are not continuation bytes).
pub fn char_count(t: &[u8]) -> usize {
    t.iter().filter(|b| (**b & 0xC0) != 0x80).count()
}

/// SQL LIKE with `%`, `_` and an escape character, case-insensitive like the collation.
/// Iterative (backtracking over the last `%`), so no recursion on client input.
pub fn like_match(text: &[u8], pattern: &[u8], escape: u8) -> bool {
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if let Some(&pc) = pattern.get(p) {
            if pc == b'%' {
                star = Some((p + 1, t));
                p += 1;
                continue;
            }
            if let Some(&tc) = text.get(t) {
                let (literal, plen) = if pc == escape && pattern.get(p + 1).is_some() {
                    (pattern.get(p + 1).copied(), 2)
                } else if pc == b'_' {
                    (None, 1)
                } else {
                    (Some(pc), 1)
                };
                let matches = match literal {
                    None => true,
                    Some(lc) => weight(lc) == weight(tc),
                };
                if matches {
                    // `_` matches one whole UTF-8 character.
                    t += if literal.is_none() { utf8_len(tc) } else { 1 };
                    p += plen;
                    continue;
                }
            } else if pattern
                .get(p..)
                .is_some_and(|rest| rest.iter().all(|c| *c == b'%'))
            {
                return true;
            }
        } else if t >= text.len() {
            return true;
        }
        match star {
            Some((sp, st)) if st < text.len() => {
                let next = st + utf8_len(text.get(st).copied().unwrap_or(0));
                star = Some((sp, next));
                p = sp;
                t = next;
            }
            _ => return false,
        }
    }
}

/// Length of the UTF-8 sequence that starts with byte `b` (1 for invalid bytes).
fn utf8_len(b: u8) -> usize {
    match b {
        0xF0..=0xF7 => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}
