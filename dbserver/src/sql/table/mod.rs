//! One table in memory: a slab of row slots plus ordered indexes.
//!
//! Each slot holds the committed version of a row (None for a row inserted by an open
//! transaction) and at most one pending version owned by one open transaction
//! (`Pending { row: None }` is a deletion). Slots are never reused, so slot order is
//! insertion order (the hidden row id of tables without a primary key).
//!
//! Every index holds an entry for the committed and for the pending key of each slot;
//! readers re-check each hit against the version they see (see [`Table::visible`]).

mod key;
mod replay;
mod write;

use alloc::boxed::Box;
use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;
use core::ops::Bound;

use super::value::KeyAtom;
use super::{SqlType, Value};

pub use key::key_matches;
pub use replay::PlaceError;

pub type SlotId = usize;
pub type TxnId = u64;
pub type TableId = u64;
pub type Row = Box<[Value]>;
pub type Key = Vec<KeyAtom>;

/// Estimated bytes a B-tree spends per entry beyond the entry itself.
const INDEX_ENTRY_OVERHEAD_BYTES: usize = 16;

/// A column of a table.
#[derive(Clone, Debug)]
pub struct Column {
    pub name: String,
    pub ty: SqlType,
    pub nullable: bool,
    /// The DEFAULT value (None: no default clause).
    pub default: Option<Value>,
    pub auto_increment: bool,
    /// Inclusive range of integer columns.
    pub int_range: Option<(i64, i64)>,
    /// The type as SHOW COLUMNS prints it, e.g. `int(11)`, `char(120)`.
    pub type_text: String,
}

/// The definition of an index.
#[derive(Clone, Debug)]
pub struct IndexDef {
    pub name: String,
    pub columns: Vec<usize>,
    pub unique: bool,
    pub primary: bool,
}

/// An index: its definition and entries `(key, slot)` for every live version.
#[derive(Debug)]
pub struct Index {
    pub def: IndexDef,
    entries: BTreeSet<(Key, SlotId)>,
}

/// A version owned by an open transaction.
#[derive(Clone, Debug)]
pub struct Pending {
    pub owner: TxnId,
    /// The new row, or None for a deletion.
    pub row: Option<Row>,
}

#[derive(Debug, Default)]
struct Slot {
    committed: Option<Row>,
    pending: Option<Pending>,
}

/// Why a write was refused.
#[derive(Debug)]
pub enum WriteError {
    /// A unique index would hold `entry` twice.
    Duplicate { entry: String, key: String },
    /// Another open transaction has a pending version of a row this write touches.
    Locked,
}

/// A table: columns, row slots, indexes.
#[derive(Debug)]
pub struct Table {
    pub id: TableId,
    pub db: String,
    pub name: String,
    pub columns: Vec<Column>,
    pub indexes: Vec<Index>,
    slots: Vec<Slot>,
    /// Empty slots to reuse (only in tables with a primary key: scans of the others
    /// follow slot order, which must stay insertion order).
    free: Vec<SlotId>,
    /// Next AUTO_INCREMENT value.
    pub next_auto: u64,
    bytes: usize,
}

impl Table {
    pub fn new(id: TableId, db: String, name: String, columns: Vec<Column>) -> Self {
        Self {
            id,
            db,
            name,
            columns,
            indexes: Vec::new(),
            slots: Vec::new(),
            free: Vec::new(),
            next_auto: 1,
            bytes: 0,
        }
    }

    /// Estimated bytes of rows and index entries.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Position of a column by name (case-insensitive).
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// The primary key index, if any.
    pub fn primary(&self) -> Option<usize> {
        self.indexes.iter().position(|i| i.def.primary)
    }

    /// Number of slots ever used (upper bound of slot ids).
    pub fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// The version of a slot that transaction `txn` (None: no transaction) sees.
    pub fn visible(&self, slot: SlotId, txn: Option<TxnId>) -> Option<&Row> {
        let s = self.slots.get(slot)?;
        match (&s.pending, txn) {
            (Some(p), Some(me)) if p.owner == me => p.row.as_ref(),
            _ => s.committed.as_ref(),
        }
    }

    /// The owner of a slot's pending version, if another transaction than `me` has one.
    pub fn locked_by_other(&self, slot: SlotId, me: TxnId) -> bool {
        self.slots
            .get(slot)
            .and_then(|s| s.pending.as_ref())
            .is_some_and(|p| p.owner != me)
    }

    /// Index entries with keys in `(lo, hi)` (each bound a key prefix; see [`KeyAtom::Max`]).
    pub fn index_range<'a>(
        &'a self,
        index: usize,
        lo: Bound<&Key>,
        hi: Bound<&Key>,
    ) -> impl Iterator<Item = (&'a Key, SlotId)> + 'a {
        let lo = match lo {
            Bound::Included(k) => Bound::Included((k.clone(), 0)),
            Bound::Excluded(k) => Bound::Excluded((k.clone(), SlotId::MAX)),
            Bound::Unbounded => Bound::Unbounded,
        };
        let hi = match hi {
            Bound::Included(k) => Bound::Included((k.clone(), SlotId::MAX)),
            Bound::Excluded(k) => Bound::Excluded((k.clone(), 0)),
            Bound::Unbounded => Bound::Unbounded,
        };
        let valid = match (&lo, &hi) {
            (Bound::Included(a) | Bound::Excluded(a), Bound::Included(b) | Bound::Excluded(b)) => {
                a <= b
            }
            _ => true,
        };
        self.indexes
            .get(index)
            .filter(|_| valid)
            .into_iter()
            .flat_map(move |ix| ix.entries.range((lo.clone(), hi.clone())))
            .map(|(k, s)| (k, *s))
    }
}
