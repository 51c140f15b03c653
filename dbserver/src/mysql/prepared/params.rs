//! Decoding the parameters of COM_STMT_EXECUTE: the null bitmap, newly bound types, long
//! data, and each binary value (integers, doubles, decimals, strings, DATE/DATETIME/TIME)
//! as an engine [`Value`]; a mismatch is [`BadArguments`] (1210).

use super::super::consts::{
    PARAM_UNSIGNED, TYPE_BIT, TYPE_BLOB, TYPE_DATE, TYPE_DATETIME, TYPE_DATETIME2, TYPE_DECIMAL,
    TYPE_DOUBLE, TYPE_ENUM, TYPE_FLOAT, TYPE_GEOMETRY, TYPE_INT24, TYPE_JSON, TYPE_LONG,
    TYPE_LONGLONG, TYPE_LONG_BLOB, TYPE_MEDIUM_BLOB, TYPE_NEWDATE, TYPE_NEWDECIMAL, TYPE_NULL,
    TYPE_SET, TYPE_SHORT, TYPE_STRING, TYPE_TIME, TYPE_TIME2, TYPE_TIMESTAMP, TYPE_TIMESTAMP2,
    TYPE_TINY, TYPE_TINY_BLOB, TYPE_VARCHAR, TYPE_VAR_STRING, TYPE_YEAR,
};
use super::super::wire::{Reader, Truncated};
use crate::sql::Value;
use alloc::vec::Vec;
use core::fmt::Write;

use super::Statement;

/// Lengths of the binary DATE/DATETIME/TIMESTAMP forms: date only, with seconds, with
/// microseconds (0: all fields zero).
pub(super) const DATETIME_DATE: u8 = 4;
pub(super) const DATETIME_SECONDS: u8 = 7;
pub(super) const DATETIME_MICROS: u8 = 11;
/// Lengths of the binary TIME forms: with seconds, with microseconds (0: zero).
pub(super) const TIME_SECONDS: u8 = 8;
pub(super) const TIME_MICROS: u8 = 12;
pub(super) const HOURS_PER_DAY: u64 = 24;
/// Largest exact decimal parameter turned into [`Value::Decimal`] (digits); longer ones
/// stay text.
pub(super) const MAX_DECIMAL_DIGITS: usize = 38;

/// The arguments did not match the statement (1210).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadArguments;

impl From<Truncated> for BadArguments {
    fn from(_: Truncated) -> Self {
        BadArguments
    }
}

/// Decode the parameters of a COM_STMT_EXECUTE body (after the command byte) for `stmt`,
/// remembering newly bound types and taking long data first.
pub fn parse_execute(body: &[u8], stmt: &mut Statement) -> Result<Vec<Value>, BadArguments> {
    let mut r = Reader::new(body);
    let _id = r.u32()?;
    let _flags = r.u8()?;
    let _iterations = r.u32()?;
    let n = usize::from(stmt.prepared.params);
    if n == 0 {
        return Ok(Vec::new());
    }
    let null_bitmap = r.bytes(n.div_ceil(8))?;
    let new_params_bound = r.u8()?;
    if new_params_bound == 1 {
        let raw = r.bytes(n.checked_mul(2).ok_or(BadArguments)?)?;
        let types = raw
            .chunks_exact(2)
            .map(|c| match c {
                [t, f] => (*t, f & PARAM_UNSIGNED != 0),
                _ => (TYPE_NULL, false),
            })
            .collect();
        stmt.types = Some(types);
    } else if new_params_bound != 0 {
        return Err(BadArguments);
    }
    let types = stmt.types.as_deref().ok_or(BadArguments)?;
    let mut values = Vec::with_capacity(n);
    for i in 0..n {
        let long = stmt.long_data.get_mut(i).and_then(Option::take);
        if let Some(data) = long {
            values.push(Value::Text(data));
            continue;
        }
        let is_null = null_bitmap
            .get(i / 8)
            .is_some_and(|b| b & (1 << (i % 8)) != 0);
        let &(t, unsigned) = types.get(i).ok_or(BadArguments)?;
        if is_null || t == TYPE_NULL {
            values.push(Value::Null);
            continue;
        }
        values.push(read_value(&mut r, t, unsigned)?);
    }
    Ok(values)
}

pub(super) fn read_value(r: &mut Reader<'_>, t: u8, unsigned: bool) -> Result<Value, BadArguments> {
    let v = match t {
        TYPE_TINY => {
            let b = r.u8()?;
            Value::Int(if unsigned {
                i64::from(b)
            } else {
                i64::from(b as i8)
            })
        }
        TYPE_SHORT | TYPE_YEAR => {
            let v = r.u16()?;
            Value::Int(if unsigned {
                i64::from(v)
            } else {
                i64::from(v as i16)
            })
        }
        TYPE_LONG | TYPE_INT24 => {
            let v = r.u32()?;
            Value::Int(if unsigned {
                i64::from(v)
            } else {
                i64::from(v as i32)
            })
        }
        TYPE_LONGLONG => {
            let v = r.u64()?;
            match (unsigned, i64::try_from(v)) {
                (true, Err(_)) => Value::Decimal {
                    mantissa: i128::from(v),
                    scale: 0,
                },
                _ => Value::Int(v as i64),
            }
        }
        TYPE_FLOAT => Value::Double(f64::from(f32::from_bits(r.u32()?))),
        TYPE_DOUBLE => Value::Double(f64::from_bits(r.u64()?)),
        TYPE_DECIMAL | TYPE_NEWDECIMAL => {
            let s = r.lenenc_bytes()?;
            parse_decimal(s).unwrap_or_else(|| Value::Text(s.to_vec()))
        }
        TYPE_VARCHAR | TYPE_VAR_STRING | TYPE_STRING | TYPE_TINY_BLOB | TYPE_MEDIUM_BLOB
        | TYPE_LONG_BLOB | TYPE_BLOB | TYPE_JSON | TYPE_ENUM | TYPE_SET | TYPE_BIT
        | TYPE_GEOMETRY => Value::Text(r.lenenc_bytes()?.to_vec()),
        TYPE_DATE | TYPE_NEWDATE => Value::Text(read_datetime(r, false)?),
        TYPE_DATETIME | TYPE_TIMESTAMP | TYPE_DATETIME2 | TYPE_TIMESTAMP2 => {
            Value::Text(read_datetime(r, true)?)
        }
        TYPE_TIME | TYPE_TIME2 => Value::Text(read_time(r)?),
        _ => return Err(BadArguments),
    };
    Ok(v)
}

/// An exact decimal literal (`-12.345`) as [`Value::Decimal`].
pub fn parse_decimal(s: &[u8]) -> Option<Value> {
    let (neg, digits) = match s {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, s),
    };
    let (int, frac) = match digits.iter().position(|&b| b == b'.') {
        Some(p) => (digits.get(..p)?, digits.get(p + 1..)?),
        None => (digits, &[][..]),
    };
    if int.is_empty() && frac.is_empty()
        || int.len() + frac.len() > MAX_DECIMAL_DIGITS
        || !int.iter().chain(frac).all(u8::is_ascii_digit)
    {
        return None;
    }
    let mut m: i128 = 0;
    for &d in int.iter().chain(frac) {
        m = m.checked_mul(10)?.checked_add(i128::from(d - b'0'))?;
    }
    Some(Value::Decimal {
        mantissa: if neg { -m } else { m },
        scale: u8::try_from(frac.len()).ok()?,
    })
}

/// `YYYY-MM-DD[ HH:MM:SS[.ffffff]]` from the binary DATE/DATETIME form.
pub(super) fn read_datetime(r: &mut Reader<'_>, with_time: bool) -> Result<Vec<u8>, BadArguments> {
    let len = r.u8()?;
    let mut f = Reader::new(r.bytes(usize::from(len))?);
    let (mut year, mut month, mut day) = (0u16, 0u8, 0u8);
    let (mut h, mut m, mut s, mut micros) = (0u8, 0u8, 0u8, 0u32);
    match len {
        0 => {}
        DATETIME_DATE | DATETIME_SECONDS | DATETIME_MICROS => {
            year = f.u16()?;
            month = f.u8()?;
            day = f.u8()?;
            if len >= DATETIME_SECONDS {
                h = f.u8()?;
                m = f.u8()?;
                s = f.u8()?;
            }
            if len == DATETIME_MICROS {
                micros = f.u32()?;
            }
        }
        _ => return Err(BadArguments),
    }
    let mut out = Text(Vec::new());
    let _ = write!(out, "{year:04}-{month:02}-{day:02}");
    if with_time {
        let _ = write!(out, " {h:02}:{m:02}:{s:02}");
        if micros != 0 {
            let _ = write!(out, ".{micros:06}");
        }
    }
    Ok(out.0)
}

/// `[-]HHH:MM:SS[.ffffff]` from the binary TIME form.
pub(super) fn read_time(r: &mut Reader<'_>) -> Result<Vec<u8>, BadArguments> {
    let len = r.u8()?;
    let mut f = Reader::new(r.bytes(usize::from(len))?);
    let (mut neg, mut days, mut h, mut m, mut s, mut micros) = (false, 0u32, 0u8, 0u8, 0u8, 0u32);
    match len {
        0 => {}
        TIME_SECONDS | TIME_MICROS => {
            neg = f.u8()? != 0;
            days = f.u32()?;
            h = f.u8()?;
            m = f.u8()?;
            s = f.u8()?;
            if len == TIME_MICROS {
                micros = f.u32()?;
            }
        }
        _ => return Err(BadArguments),
    }
    let hours = u64::from(days) * HOURS_PER_DAY + u64::from(h);
    let mut out = Text(Vec::new());
    let sign = if neg { "-" } else { "" };
    let _ = write!(out, "{sign}{hours:02}:{m:02}:{s:02}");
    if micros != 0 {
        let _ = write!(out, ".{micros:06}");
    }
    Ok(out.0)
}

pub(super) struct Text(Vec<u8>);

impl Write for Text {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}
