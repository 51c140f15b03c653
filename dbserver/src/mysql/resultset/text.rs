//! Values as text (COM_QUERY rows and the text of values in binary rows): integers,
//! exact decimals, doubles and floats printed as MySQL prints them, and values read back
//! as numbers for binary numeric columns.

use crate::sql::{SqlType, Value};
use alloc::vec::Vec;
use core::fmt::{self, Write};

/// Doubles at or past this magnitude (or below [`EXP_SMALL`]) print with an exponent, as
/// MySQL's `my_gcvt` does: `1e15`, `100000000000000`, `0.000000000000001`, `1e-16`.
pub(super) const EXP_LARGE: f64 = 1e15;
pub(super) const EXP_SMALL: f64 = 1e-15;
/// Significant digits of a FLOAT in text.
pub(super) const FLT_DIG: usize = 6;

/// `fmt::Write` into a byte vector.
pub(super) struct Bytes<'a>(&'a mut Vec<u8>);

impl Write for Bytes<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// `mantissa / 10^scale` in decimal notation.
pub fn put_decimal_text(out: &mut Vec<u8>, mantissa: i128, scale: u8) {
    if mantissa < 0 {
        out.push(b'-');
    }
    let start = out.len();
    let _ = write!(Bytes(out), "{}", mantissa.unsigned_abs());
    let scale = usize::from(scale);
    if scale == 0 {
        return;
    }
    let digits = out.len() - start;
    if digits <= scale {
        // 0.00ddd: pad with zeros so that one digit precedes the point.
        let pad = scale + 1 - digits;
        out.splice(start..start, core::iter::repeat_n(b'0', pad));
    }
    let point = out.len() - scale;
    out.insert(point, b'.');
}

pub(super) fn put_double_text(out: &mut Vec<u8>, d: f64, single: bool) {
    let d = if single {
        // FLOAT shows FLT_DIG significant digits: round through "d.ddddde±x".
        let start = out.len();
        let _ = write!(Bytes(out), "{:.*e}", FLT_DIG - 1, d as f32);
        let rounded = out
            .get(start..)
            .and_then(|s| core::str::from_utf8(s).ok())
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(d);
        out.truncate(start);
        rounded
    } else {
        d
    };
    let a = d.abs();
    let exp = a != 0.0 && a.is_finite() && !(EXP_SMALL..EXP_LARGE).contains(&a);
    let mut w = Bytes(out);
    let _ = if exp {
        write!(w, "{d:e}")
    } else {
        write!(w, "{d}")
    };
}

/// The text form of a value (not NULL).
pub fn put_value_text(out: &mut Vec<u8>, v: &Value, t: SqlType) {
    match v {
        Value::Null => {}
        Value::Int(i) => {
            let _ = write!(Bytes(out), "{i}");
        }
        Value::Double(d) => put_double_text(out, *d, t == SqlType::Float),
        Value::Decimal { mantissa, scale } => put_decimal_text(out, *mantissa, *scale),
        Value::Text(s) => out.extend_from_slice(s),
    }
}

/// A value as an integer (binary integer columns).
pub(super) fn as_i64(v: &Value, scratch: &mut Vec<u8>) -> i64 {
    match v {
        Value::Int(i) => *i,
        Value::Double(d) => *d as i64,
        Value::Decimal { mantissa, scale } => {
            let div = 10i128.checked_pow(u32::from(*scale)).unwrap_or(i128::MAX);
            let q = mantissa.checked_div(div).unwrap_or(0);
            q.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
        }
        Value::Text(s) => core::str::from_utf8(s)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or_else(|| as_f64(v, scratch) as i64),
        Value::Null => 0,
    }
}

/// A value as a double (binary FLOAT/DOUBLE columns).
pub(super) fn as_f64(v: &Value, scratch: &mut Vec<u8>) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Double(d) => *d,
        Value::Decimal { mantissa, scale } => {
            scratch.clear();
            put_decimal_text(scratch, *mantissa, *scale);
            parse_f64(scratch)
        }
        Value::Text(s) => parse_f64(s),
        Value::Null => 0.0,
    }
}

pub(super) fn parse_f64(s: &[u8]) -> f64 {
    core::str::from_utf8(s)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0.0)
}
