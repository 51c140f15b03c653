//! Replaying a payload: decode every operation first (a truncated or corrupt payload
//! changes nothing), then apply them to the catalog in order.
//!
//! Operations are idempotent where compaction needs it (see [`super`]): CREATE TABLE
//! replaces a table of the same name, PUT overwrites the slot, DELETE of an empty slot
//! and DROP of a missing object do nothing, CREATE DATABASE of an existing one does nothing.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use super::codec::Reader;
use super::recorder::{tag, FORMAT_VERSION};
use super::RedoError;
use crate::sql::catalog::Catalog;
use crate::sql::table::{Column, IndexDef, SlotId, Table, TableId};
use crate::sql::Value;

enum Op {
    CreateDatabase(String),
    DropDatabase(String),
    CreateTable {
        db: String,
        name: String,
        columns: Vec<Column>,
        indexes: Vec<IndexDef>,
        next_auto: u64,
    },
    DropTable {
        db: String,
        name: String,
    },
    AddIndex {
        db: String,
        name: String,
        def: IndexDef,
    },
    DropIndex {
        db: String,
        name: String,
        index: String,
    },
    Target {
        db: String,
        name: String,
        next_auto: u64,
    },
    Put {
        slot: SlotId,
        row: Vec<Value>,
    },
    Delete {
        slot: SlotId,
    },
}

fn decode(payload: &[u8]) -> Result<Vec<Op>, RedoError> {
    let mut r = Reader::new(payload);
    let version = r.byte()?;
    if version != FORMAT_VERSION {
        return Err(RedoError::Version(version));
    }
    let mut ops = Vec::new();
    loop {
        ops.push(match r.byte()? {
            tag::END if r.is_empty() => return Ok(ops),
            tag::END => return Err(RedoError::Malformed("bytes after the end")),
            tag::CREATE_DATABASE => Op::CreateDatabase(r.string()?),
            tag::DROP_DATABASE => Op::DropDatabase(r.string()?),
            tag::CREATE_TABLE => {
                let db = r.string()?;
                let name = r.string()?;
                let columns = r.columns()?;
                let n = r.usize()?;
                let mut indexes = Vec::new();
                for _ in 0..n {
                    indexes.push(r.index_def(columns.len())?);
                }
                let next_auto = r.u64()?;
                Op::CreateTable {
                    db,
                    name,
                    columns,
                    indexes,
                    next_auto,
                }
            }
            tag::DROP_TABLE => Op::DropTable {
                db: r.string()?,
                name: r.string()?,
            },
            tag::ADD_INDEX => Op::AddIndex {
                db: r.string()?,
                name: r.string()?,
                // Checked against the table's width when applied.
                def: r.index_def(usize::MAX)?,
            },
            tag::DROP_INDEX => Op::DropIndex {
                db: r.string()?,
                name: r.string()?,
                index: r.string()?,
            },
            tag::TARGET => Op::Target {
                db: r.string()?,
                name: r.string()?,
                next_auto: r.u64()?,
            },
            tag::PUT => Op::Put {
                slot: r.usize()?,
                row: r.row()?,
            },
            tag::DELETE => Op::Delete { slot: r.usize()? },
            tag => {
                return Err(RedoError::UnknownTag {
                    what: "operation",
                    tag,
                })
            }
        });
    }
}

/// Decode `payload` and apply it to `catalog`.
pub(super) fn apply(catalog: &mut Catalog, payload: &[u8]) -> Result<(), RedoError> {
    let ops = decode(payload)?;
    let mut target: Option<TableId> = None;
    for op in ops {
        match op {
            Op::CreateDatabase(name) => {
                if !catalog.database_exists(&name) {
                    catalog
                        .create_database(&name)
                        .map_err(|_| RedoError::Malformed("reserved database name"))?;
                }
            }
            Op::DropDatabase(name) => {
                catalog.drop_database(&name);
                target = None;
            }
            Op::CreateTable {
                db,
                name,
                columns,
                indexes,
                next_auto,
            } => {
                if !catalog.database_exists(&db) {
                    return Err(RedoError::NoSuchDatabase(db));
                }
                let mut t = Table::new(catalog.new_table_id(), db, name, columns);
                for def in indexes {
                    t.add_index(def)
                        .map_err(|_| RedoError::Malformed("index of a new table refused"))?;
                }
                t.next_auto = next_auto;
                catalog.remove_table(&t.db, &t.name);
                catalog.add_table(t);
                target = None;
            }
            Op::DropTable { db, name } => {
                catalog.remove_table(&db, &name);
                target = None;
            }
            Op::AddIndex { db, name, def } => {
                let t = table_mut(catalog, &db, &name)?;
                if def.columns.iter().any(|c| *c >= t.columns.len()) {
                    return Err(RedoError::Malformed("index column out of range"));
                }
                if let Some(old) = t
                    .indexes
                    .iter()
                    .position(|i| i.def.name.eq_ignore_ascii_case(&def.name))
                {
                    t.drop_index(old);
                }
                t.add_index(def)
                    .map_err(|_| RedoError::Malformed("index refused by the replayed rows"))?;
                catalog.touch();
            }
            Op::DropIndex { db, name, index } => {
                let t = table_mut(catalog, &db, &name)?;
                if let Some(pos) = t
                    .indexes
                    .iter()
                    .position(|i| i.def.name.eq_ignore_ascii_case(&index))
                {
                    t.drop_index(pos);
                }
                catalog.touch();
            }
            Op::Target {
                db,
                name,
                next_auto,
            } => {
                let t = table_mut(catalog, &db, &name)?;
                t.next_auto = t.next_auto.max(next_auto);
                target = Some(t.id);
            }
            Op::Put { slot, row } => place(catalog, target, slot, Some(Box::from(row)))?,
            Op::Delete { slot } => place(catalog, target, slot, None)?,
        }
    }
    Ok(())
}

fn table_mut<'c>(
    catalog: &'c mut Catalog,
    db: &str,
    name: &str,
) -> Result<&'c mut Table, RedoError> {
    let id = catalog
        .table_id(db, name)
        .ok_or_else(|| RedoError::NoSuchTable(alloc::format!("{db}.{name}")))?;
    catalog
        .table_mut(id)
        .ok_or_else(|| RedoError::NoSuchTable(alloc::format!("{db}.{name}")))
}

fn place(
    catalog: &mut Catalog,
    target: Option<TableId>,
    slot: SlotId,
    row: Option<Box<[Value]>>,
) -> Result<(), RedoError> {
    let t = target
        .and_then(|id| catalog.table_mut(id))
        .ok_or(RedoError::NoTarget)?;
    t.place_committed(slot, row).map_err(RedoError::Place)
}
