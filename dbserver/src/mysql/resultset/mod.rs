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

mod text;

use text::{as_f64, as_i64};
pub use text::{put_decimal_text, put_value_text};

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
mod tests;
