//! Writing a table: pending versions of transactions, their commit and rollback, unique
//! checks, and adding or dropping an index over the rows already there.

use alloc::collections::BTreeSet;
use alloc::vec::Vec;
use core::mem::size_of;

use super::key::{distinct_keys, entry_bytes, entry_text, key_of, row_bytes};
use super::{Index, IndexDef, Key, Pending, Row, Slot, SlotId, Table, TxnId, WriteError};
use crate::sql::value::KeyAtom;
use crate::sql::Value;

impl Table {
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
    pub(super) fn set_state(
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
