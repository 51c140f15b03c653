//! The RESP2 reply encoder: appends replies to a connection's output buffer without
//! allocating (integers and doubles are formatted on the stack).

use alloc::vec::Vec;
use core::fmt;

/// `+OK\r\n`.
pub const OK: &[u8] = b"+OK\r\n";
/// The RESP2 null bulk string.
pub const NULL_BULK: &[u8] = b"$-1\r\n";
/// The RESP2 null array.
pub const NULL_ARRAY: &[u8] = b"*-1\r\n";
/// An empty array.
pub const EMPTY_ARRAY: &[u8] = b"*0\r\n";

/// Append `+<s>\r\n`.
pub fn simple(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'+');
    out.extend_from_slice(s);
    out.extend_from_slice(b"\r\n");
}

/// Append `-<msg>\r\n`, turning line breaks in `msg` into spaces.
pub fn error(out: &mut Vec<u8>, msg: &[u8]) {
    out.push(b'-');
    out.extend(
        msg.iter()
            .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
    );
    out.extend_from_slice(b"\r\n");
}

/// Append `:<n>\r\n`.
pub fn integer(out: &mut Vec<u8>, n: i64) {
    out.push(b':');
    push_decimal(out, n);
    out.extend_from_slice(b"\r\n");
}

/// Append `$<len>\r\n<data>\r\n`.
pub fn bulk(out: &mut Vec<u8>, data: &[u8]) {
    out.push(b'$');
    push_decimal(out, data.len() as i64);
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
}

/// Append an optional bulk string (`None`: null bulk).
pub fn opt_bulk(out: &mut Vec<u8>, data: Option<&[u8]>) {
    match data {
        Some(d) => bulk(out, d),
        None => out.extend_from_slice(NULL_BULK),
    }
}

/// Append `*<n>\r\n`.
pub fn array_header(out: &mut Vec<u8>, n: usize) {
    out.push(b'*');
    push_decimal(out, n as i64);
    out.extend_from_slice(b"\r\n");
}

/// Append a double as a bulk string, formatted as the shortest exact decimal
/// (`inf`/`-inf` for infinities, like Redis).
pub fn double(out: &mut Vec<u8>, v: f64) {
    let mut text = DoubleText::default();
    // Writing into a fixed buffer cannot fail except by overflow, which the
    // buffer's size rules out for `f64`'s shortest representation.
    let _ = fmt::write(&mut text, format_args!("{v}"));
    bulk(out, text.as_bytes());
}

/// Append the text of a double as [`double`] formats it, without the bulk framing.
pub fn double_text(out: &mut Vec<u8>, v: f64) {
    let mut text = DoubleText::default();
    let _ = fmt::write(&mut text, format_args!("{v}"));
    out.extend_from_slice(text.as_bytes());
}

/// Longest text `{}` produces for an `f64` (e.g. `-1.7976931348623157e308` written out).
const DOUBLE_TEXT_MAX: usize = 400;

/// A fixed buffer to format a double without allocating.
struct DoubleText {
    buf: [u8; DOUBLE_TEXT_MAX],
    len: usize,
}

impl Default for DoubleText {
    fn default() -> Self {
        Self {
            buf: [0; DOUBLE_TEXT_MAX],
            len: 0,
        }
    }
}

impl DoubleText {
    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl fmt::Write for DoubleText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        let dst = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Append the decimal digits of `n`.
pub fn push_decimal(out: &mut Vec<u8>, n: i64) {
    out.extend_from_slice(DecimalBuf::default().format(n));
}

/// Characters of the longest `i64` (`-9223372036854775808`).
const I64_MAX_CHARS: usize = 20;

/// A stack buffer to format an `i64` without allocating.
#[derive(Default)]
pub struct DecimalBuf {
    buf: [u8; I64_MAX_CHARS],
}

impl DecimalBuf {
    /// `n` in decimal.
    pub fn format(&mut self, n: i64) -> &[u8] {
        let mut i = I64_MAX_CHARS;
        let mut v = n.unsigned_abs();
        loop {
            i -= 1;
            self.buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        if n < 0 {
            i -= 1;
            self.buf[i] = b'-';
        }
        &self.buf[i..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_replies() {
        let mut out = Vec::new();
        integer(&mut out, -42);
        bulk(&mut out, b"hi");
        error(&mut out, b"ERR a\r\nb");
        double(&mut out, 1.5);
        double(&mut out, f64::INFINITY);
        array_header(&mut out, 0);
        integer(&mut out, i64::MIN);
        assert_eq!(
            out,
            b":-42\r\n$2\r\nhi\r\n-ERR a  b\r\n$3\r\n1.5\r\n$3\r\ninf\r\n*0\r\n:-9223372036854775808\r\n"
        );
    }
}
