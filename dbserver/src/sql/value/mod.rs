//! Values: conversion between numbers and text as MySQL does it, the default collation
//! (`utf8mb4_general_ci` approximated as ASCII case-insensitive with PAD SPACE),
//! comparison, index/grouping keys and the text form a client sees.

mod collation;
mod compare;
mod key;
mod numeric;

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

use crate::sql::Value;

pub use collation::{char_count, collate_cmp, collation_key, like_match, trim_pad, weight};
pub use compare::{compare, sort_cmp};
pub use key::{heap_bytes, KeyAtom};
pub use numeric::{
    decimal_to_f64, float, format_decimal, format_double, parse_decimal_literal, parse_number,
    pow10, rescale, ParsedNumber, DIV_PRECISION_INCREMENT, MAX_DECIMAL_SCALE,
};

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value as a double (NULL as 0; strings by their numeric prefix).
    pub fn to_f64(&self) -> f64 {
        match self {
            Value::Null => 0.0,
            Value::Int(i) => *i as f64,
            Value::Double(d) => *d,
            Value::Decimal { mantissa, scale } => decimal_to_f64(*mantissa, *scale),
            Value::Text(t) => parse_number(t).value,
        }
    }

    /// SQL truth: None for NULL, else "is not zero".
    pub fn truth(&self) -> Option<bool> {
        match self {
            Value::Null => None,
            Value::Int(i) => Some(*i != 0),
            Value::Decimal { mantissa, .. } => Some(*mantissa != 0),
            other => Some(other.to_f64() != 0.0),
        }
    }

    /// The text a client sees (None for NULL): MySQL's formatting of every type.
    pub fn to_text(&self) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        self.write_text(&mut out).then_some(out)
    }

    /// Append the text form to `out`; false (and nothing written) for NULL.
    pub fn write_text(&self, out: &mut Vec<u8>) -> bool {
        let mut s = String::new();
        match self {
            Value::Null => return false,
            Value::Text(t) => {
                out.extend_from_slice(t);
                return true;
            }
            Value::Int(i) => {
                let _ = write!(s, "{i}");
            }
            Value::Double(d) => format_double(*d, &mut s),
            Value::Decimal { mantissa, scale } => format_decimal(*mantissa, *scale, &mut s),
        }
        out.extend_from_slice(s.as_bytes());
        true
    }

    /// The text form as a String (lossy for non-UTF-8), "NULL" for NULL: for messages.
    pub fn display(&self) -> String {
        match self.to_text() {
            Some(t) => String::from_utf8_lossy(&t).into_owned(),
            None => String::from("NULL"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use core::cmp::Ordering;

    fn fmt_d(d: f64) -> String {
        let mut s = String::new();
        format_double(d, &mut s);
        s
    }

    #[test]
    fn doubles_print_like_mysql() {
        assert_eq!(fmt_d(1.5), "1.5");
        assert_eq!(fmt_d(1e20), "1e20");
        assert_eq!(fmt_d(1e14), "100000000000000");
        assert_eq!(fmt_d(-2.0), "-2");
        assert_eq!(fmt_d(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(fmt_d(1.5e-7), "1.5e-7");
    }

    #[test]
    fn decimals_print_with_scale() {
        let mut s = String::new();
        format_decimal(5, 4, &mut s);
        assert_eq!(s, "0.0005");
        s.clear();
        format_decimal(-35000, 4, &mut s);
        assert_eq!(s, "-3.5000");
        assert_eq!(rescale(35, 1, 0), Some(4));
        assert_eq!(rescale(-35, 1, 0), Some(-4));
    }

    #[test]
    fn collation_ignores_case_and_trailing_spaces() {
        assert_eq!(collate_cmp(b"abc", b"ABC  "), Ordering::Equal);
        assert_eq!(collate_cmp(b"a", b"b"), Ordering::Less);
        assert_eq!(collation_key(b"Ab "), b"AB".to_vec());
    }

    #[test]
    fn string_numbers_convert_like_mysql() {
        assert_eq!(parse_number(b" 12abc").value, 12.0);
        assert!(!parse_number(b"12abc").complete);
        assert!(parse_number(b"1e3").complete);
        assert!(!parse_number(b"abc").has_digits);
        assert_eq!(parse_number(b"-5").int, Some(-5));
        assert_eq!(
            compare(&Value::Text(b"10".to_vec()), &Value::Int(9)),
            Some(Ordering::Greater)
        );
    }

    #[test]
    fn like_patterns() {
        assert!(like_match(b"hello", b"h%o", b'\\'));
        assert!(like_match(b"HELLO", b"h_llo", b'\\'));
        assert!(!like_match(b"hello", b"h_lo", b'\\'));
        assert!(like_match(b"50%", b"50\\%", b'\\'));
        assert!(!like_match(b"500", b"50\\%", b'\\'));
        assert!(like_match(b"", b"%", b'\\'));
        assert!(like_match(b"abcabc", b"%abc", b'\\'));
        assert_eq!(Value::Int(3).display(), "3".to_string());
    }
}
