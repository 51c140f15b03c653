//! RESP2: an incremental request parser (multibulk and inline) and the reply encoder.
//!
//! The parser never copies multibulk arguments: it records `(start, end)` ranges into the
//! connection's read buffer. Inline commands (rare: `PING` typed in telnet, redis-benchmark's
//! `PING_INLINE`) are unescaped into a small scratch buffer owned by the parser.
//! The reply encoder lives in [`reply`] and is re-exported here.

mod args;
mod inline;
mod limits;
mod reply;
pub mod resp3;
#[cfg(test)]
mod tests;

pub use args::Args;
pub use limits::{
    Limits, ProtocolError, INLINE_MAX_BYTES, MULTIBULK_MAX_ARGS, UNAUTHENTICATED_MAX_ARGS,
    UNAUTHENTICATED_MAX_BULK_BYTES,
};
pub use reply::*;

use alloc::vec::Vec;
use inline::split_args;

/// Bytes of the `\r\n` that terminates every RESP line.
const CRLF_LEN: usize = 2;

/// Incremental request parser; one per connection. It keeps its position inside a
/// partially received multibulk request, so a large request is scanned only once.
#[derive(Default)]
pub struct Parser {
    /// Arguments still expected in the current multibulk request (0: between requests).
    remaining: usize,
    /// Bytes of the current request already parsed.
    pos: usize,
    /// Argument ranges, relative to the start of the current request.
    ranges: Vec<(usize, usize)>,
    /// Unescaped inline arguments.
    scratch: Vec<u8>,
    /// The last complete request was inline (its ranges point into `scratch`).
    inline: bool,
}

impl Parser {
    /// Parse one request from `buf`, which starts where the previous request ended.
    /// `Ok(Some(n))`: a request of `n` bytes is complete; read it with [`Parser::args`]
    /// (it may have no arguments: empty lines and `*0` are skipped by the caller).
    /// `Ok(None)`: more bytes are needed; call again with the same start and more data.
    pub fn parse(&mut self, buf: &[u8], limits: &Limits) -> Result<Option<usize>, ProtocolError> {
        if self.remaining == 0 && self.pos == 0 {
            self.ranges.clear();
            self.inline = false;
            match buf.first() {
                None => return Ok(None),
                Some(b'*') => {}
                Some(_) => return self.parse_inline(buf),
            }
            let Some((count, next)) = header(buf, 1, ProtocolError::TooBigMultibulkCount)? else {
                return Ok(None);
            };
            let max_args = if limits.unauthenticated {
                UNAUTHENTICATED_MAX_ARGS
            } else {
                MULTIBULK_MAX_ARGS
            };
            let count = count.ok_or(ProtocolError::InvalidMultibulkLength)?;
            if count > max_args as i64 {
                return Err(ProtocolError::InvalidMultibulkLength);
            }
            if count <= 0 {
                return Ok(Some(next));
            }
            // `count <= MULTIBULK_MAX_ARGS`, so the conversion is exact.
            self.remaining = count as usize;
            self.pos = next;
            // Reserve modestly: the count is client-controlled.
            self.ranges
                .reserve(self.remaining.min(UNAUTHENTICATED_MAX_ARGS));
        }
        self.parse_bulks(buf, limits)
    }

    /// The arguments of the request `parse` just completed; `buf` must be the slice that
    /// was passed to that call.
    pub fn args<'a>(&'a self, buf: &'a [u8]) -> Args<'a> {
        let data = if self.inline { &self.scratch[..] } else { buf };
        Args::new(data, &self.ranges)
    }

    /// Parse the `$<len>\r\n<bytes>\r\n` arguments of a multibulk request.
    fn parse_bulks(&mut self, buf: &[u8], limits: &Limits) -> Result<Option<usize>, ProtocolError> {
        let max_bulk = if limits.unauthenticated {
            limits.max_bulk_len.min(UNAUTHENTICATED_MAX_BULK_BYTES)
        } else {
            limits.max_bulk_len
        };
        while self.remaining > 0 {
            let Some(&first) = buf.get(self.pos) else {
                return Ok(None);
            };
            if first != b'$' {
                return Err(ProtocolError::ExpectedDollar(first));
            }
            let Some((len, data_start)) =
                header(buf, self.pos + 1, ProtocolError::TooBigBulkCount)?
            else {
                return Ok(None);
            };
            let len = len
                .and_then(|l| usize::try_from(l).ok())
                .filter(|&l| l <= max_bulk)
                .ok_or(ProtocolError::InvalidBulkLength)?;
            let data_end = data_start
                .checked_add(len)
                .ok_or(ProtocolError::InvalidBulkLength)?;
            let next = data_end
                .checked_add(CRLF_LEN)
                .ok_or(ProtocolError::InvalidBulkLength)?;
            if next > buf.len() {
                return Ok(None);
            }
            self.ranges.push((data_start, data_end));
            self.pos = next;
            self.remaining -= 1;
        }
        let consumed = self.pos;
        self.pos = 0;
        Ok(Some(consumed))
    }

    /// Parse an inline request: one line, split on spaces, with Redis's quoting rules.
    fn parse_inline(&mut self, buf: &[u8]) -> Result<Option<usize>, ProtocolError> {
        let Some(nl) = buf.iter().position(|&b| b == b'\n') else {
            if buf.len() > INLINE_MAX_BYTES {
                return Err(ProtocolError::TooBigInlineRequest);
            }
            return Ok(None);
        };
        if nl > INLINE_MAX_BYTES {
            return Err(ProtocolError::TooBigInlineRequest);
        }
        let mut line = &buf[..nl];
        if let [rest @ .., b'\r'] = line {
            line = rest;
        }
        self.inline = true;
        self.scratch.clear();
        split_args(line, &mut self.scratch, &mut self.ranges)?;
        Ok(Some(nl + 1))
    }
}

/// Read a `<number>\r\n` header starting at `from`. `Ok(None)`: incomplete.
/// The number is `None` when it is not a valid integer.
#[allow(clippy::type_complexity)]
fn header(
    buf: &[u8],
    from: usize,
    too_long: ProtocolError,
) -> Result<Option<(Option<i64>, usize)>, ProtocolError> {
    let rest = buf.get(from..).unwrap_or(&[]);
    let Some(cr) = rest.iter().position(|&b| b == b'\r') else {
        if rest.len() > INLINE_MAX_BYTES {
            return Err(too_long);
        }
        return Ok(None);
    };
    if cr > INLINE_MAX_BYTES {
        return Err(too_long);
    }
    // Like Redis, the byte after `\r` is taken to be `\n` without looking.
    let next = from + cr + CRLF_LEN;
    if next > buf.len() {
        return Ok(None);
    }
    Ok(Some((parse_i64(&rest[..cr]), next)))
}

/// Parse a decimal integer the way Redis's `string2ll` does: optional `-`, no `+`,
/// no leading zeros, no spaces, must fit in an `i64`.
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, s),
    };
    match digits {
        [b'0'] if !neg => return Some(0),
        [b'1'..=b'9', ..] => {}
        _ => return None,
    }
    let mut v: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        let digit = i64::from(d - b'0');
        v = if neg {
            v.checked_mul(10)?.checked_sub(digit)?
        } else {
            v.checked_mul(10)?.checked_add(digit)?
        };
    }
    Some(v)
}
