//! Scalar functions: names, arity, result types and evaluation.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use super::errors;
use super::eval::{eval, num, Env, Num};

use super::expr::{is_integer, is_text, unify_types, Expr, Typed};
use super::value::{char_count, float, pow10, rescale, MAX_DECIMAL_SCALE};
use super::{SqlError, SqlType, Value, SERVER_VERSION};

/// The user every session runs as (`USER()`, `CURRENT_USER()`).
pub const SESSION_USER: &str = "root@localhost";
/// Width reported for string results of unknown length.
const STRING_RESULT_CHARS: u32 = 255;

/// Scalar functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    LastInsertId,
    Database,
    Version,
    ConnectionId,
    User,
    Coalesce,
    IfNull,
    If,
    NullIf,
    Concat,
    Length,
    CharLength,
    Upper,
    Lower,
    Abs,
    Mod,
    Floor,
    Ceil,
    Round,
    Substring,
    Trim,
    Greatest,
    Least,
    Left,
    Right,
    Ltrim,
    Rtrim,
    Replace,
    /// CAST(x AS SIGNED / UNSIGNED / CHAR / DOUBLE / DECIMAL(p, s)).
    CastSigned,
    CastUnsigned,
    CastChar,
    CastDouble,
    CastDecimal(u8, u8),
}

impl Func {
    /// Functions that need a clock, which the engine does not have (1235).
    pub fn needs_clock(name: &str) -> bool {
        matches!(
            name,
            "NOW"
                | "CURRENT_TIMESTAMP"
                | "LOCALTIME"
                | "LOCALTIMESTAMP"
                | "SYSDATE"
                | "CURDATE"
                | "CURRENT_DATE"
                | "CURTIME"
                | "CURRENT_TIME"
                | "UNIX_TIMESTAMP"
                | "UTC_TIMESTAMP"
                | "RAND"
                | "UUID"
        )
    }

    /// The function of an (upper-case) name.
    pub fn by_name(name: &str) -> Option<Func> {
        Some(match name {
            "LAST_INSERT_ID" => Func::LastInsertId,
            "DATABASE" | "SCHEMA" => Func::Database,
            "VERSION" => Func::Version,
            "CONNECTION_ID" => Func::ConnectionId,
            "USER" | "CURRENT_USER" | "SESSION_USER" | "SYSTEM_USER" => Func::User,
            "COALESCE" => Func::Coalesce,
            "IFNULL" => Func::IfNull,
            "IF" => Func::If,
            "NULLIF" => Func::NullIf,
            "CONCAT" => Func::Concat,
            "LENGTH" | "OCTET_LENGTH" => Func::Length,
            "CHAR_LENGTH" | "CHARACTER_LENGTH" => Func::CharLength,
            "UPPER" | "UCASE" => Func::Upper,
            "LOWER" | "LCASE" => Func::Lower,
            "ABS" => Func::Abs,
            "MOD" => Func::Mod,
            "FLOOR" => Func::Floor,
            "CEIL" | "CEILING" => Func::Ceil,
            "ROUND" => Func::Round,
            "SUBSTRING" | "SUBSTR" => Func::Substring,
            "TRIM" => Func::Trim,
            "GREATEST" => Func::Greatest,
            "LEFT" => Func::Left,
            "RIGHT" => Func::Right,
            "LTRIM" => Func::Ltrim,
            "RTRIM" => Func::Rtrim,
            "REPLACE" => Func::Replace,
            "LEAST" => Func::Least,
            _ => return None,
        })
    }

    /// Refuse a call with the wrong number of arguments (1582).
    pub fn check_arity(self, n: usize, name: &str) -> Result<(), SqlError> {
        let ok = match self {
            Func::LastInsertId
            | Func::Database
            | Func::Version
            | Func::ConnectionId
            | Func::User => n == 0,
            Func::Coalesce | Func::Concat => n >= 1,
            Func::Greatest | Func::Least => n >= 2,
            Func::IfNull | Func::NullIf | Func::Mod | Func::Left | Func::Right => n == 2,
            Func::If | Func::Replace => n == 3,
            Func::Length
            | Func::CharLength
            | Func::Upper
            | Func::Lower
            | Func::Abs
            | Func::Floor
            | Func::Ceil
            | Func::Trim
            | Func::Ltrim
            | Func::Rtrim
            | Func::CastSigned
            | Func::CastUnsigned
            | Func::CastChar
            | Func::CastDouble
            | Func::CastDecimal(..) => n == 1,
            Func::Round => n == 1 || n == 2,
            Func::Substring => n == 2 || n == 3,
        };
        if ok {
            Ok(())
        } else {
            Err(errors::wrong_arg_count(name))
        }
    }
}

/// A call with its result type.
pub fn typed(f: Func, args: Vec<Expr>, types: &[SqlType]) -> Typed {
    let first = types.first().copied().unwrap_or(SqlType::BigInt);
    let ty = match f {
        Func::LastInsertId | Func::ConnectionId | Func::Length | Func::CharLength => {
            SqlType::BigInt
        }
        Func::Database
        | Func::Version
        | Func::User
        | Func::Concat
        | Func::Substring
        | Func::Left
        | Func::Right
        | Func::Ltrim
        | Func::Rtrim
        | Func::Replace
        | Func::CastChar => SqlType::VarChar(STRING_RESULT_CHARS),
        Func::CastSigned | Func::CastUnsigned => SqlType::BigInt,
        Func::CastDouble => SqlType::Double,
        Func::CastDecimal(precision, scale) => SqlType::Decimal { precision, scale },
        Func::Upper | Func::Lower | Func::Trim | Func::Abs => first,
        Func::Coalesce | Func::IfNull | Func::Greatest | Func::Least => unify_types(types),
        Func::If => unify_types(types.get(1..).unwrap_or_default()),
        Func::NullIf => first,
        Func::Mod => unify_types(types),
        Func::Floor | Func::Ceil => {
            if is_integer(first) || matches!(first, SqlType::Decimal { .. }) {
                SqlType::BigInt
            } else {
                SqlType::Double
            }
        }
        Func::Round => match first {
            SqlType::Decimal { precision, .. } => SqlType::Decimal {
                precision,
                scale: 0,
            },
            t if is_text(t) => SqlType::Double,
            t => t,
        },
    };
    Typed {
        expr: Expr::Func(f, args),
        ty,
        nullable: true,
    }
}

fn arg<'a>(args: &'a [Expr], i: usize, env: &Env<'a>) -> Result<Cow<'a, Value>, SqlError> {
    match args.get(i) {
        Some(e) => eval(e, env),
        None => Ok(Cow::Owned(Value::Null)),
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.as_bytes().to_vec())
}

/// Evaluate a call.
pub fn call<'a>(f: Func, args: &'a [Expr], env: &Env<'a>) -> Result<Cow<'a, Value>, SqlError> {
    let s = env.session;
    let owned = |v: Value| Ok(Cow::Owned(v));
    match f {
        Func::LastInsertId => owned(Value::Int(
            i64::try_from(s.last_insert_id).unwrap_or(i64::MAX),
        )),
        Func::Database => owned(s.database().map_or(Value::Null, text)),
        Func::Version => owned(text(SERVER_VERSION)),
        Func::ConnectionId => owned(Value::Int(i64::from(s.connection_id()))),
        Func::User => owned(text(SESSION_USER)),
        Func::Coalesce => {
            for i in 0..args.len() {
                let v = arg(args, i, env)?;
                if !v.is_null() {
                    return Ok(v);
                }
            }
            owned(Value::Null)
        }
        Func::IfNull => {
            let v = arg(args, 0, env)?;
            if v.is_null() {
                arg(args, 1, env)
            } else {
                Ok(v)
            }
        }
        Func::If => {
            if arg(args, 0, env)?.truth() == Some(true) {
                arg(args, 1, env)
            } else {
                arg(args, 2, env)
            }
        }
        Func::NullIf => {
            let a = arg(args, 0, env)?;
            let b = arg(args, 1, env)?;
            if super::eval::cmp(super::expr::CmpOp::Eq, &a, &b) == Some(true) {
                owned(Value::Null)
            } else {
                Ok(a)
            }
        }
        Func::Concat => {
            let mut out = Vec::new();
            for i in 0..args.len() {
                if !arg(args, i, env)?.write_text(&mut out) {
                    return owned(Value::Null);
                }
            }
            owned(Value::Text(out))
        }
        Func::Length | Func::CharLength => {
            let v = arg(args, 0, env)?;
            owned(match v.to_text() {
                None => Value::Null,
                Some(t) => {
                    let n = if f == Func::Length {
                        t.len()
                    } else {
                        char_count(&t)
                    };
                    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
                }
            })
        }
        Func::Upper | Func::Lower => {
            let v = arg(args, 0, env)?;
            owned(match v.to_text() {
                None => Value::Null,
                Some(mut t) => {
                    if f == Func::Upper {
                        t.make_ascii_uppercase();
                    } else {
                        t.make_ascii_lowercase();
                    }
                    Value::Text(t)
                }
            })
        }
        Func::Trim | Func::Ltrim | Func::Rtrim => {
            let v = arg(args, 0, env)?;
            owned(match v.to_text() {
                None => Value::Null,
                Some(t) => {
                    let start = if f == Func::Rtrim {
                        0
                    } else {
                        t.iter().position(|b| *b != b' ').unwrap_or(t.len())
                    };
                    let end = if f == Func::Ltrim {
                        t.len()
                    } else {
                        t.iter().rposition(|b| *b != b' ').map_or(start, |p| p + 1)
                    };
                    Value::Text(t.get(start..end.max(start)).unwrap_or_default().to_vec())
                }
            })
        }
        Func::Left | Func::Right => {
            let v = arg(args, 0, env)?;
            let n = arg(args, 1, env)?;
            let (Some(t), false) = (v.to_text(), n.is_null()) else {
                return owned(Value::Null);
            };
            let chars = utf8_chars(&t);
            let n = usize::try_from(float::round(n.to_f64()).max(0.0) as i64)
                .unwrap_or(0)
                .min(chars.len());
            let part = if f == Func::Left {
                chars.get(..n)
            } else {
                chars.get(chars.len() - n..)
            };
            owned(Value::Text(part.unwrap_or_default().concat()))
        }
        Func::Replace => {
            let (a, b, c) = (arg(args, 0, env)?, arg(args, 1, env)?, arg(args, 2, env)?);
            let (Some(t), Some(from), Some(to)) = (a.to_text(), b.to_text(), c.to_text()) else {
                return owned(Value::Null);
            };
            owned(Value::Text(replace_bytes(&t, &from, &to)))
        }
        Func::CastSigned | Func::CastUnsigned => {
            let v = arg(args, 0, env)?;
            owned(cast_integer(&v, f == Func::CastUnsigned))
        }
        Func::CastChar => {
            let v = arg(args, 0, env)?;
            owned(v.to_text().map_or(Value::Null, Value::Text))
        }
        Func::CastDouble => {
            let v = arg(args, 0, env)?;
            owned(if v.is_null() {
                Value::Null
            } else {
                Value::Double(v.to_f64())
            })
        }
        Func::CastDecimal(_, scale) => {
            let v = arg(args, 0, env)?;
            owned(match num(&v) {
                None => Value::Null,
                Some(Num::Int(i)) => Value::Decimal {
                    mantissa: rescale(i128::from(i), 0, scale).unwrap_or(0),
                    scale,
                },
                Some(Num::Dec(m, s)) => Value::Decimal {
                    mantissa: rescale(m, s, scale).unwrap_or(0),
                    scale,
                },
                Some(Num::Dbl(d)) => Value::Decimal {
                    mantissa: float::round(d * float::pow10(i32::from(scale))) as i128,
                    scale,
                },
            })
        }
        Func::Substring => substring(args, env),
        Func::Abs => owned(match num(&*arg(args, 0, env)?) {
            None => Value::Null,
            Some(Num::Int(i)) => Value::Int(
                i.checked_abs()
                    .ok_or_else(|| errors::bigint_out_of_range("abs"))?,
            ),
            Some(Num::Dec(m, sc)) => Value::Decimal {
                mantissa: m
                    .checked_abs()
                    .ok_or_else(|| errors::decimal_out_of_range("abs"))?,
                scale: sc,
            },
            Some(Num::Dbl(d)) => Value::Double(d.abs()),
        }),
        Func::Mod => {
            let a = arg(args, 0, env)?;
            let b = arg(args, 1, env)?;
            owned(super::eval::arith(
                super::expr::ArithOp::Mod,
                &a,
                &b,
                "MOD",
            )?)
        }
        Func::Floor | Func::Ceil => owned(floor_ceil(f == Func::Ceil, &*arg(args, 0, env)?)?),
        Func::Round => {
            let digits = match args.get(1) {
                Some(e) => match num(&*eval(e, env)?) {
                    None => return owned(Value::Null),
                    Some(n) => match n {
                        Num::Int(i) => i,
                        Num::Dec(m, sc) => {
                            i64::try_from(rescale(m, sc, 0).unwrap_or(0)).unwrap_or(0)
                        }
                        Num::Dbl(d) => d as i64,
                    },
                },
                None => 0,
            };
            owned(round(&*arg(args, 0, env)?, digits))
        }
        Func::Greatest | Func::Least => {
            let mut best: Option<Cow<'a, Value>> = None;
            for i in 0..args.len() {
                let v = arg(args, i, env)?;
                if v.is_null() {
                    return owned(Value::Null);
                }
                let better = match &best {
                    None => true,
                    Some(b) => {
                        let o = super::value::compare(&v, b);
                        if f == Func::Greatest {
                            o == Some(core::cmp::Ordering::Greater)
                        } else {
                            o == Some(core::cmp::Ordering::Less)
                        }
                    }
                };
                if better {
                    best = Some(v);
                }
            }
            Ok(best.unwrap_or(Cow::Owned(Value::Null)))
        }
    }
}

fn substring<'a>(args: &'a [Expr], env: &Env<'a>) -> Result<Cow<'a, Value>, SqlError> {
    let v = arg(args, 0, env)?;
    let pos = arg(args, 1, env)?;
    let len = match args.get(2) {
        Some(e) => Some(eval(e, env)?),
        None => None,
    };
    let (Some(t), false) = (
        v.to_text(),
        pos.is_null() || len.as_ref().is_some_and(|l| l.is_null()),
    ) else {
        return Ok(Cow::Owned(Value::Null));
    };
    let chars: Vec<&[u8]> = utf8_chars(&t);
    let n = i64::try_from(chars.len()).unwrap_or(i64::MAX);
    let p = float::round(pos.to_f64()) as i64;
    let start = match p {
        0 => return Ok(Cow::Owned(Value::Text(Vec::new()))),
        p if p > 0 => p - 1,
        p => n + p,
    };
    if start < 0 || start >= n {
        return Ok(Cow::Owned(Value::Text(Vec::new())));
    }
    let take = match len {
        Some(l) => float::round(l.to_f64()).max(0.0) as i64,
        None => n,
    };
    let end = start.saturating_add(take).min(n);
    let out: Vec<u8> = chars
        .get(usize::try_from(start).unwrap_or(0)..usize::try_from(end).unwrap_or(0))
        .unwrap_or_default()
        .concat();
    Ok(Cow::Owned(Value::Text(out)))
}

/// Every occurrence of `from` in `t` replaced by `to`.
fn replace_bytes(t: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    if from.is_empty() {
        return t.to_vec();
    }
    let mut out = Vec::with_capacity(t.len());
    let mut i = 0;
    while i < t.len() {
        if t.get(i..).is_some_and(|rest| rest.starts_with(from)) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            if let Some(b) = t.get(i) {
                out.push(*b);
            }
            i += 1;
        }
    }
    out
}

/// CAST(... AS SIGNED/UNSIGNED): round to an integer; UNSIGNED wraps negatives as
/// MySQL does (as a DECIMAL, since they exceed BIGINT).
fn cast_integer(v: &Value, unsigned: bool) -> Value {
    let i: i128 = match num(v) {
        None => return Value::Null,
        Some(Num::Int(i)) => i128::from(i),
        Some(Num::Dec(m, s)) => rescale(m, s, 0).unwrap_or(0),
        Some(Num::Dbl(d)) => float::round(d) as i128,
    };
    let i = match v {
        Value::Text(t) => super::value::parse_number(t).int.map_or(i, i128::from),
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

fn utf8_chars(t: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=t.len() {
        if i == t.len() || t.get(i).is_some_and(|b| (b & 0xC0) != 0x80) {
            if let Some(c) = t.get(start..i) {
                out.push(c);
            }
            start = i;
        }
    }
    out
}

fn floor_ceil(ceil: bool, v: &Value) -> Result<Value, SqlError> {
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

fn round(v: &Value, digits: i64) -> Value {
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
