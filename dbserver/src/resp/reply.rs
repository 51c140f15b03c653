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
    let mut digits = itoa::Buffer::new();
    let len = digits.format(data.len()).as_bytes();
    // One reservation for the whole element: LRANGE and friends append hundreds in a row.
    out.reserve(len.len() + data.len() + 5);
    out.push(b'$');
    out.extend_from_slice(len);
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
}

/// Append an array of bulk strings: the header and every element, sized in one pass and
/// written in a second into one reservation (LRANGE of hundreds of short elements is
/// dominated by per-element bookkeeping otherwise).
pub fn bulk_array<'a, I>(out: &mut Vec<u8>, items: I)
where
    I: ExactSizeIterator<Item = &'a [u8]> + Clone,
{
    array_header(out, items.len());
    let mut digits = itoa::Buffer::new();
    let size: usize = items
        .clone()
        .map(|item| digits.format(item.len()).len() + item.len() + 5)
        .sum();
    let start = out.len();
    out.resize(start + size, 0);
    let mut rest = &mut out[start..];
    for item in items {
        let len = digits.format(item.len()).as_bytes();
        let (element, tail) = rest.split_at_mut(len.len() + item.len() + 5);
        element[0] = b'$';
        element[1..=len.len()].copy_from_slice(len);
        let body = len.len() + 3;
        element[body - 2..body].copy_from_slice(b"\r\n");
        element[body..body + item.len()].copy_from_slice(item);
        element[body + item.len()..].copy_from_slice(b"\r\n");
        rest = tail;
    }
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

/// Append a double as a bulk string, formatted as Redis 7.0's `addReplyDouble` does: C's
/// `%.17g` (`inf`/`-inf` for infinities).
pub fn double(out: &mut Vec<u8>, v: f64) {
    let text = format_g17(v);
    bulk(out, text.as_bytes());
}

/// Append the text of a double as [`double`] formats it, without the bulk framing.
pub fn double_text(out: &mut Vec<u8>, v: f64) {
    out.extend_from_slice(format_g17(v).as_bytes());
}

/// Significant digits of `%.17g`.
const G_DIGITS: i32 = 17;
/// Below this decimal exponent `%g` switches to scientific notation.
const G_MIN_FIXED_EXP: i32 = -4;

/// `v` as C's `printf("%.17g", v)` writes it: 17 significant digits, trailing zeros
/// removed, scientific notation (`1.0000000000000001e+20`) for exponents below -4 or from
/// 17 on.
fn format_g17(v: f64) -> DoubleText {
    let mut out = DoubleText::default();
    if !v.is_finite() {
        let word = if v.is_nan() {
            "nan"
        } else if v > 0.0 {
            "inf"
        } else {
            "-inf"
        };
        let _ = fmt::Write::write_str(&mut out, word);
        return out;
    }
    // `{:.16e}` is exact and correctly rounded: `d.dddddddddddddddde<exp>`.
    let mut sci = DoubleText::default();
    let _ = fmt::write(&mut sci, format_args!("{:.16e}", v.abs()));
    let text = sci.as_bytes();
    let e_at = text.iter().position(|&b| b == b'e').unwrap_or(text.len());
    let exp: i32 = core::str::from_utf8(text.get(e_at + 1..).unwrap_or(b"0"))
        .ok()
        .and_then(|e| e.parse().ok())
        .unwrap_or(0);
    let mut digits = [b'0'; G_DIGITS as usize];
    for (d, &c) in digits
        .iter_mut()
        .zip(text[..e_at].iter().filter(|c| c.is_ascii_digit()))
    {
        *d = c;
    }
    let mut w = |bytes: &[u8]| {
        let _ = fmt::Write::write_str(&mut out, core::str::from_utf8(bytes).unwrap_or(""));
    };
    if v.is_sign_negative() {
        w(b"-");
    }
    let significant = digits.iter().rposition(|&d| d != b'0').map_or(1, |p| p + 1);
    if !(G_MIN_FIXED_EXP..G_DIGITS).contains(&exp) {
        w(&digits[..1]);
        if significant > 1 {
            w(b".");
            w(&digits[1..significant]);
        }
        w(if exp < 0 { b"e-" } else { b"e+" });
        if exp.abs() < 10 {
            w(b"0");
        }
        let mut n = DecimalBuf::default();
        w(n.format(i64::from(exp.abs())));
    } else if exp >= 0 {
        let int_len = exp as usize + 1;
        w(&digits[..int_len]);
        if significant > int_len {
            w(b".");
            w(&digits[int_len..significant]);
        }
    } else {
        w(b"0.");
        for _ in 0..(-exp - 1) {
            w(b"0");
        }
        w(&digits[..significant]);
    }
    out
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
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// A stack buffer to format an `i64` without allocating (`itoa`'s, behind the name the
/// commands use).
#[derive(Default)]
pub struct DecimalBuf {
    buf: itoa::Buffer,
}

impl DecimalBuf {
    /// `n` in decimal.
    pub fn format(&mut self, n: i64) -> &[u8] {
        self.buf.format(n).as_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_array_writes_what_bulk_writes() {
        let items: [&[u8]; 4] = [b"", b"x", b"0123456789", &[b'z'; 120]];
        let mut expected = Vec::new();
        array_header(&mut expected, items.len());
        for item in items {
            bulk(&mut expected, item);
        }
        let mut out = b"+prefix\r\n".to_vec();
        bulk_array(&mut out, items.iter().copied());
        assert_eq!(&out[..9], b"+prefix\r\n");
        assert_eq!(&out[9..], &expected[..]);
        let mut empty = Vec::new();
        bulk_array(&mut empty, core::iter::empty::<&[u8]>());
        assert_eq!(empty, b"*0\r\n");
    }

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

    fn g17(v: f64) -> alloc::string::String {
        let mut out = Vec::new();
        double_text(&mut out, v);
        alloc::string::String::from_utf8(out).expect("ascii")
    }

    /// The expected texts are C's `printf("%.17g", v)` (glibc).
    #[test]
    fn doubles_as_printf_g17() {
        assert_eq!(g17(0.1), "0.10000000000000001");
        assert_eq!(g17(1.5), "1.5");
        assert_eq!(g17(-2.0), "-2");
        assert_eq!(g17(0.0), "0");
        assert_eq!(g17(-0.0), "-0");
        assert_eq!(g17(10.6), "10.6");
        assert_eq!(g17(5.6), "5.5999999999999996");
        assert_eq!(g17(1e17), "1e+17");
        assert_eq!(g17(123456789012345678.0), "1.2345678901234568e+17");
        assert_eq!(g17(1e16), "10000000000000000");
        assert_eq!(g17(0.0001), "0.0001");
        assert_eq!(g17(0.00001), "1.0000000000000001e-05");
        assert_eq!(g17(1e300), "1.0000000000000001e+300");
        assert_eq!(g17(f64::MAX), "1.7976931348623157e+308");
        assert_eq!(g17(5e-324), "4.9406564584124654e-324");
        assert_eq!(g17(f64::NEG_INFINITY), "-inf");
        assert_eq!(g17(3.0e-5), "3.0000000000000001e-05");
    }
}
