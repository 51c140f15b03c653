//! Prepared statements: ids per connection, COM_STMT_PREPARE_OK, COM_STMT_EXECUTE
//! parameter decoding, COM_STMT_SEND_LONG_DATA accumulation.

use super::consts::{BINARY_FLAG, CHARSET_BINARY, COLUMN_FIXED_LEN, OK_HEADER, TYPE_VAR_STRING};
use super::packet::write_packet;
use super::reply::put_eof;
use super::resultset::put_column_definition;
use super::wire::{put_lenenc_bytes, put_lenenc_int, put_u16, put_u32, Reader, Truncated};
use crate::sql::Prepared;
use alloc::collections::BTreeMap;
use alloc::vec;
use alloc::vec::Vec;

mod params;

pub use params::{parse_decimal, parse_execute, BadArguments};

/// Most statements one connection may hold open (MySQL's max_prepared_stmt_count is
/// server-wide; this bounds what one client can pin).
pub const MAX_STATEMENTS_PER_CONNECTION: usize = 1024;

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

#[cfg(test)]
mod tests;
