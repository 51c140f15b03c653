//! The byte encoding of redo payloads: LEB128 varints (zig-zag for signed numbers),
//! length-prefixed strings, tagged values, rows and table schemas.
//!
//! Hand-written (about a hundred lines) rather than a serde format: the engine's types
//! are few and stable, and every count read back is checked against the bytes left, so
//! a corrupt payload can neither panic nor make the reader allocate more than it holds.

use alloc::string::String;
use alloc::vec::Vec;

use super::RedoError;
use crate::sql::table::{Column, IndexDef};
use crate::sql::{SqlType, Value};

/// Appends encoded items to a payload.
#[derive(Debug, Default)]
pub(super) struct Writer {
    pub(super) bytes: Vec<u8>,
}

impl Writer {
    pub(super) fn byte(&mut self, b: u8) {
        self.bytes.push(b);
    }

    pub(super) fn uint(&mut self, mut v: u128) {
        loop {
            let low = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.bytes.push(low);
                return;
            }
            self.bytes.push(low | 0x80);
        }
    }

    pub(super) fn int(&mut self, v: i128) {
        self.uint(((v << 1) ^ (v >> 127)) as u128);
    }

    pub(super) fn bool(&mut self, b: bool) {
        self.byte(u8::from(b));
    }

    pub(super) fn bytes(&mut self, b: &[u8]) {
        self.uint(b.len() as u128);
        self.bytes.extend_from_slice(b);
    }

    pub(super) fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    pub(super) fn value(&mut self, v: &Value) {
        match v {
            Value::Null => self.byte(0),
            Value::Int(i) => {
                self.byte(1);
                self.int(i128::from(*i));
            }
            Value::Double(d) => {
                self.byte(2);
                self.bytes.extend_from_slice(&d.to_le_bytes());
            }
            Value::Decimal { mantissa, scale } => {
                self.byte(3);
                self.int(*mantissa);
                self.byte(*scale);
            }
            Value::Text(t) => {
                self.byte(4);
                self.bytes(t);
            }
        }
    }

    pub(super) fn row(&mut self, row: &[Value]) {
        self.uint(row.len() as u128);
        for v in row {
            self.value(v);
        }
    }

    fn sql_type(&mut self, t: SqlType) {
        match t {
            SqlType::TinyInt => self.byte(0),
            SqlType::SmallInt => self.byte(1),
            SqlType::Int => self.byte(2),
            SqlType::BigInt => self.byte(3),
            SqlType::Float => self.byte(4),
            SqlType::Double => self.byte(5),
            SqlType::Decimal { precision, scale } => {
                self.byte(6);
                self.byte(precision);
                self.byte(scale);
            }
            SqlType::Char(n) => {
                self.byte(7);
                self.uint(u128::from(n));
            }
            SqlType::VarChar(n) => {
                self.byte(8);
                self.uint(u128::from(n));
            }
            SqlType::Text => self.byte(9),
        }
    }

    pub(super) fn column(&mut self, c: &Column) {
        self.str(&c.name);
        self.sql_type(c.ty);
        self.bool(c.nullable);
        match &c.default {
            None => self.bool(false),
            Some(v) => {
                self.bool(true);
                self.value(v);
            }
        }
        self.bool(c.auto_increment);
        match c.int_range {
            None => self.bool(false),
            Some((lo, hi)) => {
                self.bool(true);
                self.int(i128::from(lo));
                self.int(i128::from(hi));
            }
        }
        self.str(&c.type_text);
    }

    pub(super) fn index_def(&mut self, d: &IndexDef) {
        self.str(&d.name);
        self.uint(d.columns.len() as u128);
        for c in &d.columns {
            self.uint(*c as u128);
        }
        self.bool(d.unique);
        self.bool(d.primary);
    }
}

/// Reads encoded items back; every failure is a [`RedoError`], never a panic.
pub(super) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    pub(super) fn byte(&mut self) -> Result<u8, RedoError> {
        let (&b, rest) = self.rest.split_first().ok_or(RedoError::Truncated)?;
        self.rest = rest;
        Ok(b)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], RedoError> {
        if n > self.rest.len() {
            return Err(RedoError::Truncated);
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Ok(head)
    }

    pub(super) fn uint(&mut self) -> Result<u128, RedoError> {
        let mut v: u128 = 0;
        for shift in (0..128).step_by(7) {
            let b = self.byte()?;
            let part = u128::from(b & 0x7f);
            if shift > 0 && part >> (128 - shift) != 0 {
                return Err(RedoError::Malformed("varint overflows"));
            }
            v |= part << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(RedoError::Malformed("varint too long"))
    }

    pub(super) fn int(&mut self) -> Result<i128, RedoError> {
        let z = self.uint()?;
        Ok(((z >> 1) as i128) ^ -((z & 1) as i128))
    }

    pub(super) fn u64(&mut self) -> Result<u64, RedoError> {
        u64::try_from(self.uint()?).map_err(|_| RedoError::Malformed("number too large"))
    }

    pub(super) fn usize(&mut self) -> Result<usize, RedoError> {
        usize::try_from(self.uint()?).map_err(|_| RedoError::Malformed("number too large"))
    }

    fn i64(&mut self) -> Result<i64, RedoError> {
        i64::try_from(self.int()?).map_err(|_| RedoError::Malformed("integer out of range"))
    }

    /// A count of items each at least one byte long (bounded by the bytes left).
    fn count(&mut self) -> Result<usize, RedoError> {
        let n = self.usize()?;
        if n > self.rest.len() {
            return Err(RedoError::Truncated);
        }
        Ok(n)
    }

    pub(super) fn bool(&mut self) -> Result<bool, RedoError> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(RedoError::Malformed("flag is neither 0 nor 1")),
        }
    }

    fn bytes(&mut self) -> Result<&'a [u8], RedoError> {
        let n = self.usize()?;
        self.take(n)
    }

    pub(super) fn string(&mut self) -> Result<String, RedoError> {
        let b = self.bytes()?;
        core::str::from_utf8(b)
            .map(String::from)
            .map_err(|_| RedoError::Malformed("name is not UTF-8"))
    }

    pub(super) fn value(&mut self) -> Result<Value, RedoError> {
        Ok(match self.byte()? {
            0 => Value::Null,
            1 => Value::Int(self.i64()?),
            2 => {
                let b: [u8; 8] = self.take(8)?.try_into().map_err(|_| RedoError::Truncated)?;
                Value::Double(f64::from_le_bytes(b))
            }
            3 => Value::Decimal {
                mantissa: self.int()?,
                scale: self.byte()?,
            },
            4 => Value::Text(Vec::from(self.bytes()?)),
            tag => return Err(RedoError::UnknownTag { what: "value", tag }),
        })
    }

    pub(super) fn row(&mut self) -> Result<Vec<Value>, RedoError> {
        let n = self.count()?;
        let mut row = Vec::with_capacity(n);
        for _ in 0..n {
            row.push(self.value()?);
        }
        Ok(row)
    }

    fn sql_type(&mut self) -> Result<SqlType, RedoError> {
        Ok(match self.byte()? {
            0 => SqlType::TinyInt,
            1 => SqlType::SmallInt,
            2 => SqlType::Int,
            3 => SqlType::BigInt,
            4 => SqlType::Float,
            5 => SqlType::Double,
            6 => SqlType::Decimal {
                precision: self.byte()?,
                scale: self.byte()?,
            },
            7 => SqlType::Char(self.u32()?),
            8 => SqlType::VarChar(self.u32()?),
            9 => SqlType::Text,
            tag => return Err(RedoError::UnknownTag { what: "type", tag }),
        })
    }

    fn u32(&mut self) -> Result<u32, RedoError> {
        u32::try_from(self.uint()?).map_err(|_| RedoError::Malformed("length too large"))
    }

    pub(super) fn columns(&mut self) -> Result<Vec<Column>, RedoError> {
        let n = self.count()?;
        let mut columns = Vec::with_capacity(n);
        for _ in 0..n {
            let name = self.string()?;
            let ty = self.sql_type()?;
            let nullable = self.bool()?;
            let default = if self.bool()? {
                Some(self.value()?)
            } else {
                None
            };
            let auto_increment = self.bool()?;
            let int_range = if self.bool()? {
                Some((self.i64()?, self.i64()?))
            } else {
                None
            };
            let type_text = self.string()?;
            columns.push(Column {
                name,
                ty,
                nullable,
                default,
                auto_increment,
                int_range,
                type_text,
            });
        }
        Ok(columns)
    }

    /// An index definition over a table of `width` columns.
    pub(super) fn index_def(&mut self, width: usize) -> Result<IndexDef, RedoError> {
        let name = self.string()?;
        let n = self.count()?;
        let mut columns = Vec::with_capacity(n);
        for _ in 0..n {
            let c = self.usize()?;
            if c >= width {
                return Err(RedoError::Malformed("index column out of range"));
            }
            columns.push(c);
        }
        Ok(IndexDef {
            name,
            columns,
            unique: self.bool()?,
            primary: self.bool()?,
        })
    }
}
