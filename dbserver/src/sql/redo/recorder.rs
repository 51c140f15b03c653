//! Building one redo payload: the operations of one committed transaction or DDL
//! statement, encoded as they happen.
//!
//! A payload is a format byte, operations (each a tag byte and its fields) and an END
//! byte, so a payload cut at an operation boundary is still recognised as cut.
//! Row operations name a row by its slot (the engine's row id, see [`crate::sql::table`])
//! and carry the whole new row, so replaying them never evaluates anything again.

use alloc::vec::Vec;

use super::codec::Writer;
use crate::sql::table::{IndexDef, SlotId, Table, TableId};
use crate::sql::Value;

/// First byte of every payload; bumped when the encoding changes.
pub(super) const FORMAT_VERSION: u8 = 1;

/// Operation tags.
pub(super) mod tag {
    /// The last byte of every payload.
    pub const END: u8 = 0;
    pub const CREATE_DATABASE: u8 = 1;
    pub const DROP_DATABASE: u8 = 2;
    /// Create or replace a table: schema, indexes, AUTO_INCREMENT counter; no rows.
    pub const CREATE_TABLE: u8 = 3;
    pub const DROP_TABLE: u8 = 4;
    pub const ADD_INDEX: u8 = 5;
    pub const DROP_INDEX: u8 = 6;
    /// The table the following row operations apply to, and its AUTO_INCREMENT counter.
    pub const TARGET: u8 = 7;
    /// A slot's committed row is now the given row (insert or update).
    pub const PUT: u8 = 8;
    /// A slot's committed row is gone.
    pub const DELETE: u8 = 9;
}

/// Records the operations of one payload; does nothing when capture is off.
#[derive(Debug)]
pub struct Recorder {
    out: Option<Writer>,
    ops: usize,
    /// The table the last TARGET named.
    target: Option<TableId>,
}

impl Recorder {
    /// A recorder that records (`capture`) or ignores everything.
    pub fn new(capture: bool) -> Self {
        let out = capture.then(|| {
            let mut w = Writer::default();
            w.byte(FORMAT_VERSION);
            w
        });
        Self {
            out,
            ops: 0,
            target: None,
        }
    }

    /// Bytes recorded so far.
    pub(super) fn len(&self) -> usize {
        self.out.as_ref().map_or(0, |w| w.bytes.len())
    }

    /// The payload, or None if nothing was recorded.
    pub fn finish(self) -> Option<Vec<u8>> {
        self.out.filter(|_| self.ops > 0).map(|mut w| {
            w.byte(tag::END);
            w.bytes
        })
    }

    fn op(&mut self, tag: u8) -> Option<&mut Writer> {
        let w = self.out.as_mut()?;
        self.ops += 1;
        w.byte(tag);
        Some(w)
    }

    pub fn create_database(&mut self, name: &str) {
        if let Some(w) = self.op(tag::CREATE_DATABASE) {
            w.str(name);
        }
    }

    pub fn drop_database(&mut self, name: &str) {
        self.target = None;
        if let Some(w) = self.op(tag::DROP_DATABASE) {
            w.str(name);
        }
    }

    /// The table's definition (columns, indexes, AUTO_INCREMENT counter), not its rows.
    pub fn create_table(&mut self, t: &Table) {
        self.target = None;
        if let Some(w) = self.op(tag::CREATE_TABLE) {
            w.str(&t.db);
            w.str(&t.name);
            w.uint(t.columns.len() as u128);
            for c in &t.columns {
                w.column(c);
            }
            w.uint(t.indexes.len() as u128);
            for ix in &t.indexes {
                w.index_def(&ix.def);
            }
            w.uint(u128::from(t.next_auto));
        }
    }

    pub fn drop_table(&mut self, db: &str, name: &str) {
        self.target = None;
        if let Some(w) = self.op(tag::DROP_TABLE) {
            w.str(db);
            w.str(name);
        }
    }

    pub fn add_index(&mut self, t: &Table, def: &IndexDef) {
        if let Some(w) = self.op(tag::ADD_INDEX) {
            w.str(&t.db);
            w.str(&t.name);
            w.index_def(def);
        }
    }

    pub fn drop_index(&mut self, t: &Table, index: &str) {
        if let Some(w) = self.op(tag::DROP_INDEX) {
            w.str(&t.db);
            w.str(&t.name);
            w.str(index);
        }
    }

    /// Make `t` the table of the following row operations (if it is not already).
    pub fn target(&mut self, t: &Table) {
        if self.out.is_none() || self.target == Some(t.id) {
            return;
        }
        self.target = Some(t.id);
        if let Some(w) = self.op(tag::TARGET) {
            w.str(&t.db);
            w.str(&t.name);
            w.uint(u128::from(t.next_auto));
        }
    }

    /// `slot` of the target table now holds `row`.
    pub fn put(&mut self, slot: SlotId, row: &[Value]) {
        if let Some(w) = self.op(tag::PUT) {
            w.uint(slot as u128);
            w.row(row);
        }
    }

    /// `slot` of the target table is now empty.
    pub fn delete(&mut self, slot: SlotId) {
        if let Some(w) = self.op(tag::DELETE) {
            w.uint(slot as u128);
        }
    }

    /// Record the change `me`'s commit is about to make to `slot` of `t`: the pending
    /// version replaces the committed one (nothing if `me` has no pending version there
    /// or the row is unchanged).
    pub fn slot_commit(&mut self, t: &Table, slot: SlotId, me: crate::sql::table::TxnId) {
        if self.out.is_none() {
            return;
        }
        let Some((committed, pending)) = t.versions_of(slot, me) else {
            return;
        };
        match (committed, pending) {
            (_, Some(new)) if committed != Some(new) => {
                self.target(t);
                self.put(slot, new);
            }
            (Some(_), None) => {
                self.target(t);
                self.delete(slot);
            }
            _ => {}
        }
    }
}
