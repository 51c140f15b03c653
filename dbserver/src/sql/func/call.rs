//! Evaluating a scalar function call: the arguments, then the function's rule.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use super::numbers::{cast_integer, floor_ceil, round};
use super::strings::{replace_bytes, substring, utf8_chars};
use super::{Func, SESSION_USER};
use crate::sql::errors;
use crate::sql::eval::{eval, num, Env, Num};

use crate::sql::expr::Expr;
use crate::sql::value::{char_count, float, rescale};
use crate::sql::{SqlError, Value, SERVER_VERSION};

pub(super) fn arg<'a>(
    args: &'a [Expr],
    i: usize,
    env: &Env<'a>,
) -> Result<Cow<'a, Value>, SqlError> {
    match args.get(i) {
        Some(e) => eval(e, env),
        None => Ok(Cow::Owned(Value::Null)),
    }
}

pub(super) fn text(s: &str) -> Value {
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
            if crate::sql::eval::cmp(crate::sql::expr::CmpOp::Eq, &a, &b) == Some(true) {
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
            owned(crate::sql::eval::arith(
                crate::sql::expr::ArithOp::Mod,
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
                        let o = crate::sql::value::compare(&v, b);
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
