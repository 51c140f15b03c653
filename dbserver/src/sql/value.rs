//! Values: conversion between numbers and text as MySQL does it, the default collation
//! (`utf8mb4_general_ci` approximated as ASCII case-insensitive with PAD SPACE),
//! comparison, index/grouping keys and the text form a client sees.

use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt::Write as _;

use super::Value;

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

/// Compare two values as MySQL's `=`/`<` do; None when either is NULL.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    use Value::*;
    Some(match (a, b) {
        (Null, _) | (_, Null) => return None,
        (Text(x), Text(y)) => collate_cmp(x, y),
        (Int(x), Int(y)) => x.cmp(y),
        (Int(x), Decimal { mantissa, scale }) => cmp_decimal(i128::from(*x), 0, *mantissa, *scale),
        (Decimal { mantissa, scale }, Int(y)) => cmp_decimal(*mantissa, *scale, i128::from(*y), 0),
        (
            Decimal {
                mantissa: m1,
                scale: s1,
            },
            Decimal {
                mantissa: m2,
                scale: s2,
            },
        ) => cmp_decimal(*m1, *s1, *m2, *s2),
        _ => a
            .to_f64()
            .partial_cmp(&b.to_f64())
            .unwrap_or(Ordering::Equal),
    })
}

/// Compare two exact decimals, falling back to doubles if rescaling overflows.
fn cmp_decimal(m1: i128, s1: u8, m2: i128, s2: u8) -> Ordering {
    let scale = s1.max(s2);
    match (rescale(m1, s1, scale), rescale(m2, s2, scale)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => decimal_to_f64(m1, s1)
            .partial_cmp(&decimal_to_f64(m2, s2))
            .unwrap_or(Ordering::Equal),
    }
}

/// Ordering for ORDER BY: NULL first, then as [`compare`].
pub fn sort_cmp(a: &Value, b: &Value) -> Ordering {
    match (a.is_null(), b.is_null()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => compare(a, b).unwrap_or(Ordering::Equal),
    }
}

/// One component of an index, grouping or DISTINCT key: equal atoms = equal values under
/// the collation. Variant order makes NULL sort first and `Max` last.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyAtom {
    Null,
    Int(i64),
    /// A double as a totally ordered integer (see [`ordered_bits`]).
    Double(i64),
    /// An exact decimal normalised to [`MAX_DECIMAL_SCALE`]-independent form: (mantissa
    /// without trailing zeros, scale).
    Decimal(i128, u8),
    Text(Vec<u8>),
    /// Sorts after everything: upper bound of a key-prefix range.
    Max,
}

/// A double mapped to an i64 whose order is the double's order (-0.0 = 0.0).
pub fn ordered_bits(d: f64) -> i64 {
    let d = if d == 0.0 { 0.0 } else { d };
    let bits = d.to_bits() as i64;
    if bits < 0 {
        bits ^ i64::MAX
    } else {
        bits
    }
}

impl KeyAtom {
    /// The key atom of a value (numbers of different kinds that are equal map alike only
    /// when both are integral; columns hold one kind, so index keys are consistent).
    pub fn of(v: &Value) -> KeyAtom {
        match v {
            Value::Null => KeyAtom::Null,
            Value::Int(i) => KeyAtom::Int(*i),
            Value::Double(d) => {
                if float::trunc(*d) == *d && d.abs() < 9.0e18 {
                    KeyAtom::Int(*d as i64)
                } else {
                    KeyAtom::Double(ordered_bits(*d))
                }
            }
            Value::Decimal { mantissa, scale } => {
                let (mut m, mut s) = (*mantissa, *scale);
                while s > 0 && m % 10 == 0 {
                    m /= 10;
                    s -= 1;
                }
                if s == 0 {
                    if let Ok(i) = i64::try_from(m) {
                        return KeyAtom::Int(i);
                    }
                }
                KeyAtom::Decimal(m, s)
            }
            Value::Text(t) => KeyAtom::Text(collation_key(t)),
        }
    }

    /// The index key atom of a column value: exact per kind (a column holds one kind,
    /// decimals at the column's scale), so the atoms of one column order like the values.
    pub fn exact(v: &Value) -> KeyAtom {
        match v {
            Value::Null => KeyAtom::Null,
            Value::Int(i) => KeyAtom::Int(*i),
            Value::Double(d) => KeyAtom::Double(ordered_bits(*d)),
            Value::Decimal { mantissa, scale } => KeyAtom::Decimal(*mantissa, *scale),
            Value::Text(t) => KeyAtom::Text(collation_key(t)),
        }
    }

    /// Whether `v`'s exact atom equals this one (without allocating).
    pub fn matches_exact(&self, v: &Value) -> bool {
        match (self, v) {
            (KeyAtom::Text(k), Value::Text(t)) => {
                let t = trim_pad(t);
                k.len() == t.len() && k.iter().zip(t).all(|(a, b)| *a == weight(*b))
            }
            (KeyAtom::Text(_), _) => false,
            (k, v) => *k == KeyAtom::exact(v),
        }
    }

    /// Bytes this atom occupies beyond its own size (memory accounting).
    pub fn heap_bytes(&self) -> usize {
        match self {
            KeyAtom::Text(t) => t.capacity(),
            _ => 0,
        }
    }
}

/// Bytes a value occupies beyond its own size (memory accounting).
pub fn heap_bytes(v: &Value) -> usize {
    match v {
        Value::Text(t) => t.capacity(),
        _ => 0,
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

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
