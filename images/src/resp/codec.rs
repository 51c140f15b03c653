//! The RESP2 client codec: command encoding and an incremental, borrowing reply parser.
//!
//! The parser never allocates: it returns slices into the caller's receive buffer, so checking a
//! reply costs one scan of its bytes. Arrays are parsed (their elements validated) but only
//! their length is reported, which is all a client here needs (a caller wanting an array's
//! raw bytes slices the buffer with the returned length). `loadgen` parses every reply of a
//! benchmark with it, so the functions are `#[inline]`: without LTO that is what lets them be
//! inlined across the crate boundary into its receive loop.

use thiserror::Error;

/// A reply that the server sent and that violates RESP framing.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum RespError {
    /// The first byte of a reply is not one of `+ - : $ *`.
    #[error("unexpected reply type byte {0:#04x}")]
    BadType(u8),
    /// A length or integer field is not a decimal number.
    #[error("malformed length or integer field")]
    BadNumber,
    /// A bulk string is not followed by CRLF.
    #[error("bulk string not terminated by CRLF")]
    BadBulkEnd,
    /// Arrays nest deeper than [`MAX_ARRAY_DEPTH`].
    #[error("array nesting deeper than {MAX_ARRAY_DEPTH}")]
    TooDeep,
}

/// Deepest array nesting accepted (INFO and friends never nest; this bounds recursion).
pub const MAX_ARRAY_DEPTH: usize = 8;

/// One parsed reply, borrowing from the receive buffer.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum Reply<'a> {
    /// `+OK`
    Simple(&'a [u8]),
    /// `-ERR ...`
    Error(&'a [u8]),
    /// `:42`
    Integer(i64),
    /// `$n ...` (`None` is the nil bulk `$-1`).
    Bulk(Option<&'a [u8]>),
    /// `*n ...` (`None` is the nil array); the number of elements.
    Array(Option<usize>),
}

/// Parses one reply at the start of `buf`.
///
/// Returns `Ok(None)` when `buf` holds only part of a reply (read more and call again), or the
/// reply and the number of bytes it occupied.
#[inline]
pub fn parse_reply(buf: &[u8]) -> Result<Option<(Reply<'_>, usize)>, RespError> {
    parse_at(buf, 0)
}

#[inline]
fn parse_at(buf: &[u8], depth: usize) -> Result<Option<(Reply<'_>, usize)>, RespError> {
    let Some(&kind) = buf.first() else {
        return Ok(None);
    };
    let Some(line_end) = find_crlf(&buf[1..]) else {
        return Ok(None);
    };
    let line = &buf[1..1 + line_end];
    let after_line = 1 + line_end + 2;
    match kind {
        b'+' => Ok(Some((Reply::Simple(line), after_line))),
        b'-' => Ok(Some((Reply::Error(line), after_line))),
        b':' => Ok(Some((Reply::Integer(parse_int(line)?), after_line))),
        b'$' => {
            let len = parse_int(line)?;
            if len < 0 {
                return Ok(Some((Reply::Bulk(None), after_line)));
            }
            let len = usize::try_from(len).map_err(|_| RespError::BadNumber)?;
            let end = after_line + len;
            if buf.len() < end + 2 {
                return Ok(None);
            }
            if &buf[end..end + 2] != b"\r\n" {
                return Err(RespError::BadBulkEnd);
            }
            Ok(Some((Reply::Bulk(Some(&buf[after_line..end])), end + 2)))
        }
        b'*' => {
            let count = parse_int(line)?;
            if count < 0 {
                return Ok(Some((Reply::Array(None), after_line)));
            }
            if depth >= MAX_ARRAY_DEPTH {
                return Err(RespError::TooDeep);
            }
            let count = usize::try_from(count).map_err(|_| RespError::BadNumber)?;
            let mut pos = after_line;
            for _ in 0..count {
                match parse_at(&buf[pos..], depth + 1)? {
                    Some((_, used)) => pos += used,
                    None => return Ok(None),
                }
            }
            Ok(Some((Reply::Array(Some(count)), pos)))
        }
        other => Err(RespError::BadType(other)),
    }
}

#[inline]
fn find_crlf(buf: &[u8]) -> Option<usize> {
    buf.windows(2).position(|w| w == b"\r\n")
}

#[inline]
fn parse_int(field: &[u8]) -> Result<i64, RespError> {
    let (negative, digits) = match field.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, field),
    };
    if digits.is_empty() || digits.len() > 18 {
        return Err(RespError::BadNumber);
    }
    let mut value: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return Err(RespError::BadNumber);
        }
        value = value * 10 + i64::from(d - b'0');
    }
    Ok(if negative { -value } else { value })
}

/// Appends `GET key` to `out`.
#[inline]
pub fn encode_get(out: &mut Vec<u8>, key: &[u8]) {
    out.extend_from_slice(b"*2\r\n$3\r\nGET\r\n");
    push_bulk(out, key);
}

/// Appends `SET key value` to `out`.
#[inline]
pub fn encode_set(out: &mut Vec<u8>, key: &[u8], value: &[u8]) {
    out.extend_from_slice(b"*3\r\n$3\r\nSET\r\n");
    push_bulk(out, key);
    push_bulk(out, value);
}

/// Appends an arbitrary command (e.g. `INFO`) to `out`.
#[inline]
pub fn encode_command(out: &mut Vec<u8>, args: &[&[u8]]) {
    out.push(b'*');
    push_decimal(out, args.len());
    out.extend_from_slice(b"\r\n");
    for arg in args {
        push_bulk(out, arg);
    }
}

#[inline]
fn push_bulk(out: &mut Vec<u8>, data: &[u8]) {
    out.push(b'$');
    push_decimal(out, data.len());
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
}

#[inline]
fn push_decimal(out: &mut Vec<u8>, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_reply_type() {
        assert_eq!(parse_reply(b"+OK\r\n"), Ok(Some((Reply::Simple(b"OK"), 5))));
        assert_eq!(
            parse_reply(b"-ERR x\r\n"),
            Ok(Some((Reply::Error(b"ERR x"), 8)))
        );
        assert_eq!(parse_reply(b":-12\r\n"), Ok(Some((Reply::Integer(-12), 6))));
        assert_eq!(
            parse_reply(b"$3\r\nabc\r\n"),
            Ok(Some((Reply::Bulk(Some(b"abc")), 9)))
        );
        assert_eq!(parse_reply(b"$-1\r\n"), Ok(Some((Reply::Bulk(None), 5))));
        assert_eq!(
            parse_reply(b"*2\r\n:1\r\n$1\r\na\r\n"),
            Ok(Some((Reply::Array(Some(2)), 15)))
        );
    }

    #[test]
    fn partial_replies_ask_for_more() {
        for whole in [
            &b"+OK\r\n"[..],
            b"$3\r\nabc\r\n",
            b"*2\r\n:1\r\n$1\r\na\r\n",
        ] {
            for cut in 0..whole.len() {
                assert_eq!(parse_reply(&whole[..cut]), Ok(None), "cut at {cut}");
            }
        }
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(parse_reply(b"?x\r\n"), Err(RespError::BadType(b'?')));
        assert_eq!(parse_reply(b"$x\r\n"), Err(RespError::BadNumber));
        assert_eq!(parse_reply(b"$1\r\nab\r\n"), Err(RespError::BadBulkEnd));
    }

    #[test]
    fn encodes_commands() {
        let mut out = Vec::new();
        encode_set(&mut out, b"k", b"vv");
        encode_get(&mut out, b"k");
        encode_command(&mut out, &[b"INFO"]);
        assert_eq!(
            out,
            b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nvv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nINFO\r\n"
        );
    }
}
