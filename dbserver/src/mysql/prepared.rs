//! Prepared statements: ids per connection, COM_STMT_PREPARE_OK, COM_STMT_EXECUTE
//! parameter decoding, COM_STMT_SEND_LONG_DATA accumulation.

use super::consts::{
    BINARY_FLAG, CHARSET_BINARY, COLUMN_FIXED_LEN, OK_HEADER, PARAM_UNSIGNED, TYPE_BIT, TYPE_BLOB,
    TYPE_DATE, TYPE_DATETIME, TYPE_DATETIME2, TYPE_DECIMAL, TYPE_DOUBLE, TYPE_ENUM, TYPE_FLOAT,
    TYPE_GEOMETRY, TYPE_INT24, TYPE_JSON, TYPE_LONG, TYPE_LONGLONG, TYPE_LONG_BLOB,
    TYPE_MEDIUM_BLOB, TYPE_NEWDATE, TYPE_NEWDECIMAL, TYPE_NULL, TYPE_SET, TYPE_SHORT, TYPE_STRING,
    TYPE_TIME, TYPE_TIME2, TYPE_TIMESTAMP, TYPE_TIMESTAMP2, TYPE_TINY, TYPE_TINY_BLOB,
    TYPE_VARCHAR, TYPE_VAR_STRING, TYPE_YEAR,
};
use super::packet::write_packet;
use super::reply::put_eof;
use super::resultset::put_column_definition;
use super::wire::{put_lenenc_bytes, put_lenenc_int, put_u16, put_u32, Reader, Truncated};
use crate::sql::{Prepared, Value};
use alloc::collections::BTreeMap;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt::Write;

/// Most statements one connection may hold open (MySQL's max_prepared_stmt_count is
/// server-wide; this bounds what one client can pin).
pub const MAX_STATEMENTS_PER_CONNECTION: usize = 1024;
/// Lengths of the binary DATE/DATETIME/TIMESTAMP forms: date only, with seconds, with
/// microseconds (0: all fields zero).
const DATETIME_DATE: u8 = 4;
const DATETIME_SECONDS: u8 = 7;
const DATETIME_MICROS: u8 = 11;
/// Lengths of the binary TIME forms: with seconds, with microseconds (0: zero).
const TIME_SECONDS: u8 = 8;
const TIME_MICROS: u8 = 12;
const HOURS_PER_DAY: u64 = 24;
/// Largest exact decimal parameter turned into [`Value::Decimal`] (digits); longer ones
/// stay text.
const MAX_DECIMAL_DIGITS: usize = 38;

/// One prepared statement of a connection.
#[derive(Debug)]
pub struct Statement {
    pub prepared: Prepared,
    /// Parameter types of the last execution that bound them: (type, unsigned).
    types: Option<Vec<(u8, bool)>>,
    /// COM_STMT_SEND_LONG_DATA per parameter, until the next execution.
    long_data: Vec<Option<Vec<u8>>>,
    /// Bytes of all long data held (bounded by max_allowed_packet).
    long_data_bytes: usize,
    /// Long data was dropped because it passed the limit: the next execution fails.
    long_data_overflow: bool,
}

impl Statement {
    pub fn new(prepared: Prepared) -> Self {
        let n = usize::from(prepared.params);
        Self {
            prepared,
            types: None,
            long_data: vec![None; n],
            long_data_bytes: 0,
            long_data_overflow: false,
        }
    }

    /// COM_STMT_SEND_LONG_DATA: append `data` to parameter `param`; false (nothing
    /// stored) when the parameter is out of range, as there is no reply to report it in.
    fn append_long_data(&mut self, param: u16, data: &[u8]) -> bool {
        let Some(slot) = self.long_data.get_mut(usize::from(param)) else {
            return false;
        };
        slot.get_or_insert_with(Vec::new).extend_from_slice(data);
        self.long_data_bytes = self.long_data_bytes.saturating_add(data.len());
        true
    }

    /// Forget the long data; returns the bytes it counted.
    fn reset_long_data(&mut self) -> usize {
        for slot in &mut self.long_data {
            *slot = None;
        }
        self.long_data_overflow = false;
        core::mem::take(&mut self.long_data_bytes)
    }

    pub fn long_data_overflow(&self) -> bool {
        self.long_data_overflow
    }
}

/// The statements of one connection.
#[derive(Debug, Default)]
pub struct Statements {
    map: BTreeMap<u32, Statement>,
    next_id: u32,
    /// Long data held by all statements (bounded by max_allowed_packet per connection).
    long_data_bytes: usize,
}

impl Statements {
    /// Statements held.
    pub fn count(&self) -> usize {
        self.map.len()
    }

    /// Store a statement; None when the connection holds too many.
    pub fn insert(&mut self, prepared: Prepared) -> Option<u32> {
        if self.map.len() >= MAX_STATEMENTS_PER_CONNECTION {
            return None;
        }
        // Ids start at 1; skip 0 and ids in use after wrapping.
        loop {
            self.next_id = self.next_id.wrapping_add(1);
            if self.next_id != 0 && !self.map.contains_key(&self.next_id) {
                break;
            }
        }
        self.map.insert(self.next_id, Statement::new(prepared));
        Some(self.next_id)
    }

    pub fn get_mut(&mut self, id: u32) -> Option<&mut Statement> {
        self.map.get_mut(&id)
    }

    pub fn remove(&mut self, id: u32) {
        if let Some(mut stmt) = self.map.remove(&id) {
            self.long_data_bytes = self.long_data_bytes.saturating_sub(stmt.reset_long_data());
        }
    }

    pub fn clear(&mut self) {
        self.map.clear();
        self.long_data_bytes = 0;
    }

    /// COM_STMT_SEND_LONG_DATA for statement `id`. Past `limit` bytes held by the
    /// connection the data is dropped and the statement's next execution fails.
    pub fn append_long_data(&mut self, id: u32, param: u16, data: &[u8], limit: usize) {
        let total = self.long_data_bytes;
        let Some(stmt) = self.map.get_mut(&id) else {
            return;
        };
        match total.checked_add(data.len()) {
            Some(t) if t <= limit => {
                if stmt.append_long_data(param, data) {
                    self.long_data_bytes = t;
                }
            }
            _ => stmt.long_data_overflow = true,
        }
    }

    /// COM_STMT_RESET, and after every execution: forget statement `id`'s long data.
    pub fn reset_long_data(&mut self, id: u32) {
        if let Some(stmt) = self.map.get_mut(&id) {
            self.long_data_bytes = self.long_data_bytes.saturating_sub(stmt.reset_long_data());
        }
    }

    /// Long data bytes held by the connection.
    pub fn long_data_bytes(&self) -> usize {
        self.long_data_bytes
    }
}

/// COM_STMT_PREPARE_OK, the parameter definitions and the column definitions.
pub fn put_prepare_ok(out: &mut Vec<u8>, seq: &mut u8, id: u32, p: &Prepared, status: u16) {
    let columns = u16::try_from(p.columns.len()).unwrap_or(u16::MAX);
    write_packet(out, seq, |o| {
        o.push(OK_HEADER);
        put_u32(o, id);
        put_u16(o, columns);
        put_u16(o, p.params);
        o.push(0);
        put_u16(o, 0);
    });
    if p.params > 0 {
        for _ in 0..p.params {
            write_packet(out, seq, put_param_definition);
        }
        write_packet(out, seq, |o| put_eof(o, 0, status));
    }
    if columns > 0 {
        for c in p.columns.iter().take(usize::from(columns)) {
            write_packet(out, seq, |o| put_column_definition(o, c));
        }
        write_packet(out, seq, |o| put_eof(o, 0, status));
    }
}

/// A placeholder's definition: a binary VAR_STRING named "?".
fn put_param_definition(o: &mut Vec<u8>) {
    put_lenenc_bytes(o, b"def");
    for _ in 0..3 {
        put_lenenc_bytes(o, b"");
    }
    put_lenenc_bytes(o, b"?");
    put_lenenc_bytes(o, b"");
    put_lenenc_int(o, u64::from(COLUMN_FIXED_LEN));
    put_u16(o, u16::from(CHARSET_BINARY));
    put_u32(o, 0);
    o.push(TYPE_VAR_STRING);
    put_u16(o, BINARY_FLAG);
    o.push(0);
    put_u16(o, 0);
}

/// Read the statement id of a COM_STMT_EXECUTE / RESET / CLOSE / SEND_LONG_DATA body.
pub fn statement_id(body: &[u8]) -> Result<u32, Truncated> {
    Reader::new(body).u32()
}

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

fn read_value(r: &mut Reader<'_>, t: u8, unsigned: bool) -> Result<Value, BadArguments> {
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
fn read_datetime(r: &mut Reader<'_>, with_time: bool) -> Result<Vec<u8>, BadArguments> {
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
fn read_time(r: &mut Reader<'_>) -> Result<Vec<u8>, BadArguments> {
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

struct Text(Vec<u8>);

impl Write for Text {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mysql::wire::put_u64;
    use alloc::string::ToString;

    /// A statement with `params` placeholders, prepared by the engine.
    fn prepared(params: u16) -> Prepared {
        let sql = if params == 0 {
            "SELECT 1".to_string()
        } else {
            alloc::format!("SELECT {}", vec!["?"; usize::from(params)].join(", "))
        };
        let p = crate::sql::Engine::default()
            .prepare(&mut crate::sql::Session::new(1), &sql)
            .unwrap();
        assert_eq!(p.params, params);
        p
    }

    fn stmt(params: u16) -> Statement {
        Statement::new(prepared(params))
    }

    fn header(id: u32) -> Vec<u8> {
        let mut b = Vec::new();
        put_u32(&mut b, id);
        b.push(0);
        put_u32(&mut b, 1);
        b
    }

    #[test]
    fn all_types_decode() {
        let mut s = stmt(12);
        let mut b = header(1);
        b.extend_from_slice(&[0b0000_0010, 0]); // param 1 NULL
        b.push(1);
        let types: [(u8, u8); 12] = [
            (TYPE_TINY, 0),
            (TYPE_LONG, 0),
            (TYPE_SHORT, 0x80),
            (TYPE_LONG, 0),
            (TYPE_LONGLONG, 0x80),
            (TYPE_DOUBLE, 0),
            (TYPE_FLOAT, 0),
            (TYPE_NEWDECIMAL, 0),
            (TYPE_VAR_STRING, 0),
            (TYPE_DATETIME, 0),
            (TYPE_TIME, 0),
            (TYPE_DATE, 0),
        ];
        for (t, f) in types {
            b.extend_from_slice(&[t, f]);
        }
        b.push(0xFF); // -1
                      // param 1 is NULL: no bytes
        b.extend_from_slice(&0xFFFFu16.to_le_bytes()); // 65535 unsigned
        b.extend_from_slice(&(-7i32).to_le_bytes());
        put_u64(&mut b, u64::MAX);
        b.extend_from_slice(&2.5f64.to_le_bytes());
        b.extend_from_slice(&0.5f32.to_le_bytes());
        put_lenenc_bytes(&mut b, b"-1.25");
        put_lenenc_bytes(&mut b, b"hello");
        b.extend_from_slice(&[7, 0xE8, 0x07, 1, 2, 3, 4, 5]);
        b.extend_from_slice(&[8, 1, 1, 0, 0, 0, 2, 3, 4]);
        b.extend_from_slice(&[4, 0xE8, 0x07, 12, 31]);
        let v = parse_execute(&b, &mut s).unwrap();
        assert_eq!(
            v,
            vec![
                Value::Int(-1),
                Value::Null,
                Value::Int(65535),
                Value::Int(-7),
                Value::Decimal {
                    mantissa: u64::MAX as i128,
                    scale: 0
                },
                Value::Double(2.5),
                Value::Double(0.5),
                Value::Decimal {
                    mantissa: -125,
                    scale: 2
                },
                Value::Text(b"hello".to_vec()),
                Value::Text(b"2024-01-02 03:04:05".to_vec()),
                Value::Text(b"-26:03:04".to_vec()),
                Value::Text(b"2024-12-31".to_vec()),
            ]
        );
        // Every truncation fails cleanly.
        for cut in 0..b.len() {
            let mut s = stmt(12);
            assert_eq!(parse_execute(&b[..cut], &mut s), Err(BadArguments));
        }
    }

    #[test]
    fn types_remembered_and_long_data_first() {
        let mut s = stmt(2);
        let mut b = header(1);
        b.extend_from_slice(&[0, 1, TYPE_LONGLONG, 0, TYPE_VAR_STRING, 0]);
        put_u64(&mut b, 5);
        put_lenenc_bytes(&mut b, b"x");
        assert_eq!(
            parse_execute(&b, &mut s).unwrap(),
            vec![Value::Int(5), Value::Text(b"x".to_vec())]
        );
        // Next execution: types not re-sent; param 1 comes from long data.
        s.reset_long_data();
        assert!(s.append_long_data(1, b"lo"));
        assert!(s.append_long_data(1, b"ng"));
        assert!(!s.append_long_data(9, b"ignored"));
        let mut b = header(1);
        b.extend_from_slice(&[0, 0]);
        put_u64(&mut b, 6);
        assert_eq!(
            parse_execute(&b, &mut s).unwrap(),
            vec![Value::Int(6), Value::Text(b"long".to_vec())]
        );
        // No types ever bound: 1210.
        let mut fresh = stmt(1);
        let mut b = header(1);
        b.extend_from_slice(&[0, 0]);
        assert_eq!(parse_execute(&b, &mut fresh), Err(BadArguments));
    }

    #[test]
    fn long_data_limit_per_connection() {
        let mut st = Statements::default();
        let a = st.insert(prepared(1)).unwrap();
        let b = st.insert(prepared(1)).unwrap();
        st.append_long_data(a, 0, &[0; 60], 100);
        st.append_long_data(b, 0, &[0; 30], 100);
        assert_eq!(st.long_data_bytes(), 90);
        // Past the connection's limit: dropped, the statement's next execution fails.
        st.append_long_data(b, 0, &[0; 30], 100);
        assert_eq!(st.long_data_bytes(), 90);
        assert!(st.get_mut(b).unwrap().long_data_overflow());
        assert!(!st.get_mut(a).unwrap().long_data_overflow());
        st.reset_long_data(b);
        assert!(!st.get_mut(b).unwrap().long_data_overflow());
        assert_eq!(st.long_data_bytes(), 60);
        st.remove(a);
        assert_eq!(st.long_data_bytes(), 0);
        // Unknown statements and parameters hold nothing.
        st.append_long_data(b, 5, &[0; 10], 100);
        st.append_long_data(99, 0, &[0; 10], 100);
        assert_eq!(st.long_data_bytes(), 0);
    }

    #[test]
    fn short_null_bitmap_and_bad_types() {
        let mut s = stmt(9);
        let mut b = header(1);
        b.push(0); // bitmap needs 2 bytes
        assert_eq!(parse_execute(&b, &mut s), Err(BadArguments));
        let mut s = stmt(1);
        let mut b = header(1);
        b.extend_from_slice(&[0, 1, 0x77, 0]); // unknown type
        assert_eq!(parse_execute(&b, &mut s), Err(BadArguments));
        let mut b = header(1);
        b.extend_from_slice(&[0, 1, TYPE_DATETIME, 0, 5, 1, 2, 3, 4, 5]); // bad length
        assert_eq!(parse_execute(&b, &mut s), Err(BadArguments));
        let mut b = header(1);
        b.extend_from_slice(&[
            0, 1, TYPE_BLOB, 0, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F,
        ]);
        assert_eq!(parse_execute(&b, &mut s), Err(BadArguments));
    }

    #[test]
    fn decimals() {
        assert_eq!(
            parse_decimal(b"12.50"),
            Some(Value::Decimal {
                mantissa: 1250,
                scale: 2
            })
        );
        assert_eq!(
            parse_decimal(b"-.5"),
            Some(Value::Decimal {
                mantissa: -5,
                scale: 1
            })
        );
        assert_eq!(parse_decimal(b"."), None);
        assert_eq!(parse_decimal(b"1e5"), None);
        assert_eq!(parse_decimal(b""), None);
        assert_eq!(parse_decimal(&[b'9'; 39]), None);
    }

    #[test]
    fn ids_skip_zero_and_limit() {
        let mut st = Statements::default();
        for i in 1..=MAX_STATEMENTS_PER_CONNECTION as u32 {
            assert_eq!(st.insert(prepared(0)), Some(i));
        }
        assert_eq!(st.insert(prepared(0)), None);
        st.remove(3);
        st.next_id = u32::MAX;
        // Wraps past 0 and past ids in use (1, 2) to 3.
        assert_eq!(st.insert(prepared(0)), Some(3));
    }
}
