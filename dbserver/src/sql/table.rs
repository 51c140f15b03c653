//! One table in memory: a slab of row slots plus ordered indexes.
//!
//! Each slot holds the committed version of a row (None for a row inserted by an open
//! transaction) and at most one pending version owned by one open transaction
//! (`Pending { row: None }` is a deletion). Slots are never reused, so slot order is
//! insertion order (the hidden row id of tables without a primary key).
//!
//! Every index holds an entry for the committed and for the pending key of each slot;
//! readers re-check each hit against the version they see (see [`Table::visible`]).

use alloc::boxed::Box;
use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;
use core::mem::size_of;
use core::ops::Bound;

use super::value::{heap_bytes, KeyAtom};
use super::{SqlType, Value};

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

    /// Insert a row as a pending version of transaction `me`.
    pub fn insert(&mut self, me: TxnId, row: Row) -> Result<SlotId, WriteError> {
        self.check_unique(&row, None, me)?;
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.slots.push(Slot::default());
                self.bytes += size_of::<Slot>();
                self.slots.len() - 1
            }
        };
        self.set_state(
            slot,
            Some(None),
            Some(Pending {
                owner: me,
                row: Some(row),
            }),
        );
        Ok(slot)
    }

    /// Replace (`Some`) or delete (`None`) the row in `slot` as transaction `me`.
    /// Returns the slot's previous pending version (for statement undo).
    pub fn write(
        &mut self,
        me: TxnId,
        slot: SlotId,
        row: Option<Row>,
    ) -> Result<Option<Pending>, WriteError> {
        if self.locked_by_other(slot, me) {
            return Err(WriteError::Locked);
        }
        if let Some(r) = &row {
            self.check_unique(r, Some(slot), me)?;
        }
        if slot >= self.slots.len() {
            return Ok(None);
        }
        Ok(self.set_state(slot, None, Some(Pending { owner: me, row })))
    }

    /// Put back a slot's pending version as it was before a statement (statement undo).
    pub fn restore(&mut self, slot: SlotId, pending: Option<Pending>) {
        self.set_state(slot, None, pending);
    }

    /// Make `me`'s pending version of `slot` the committed one.
    pub fn commit_slot(&mut self, slot: SlotId, me: TxnId) {
        let Some(s) = self.slots.get(slot) else {
            return;
        };
        match &s.pending {
            Some(p) if p.owner == me => {
                let row = p.row.clone();
                self.set_state(slot, Some(row), None);
            }
            _ => {}
        }
    }

    /// Drop `me`'s pending version of `slot`.
    pub fn rollback_slot(&mut self, slot: SlotId, me: TxnId) {
        let Some(s) = self.slots.get(slot) else {
            return;
        };
        if s.pending.as_ref().is_some_and(|p| p.owner == me) {
            self.set_state(slot, None, None);
        }
    }

    /// Add an index over the existing versions; refuses duplicates in unique indexes.
    pub fn add_index(&mut self, def: IndexDef) -> Result<(), WriteError> {
        let mut entries = BTreeSet::new();
        let mut added = 0usize;
        for (slot, s) in self.slots.iter().enumerate() {
            let versions = [
                s.committed.as_ref(),
                s.pending.as_ref().and_then(|p| p.row.as_ref()),
            ];
            for row in versions.into_iter().flatten() {
                let key = key_of(&def, row);
                if def.unique && !key.contains(&KeyAtom::Null) {
                    let dup = entries
                        .range((key.clone(), 0)..=(key.clone(), SlotId::MAX))
                        .any(|(_, other)| *other != slot);
                    if dup {
                        return Err(WriteError::Duplicate {
                            entry: entry_text(&def, row),
                            key: def.name.clone(),
                        });
                    }
                }
                added += entry_bytes(&key);
                entries.insert((key, slot));
            }
        }
        self.bytes += added;
        self.indexes.push(Index { def, entries });
        Ok(())
    }

    /// Remove index `index`.
    pub fn drop_index(&mut self, index: usize) {
        if index < self.indexes.len() {
            let ix = self.indexes.remove(index);
            let freed: usize = ix.entries.iter().map(|(k, _)| entry_bytes(k)).sum();
            self.bytes = self.bytes.saturating_sub(freed);
        }
    }

    /// Refuse `row` if a unique index already has its key for another row.
    fn check_unique(
        &self,
        row: &[Value],
        exclude: Option<SlotId>,
        me: TxnId,
    ) -> Result<(), WriteError> {
        for ix in self.indexes.iter().filter(|ix| ix.def.unique) {
            let key = key_of(&ix.def, row);
            if key.contains(&KeyAtom::Null) {
                continue;
            }
            let hits = ix
                .entries
                .range((key.clone(), 0)..=(key.clone(), SlotId::MAX));
            for (_, slot) in hits {
                if Some(*slot) == exclude {
                    continue;
                }
                if self.locked_by_other(*slot, me) {
                    return Err(WriteError::Locked);
                }
                let same = self
                    .visible(*slot, Some(me))
                    .is_some_and(|other| key_of(&ix.def, other) == key);
                if same {
                    return Err(WriteError::Duplicate {
                        entry: entry_text(&ix.def, row),
                        key: ix.def.name.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    /// Set a slot's pending version and, if `committed` is Some, its committed version,
    /// adding and removing index entries for changed keys. Returns the old pending version.
    fn set_state(
        &mut self,
        slot: SlotId,
        committed: Option<Option<Row>>,
        pending: Option<Pending>,
    ) -> Option<Pending> {
        let s = self.slots.get_mut(slot)?;
        let old_pending = core::mem::replace(&mut s.pending, pending);
        let old_committed = match committed {
            Some(c) => Some(core::mem::replace(&mut s.committed, c)),
            None => None,
        };
        let s = self.slots.get(slot)?;
        let kept_committed = if old_committed.is_some() {
            None
        } else {
            s.committed.as_deref()
        };
        let old_rows = [
            old_committed
                .as_ref()
                .map_or(kept_committed, |c| c.as_deref()),
            old_pending.as_ref().and_then(|p| p.row.as_deref()),
        ];
        let new_rows = [
            s.committed.as_deref(),
            s.pending.as_ref().and_then(|p| p.row.as_deref()),
        ];
        let mut added = 0usize;
        let mut freed = 0usize;
        let mut changes: Vec<(usize, Vec<Key>, Vec<Key>)> = Vec::new();
        for (i, ix) in self.indexes.iter().enumerate() {
            let old = distinct_keys(&ix.def, &old_rows);
            let new = distinct_keys(&ix.def, &new_rows);
            if old != new {
                changes.push((i, old, new));
            }
        }
        for r in old_rows
            .iter()
            .skip(usize::from(old_committed.is_none()))
            .flatten()
        {
            freed += row_bytes(r);
        }
        for r in new_rows
            .iter()
            .skip(usize::from(old_committed.is_none()))
            .flatten()
        {
            added += row_bytes(r);
        }
        for (i, old, new) in changes {
            let Some(ix) = self.indexes.get_mut(i) else {
                continue;
            };
            for k in old.iter().filter(|k| !new.contains(k)) {
                freed += entry_bytes(k);
                ix.entries.remove(&(k.clone(), slot));
            }
            for k in new.iter().filter(|k| !old.contains(k)) {
                added += entry_bytes(k);
                ix.entries.insert((k.clone(), slot));
            }
        }
        self.bytes = (self.bytes + added).saturating_sub(freed);
        let was_used = old_rows.iter().any(Option::is_some) || old_pending.is_some();
        let now_empty = self
            .slots
            .get(slot)
            .is_some_and(|s| s.committed.is_none() && s.pending.is_none());
        if was_used && now_empty {
            self.release(slot);
        }
        old_pending
    }

    /// A slot no version uses any more: drop it if it is the last one, else keep it for
    /// reuse (tables with a primary key) or as a hole (the others).
    fn release(&mut self, slot: SlotId) {
        if slot + 1 == self.slots.len() {
            self.slots.pop();
            self.bytes = self.bytes.saturating_sub(size_of::<Slot>());
            while self.free.last() == Some(&self.slots.len().wrapping_sub(1)) {
                self.free.pop();
                self.slots.pop();
                self.bytes = self.bytes.saturating_sub(size_of::<Slot>());
            }
        } else if self.primary().is_some() {
            self.free.push(slot);
        }
    }
}

fn distinct_keys(def: &IndexDef, rows: &[Option<&[Value]>; 2]) -> Vec<Key> {
    let mut keys: Vec<Key> = Vec::with_capacity(2);
    for row in rows.iter().flatten() {
        let k = key_of(def, row);
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    keys
}

/// The key of a row in an index.
pub fn key_of(def: &IndexDef, row: &[Value]) -> Key {
    def.columns
        .iter()
        .map(|c| row.get(*c).map_or(KeyAtom::Null, KeyAtom::exact))
        .collect()
}

/// Whether `row`'s key in index `def` is `key` (re-check of an index hit).
pub fn key_matches(def: &IndexDef, key: &Key, row: &[Value]) -> bool {
    key.len() == def.columns.len()
        && key
            .iter()
            .zip(&def.columns)
            .all(|(atom, c)| row.get(*c).is_some_and(|v| atom.matches_exact(v)))
}

/// The entry text of a duplicate-key error: the key's values joined by '-'.
fn entry_text(def: &IndexDef, row: &[Value]) -> String {
    let mut out = String::new();
    for (i, c) in def.columns.iter().enumerate() {
        if i > 0 {
            out.push('-');
        }
        if let Some(v) = row.get(*c) {
            out.push_str(&v.display());
        }
    }
    out
}

fn row_bytes(row: &[Value]) -> usize {
    core::mem::size_of_val(row) + row.iter().map(heap_bytes).sum::<usize>()
}

fn entry_bytes(key: &Key) -> usize {
    INDEX_ENTRY_OVERHEAD_BYTES
        + size_of::<(Key, SlotId)>()
        + key.len() * size_of::<KeyAtom>()
        + key.iter().map(KeyAtom::heap_bytes).sum::<usize>()
}
