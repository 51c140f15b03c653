//! Running INSERT, UPDATE and DELETE plans inside a transaction: evaluate the new
//! rows, convert them to column types ([`coerce`]), write them to the tables and log
//! each write for statement undo. Calls down into the executor (to find the rows an
//! UPDATE or DELETE changes), the tables and the transaction log.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::super::errors;
use super::super::eval::{eval, Env};
use super::super::exec::{self, ExecCtx};
use super::super::table::{Row, SlotId, TableId, WriteError};
use super::super::{done, Outcome, SqlError, Value};
use super::coerce::coerce;
use super::{default_of, DeletePlan, InsertPlan, InsertSource, UpdatePlan, WriteCtx};

pub(super) fn insert(w: &mut WriteCtx<'_>, p: &InsertPlan) -> Result<Outcome, SqlError> {
    let table = w
        .catalog
        .table(p.table)
        .ok_or_else(|| errors::no_such_table("", ""))?;
    let columns = table.columns.clone();
    let (db, name) = (table.db.clone(), table.name.clone());
    // INSERT ... SELECT reads every source row before writing any.
    let selected: Vec<Vec<Value>> = match &p.source {
        InsertSource::Select(plan) => {
            let ctx = ExecCtx::new(w.catalog, w.session, w.params, Some(w.txn.id));
            let rs = exec::run_select(&ctx, plan)?;
            *w.examined = ctx.examined.get();
            rs.rows
        }
        InsertSource::Values(_) => Vec::new(),
    };
    let count = match &p.source {
        InsertSource::Values(rows) => rows.len(),
        InsertSource::Select(_) => selected.len(),
    };
    let mut first_id: Option<u64> = None;
    for n in 0..count {
        let row_no = n as u64 + 1;
        let mut row: Vec<Value> = columns.iter().map(|c| default_of(Some(c))).collect();
        let mut given = alloc::vec![false; columns.len()];
        let values: Vec<Option<Value>> = match &p.source {
            InsertSource::Values(rows) => {
                let env = Env {
                    rows: &[],
                    aggs: &[],
                    outputs: &[],
                    params: w.params,
                    session: w.session,
                    sub: None,
                };
                let exprs = rows.get(n).map(Vec::as_slice).unwrap_or_default();
                exprs
                    .iter()
                    .map(|e| match e {
                        Some(e) => eval(e, &env).map(|v| Some(v.into_owned())),
                        None => Ok(None),
                    })
                    .collect::<Result<_, _>>()?
            }
            InsertSource::Select(_) => selected
                .get(n)
                .map(|r| r.iter().cloned().map(Some).collect())
                .unwrap_or_default(),
        };
        for (target, v) in p.targets.iter().zip(values) {
            let (Some(col), Some(slot)) = (columns.get(*target), row.get_mut(*target)) else {
                continue;
            };
            if let Some(v) = v {
                *slot = coerce(col, v, row_no, &db, &name)?;
                if let Some(g) = given.get_mut(*target) {
                    *g = true;
                }
            }
        }
        for (i, col) in columns.iter().enumerate() {
            let given = given.get(i).copied().unwrap_or(false);
            let Some(v) = row.get_mut(i) else { continue };
            if col.auto_increment && (v.is_null() || *v == Value::Int(0)) {
                let t = w
                    .catalog
                    .table_mut(p.table)
                    .ok_or_else(|| errors::no_such_table(&db, &name))?;
                let id = t.next_auto;
                t.next_auto = t.next_auto.saturating_add(1);
                let (_, max) = col.int_range.unwrap_or((0, i64::MAX));
                let id_value = i64::try_from(id).unwrap_or(i64::MAX);
                if id_value > max {
                    return Err(errors::out_of_range_column(&col.name, row_no));
                }
                *v = Value::Int(id_value);
                first_id.get_or_insert(id);
            } else if col.auto_increment {
                if let Value::Int(i) = v {
                    if let Some(t) = w.catalog.table_mut(p.table) {
                        let next = u64::try_from(*i).unwrap_or(0).saturating_add(1);
                        t.next_auto = t.next_auto.max(next);
                    }
                }
            }
            if v.is_null() && !col.nullable {
                return Err(if given {
                    errors::column_not_null(&col.name)
                } else {
                    errors::no_default(&col.name)
                });
            }
        }
        let before = w.catalog.total_bytes();
        let t = w
            .catalog
            .table_mut(p.table)
            .ok_or_else(|| errors::no_such_table(&db, &name))?;
        let slot = t
            .insert(w.txn.id, row.into_boxed_slice())
            .map_err(write_error)?;
        w.txn.record(w.log, p.table, slot, None);
        check_space(w, before, &name)?;
    }
    let rows = count as u64;
    if let Some(id) = first_id {
        w.session.last_insert_id = id;
    }
    let multi = rows > 1 || matches!(p.source, InsertSource::Select(_));
    let info = if multi {
        format!("Records: {rows}  Duplicates: 0  Warnings: 0")
    } else {
        String::new()
    };
    Ok(done(rows, first_id.unwrap_or(0), info))
}

/// Refuse a write that took the tables past the memory budget (1114).
pub(super) fn check_space(w: &WriteCtx<'_>, before: usize, table: &str) -> Result<(), SqlError> {
    if let Some(max) = w.max_bytes {
        let now = w.catalog.total_bytes();
        if now > max && now > before {
            return Err(errors::table_full(table));
        }
    }
    Ok(())
}

pub(super) fn write_error(e: WriteError) -> SqlError {
    match e {
        WriteError::Duplicate { entry, key } => errors::duplicate_entry(&entry, &key),
        WriteError::Locked => errors::deadlock(),
    }
}

pub(super) fn update(w: &mut WriteCtx<'_>, p: &UpdatePlan) -> Result<Outcome, SqlError> {
    let (changes, matched) = {
        let ctx = ExecCtx::new(w.catalog, w.session, w.params, Some(w.txn.id));
        let table = w
            .catalog
            .table(p.table)
            .ok_or_else(|| errors::no_such_table("", ""))?;
        let hits = exec::matching_rows(&ctx, &p.search)?;
        *w.examined = ctx.examined.get();
        let mut changes: Vec<(SlotId, Row)> = Vec::new();
        for (n, (slot, old)) in hits.iter().enumerate() {
            let mut new: Vec<Value> = old.to_vec();
            for (col, e) in &p.assignments {
                let v = {
                    let rows = [&new[..]];
                    let env = Env {
                        rows: &rows,
                        aggs: &[],
                        outputs: &[],
                        params: w.params,
                        session: w.session,
                        sub: None,
                    };
                    eval(e, &env)?.into_owned()
                };
                let Some(column) = table.columns.get(*col) else {
                    continue;
                };
                let v = coerce(column, v, n as u64 + 1, &table.db, &table.name)?;
                if v.is_null() && !column.nullable {
                    return Err(errors::column_not_null(&column.name));
                }
                if let Some(slot) = new.get_mut(*col) {
                    *slot = v;
                }
            }
            if new.as_slice() != *old {
                changes.push((*slot, new.into_boxed_slice()));
            } else if table.locked_by_other(*slot, w.txn.id) {
                return Err(errors::deadlock());
            }
        }
        (changes, hits.len())
    };
    let changed = changes.len();
    write_rows(
        w,
        p.table,
        changes.into_iter().map(|(slot, row)| (slot, Some(row))),
    )?;
    Ok(done(
        changed as u64,
        0,
        format!("Rows matched: {matched}  Changed: {changed}  Warnings: 0"),
    ))
}

pub(super) fn delete(w: &mut WriteCtx<'_>, p: &DeletePlan) -> Result<Outcome, SqlError> {
    let slots: Vec<SlotId> = {
        let ctx = ExecCtx::new(w.catalog, w.session, w.params, Some(w.txn.id));
        let hits = exec::matching_rows(&ctx, &p.search)?;
        *w.examined = ctx.examined.get();
        hits.into_iter().map(|(s, _)| s).collect()
    };
    let deleted = slots.len();
    write_rows(w, p.table, slots.into_iter().map(|slot| (slot, None)))?;
    Ok(done(deleted as u64, 0, String::new()))
}

/// Write new versions of rows (`None` deletes) as the statement's transaction, each
/// logged for statement undo. A replacement may grow the tables past the memory budget
/// and is refused then; a deletion only frees space and is not checked.
fn write_rows(
    w: &mut WriteCtx<'_>,
    table: TableId,
    rows: impl Iterator<Item = (SlotId, Option<Row>)>,
) -> Result<(), SqlError> {
    let name = w
        .catalog
        .table(table)
        .map(|t| t.name.clone())
        .unwrap_or_default();
    for (slot, row) in rows {
        let grows = row.is_some();
        let before = if grows { w.catalog.total_bytes() } else { 0 };
        let t = w
            .catalog
            .table_mut(table)
            .ok_or_else(|| errors::no_such_table("", &name))?;
        let previous = t.write(w.txn.id, slot, row).map_err(write_error)?;
        w.txn.record(w.log, table, slot, previous);
        if grows {
            check_space(w, before, &name)?;
        }
    }
    Ok(())
}
