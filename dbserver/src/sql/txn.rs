//! Transactions.
//!
//! Isolation level: READ COMMITTED with first-writer-wins row locks and no waiting (the
//! server is single-threaded, so nobody could wait). A statement sees committed rows
//! plus its own transaction's pending versions; other sessions never see uncommitted
//! data. A write to a row that another open transaction has a pending version of fails
//! at once with 1213 (deadlock) and rolls back the writer's whole transaction, as InnoDB
//! does for a deadlock victim; clients like sysbench retry.
//!
//! Atomicity: each write records the slot's previous pending version in the statement's
//! undo log; a failing statement is undone from it and the transaction stays open.
//! COMMIT installs every pending version of the transaction, ROLLBACK drops them.

use alloc::vec::Vec;

use super::catalog::Catalog;
use super::redo::Recorder;
use super::table::{Pending, SlotId, TableId, TxnId};

/// An open transaction: its id and every slot it wrote.
#[derive(Debug)]
pub struct Txn {
    pub id: TxnId,
    touched: Vec<(TableId, SlotId)>,
    /// Opened by BEGIN / START TRANSACTION (not implicitly under autocommit=0).
    pub explicit: bool,
}

/// Undo record: the slot's pending version before the statement wrote it.
#[derive(Debug)]
struct Undo {
    table: TableId,
    slot: SlotId,
    previous: Option<Pending>,
}

/// The statement-level undo log.
#[derive(Debug, Default)]
pub struct StatementLog {
    undo: Vec<Undo>,
}

impl Txn {
    pub fn new(id: TxnId, explicit: bool) -> Self {
        Self {
            id,
            touched: Vec::new(),
            explicit,
        }
    }

    /// Record a write: `previous` is what the slot's pending version was before it.
    pub fn record(
        &mut self,
        log: &mut StatementLog,
        table: TableId,
        slot: SlotId,
        previous: Option<Pending>,
    ) {
        let newly_touched = previous.as_ref().is_none_or(|p| p.owner != self.id);
        if newly_touched {
            self.touched.push((table, slot));
        }
        log.undo.push(Undo {
            table,
            slot,
            previous,
        });
    }

    /// Whether the transaction wrote nothing.
    pub fn is_empty(&self) -> bool {
        self.touched.is_empty()
    }

    /// Install every pending version of the transaction, recording each change in `rec`.
    pub fn commit(self, catalog: &mut Catalog, rec: &mut Recorder) {
        for (table, slot) in self.touched {
            if let Some(t) = catalog.table_mut(table) {
                rec.slot_commit(t, slot, self.id);
                t.commit_slot(slot, self.id);
            }
        }
    }

    /// Drop every pending version of the transaction.
    pub fn rollback(self, catalog: &mut Catalog) {
        for (table, slot) in self.touched.into_iter().rev() {
            if let Some(t) = catalog.table_mut(table) {
                t.rollback_slot(slot, self.id);
            }
        }
    }
}

impl StatementLog {
    /// Undo the statement's writes, newest first.
    pub fn undo(self, catalog: &mut Catalog) {
        for u in self.undo.into_iter().rev() {
            if let Some(t) = catalog.table_mut(u.table) {
                t.restore(u.slot, u.previous);
            }
        }
    }
}
