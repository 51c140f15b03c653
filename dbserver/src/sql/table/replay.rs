//! What redo replay, compaction and commit capture need of a table: a slot's versions,
//! its committed row, and setting a committed row in a given slot directly.

use alloc::vec::Vec;
use core::mem::size_of;

use super::{Row, Slot, SlotId, Table, TxnId};

/// A replayed row could not be placed.
#[derive(Debug, PartialEq, Eq)]
pub enum PlaceError {
    /// Its width is not the table's.
    Width { expected: usize, got: usize },
    /// The slot is beyond what memory can hold.
    SlotTooFar(SlotId),
    /// An open transaction has a pending version of the slot.
    Pending(SlotId),
}

impl Table {
    /// `(committed, pending row)` of `slot` if transaction `me` has a pending version there.
    pub fn versions_of(&self, slot: SlotId, me: TxnId) -> Option<(Option<&Row>, Option<&Row>)> {
        let s = self.slots.get(slot)?;
        let p = s.pending.as_ref().filter(|p| p.owner == me)?;
        Some((s.committed.as_ref(), p.row.as_ref()))
    }

    /// The committed row of `slot`.
    pub fn committed_row(&self, slot: SlotId) -> Option<&Row> {
        self.slots.get(slot)?.committed.as_ref()
    }

    /// Make `row` (None: no row) the committed version of `slot`, as a replayed commit
    /// does. Slots up to `slot` are created as needed; a slot the table kept for reuse
    /// is taken off that list. Uniqueness is not checked: the rows were checked when
    /// they were first written.
    pub fn place_committed(&mut self, slot: SlotId, row: Option<Row>) -> Result<(), PlaceError> {
        if let Some(r) = &row {
            if r.len() != self.columns.len() {
                return Err(PlaceError::Width {
                    expected: self.columns.len(),
                    got: r.len(),
                });
            }
        }
        if slot >= self.slots.len() {
            if row.is_none() {
                return Ok(());
            }
            let grow = slot - self.slots.len() + 1;
            self.slots
                .try_reserve(grow)
                .map_err(|_| PlaceError::SlotTooFar(slot))?;
            let keeps_free = self.primary().is_some();
            let mut holes = Vec::new();
            while self.slots.len() <= slot {
                if keeps_free && self.slots.len() < slot {
                    holes.push(self.slots.len());
                }
                self.slots.push(Slot::default());
                self.bytes += size_of::<Slot>();
            }
            self.free.extend(holes.into_iter().rev());
        } else {
            if self.slots.get(slot).is_some_and(|s| s.pending.is_some()) {
                return Err(PlaceError::Pending(slot));
            }
            if row.is_some() {
                if let Some(pos) = self.free.iter().rposition(|s| *s == slot) {
                    self.free.swap_remove(pos);
                }
            }
        }
        self.set_state(slot, Some(row), None);
        Ok(())
    }
}
