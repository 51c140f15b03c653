//! Result sets: column definitions, text rows (COM_QUERY) and binary rows
//! (COM_STMT_EXECUTE), streamed into the output as it drains.

use super::consts::{
    AUTO_INCREMENT_FLAG, BINARY_FLAG, BINARY_ROW_HEADER, BINARY_ROW_NULL_OFFSET, BLOB_FLAG,
    CHARSET_BINARY, CHARSET_UTF8MB4_GENERAL_CI, COLUMN_FIXED_LEN, MULTIPLE_KEY_FLAG, NOT_FIXED_DEC,
    NOT_NULL_FLAG, NUM_FLAG, PRI_KEY_FLAG, TYPE_BLOB, TYPE_DOUBLE, TYPE_FLOAT, TYPE_LONG,
    TYPE_LONGLONG, TYPE_NEWDECIMAL, TYPE_SHORT, TYPE_STRING, TYPE_TINY, TYPE_VAR_STRING,
    UNIQUE_KEY_FLAG,
};
use super::packet::write_packet;
use super::reply::put_eof;
use super::wire::{put_lenenc_bytes, put_lenenc_int, put_null_cell, put_u16, put_u32};
use crate::sql::{ColumnMeta, SqlType, Value};
use alloc::vec::Vec;
use core::fmt::{self, Write};

/// Bytes per character of utf8mb4, for column lengths.
const UTF8MB4_MAX_BYTES: u32 = 4;
/// Characters of a TEXT column.
const TEXT_CHARS: u32 = 65_535;
/// Display widths MySQL reports for the integer and floating types.
const TINY_WIDTH: u32 = 4;
const SHORT_WIDTH: u32 = 6;
const LONG_WIDTH: u32 = 11;
const LONGLONG_WIDTH: u32 = 20;
const FLOAT_WIDTH: u32 = 12;
const DOUBLE_WIDTH: u32 = 22;
/// Doubles at or past this magnitude (or below [`EXP_SMALL`]) print with an exponent, as
/// MySQL's `my_gcvt` does: `1e15`, `100000000000000`, `0.000000000000001`, `1e-16`.
const EXP_LARGE: f64 = 1e15;
const EXP_SMALL: f64 = 1e-15;
/// Significant digits of a FLOAT in text.
const FLT_DIG: usize = 6;

/// The protocol's view of a column type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WireType {
    pub code: u8,
    pub charset: u8,
    pub length: u32,
    pub decimals: u8,
    pub numeric: bool,
}

pub fn wire_type(t: SqlType) -> WireType {
    let num = |code, length, decimals| WireType {
        code,
        charset: CHARSET_BINARY,
        length,
        decimals,
        numeric: true,
    };
    let text = |code, chars: u32| WireType {
        code,
        charset: CHARSET_UTF8MB4_GENERAL_CI,
        length: chars.saturating_mul(UTF8MB4_MAX_BYTES),
        decimals: 0,
        numeric: false,
    };
    match t {
        SqlType::TinyInt => num(TYPE_TINY, TINY_WIDTH, 0),
        SqlType::SmallInt => num(TYPE_SHORT, SHORT_WIDTH, 0),
        SqlType::Int => num(TYPE_LONG, LONG_WIDTH, 0),
        SqlType::BigInt => num(TYPE_LONGLONG, LONGLONG_WIDTH, 0),
        SqlType::Float => num(TYPE_FLOAT, FLOAT_WIDTH, NOT_FIXED_DEC),
        SqlType::Double => num(TYPE_DOUBLE, DOUBLE_WIDTH, NOT_FIXED_DEC),
        SqlType::Decimal { precision, scale } => {
            // Digits, plus the sign, plus the point when there are decimals.
            let len = u32::from(precision) + 1 + u32::from(scale > 0);
            num(TYPE_NEWDECIMAL, len, scale)
        }
        SqlType::Char(n) => text(TYPE_STRING, n),
        SqlType::VarChar(n) => text(TYPE_VAR_STRING, n),
        SqlType::Text => text(TYPE_BLOB, TEXT_CHARS),
    }
}

fn column_flags(c: &ColumnMeta, w: &WireType) -> u16 {
    let mut f = 0;
    let mut set = |cond: bool, bit: u16| {
        if cond {
            f |= bit;
        }
    };
    set(!c.nullable, NOT_NULL_FLAG);
    set(c.primary_key, PRI_KEY_FLAG);
    set(c.unique_key, UNIQUE_KEY_FLAG);
    set(c.multiple_key, MULTIPLE_KEY_FLAG);
    set(c.auto_increment, AUTO_INCREMENT_FLAG);
    set(w.code == TYPE_BLOB, BLOB_FLAG);
    set(w.numeric, NUM_FLAG | BINARY_FLAG);
    f
}

/// The payload of a ColumnDefinition41.
pub fn put_column_definition(out: &mut Vec<u8>, c: &ColumnMeta) {
    let w = wire_type(c.sql_type);
    put_lenenc_bytes(out, b"def");
    put_lenenc_bytes(out, c.schema.as_bytes());
    put_lenenc_bytes(out, c.table.as_bytes());
    put_lenenc_bytes(out, c.org_table.as_bytes());
    put_lenenc_bytes(out, c.name.as_bytes());
    put_lenenc_bytes(out, c.org_name.as_bytes());
    put_lenenc_int(out, u64::from(COLUMN_FIXED_LEN));
    put_u16(out, u16::from(w.charset));
    put_u32(out, w.length);
    out.push(w.code);
    put_u16(out, column_flags(c, &w));
    out.push(w.decimals);
    put_u16(out, 0);
}

/// Column count, column definitions and EOF: the start of a result set.
pub fn put_result_header(out: &mut Vec<u8>, seq: &mut u8, columns: &[ColumnMeta], status: u16) {
    write_packet(out, seq, |p| put_lenenc_int(p, columns.len() as u64));
    for c in columns {
        write_packet(out, seq, |p| put_column_definition(p, c));
    }
    write_packet(out, seq, |p| put_eof(p, 0, status));
}

/// `fmt::Write` into a byte vector.
struct Bytes<'a>(&'a mut Vec<u8>);

impl Write for Bytes<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// `mantissa / 10^scale` in decimal notation.
pub fn put_decimal_text(out: &mut Vec<u8>, mantissa: i128, scale: u8) {
    if mantissa < 0 {
        out.push(b'-');
    }
    let start = out.len();
    let _ = write!(Bytes(out), "{}", mantissa.unsigned_abs());
    let scale = usize::from(scale);
    if scale == 0 {
        return;
    }
    let digits = out.len() - start;
    if digits <= scale {
        // 0.00ddd: pad with zeros so that one digit precedes the point.
        let pad = scale + 1 - digits;
        out.splice(start..start, core::iter::repeat_n(b'0', pad));
    }
    let point = out.len() - scale;
    out.insert(point, b'.');
}

fn put_double_text(out: &mut Vec<u8>, d: f64, single: bool) {
    let d = if single {
        // FLOAT shows FLT_DIG significant digits: round through "d.ddddde±x".
        let start = out.len();
        let _ = write!(Bytes(out), "{:.*e}", FLT_DIG - 1, d as f32);
        let rounded = out
            .get(start..)
            .and_then(|s| core::str::from_utf8(s).ok())
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(d);
        out.truncate(start);
        rounded
    } else {
        d
    };
    let a = d.abs();
    let exp = a != 0.0 && a.is_finite() && !(EXP_SMALL..EXP_LARGE).contains(&a);
    let mut w = Bytes(out);
    let _ = if exp {
        write!(w, "{d:e}")
    } else {
        write!(w, "{d}")
    };
}

/// The text form of a value (not NULL).
pub fn put_value_text(out: &mut Vec<u8>, v: &Value, t: SqlType) {
    match v {
        Value::Null => {}
        Value::Int(i) => {
            let _ = write!(Bytes(out), "{i}");
        }
        Value::Double(d) => put_double_text(out, *d, t == SqlType::Float),
        Value::Decimal { mantissa, scale } => put_decimal_text(out, *mantissa, *scale),
        Value::Text(s) => out.extend_from_slice(s),
    }
}

/// A value as an integer (binary integer columns).
fn as_i64(v: &Value, scratch: &mut Vec<u8>) -> i64 {
    match v {
        Value::Int(i) => *i,
        Value::Double(d) => *d as i64,
        Value::Decimal { mantissa, scale } => {
            let div = 10i128.checked_pow(u32::from(*scale)).unwrap_or(i128::MAX);
            let q = mantissa.checked_div(div).unwrap_or(0);
            q.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
        }
        Value::Text(s) => core::str::from_utf8(s)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or_else(|| as_f64(v, scratch) as i64),
        Value::Null => 0,
    }
}

/// A value as a double (binary FLOAT/DOUBLE columns).
fn as_f64(v: &Value, scratch: &mut Vec<u8>) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Double(d) => *d,
        Value::Decimal { mantissa, scale } => {
            scratch.clear();
            put_decimal_text(scratch, *mantissa, *scale);
            parse_f64(scratch)
        }
        Value::Text(s) => parse_f64(s),
        Value::Null => 0.0,
    }
}

fn parse_f64(s: &[u8]) -> f64 {
    core::str::from_utf8(s)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0.0)
}

/// How rows are encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowFormat {
    /// COM_QUERY: length-encoded strings, 0xFB for NULL.
    Text,
    /// COM_STMT_EXECUTE: NULL bitmap and typed values.
    Binary,
}

/// The payload of a text row.
pub fn put_text_row(out: &mut Vec<u8>, row: &[Value], types: &[SqlType], scratch: &mut Vec<u8>) {
    for (i, t) in types.iter().enumerate() {
        match row.get(i) {
            None | Some(Value::Null) => put_null_cell(out),
            Some(Value::Text(s)) => put_lenenc_bytes(out, s),
            Some(v) => {
                scratch.clear();
                put_value_text(scratch, v, *t);
                put_lenenc_bytes(out, scratch);
            }
        }
    }
}

/// The payload of a binary row.
pub fn put_binary_row(out: &mut Vec<u8>, row: &[Value], types: &[SqlType], scratch: &mut Vec<u8>) {
    out.push(BINARY_ROW_HEADER);
    let bitmap_len = (types.len() + 7 + BINARY_ROW_NULL_OFFSET) / 8;
    let bitmap_start = out.len();
    out.resize(bitmap_start + bitmap_len, 0);
    for (i, t) in types.iter().enumerate() {
        let v = match row.get(i) {
            None | Some(Value::Null) => {
                let bit = i + BINARY_ROW_NULL_OFFSET;
                if let Some(b) = out.get_mut(bitmap_start + bit / 8) {
                    *b |= 1 << (bit % 8);
                }
                continue;
            }
            Some(v) => v,
        };
        match wire_type(*t).code {
            TYPE_TINY => {
                let i = as_i64(v, scratch).clamp(i8::MIN.into(), i8::MAX.into()) as i8;
                out.extend_from_slice(&i.to_le_bytes());
            }
            TYPE_SHORT => {
                let i = as_i64(v, scratch).clamp(i16::MIN.into(), i16::MAX.into()) as i16;
                out.extend_from_slice(&i.to_le_bytes());
            }
            TYPE_LONG => {
                let i = as_i64(v, scratch).clamp(i32::MIN.into(), i32::MAX.into()) as i32;
                out.extend_from_slice(&i.to_le_bytes());
            }
            TYPE_LONGLONG => out.extend_from_slice(&as_i64(v, scratch).to_le_bytes()),
            TYPE_FLOAT => out.extend_from_slice(&(as_f64(v, scratch) as f32).to_le_bytes()),
            TYPE_DOUBLE => out.extend_from_slice(&as_f64(v, scratch).to_le_bytes()),
            _ => match v {
                Value::Text(s) => put_lenenc_bytes(out, s),
                v => {
                    scratch.clear();
                    put_value_text(scratch, v, *t);
                    put_lenenc_bytes(out, scratch);
                }
            },
        }
    }
}

/// A result set whose header is sent and whose rows are encoded as the output drains.
#[derive(Debug)]
pub struct RowStream {
    types: Vec<SqlType>,
    rows: Vec<Vec<Value>>,
    next: usize,
    format: RowFormat,
    scratch: Vec<u8>,
}

impl RowStream {
    /// Send the header of a result set; the rows follow from [`RowStream::pump`].
    pub fn start(
        out: &mut Vec<u8>,
        seq: &mut u8,
        columns: &[ColumnMeta],
        rows: Vec<Vec<Value>>,
        format: RowFormat,
        status: u16,
    ) -> Self {
        put_result_header(out, seq, columns, status);
        Self {
            types: columns.iter().map(|c| c.sql_type).collect(),
            rows,
            next: 0,
            format,
            scratch: Vec::new(),
        }
    }

    /// Encode rows while `out` is below `high_water` (or empty); after the last row the
    /// closing EOF (with `status`). Returns true when the result set is complete.
    pub fn pump(
        &mut self,
        out: &mut Vec<u8>,
        seq: &mut u8,
        high_water: usize,
        status: u16,
    ) -> bool {
        // A row even past a tiny high-water mark when `out` is empty, so that it progresses.
        while out.len() < high_water || out.is_empty() {
            let Some(row) = self.rows.get_mut(self.next) else {
                write_packet(out, seq, |p| put_eof(p, 0, status));
                self.rows = Vec::new();
                return true;
            };
            let row = core::mem::take(row);
            self.next += 1;
            let (types, scratch) = (&self.types, &mut self.scratch);
            write_packet(out, seq, |p| match self.format {
                RowFormat::Text => put_text_row(p, &row, types, scratch),
                RowFormat::Binary => put_binary_row(p, &row, types, scratch),
            });
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mysql::packet::read_frame;
    use crate::mysql::wire::Reader;
    use alloc::string::{String, ToString};
    use alloc::vec;

    pub(crate) fn col(name: &str, t: SqlType) -> ColumnMeta {
        ColumnMeta {
            name: name.to_string(),
            org_name: name.to_string(),
            table: "t".to_string(),
            org_table: "t".to_string(),
            schema: "d".to_string(),
            sql_type: t,
            nullable: true,
            primary_key: false,
            unique_key: false,
            multiple_key: false,
            auto_increment: false,
        }
    }

    fn text(v: &Value, t: SqlType) -> String {
        let mut out = Vec::new();
        put_value_text(&mut out, v, t);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn value_text() {
        assert_eq!(text(&Value::Int(-42), SqlType::BigInt), "-42");
        let dec = |m, s| Value::Decimal {
            mantissa: m,
            scale: s,
        };
        let d = SqlType::Decimal {
            precision: 10,
            scale: 2,
        };
        assert_eq!(text(&dec(12345, 2), d), "123.45");
        assert_eq!(text(&dec(-5, 2), d), "-0.05");
        assert_eq!(text(&dec(5, 0), d), "5");
        assert_eq!(text(&dec(0, 4), d), "0.0000");
        assert_eq!(text(&dec(i128::MIN, 38), d).len(), 41);
        assert_eq!(text(&Value::Double(1.5), SqlType::Double), "1.5");
        assert_eq!(text(&Value::Double(100.0), SqlType::Double), "100");
        assert_eq!(text(&Value::Double(1e20), SqlType::Double), "1e20");
        // As MariaDB prints them.
        for (d, t) in [
            (1e14, "100000000000000"),
            (1e15, "1e15"),
            (1.2345678901234568e17, "1.2345678901234568e17"),
            (1e-5, "0.00001"),
            (1.5e-7, "0.00000015"),
            (1e-15, "0.000000000000001"),
            (1e-16, "1e-16"),
            (-1.5e-20, "-1.5e-20"),
            (1.0 / 3.0, "0.3333333333333333"),
            (0.0, "0"),
        ] {
            assert_eq!(text(&Value::Double(d), SqlType::Double), t);
        }
        assert_eq!(text(&Value::Double(0.1f32 as f64), SqlType::Float), "0.1");
        for (f, t) in [
            (123456789.0f32, "123457000"),
            (2.7182817, "2.71828"),
            (1e20, "1e20"),
            (1.5e-7, "0.00000015"),
            (-2.5, "-2.5"),
        ] {
            assert_eq!(text(&Value::Double(f64::from(f)), SqlType::Float), t);
        }
        assert_eq!(text(&Value::Text(b"abc".to_vec()), SqlType::Text), "abc");
    }

    #[test]
    fn column_definition_layout() {
        let mut c = col("id", SqlType::Int);
        c.nullable = false;
        c.primary_key = true;
        c.auto_increment = true;
        let mut out = Vec::new();
        put_column_definition(&mut out, &c);
        let mut r = Reader::new(&out);
        assert_eq!(r.lenenc_bytes(), Ok(&b"def"[..]));
        assert_eq!(r.lenenc_bytes(), Ok(&b"d"[..]));
        assert_eq!(r.lenenc_bytes(), Ok(&b"t"[..]));
        assert_eq!(r.lenenc_bytes(), Ok(&b"t"[..]));
        assert_eq!(r.lenenc_bytes(), Ok(&b"id"[..]));
        assert_eq!(r.lenenc_bytes(), Ok(&b"id"[..]));
        assert_eq!(r.lenenc_int(), Ok(0x0c));
        assert_eq!(r.u16(), Ok(63));
        assert_eq!(r.u32(), Ok(11));
        assert_eq!(r.u8(), Ok(TYPE_LONG));
        assert_eq!(
            r.u16(),
            Ok(NOT_NULL_FLAG | PRI_KEY_FLAG | AUTO_INCREMENT_FLAG | NUM_FLAG | BINARY_FLAG)
        );
        assert_eq!(r.u8(), Ok(0));
        assert_eq!(r.u16(), Ok(0));
        assert!(r.is_empty());

        let w = wire_type(SqlType::VarChar(10));
        assert_eq!((w.code, w.charset, w.length, w.decimals), (253, 45, 40, 0));
        let w = wire_type(SqlType::Double);
        assert_eq!((w.code, w.charset, w.decimals), (5, 63, 31));
        let w = wire_type(SqlType::Decimal {
            precision: 10,
            scale: 2,
        });
        assert_eq!((w.code, w.length, w.decimals), (246, 12, 2));
        let w = wire_type(SqlType::Text);
        assert_eq!(w.code, 252);
    }

    #[test]
    fn binary_row_layout() {
        let types = [
            SqlType::BigInt,
            SqlType::Int,
            SqlType::SmallInt,
            SqlType::TinyInt,
            SqlType::Double,
            SqlType::Float,
            SqlType::Decimal {
                precision: 5,
                scale: 1,
            },
            SqlType::VarChar(5),
            SqlType::Text,
        ];
        let row = vec![
            Value::Int(-2),
            Value::Int(70000),
            Value::Int(-300),
            Value::Null,
            Value::Double(2.5),
            Value::Double(0.5),
            Value::Decimal {
                mantissa: 15,
                scale: 1,
            },
            Value::Text(b"hey".to_vec()),
            Value::Null,
        ];
        let mut out = Vec::new();
        put_binary_row(&mut out, &row, &types, &mut Vec::new());
        let mut r = Reader::new(&out);
        assert_eq!(r.u8(), Ok(0));
        // 9 columns + 2 offset bits = 11 bits: 2 bytes. Column 3 -> bit 5, column 8 -> bit 10.
        assert_eq!(r.bytes(2), Ok(&[1 << 5, 1 << 2][..]));
        assert_eq!(r.u64(), Ok((-2i64) as u64));
        assert_eq!(r.u32(), Ok(70000));
        assert_eq!(r.u16(), Ok((-300i16) as u16));
        assert_eq!(r.u64(), Ok(2.5f64.to_bits()));
        assert_eq!(r.u32(), Ok(0.5f32.to_bits()));
        assert_eq!(r.lenenc_bytes(), Ok(&b"1.5"[..]));
        assert_eq!(r.lenenc_bytes(), Ok(&b"hey"[..]));
        assert!(r.is_empty());
    }

    #[test]
    fn mismatched_values_do_not_panic() {
        let types = [
            SqlType::TinyInt,
            SqlType::Double,
            SqlType::Int,
            SqlType::BigInt,
        ];
        let row = vec![
            Value::Int(1000),
            Value::Text(b"x".to_vec()),
            Value::Decimal {
                mantissa: i128::MAX,
                scale: 255,
            },
        ];
        let mut out = Vec::new();
        put_binary_row(&mut out, &row, &types, &mut Vec::new());
        put_text_row(&mut out, &row, &types, &mut Vec::new());
    }

    #[test]
    fn stream_respects_high_water() {
        let cols = vec![col("a", SqlType::BigInt), col("b", SqlType::VarChar(20))];
        let rows: Vec<Vec<Value>> = (0..1000)
            .map(|i| vec![Value::Int(i), Value::Text(b"some text".to_vec())])
            .collect();
        let mut out = Vec::new();
        let mut seq = 1;
        let mut s = RowStream::start(&mut out, &mut seq, &cols, rows, RowFormat::Text, 2);
        let mut all = Vec::new();
        let mut rounds = 0;
        loop {
            let done = s.pump(&mut out, &mut seq, 1024, 2);
            assert!(out.len() < 1024 + 64);
            all.extend_from_slice(&out);
            out.clear();
            rounds += 1;
            if done {
                break;
            }
        }
        assert!(rounds > 10);
        // Parse it all back: count, 2 defs, EOF, 1000 rows, EOF.
        let mut pos = 0;
        let mut seq = 1u8;
        let mut packets = Vec::new();
        while pos < all.len() {
            let f = read_frame(&all[pos..], seq, usize::MAX).unwrap().unwrap();
            pos += f.consumed;
            seq = f.next_seq;
            packets.push(f.payload.into_owned());
        }
        assert_eq!(packets.len(), 1 + 2 + 1 + 1000 + 1);
        assert_eq!(packets[0], [2]);
        assert_eq!(packets[3][0], 0xFE);
        assert_eq!(packets[4], b"\x010\x09some text");
        assert_eq!(packets[1004], [0xFE, 0, 0, 2, 0]);
    }
}
