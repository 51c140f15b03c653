//! Compaction's source: payloads that rebuild the committed state from an empty engine,
//! produced a chunk at a time so the log can spread the work over poll rounds.
//!
//! The first chunk holds every database and table definition (whatever its size), the
//! following ones the rows, table by table in name order, each about a budget of bytes.
//! The cursor remembers names and a slot, not references, so the engine may change
//! between chunks. The rebuilt state is right as long as every payload committed after
//! a chunk was produced is replayed after that chunk: every table a later payload names
//! exists from the first chunk on (or is created by a later payload), and a chunk sets
//! rows to what they were when it was made, which later payloads then move on
//! (row operations are idempotent).

use alloc::string::String;
use alloc::vec::Vec;

use super::recorder::Recorder;
use crate::sql::catalog::Catalog;
use crate::sql::Engine;

/// Smallest chunk budget: more than the format byte, so every chunk makes progress.
const MIN_CHUNK_BYTES: usize = 2;

/// Where a dump has got to.
#[derive(Debug, Default)]
pub struct DumpCursor {
    /// The definitions have been produced.
    schema_done: bool,
    /// The table whose rows are being produced, and the next slot to look at.
    table: Option<(String, String, usize)>,
    /// The last table whose rows were all produced.
    finished: Option<(String, String)>,
    done: bool,
}

impl DumpCursor {
    /// A cursor at the start of the engine's state.
    pub fn new() -> Self {
        Self::default()
    }

    /// True once every database, table and row has been produced.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The next payload, of about `budget_bytes` (at least one operation; the first one
    /// holds every definition), or None at the end.
    pub fn next_chunk(&mut self, engine: &Engine, budget_bytes: usize) -> Option<Vec<u8>> {
        let catalog = &engine.catalog;
        let mut rec = Recorder::new(true);
        if !self.schema_done {
            self.schema_done = true;
            schema(catalog, &mut rec);
            if let Some(chunk) = rec.finish() {
                return Some(chunk);
            }
            rec = Recorder::new(true);
        }
        let budget = budget_bytes.max(MIN_CHUNK_BYTES);
        while !self.done && rec.len() < budget {
            let Some((db, name, slot)) = self.table.take() else {
                match next_table(catalog, self.finished.as_ref()) {
                    Some((db, name)) => self.table = Some((db, name, 0)),
                    None => self.done = true,
                }
                continue;
            };
            // A table dropped since: the log holds the DROP.
            let Some(t) = catalog
                .table_id(&db, &name)
                .and_then(|id| catalog.table(id))
            else {
                self.finished = Some((db, name));
                continue;
            };
            let mut next = slot;
            while next < t.slot_count() && rec.len() < budget {
                if let Some(row) = t.committed_row(next) {
                    rec.target(t);
                    rec.put(next, row);
                }
                next += 1;
            }
            if next < t.slot_count() {
                self.table = Some((db, name, next));
            } else {
                // The AUTO_INCREMENT counter as it is now.
                rec.target(t);
                self.finished = Some((db, name));
            }
        }
        rec.finish()
    }
}

/// Every database and table definition.
fn schema(catalog: &Catalog, rec: &mut Recorder) {
    let mut db = catalog.next_database(None);
    while let Some(d) = db {
        rec.create_database(d);
        let mut table = catalog.next_table(d, None);
        while let Some((name, id)) = table {
            if let Some(t) = catalog.table(id) {
                rec.create_table(t);
            }
            table = catalog.next_table(d, Some(name));
        }
        db = catalog.next_database(Some(d));
    }
}

/// The table after `after` in (database, name) order (the first if None).
fn next_table(catalog: &Catalog, after: Option<&(String, String)>) -> Option<(String, String)> {
    let (mut db, mut after_table) = match after {
        Some((d, t)) => (Some(d.as_str()), Some(t.as_str())),
        None => (catalog.next_database(None), None),
    };
    while let Some(d) = db {
        if let Some((name, _)) = catalog.next_table(d, after_table) {
            return Some((String::from(d), String::from(name)));
        }
        db = catalog.next_database(Some(d));
        after_table = None;
    }
    None
}
