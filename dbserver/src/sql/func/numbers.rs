//! Numeric functions' helpers: CAST to integers, FLOOR/CEIL and ROUND as MySQL computes them.

use crate::sql::errors;
use crate::sql::eval::{num, Num};

use crate::sql::value::{float, pow10, rescale, MAX_DECIMAL_SCALE};
use crate::sql::{SqlError, Value};

/// CAST(... AS SIGNED/UNSIGNED): round to an integer; UNSIGNED wraps negatives as
/// MySQL does (as a DECIMAL, since they exceed BIGINT).
pub(super) fn cast_integer(v: &Value, unsigned: bool) -> Value {
    let i: i128 = match num(v) {
        None => return Value::Null,
        Some(Num::Int(i)) => i128::from(i),
        Some(Num::Dec(m, s)) => rescale(m, s, 0).unwrap_or(0),
        Some(Num::Dbl(d)) => float::round(d) as i128,
    };
    let i = match v {
        Value::Text(t) => crate::sql::value::parse_number(t).int.map_or(i, i128::from),
        _ => i,
    };
    const U64_RANGE: i128 = 1 << 64;
    if unsigned && i < 0 {
        return Value::Decimal {
            mantissa: i.rem_euclid(U64_RANGE),
            scale: 0,
        };
    }
    Value::Int(i64::try_from(i).unwrap_or(if i < 0 { i64::MIN } else { i64::MAX }))
}

pub(super) fn floor_ceil(ceil: bool, v: &Value) -> Result<Value, SqlError> {
    Ok(match num(v) {
        None => Value::Null,
        Some(Num::Int(i)) => Value::Int(i),
        Some(Num::Dec(m, s)) => {
            let d = pow10(u32::from(s)).unwrap_or(1);
            let mut q = m / d;
            let r = m % d;
            if ceil && r > 0 {
                q += 1;
            } else if !ceil && r < 0 {
                q -= 1;
            }
            Value::Int(i64::try_from(q).map_err(|_| errors::bigint_out_of_range("floor"))?)
        }
        Some(Num::Dbl(d)) => Value::Double(if ceil {
            float::ceil(d)
        } else {
            float::floor(d)
        }),
    })
}

pub(super) fn round(v: &Value, digits: i64) -> Value {
    match num(v) {
        None => Value::Null,
        Some(Num::Int(i)) => {
            if digits >= 0 {
                return Value::Int(i);
            }
            let Some(p) = u32::try_from(-digits).ok().and_then(pow10) else {
                return Value::Int(0);
            };
            let r = rescale(i128::from(i), 0, 0).unwrap_or(0);
            let q = (r + r.signum() * p / 2) / p * p;
            Value::Int(i64::try_from(q).unwrap_or(i)) // overflow keeps the value
        }
        Some(Num::Dec(m, s)) if digits < 0 => {
            // Round to a multiple of 10^-digits: treat the mantissa as having that many
            // more decimals, round to an integer, scale back up.
            let k = u8::try_from(-digits)
                .unwrap_or(u8::MAX)
                .min(MAX_DECIMAL_SCALE);
            let q = rescale(m, s.saturating_add(k), 0).unwrap_or(0);
            Value::Decimal {
                mantissa: q.saturating_mul(pow10(u32::from(k)).unwrap_or(0)),
                scale: 0,
            }
        }
        Some(Num::Dec(m, s)) => {
            let target = u8::try_from(digits.clamp(0, i64::from(MAX_DECIMAL_SCALE))).unwrap_or(0);
            let target = target.min(s);
            Value::Decimal {
                mantissa: rescale(m, s, target).unwrap_or(m),
                scale: target,
            }
        }
        Some(Num::Dbl(d)) => {
            let p = float::pow10(i32::try_from(digits.clamp(-308, 308)).unwrap_or(0));
            // Round half away from zero, as MySQL does for approximate values too.
            Value::Double(float::round(d * p) / p)
        }
    }
}
