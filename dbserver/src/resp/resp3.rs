//! RESP3 for clients that sent `HELLO 3`: the commands write RESP2, and the reply is
//! rewritten here according to the command's [`Shape`] (which arrays are maps, sets or
//! pushes, which bulk strings are doubles). Nulls become `_` everywhere. RESP2 clients never
//! pay for this: the dispatcher calls [`rewrite`] only for RESP3 connections.

use alloc::vec::Vec;

/// How a command's RESP2 reply maps onto RESP3.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Only nulls change.
    Plain,
    /// Top-level arrays of `key, value, ...` become maps (`HGETALL`, `CONFIG GET`, `HELLO`).
    Map,
    /// Top-level arrays become sets (`SMEMBERS`, `SINTER`, ...).
    Set,
    /// Top-level bulk strings become doubles (`ZSCORE`, `ZINCRBY`).
    Double,
    /// The elements of top-level arrays become doubles (`ZMSCORE`).
    Doubles,
    /// Flat `member, score, ...` arrays become arrays of `[member, score]` pairs with double
    /// scores (`WITHSCORES`).
    ScorePairs,
    /// Flat `field, value, ...` arrays become arrays of `[field, value]` pairs
    /// (`HRANDFIELD ... WITHVALUES`).
    Pairs,
    /// The last element of top-level arrays becomes a double (`BZPOPMIN`, `ZPOPMIN` without
    /// a count).
    LastDouble,
    /// `[key, [[member, score], ...]]`: the scores become doubles (`ZMPOP`, `BZMPOP`).
    KeyAndPairs,
    /// Top-level arrays become push messages (pub/sub confirmations).
    Push,
    /// Top-level bulk strings become verbatim text (`INFO`).
    Verbatim,
}

/// The RESP3 null.
pub const NULL: &[u8] = b"_\r\n";

/// Rewrite the RESP2 replies in `out[from..]` as RESP3 of the given shape. Replies that do
/// not parse (which the encoder never produces) are left as they are.
pub fn rewrite(out: &mut Vec<u8>, from: usize, shape: Shape) {
    let Some(reply) = out.get(from..) else {
        return;
    };
    let mut converted = Vec::with_capacity(reply.len());
    let mut pos = 0;
    while pos < reply.len() {
        match convert_top(reply, pos, shape, &mut converted) {
            Some(next) => pos = next,
            None => return,
        }
    }
    out.truncate(from);
    out.extend_from_slice(&converted);
}

/// The header line at `pos`: its type byte, its number and the position after its CRLF.
fn header(buf: &[u8], pos: usize) -> Option<(u8, i64, usize)> {
    let kind = *buf.get(pos)?;
    let end = pos + buf.get(pos..)?.windows(2).position(|w| w == b"\r\n")?;
    let line = buf.get(pos + 1..end)?;
    let n = if matches!(kind, b'$' | b'*' | b'%' | b'~' | b'>' | b'=') {
        super::parse_i64(line)?
    } else {
        0
    };
    Some((kind, n, end + 2))
}

/// Convert one top-level value at `pos`; returns the position after it.
fn convert_top(buf: &[u8], pos: usize, shape: Shape, out: &mut Vec<u8>) -> Option<usize> {
    let (kind, n, body) = header(buf, pos)?;
    match (shape, kind) {
        (Shape::Double, b'$') | (Shape::Verbatim, b'$') if n >= 0 => {
            let payload = bulk_payload(buf, body, n)?;
            if shape == Shape::Double {
                double(out, payload);
            } else {
                verbatim(out, payload);
            }
            Some(body + payload.len() + 2)
        }
        (Shape::Map | Shape::Set | Shape::Push, b'*') if n >= 0 => {
            let (marker, count) = match shape {
                Shape::Map => (b'%', n / 2),
                Shape::Set => (b'~', n),
                _ => (b'>', n),
            };
            aggregate_header(out, marker, count);
            elements(buf, body, n, out, |_, _| false)
        }
        (Shape::Doubles, b'*') if n >= 0 => {
            aggregate_header(out, b'*', n);
            elements(buf, body, n, out, |_, _| true)
        }
        (Shape::LastDouble, b'*') if n >= 0 => {
            aggregate_header(out, b'*', n);
            elements(buf, body, n, out, |i, n| i + 1 == n)
        }
        (Shape::ScorePairs | Shape::Pairs, b'*') if n >= 0 && n % 2 == 0 => {
            pairs(buf, body, n / 2, shape == Shape::ScorePairs, out)
        }
        (Shape::KeyAndPairs, b'*') if n == 2 => {
            aggregate_header(out, b'*', 2);
            let after_key = convert_plain(buf, body, out)?;
            let (inner_kind, m, inner_body) = header(buf, after_key)?;
            if inner_kind != b'*' || m < 0 {
                return convert_plain(buf, after_key, out);
            }
            aggregate_header(out, b'*', m);
            let mut p = inner_body;
            for _ in 0..m {
                let (_, two, pair_body) = header(buf, p)?;
                aggregate_header(out, b'*', two);
                p = elements(buf, pair_body, two, out, |i, n| i + 1 == n)?;
            }
            Some(p)
        }
        _ => convert_plain(buf, pos, out),
    }
}

/// Convert `n` elements from `pos`, those `as_double(index, n)` selects as doubles.
fn elements(
    buf: &[u8],
    mut pos: usize,
    n: i64,
    out: &mut Vec<u8>,
    as_double: impl Fn(i64, i64) -> bool,
) -> Option<usize> {
    for i in 0..n {
        pos = if as_double(i, n) {
            convert_double(buf, pos, out)?
        } else {
            convert_plain(buf, pos, out)?
        };
    }
    Some(pos)
}

/// `count` flat pairs from `pos` as an array of two-element arrays.
fn pairs(buf: &[u8], mut pos: usize, count: i64, scores: bool, out: &mut Vec<u8>) -> Option<usize> {
    aggregate_header(out, b'*', count);
    for _ in 0..count {
        aggregate_header(out, b'*', 2);
        pos = convert_plain(buf, pos, out)?;
        pos = if scores {
            convert_double(buf, pos, out)?
        } else {
            convert_plain(buf, pos, out)?
        };
    }
    Some(pos)
}

/// A bulk string at `pos` as a double (anything else unchanged but for nulls).
fn convert_double(buf: &[u8], pos: usize, out: &mut Vec<u8>) -> Option<usize> {
    match header(buf, pos)? {
        (b'$', n, body) if n >= 0 => {
            let payload = bulk_payload(buf, body, n)?;
            double(out, payload);
            Some(body + payload.len() + 2)
        }
        _ => convert_plain(buf, pos, out),
    }
}

/// Copy the value at `pos` with every null replaced by `_`; returns the position after it.
fn convert_plain(buf: &[u8], pos: usize, out: &mut Vec<u8>) -> Option<usize> {
    let (kind, n, body) = header(buf, pos)?;
    match kind {
        b'$' | b'*' if n < 0 => {
            out.extend_from_slice(NULL);
            Some(body)
        }
        b'$' | b'=' => {
            let end = body + usize::try_from(n).ok()? + 2;
            out.extend_from_slice(buf.get(pos..end)?);
            Some(end)
        }
        b'*' | b'~' | b'>' | b'%' => {
            out.extend_from_slice(buf.get(pos..body)?);
            let count = if kind == b'%' { n.checked_mul(2)? } else { n };
            elements(buf, body, count, out, |_, _| false)
        }
        _ => {
            out.extend_from_slice(buf.get(pos..body)?);
            Some(body)
        }
    }
}

fn bulk_payload(buf: &[u8], body: usize, n: i64) -> Option<&[u8]> {
    buf.get(body..body.checked_add(usize::try_from(n).ok()?)?)
}

fn aggregate_header(out: &mut Vec<u8>, marker: u8, n: i64) {
    out.push(marker);
    super::push_decimal(out, n);
    out.extend_from_slice(b"\r\n");
}

fn double(out: &mut Vec<u8>, text: &[u8]) {
    out.push(b',');
    out.extend_from_slice(text);
    out.extend_from_slice(b"\r\n");
}

/// `=<len>\r\ntxt:<text>\r\n`.
fn verbatim(out: &mut Vec<u8>, text: &[u8]) {
    /// The `txt:` format prefix's length.
    const FORMAT_LEN: usize = 4;
    out.push(b'=');
    super::push_decimal(out, (text.len() + FORMAT_LEN) as i64);
    out.extend_from_slice(b"\r\ntxt:");
    out.extend_from_slice(text);
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests;
