//! Arithmetic as MySQL does it: exact integers and decimals (overflow is error 1690), `/` as a
//! decimal with four more digits, doubles that must stay finite, division by zero as NULL.

use crate::sql::errors;
use crate::sql::expr::ArithOp;
use crate::sql::value::{pow10, rescale, DIV_PRECISION_INCREMENT, MAX_DECIMAL_SCALE};
use crate::sql::{SqlError, Value};

/// A number in one of the three arithmetic domains.
#[derive(Clone, Copy, Debug)]
pub enum Num {
    Int(i64),
    Dec(i128, u8),
    Dbl(f64),
}

/// The numeric form of a value (None for NULL; strings become doubles).
pub fn num(v: &Value) -> Option<Num> {
    Some(match v {
        Value::Null => return None,
        Value::Int(i) => Num::Int(*i),
        Value::Decimal { mantissa, scale } => Num::Dec(*mantissa, *scale),
        Value::Double(d) => Num::Dbl(*d),
        Value::Text(_) => Num::Dbl(v.to_f64()),
    })
}

pub(super) fn clamp_scale(n: Num) -> Num {
    match n {
        Num::Dec(_, s) if s > MAX_DECIMAL_SCALE => Num::Dbl(as_f64(n)),
        n => n,
    }
}

pub(super) fn as_dec(n: Num) -> Option<(i128, u8)> {
    match n {
        Num::Int(i) => Some((i128::from(i), 0)),
        Num::Dec(m, s) => Some((m, s)),
        Num::Dbl(_) => None,
    }
}

pub(super) fn as_f64(n: Num) -> f64 {
    match n {
        Num::Int(i) => i as f64,
        Num::Dec(m, s) => crate::sql::value::decimal_to_f64(m, s),
        Num::Dbl(d) => d,
    }
}

pub(super) fn dec_value(m: i128, s: u8, text: &str) -> Result<Value, SqlError> {
    // DECIMAL(65) holds at most 65 digits; i128 tops out at 38, so overflow is checked
    // by the i128 operations themselves.
    let _ = text;
    Ok(Value::Decimal {
        mantissa: m,
        scale: s,
    })
}

/// Binary arithmetic.
pub fn arith(op: ArithOp, a: &Value, b: &Value, text: &str) -> Result<Value, SqlError> {
    let (Some(x), Some(y)) = (num(a), num(b)) else {
        return Ok(Value::Null);
    };
    // Scales past the maximum (only from client parameters) compute as doubles.
    let (x, y) = (clamp_scale(x), clamp_scale(y));
    let big = || errors::bigint_out_of_range(text);
    let dec_err = || errors::decimal_out_of_range(text);
    match op {
        ArithOp::Add | ArithOp::Sub | ArithOp::Mul => {
            if let (Num::Int(i), Num::Int(j)) = (x, y) {
                let r = match op {
                    ArithOp::Add => i.checked_add(j),
                    ArithOp::Sub => i.checked_sub(j),
                    _ => i.checked_mul(j),
                };
                return r.map(Value::Int).ok_or_else(big);
            }
            match (as_dec(x), as_dec(y)) {
                (Some((m1, s1)), Some((m2, s2))) => {
                    let (m, s) = if op == ArithOp::Mul {
                        let s = s1.checked_add(s2).ok_or_else(dec_err)?;
                        let m = m1.checked_mul(m2).ok_or_else(dec_err)?;
                        if s > MAX_DECIMAL_SCALE {
                            let m = rescale(m, s, MAX_DECIMAL_SCALE).ok_or_else(dec_err)?;
                            (m, MAX_DECIMAL_SCALE)
                        } else {
                            (m, s)
                        }
                    } else {
                        let s = s1.max(s2);
                        let m1 = rescale(m1, s1, s).ok_or_else(dec_err)?;
                        let m2 = rescale(m2, s2, s).ok_or_else(dec_err)?;
                        let m = if op == ArithOp::Add {
                            m1.checked_add(m2)
                        } else {
                            m1.checked_sub(m2)
                        };
                        (m.ok_or_else(dec_err)?, s)
                    };
                    dec_value(m, s, text)
                }
                _ => {
                    let (f, g) = (as_f64(x), as_f64(y));
                    let r = match op {
                        ArithOp::Add => f + g,
                        ArithOp::Sub => f - g,
                        _ => f * g,
                    };
                    finite(r, text)
                }
            }
        }
        ArithOp::Div => match (as_dec(x), as_dec(y)) {
            (Some((m1, s1)), Some((m2, s2))) => {
                if m2 == 0 {
                    return Ok(Value::Null);
                }
                let scale = (s1 + DIV_PRECISION_INCREMENT).min(MAX_DECIMAL_SCALE);
                let shift = u32::from(s2) + u32::from(scale) - u32::from(s1);
                let num = m1
                    .checked_mul(pow10(shift).ok_or_else(dec_err)?)
                    .ok_or_else(dec_err)?;
                let q = num.checked_div(m2).ok_or_else(dec_err)?;
                let r = num.checked_rem(m2).ok_or_else(dec_err)?;
                let q = if r.unsigned_abs() * 2 >= m2.unsigned_abs() {
                    q + num.signum() * m2.signum()
                } else {
                    q
                };
                dec_value(q, scale, text)
            }
            _ => {
                let g = as_f64(y);
                if g == 0.0 {
                    return Ok(Value::Null);
                }
                finite(as_f64(x) / g, text)
            }
        },
        ArithOp::IntDiv => match (x, y) {
            (Num::Int(i), Num::Int(j)) => {
                if j == 0 {
                    return Ok(Value::Null);
                }
                i.checked_div(j).map(Value::Int).ok_or_else(big)
            }
            _ => {
                let q = match arith(ArithOp::Div, a, b, text)? {
                    Value::Null => return Ok(Value::Null),
                    Value::Decimal { mantissa, scale } => {
                        mantissa / pow10(u32::from(scale)).ok_or_else(big)?
                    }
                    other => crate::sql::value::float::trunc(other.to_f64()) as i128,
                };
                i64::try_from(q).map(Value::Int).map_err(|_| big())
            }
        },
        ArithOp::Mod => match (x, y) {
            (Num::Int(i), Num::Int(j)) => {
                if j == 0 {
                    return Ok(Value::Null);
                }
                Ok(Value::Int(i.checked_rem(j).unwrap_or(0)))
            }
            _ => match (as_dec(x), as_dec(y)) {
                (Some((m1, s1)), Some((m2, s2))) => {
                    let s = s1.max(s2);
                    let m1 = rescale(m1, s1, s).ok_or_else(dec_err)?;
                    let m2 = rescale(m2, s2, s).ok_or_else(dec_err)?;
                    if m2 == 0 {
                        return Ok(Value::Null);
                    }
                    dec_value(m1.checked_rem(m2).ok_or_else(dec_err)?, s, text)
                }
                _ => {
                    let g = as_f64(y);
                    if g == 0.0 {
                        return Ok(Value::Null);
                    }
                    finite(as_f64(x) % g, text)
                }
            },
        },
    }
}

pub(super) fn finite(d: f64, text: &str) -> Result<Value, SqlError> {
    if d.is_finite() {
        Ok(Value::Double(d))
    } else {
        Err(SqlError::new(
            1690,
            "22003",
            alloc::format!("DOUBLE value is out of range in '{text}'"),
        ))
    }
}

pub(super) fn negate(v: &Value, text: &str) -> Result<Value, SqlError> {
    Ok(match num(v) {
        None => Value::Null,
        Some(Num::Int(i)) => Value::Int(
            i.checked_neg()
                .ok_or_else(|| errors::bigint_out_of_range(text))?,
        ),
        Some(Num::Dec(m, s)) => Value::Decimal {
            mantissa: m
                .checked_neg()
                .ok_or_else(|| errors::decimal_out_of_range(text))?,
            scale: s,
        },
        Some(Num::Dbl(d)) => Value::Double(-d),
    })
}
