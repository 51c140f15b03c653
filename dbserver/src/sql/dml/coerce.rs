//! MySQL's strict-mode conversion of a value to a column's type: range checks, truncation
//! and the errors 1264, 1265, 1366 and 1406. Calls only value parsing ([`super::super::value`]).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::super::errors;
use super::super::table::Column;
use super::super::value::{
    char_count, float, parse_decimal_literal, parse_number, pow10, rescale, ParsedNumber,
};
use super::super::{SqlError, SqlType, Value};

/// Longest value a TEXT column holds, in bytes.
pub(super) const TEXT_MAX_BYTES: usize = 65_535;

/// Convert a value for a column as strict-mode MySQL does (errors 1366, 1265, 1264,
/// 1406). NULL stays NULL (the caller checks NOT NULL).
pub fn coerce(col: &Column, v: Value, row: u64, db: &str, table: &str) -> Result<Value, SqlError> {
    if v.is_null() {
        return Ok(v);
    }
    let path = || format!("`{db}`.`{table}`.`{}`", col.name);
    match col.ty {
        SqlType::TinyInt | SqlType::SmallInt | SqlType::Int | SqlType::BigInt => {
            let i: i128 = match &v {
                Value::Int(i) => i128::from(*i),
                Value::Decimal { mantissa, scale } => {
                    rescale(*mantissa, *scale, 0).unwrap_or(i128::MAX)
                }
                Value::Double(d) => round_f64(*d),
                Value::Text(t) => {
                    let p = text_number(t, "integer", col, row, path)?;
                    p.int.map_or_else(|| round_f64(p.value), i128::from)
                }
                Value::Null => return Ok(Value::Null),
            };
            let (lo, hi) = col.int_range.unwrap_or((i64::MIN, i64::MAX));
            if i < i128::from(lo) || i > i128::from(hi) {
                return Err(errors::out_of_range_column(&col.name, row));
            }
            Ok(Value::Int(i64::try_from(i).unwrap_or(0)))
        }
        SqlType::Double | SqlType::Float => match &v {
            Value::Text(t) => Ok(Value::Double(
                text_number(t, "double", col, row, path)?.value,
            )),
            other => Ok(Value::Double(other.to_f64())),
        },
        SqlType::Decimal { precision, scale } => {
            let m: i128 = match &v {
                Value::Int(i) => i128::from(*i)
                    .checked_mul(pow10(u32::from(scale)).unwrap_or(1))
                    .ok_or_else(|| errors::out_of_range_column(&col.name, row))?,
                Value::Decimal { mantissa, scale: s } => rescale(*mantissa, *s, scale)
                    .ok_or_else(|| errors::out_of_range_column(&col.name, row))?,
                Value::Text(t) => {
                    let text = String::from_utf8_lossy(t);
                    let trimmed = text.trim();
                    let (neg, digits) = match trimmed.strip_prefix('-') {
                        Some(d) => (true, d),
                        None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
                    };
                    match parse_decimal_literal(digits) {
                        Some((m, s)) => {
                            let m = rescale(m, s, scale)
                                .ok_or_else(|| errors::out_of_range_column(&col.name, row))?;
                            if neg {
                                -m
                            } else {
                                m
                            }
                        }
                        None => {
                            let p = text_number(t, "decimal", col, row, path)?;
                            round_f64(p.value * pow10(u32::from(scale)).unwrap_or(1) as f64)
                        }
                    }
                }
                Value::Double(d) => round_f64(d * pow10(u32::from(scale)).unwrap_or(1) as f64),
                Value::Null => return Ok(Value::Null),
            };
            let limit = pow10(u32::from(precision)).unwrap_or(i128::MAX);
            if m.abs() >= limit {
                return Err(errors::out_of_range_column(&col.name, row));
            }
            Ok(Value::Decimal { mantissa: m, scale })
        }
        SqlType::Char(_) | SqlType::VarChar(_) | SqlType::Text => {
            let n = match col.ty {
                SqlType::Char(n) | SqlType::VarChar(n) => n,
                _ => u32::MAX,
            };
            let mut t = match v {
                Value::Text(t) => t,
                other => other.to_text().unwrap_or_default(),
            };
            let is_char = matches!(col.ty, SqlType::Char(_));
            if is_char {
                let end = t.iter().rposition(|b| *b != b' ').map_or(0, |p| p + 1);
                t.truncate(end);
            }
            let too_long = match col.ty {
                SqlType::Text => t.len() > TEXT_MAX_BYTES,
                _ => char_count(&t) > n as usize,
            };
            if too_long {
                // Excess trailing spaces are cut silently; anything else is an error.
                let end = t.iter().rposition(|b| *b != b' ').map_or(0, |p| p + 1);
                if col.ty != SqlType::Text
                    && char_count(t.get(..end).unwrap_or_default()) <= n as usize
                {
                    let mut cut = Vec::new();
                    for c in t.iter().take(n as usize) {
                        cut.push(*c);
                    }
                    t = cut;
                } else {
                    return Err(errors::data_too_long(&col.name, row));
                }
            }
            Ok(Value::Text(t))
        }
    }
}

/// The number a text value holds, or strict mode's error for text that holds none (1366,
/// naming the column's `kind` of number) or more than a number (1265).
fn text_number(
    t: &[u8],
    kind: &str,
    col: &Column,
    row: u64,
    path: impl Fn() -> String,
) -> Result<ParsedNumber, SqlError> {
    let p = parse_number(t);
    if !p.has_digits {
        return Err(errors::incorrect_value(
            kind,
            &String::from_utf8_lossy(t),
            &path(),
            row,
        ));
    }
    if !p.complete {
        return Err(errors::data_truncated(&col.name, row));
    }
    Ok(p)
}

/// Round half away from zero to an integer (saturating).
pub(super) fn round_f64(d: f64) -> i128 {
    let r = float::round(d);
    if r >= i128::MAX as f64 {
        i128::MAX
    } else if r <= i128::MIN as f64 {
        i128::MIN
    } else {
        r as i128
    }
}
