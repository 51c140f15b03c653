//! String functions' helpers: SUBSTRING, REPLACE and splitting UTF-8 text into characters.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use super::call::arg;
use crate::sql::eval::{eval, Env};

use crate::sql::expr::Expr;
use crate::sql::value::float;
use crate::sql::{SqlError, Value};

pub(super) fn substring<'a>(args: &'a [Expr], env: &Env<'a>) -> Result<Cow<'a, Value>, SqlError> {
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
pub(super) fn replace_bytes(t: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
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

pub(super) fn utf8_chars(t: &[u8]) -> Vec<&[u8]> {
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
