//! A reader of the RESP2 replies the log rewrites commands from (`SPOP`'s members, a
//! blocking pop's key, `INCRBYFLOAT`'s result).

use crate::resp;
use alloc::vec::Vec;

/// The parts of a reply the log needs.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Reply<'a> {
    Bulk(&'a [u8]),
    Nil,
    Array(Vec<Reply<'a>>),
    /// A simple string, an integer or anything else.
    Other,
}

impl<'a> Reply<'a> {
    pub(super) fn bulk(&self) -> Option<&'a [u8]> {
        match self {
            Self::Bulk(b) => Some(b),
            _ => None,
        }
    }
}

/// Parse the first reply of `buf` (the reply a command just wrote).
pub(super) fn parse_reply(buf: &[u8]) -> Option<Reply<'_>> {
    parse(buf, 0).map(|(r, _)| r)
}

/// Deepest nesting read (the log's replies nest two levels).
const MAX_DEPTH: usize = 4;

fn parse(buf: &[u8], depth: usize) -> Option<(Reply<'_>, usize)> {
    let line_end = buf.windows(2).position(|w| w == b"\r\n")?;
    let line = &buf[1..line_end];
    let rest = line_end + 2;
    match buf.first()? {
        b'$' => {
            let len = resp::parse_i64(line)?;
            if len < 0 {
                return Some((Reply::Nil, rest));
            }
            let end = rest.checked_add(usize::try_from(len).ok()?)?;
            Some((Reply::Bulk(buf.get(rest..end)?), end + 2))
        }
        b'*' => {
            let n = resp::parse_i64(line)?;
            if n < 0 {
                return Some((Reply::Nil, rest));
            }
            if depth >= MAX_DEPTH {
                return None;
            }
            let mut items = Vec::new();
            let mut at = rest;
            for _ in 0..n {
                let (item, used) = parse(buf.get(at..)?, depth + 1)?;
                items.push(item);
                at += used;
            }
            Some((Reply::Array(items), at))
        }
        _ => Some((Reply::Other, rest)),
    }
}
