//! Numbers as MySQL treats them: decimal scaling, reading numbers from text, and printing
//! doubles and decimals the way a client sees them.

use alloc::string::String;
use core::cmp::Ordering;
use core::fmt::Write as _;

/// Decimal digits of the fraction that `/` adds to the dividend's (`div_precision_increment`).
pub const DIV_PRECISION_INCREMENT: u8 = 4;
/// Largest decimal scale kept (MySQL's DECIMAL maximum is 30 digits after the point).
pub const MAX_DECIMAL_SCALE: u8 = 30;
/// Largest power of ten an `i128` mantissa can be scaled by.
const MAX_POW10: u32 = 38;
/// Decimal exponents outside `[-5, 15)` print in scientific notation (MySQL's `%g` rule).
const SCI_EXPONENT_LOW: i32 = -5;
const SCI_EXPONENT_HIGH: i32 = 15;

/// Doubles at or beyond this magnitude have no fraction.
const F64_INTEGRAL_LIMIT: f64 = 4_503_599_627_370_496.0; // 2^52

/// Float rounding without `std` (ring 0 has no libm).
pub mod float {
    use super::F64_INTEGRAL_LIMIT;

    /// Round toward zero.
    pub fn trunc(x: f64) -> f64 {
        if !x.is_finite() || x.abs() >= F64_INTEGRAL_LIMIT {
            x
        } else {
            (x as i64) as f64
        }
    }

    pub fn floor(x: f64) -> f64 {
        let t = trunc(x);
        if t > x {
            t - 1.0
        } else {
            t
        }
    }

    pub fn ceil(x: f64) -> f64 {
        let t = trunc(x);
        if t < x {
            t + 1.0
        } else {
            t
        }
    }

    /// Round half away from zero.
    pub fn round(x: f64) -> f64 {
        let t = trunc(x);
        if (x - t).abs() >= 0.5 {
            t + if x < 0.0 { -1.0 } else { 1.0 }
        } else {
            t
        }
    }

    /// `10^exp` by repeated multiplication.
    pub fn pow10(exp: i32) -> f64 {
        let mut r = 1.0f64;
        for _ in 0..exp.unsigned_abs() {
            r *= 10.0;
        }
        if exp < 0 {
            1.0 / r
        } else {
            r
        }
    }
}

/// `10^exp` as an i128 (None past 10^38).
pub fn pow10(exp: u32) -> Option<i128> {
    if exp > MAX_POW10 {
        return None;
    }
    10i128.checked_pow(exp)
}

/// Rescale a decimal mantissa from `from` to `to` decimals, rounding half away from zero.
pub fn rescale(mantissa: i128, from: u8, to: u8) -> Option<i128> {
    match to.cmp(&from) {
        Ordering::Equal => Some(mantissa),
        Ordering::Greater => mantissa.checked_mul(pow10(u32::from(to - from))?),
        Ordering::Less => {
            let div = pow10(u32::from(from - to))?;
            let q = mantissa / div;
            let r = mantissa % div;
            if r.unsigned_abs() * 2 >= div.unsigned_abs() {
                Some(q + mantissa.signum())
            } else {
                Some(q)
            }
        }
    }
}

/// A decimal as f64.
pub fn decimal_to_f64(mantissa: i128, scale: u8) -> f64 {
    let div = pow10(u32::from(scale)).unwrap_or(1) as f64;
    mantissa as f64 / div
}

/// What a numeric prefix of a string parses to.
pub struct ParsedNumber {
    pub value: f64,
    /// The string had a number and nothing after it but spaces.
    pub complete: bool,
    /// The string had at least one digit at its start (after spaces and a sign).
    pub has_digits: bool,
    /// The number, when it is an integer literal that fits in i64.
    pub int: Option<i64>,
}

/// Parse the longest numeric prefix of `text` (MySQL's string-to-number conversion).
pub fn parse_number(text: &[u8]) -> ParsedNumber {
    let mut i = 0;
    while text.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
        i += 1;
    }
    let start = i;
    if matches!(text.get(i), Some(b'+') | Some(b'-')) {
        i += 1;
    }
    let int_start = i;
    while text.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let int_digits = i - int_start;
    let mut is_integer = true;
    let mut frac_digits = 0;
    if text.get(i) == Some(&b'.') {
        let mut j = i + 1;
        while text.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        frac_digits = j - i - 1;
        if int_digits + frac_digits > 0 {
            i = j;
            is_integer = false;
        }
    }
    let has_digits = int_digits + frac_digits > 0;
    if has_digits && matches!(text.get(i), Some(b'e') | Some(b'E')) {
        let mut j = i + 1;
        if matches!(text.get(j), Some(b'+') | Some(b'-')) {
            j += 1;
        }
        let exp_start = j;
        while text.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        if j > exp_start {
            i = j;
            is_integer = false;
        }
    }
    let number = core::str::from_utf8(text.get(start..i).unwrap_or_default()).unwrap_or("");
    let value = if has_digits {
        number.parse::<f64>().unwrap_or(0.0)
    } else {
        0.0
    };
    let int = if has_digits && is_integer {
        number.parse::<i64>().ok()
    } else {
        None
    };
    let mut end = i;
    while text.get(end).is_some_and(|b| b.is_ascii_whitespace()) {
        end += 1;
    }
    ParsedNumber {
        value,
        complete: has_digits && end == text.len(),
        has_digits,
        int,
    }
}

/// MySQL prints doubles in the shortest form that reads back, switching to `1e20`
/// notation for large and small magnitudes.
pub fn format_double(d: f64, out: &mut String) {
    if d == 0.0 {
        out.push('0');
        return;
    }
    if !d.is_finite() {
        out.push_str(if d.is_nan() { "NaN" } else { "inf" });
        return;
    }
    let sci = alloc::format!("{d:e}");
    let exponent: i32 = sci
        .rsplit_once('e')
        .and_then(|(_, e)| e.parse().ok())
        .unwrap_or(0);
    if (SCI_EXPONENT_LOW..SCI_EXPONENT_HIGH).contains(&exponent) {
        let _ = write!(out, "{d}");
    } else {
        out.push_str(&sci);
    }
}

/// `mantissa / 10^scale` with exactly `scale` decimals.
pub fn format_decimal(mantissa: i128, scale: u8, out: &mut String) {
    let digits = alloc::format!("{}", mantissa.unsigned_abs());
    let scale = usize::from(scale);
    if mantissa < 0 {
        out.push('-');
    }
    if scale == 0 {
        out.push_str(&digits);
        return;
    }
    if digits.len() <= scale {
        out.push_str("0.");
        for _ in digits.len()..scale {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let (int, frac) = digits.split_at(digits.len() - scale);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    }
}

/// Parse a decimal literal like `12.50` into (mantissa, scale); None if it doesn't fit.
pub fn parse_decimal_literal(text: &str) -> Option<(i128, u8)> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let scale = u8::try_from(frac.len())
        .ok()
        .filter(|s| *s <= MAX_DECIMAL_SCALE)?;
    let mut mantissa: i128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        mantissa = mantissa
            .checked_mul(10)?
            .checked_add(i128::from(b - b'0'))?;
    }
    Some((mantissa, scale))
}
