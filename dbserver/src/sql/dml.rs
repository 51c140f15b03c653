//! INSERT, UPDATE and DELETE: compiled plans and their execution inside a transaction,
//! with MySQL's strict-mode conversion of values to column types.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sqlparser::ast::{self as ast, AssignmentTarget, FromTable, SetExpr, Statement, TableObject};

use super::catalog::Catalog;
use super::errors;
use super::eval::{eval, Env};
use super::exec::{self, ExecCtx};
use super::expr::{Compiler, Expr, Source};
use super::plan::{self, PlanEnv, SelectPlan};
use super::table::{Column, Row, TableId, WriteError};
use super::txn::{StatementLog, Txn};
use super::value::{char_count, parse_decimal_literal, parse_number, pow10, rescale};
use super::{done, Outcome, Session, SqlError, SqlType, Value};

/// Longest value a TEXT column holds, in bytes.
const TEXT_MAX_BYTES: usize = 65_535;

/// A compiled statement.
#[derive(Clone, Debug)]
pub enum StmtPlan {
    Select(SelectPlan),
    Insert(InsertPlan),
    Update(UpdatePlan),
    Delete(DeletePlan),
}

/// INSERT: the target columns and where the rows come from.
#[derive(Clone, Debug)]
pub struct InsertPlan {
    table: TableId,
    targets: Vec<usize>,
    source: InsertSource,
}

/// The rows of an INSERT.
#[derive(Clone, Debug)]
enum InsertSource {
    /// One expression (None: DEFAULT) per target per row.
    Values(Vec<Vec<Option<Expr>>>),
    /// INSERT ... SELECT.
    Select(Box<SelectPlan>),
}

/// UPDATE: the rows to change and the assignments, in order.
#[derive(Clone, Debug)]
pub struct UpdatePlan {
    search: SelectPlan,
    table: TableId,
    assignments: Vec<(usize, Expr)>,
}

/// DELETE: the rows to delete.
#[derive(Clone, Debug)]
pub struct DeletePlan {
    search: SelectPlan,
    table: TableId,
}

/// Compile the statements that have plans; None for the others.
pub fn compile(env: &PlanEnv<'_>, stmt: &Statement) -> Result<Option<StmtPlan>, SqlError> {
    Ok(Some(match stmt {
        Statement::Query(q) => StmtPlan::Select(plan::plan_query(env, q)?),
        Statement::Insert(i) => StmtPlan::Insert(compile_insert(env, i)?),
        Statement::Update(u) => StmtPlan::Update(compile_update(env, u)?),
        Statement::Delete(d) => StmtPlan::Delete(compile_delete(env, d)?),
        _ => return Ok(None),
    }))
}

fn compile_insert(env: &PlanEnv<'_>, i: &ast::Insert) -> Result<InsertPlan, SqlError> {
    if i.ignore || i.replace_into || i.on.is_some() || i.returning.is_some() {
        return Err(errors::unsupported(
            "INSERT IGNORE, REPLACE and ON DUPLICATE KEY",
        ));
    }
    let TableObject::TableName(name) = &i.table else {
        return Err(errors::unsupported("INSERT INTO TABLE FUNCTION"));
    };
    let table = plan::resolve_table(env.catalog, env.session, name)?;
    let db = env.session.database().unwrap_or("");
    let mut c = Compiler::new(&[], env.sql, db, env.max_depth);
    let column = |n: &str| {
        table
            .column_index(n)
            .ok_or_else(|| errors::unknown_column(n, "field list"))
    };
    if !i.assignments.is_empty() {
        let mut targets = Vec::new();
        let mut row = Vec::new();
        for a in &i.assignments {
            let AssignmentTarget::ColumnName(n) = &a.target else {
                return Err(errors::unsupported("tuple assignment"));
            };
            targets.push(column(&last_part(n))?);
            row.push(value_expr(&mut c, &a.value)?);
        }
        return Ok(InsertPlan {
            table: table.id,
            targets,
            source: InsertSource::Values(Vec::from([row])),
        });
    }
    let targets: Vec<usize> = if i.columns.is_empty() {
        (0..table.columns.len()).collect()
    } else {
        i.columns
            .iter()
            .map(|n| column(&last_part(n)))
            .collect::<Result<_, _>>()?
    };
    let Some(source) = &i.source else {
        return Err(errors::syntax("", 1));
    };
    let SetExpr::Values(values) = source.body.as_ref() else {
        let select = plan::plan_query(env, source)?;
        if select.outputs.len() != targets.len() {
            return Err(errors::column_count_mismatch(1));
        }
        return Ok(InsertPlan {
            table: table.id,
            targets,
            source: InsertSource::Select(Box::new(select)),
        });
    };
    let mut rows = Vec::with_capacity(values.rows.len());
    for (n, r) in values.rows.iter().enumerate() {
        let empty_ok = r.content.is_empty() && i.columns.is_empty();
        if r.content.len() != targets.len() && !empty_ok {
            return Err(errors::column_count_mismatch(n as u64 + 1));
        }
        let row = r
            .content
            .iter()
            .map(|e| value_expr(&mut c, e))
            .collect::<Result<Vec<_>, _>>()?;
        rows.push(row);
    }
    Ok(InsertPlan {
        table: table.id,
        targets: if rows.iter().all(Vec::is_empty) {
            Vec::new()
        } else {
            targets
        },
        source: InsertSource::Values(rows),
    })
}

/// A VALUES item: an expression without columns, or DEFAULT.
fn value_expr(c: &mut Compiler<'_>, e: &ast::Expr) -> Result<Option<Expr>, SqlError> {
    if let ast::Expr::Identifier(id) = e {
        if id.quote_style.is_none() && id.value.eq_ignore_ascii_case("DEFAULT") {
            return Ok(None);
        }
    }
    Ok(Some(c.compile(e)?.expr))
}

fn last_part(n: &ast::ObjectName) -> String {
    match n.0.last() {
        Some(ast::ObjectNamePart::Identifier(i)) => i.value.clone(),
        _ => n.to_string(),
    }
}

fn compile_update(env: &PlanEnv<'_>, u: &ast::Update) -> Result<UpdatePlan, SqlError> {
    if !u.table.joins.is_empty() || u.from.is_some() || u.returning.is_some() {
        return Err(errors::unsupported("multi-table UPDATE"));
    }
    let search = plan::plan_single(
        env,
        &u.table.relation,
        u.selection.as_ref(),
        &u.order_by,
        u.limit.as_ref(),
    )?;
    let ast::TableFactor::Table { name, alias, .. } = &u.table.relation else {
        return Err(errors::unsupported("UPDATE of a derived table"));
    };
    let table = plan::resolve_table(env.catalog, env.session, name)?;
    let alias = alias
        .as_ref()
        .map_or(table.name.as_str(), |a| a.name.value.as_str());
    let sources = [Source { alias, table }];
    let db = env.session.database().unwrap_or("");
    let mut c = Compiler::new(&sources, env.sql, db, env.max_depth);
    let mut assignments = Vec::new();
    for a in &u.assignments {
        let AssignmentTarget::ColumnName(n) = &a.target else {
            return Err(errors::unsupported("tuple assignment"));
        };
        let name = last_part(n);
        let col = table
            .column_index(&name)
            .ok_or_else(|| errors::unknown_column(&name, "field list"))?;
        let e = match value_expr(&mut c, &a.value)? {
            Some(e) => e,
            None => Expr::Lit(default_of(table.columns.get(col))),
        };
        assignments.push((col, e));
    }
    Ok(UpdatePlan {
        search,
        table: table.id,
        assignments,
    })
}

fn compile_delete(env: &PlanEnv<'_>, d: &ast::Delete) -> Result<DeletePlan, SqlError> {
    let from = match &d.from {
        FromTable::WithFromKeyword(f) | FromTable::WithoutKeyword(f) => f,
    };
    let [twj] = from.as_slice() else {
        return Err(errors::unsupported("multi-table DELETE"));
    };
    if !d.tables.is_empty() || d.using.is_some() || !twj.joins.is_empty() {
        return Err(errors::unsupported("multi-table DELETE"));
    }
    let search = plan::plan_single(
        env,
        &twj.relation,
        d.selection.as_ref(),
        &d.order_by,
        d.limit.as_ref(),
    )?;
    let table = search
        .levels
        .first()
        .map(|l| l.table)
        .ok_or_else(|| errors::syntax("", 1))?;
    Ok(DeletePlan { search, table })
}

/// What a write statement works with.
pub struct WriteCtx<'a> {
    pub catalog: &'a mut Catalog,
    pub session: &'a mut Session,
    pub txn: &'a mut Txn,
    pub log: &'a mut StatementLog,
    pub params: &'a [Value],
    pub max_bytes: Option<usize>,
    pub examined: &'a mut u64,
}

/// Run a write plan (the caller commits or undoes).
pub fn run(w: &mut WriteCtx<'_>, plan: &StmtPlan) -> Result<Outcome, SqlError> {
    match plan {
        StmtPlan::Insert(p) => insert(w, p),
        StmtPlan::Update(p) => update(w, p),
        StmtPlan::Delete(p) => delete(w, p),
        StmtPlan::Select(_) => Err(errors::unsupported("SELECT as a write")),
    }
}

fn default_of(c: Option<&Column>) -> Value {
    c.and_then(|c| c.default.clone()).unwrap_or(Value::Null)
}

fn insert(w: &mut WriteCtx<'_>, p: &InsertPlan) -> Result<Outcome, SqlError> {
    let table = w
        .catalog
        .table(p.table)
        .ok_or_else(|| errors::no_such_table("", ""))?;
    let columns = table.columns.clone();
    let (db, name) = (table.db.clone(), table.name.clone());
    // INSERT ... SELECT reads every source row before writing any.
    let selected: Vec<Vec<Value>> = match &p.source {
        InsertSource::Select(plan) => {
            let ctx = ExecCtx {
                catalog: w.catalog,
                session: w.session,
                params: w.params,
                txn: Some(w.txn.id),
                examined: core::cell::Cell::new(0),
                subs: Default::default(),
            };
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
fn check_space(w: &WriteCtx<'_>, before: usize, table: &str) -> Result<(), SqlError> {
    if let Some(max) = w.max_bytes {
        let now = w.catalog.total_bytes();
        if now > max && now > before {
            return Err(errors::table_full(table));
        }
    }
    Ok(())
}

fn write_error(e: WriteError) -> SqlError {
    match e {
        WriteError::Duplicate { entry, key } => errors::duplicate_entry(&entry, &key),
        WriteError::Locked => errors::deadlock(),
    }
}

fn update(w: &mut WriteCtx<'_>, p: &UpdatePlan) -> Result<Outcome, SqlError> {
    let (changes, matched) = {
        let ctx = ExecCtx {
            catalog: w.catalog,
            session: w.session,
            params: w.params,
            txn: Some(w.txn.id),
            examined: core::cell::Cell::new(0),
            subs: Default::default(),
        };
        let table = w
            .catalog
            .table(p.table)
            .ok_or_else(|| errors::no_such_table("", ""))?;
        let hits = exec::matching_rows(&ctx, &p.search)?;
        *w.examined = ctx.examined.get();
        let mut changes: Vec<(usize, Row)> = Vec::new();
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
    let name = w
        .catalog
        .table(p.table)
        .map(|t| t.name.clone())
        .unwrap_or_default();
    let changed = changes.len();
    for (slot, row) in changes {
        let before = w.catalog.total_bytes();
        let t = w
            .catalog
            .table_mut(p.table)
            .ok_or_else(|| errors::no_such_table("", &name))?;
        let previous = t.write(w.txn.id, slot, Some(row)).map_err(write_error)?;
        w.txn.record(w.log, p.table, slot, previous);
        check_space(w, before, &name)?;
    }
    Ok(done(
        changed as u64,
        0,
        format!("Rows matched: {matched}  Changed: {changed}  Warnings: 0"),
    ))
}

fn delete(w: &mut WriteCtx<'_>, p: &DeletePlan) -> Result<Outcome, SqlError> {
    let slots: Vec<usize> = {
        let ctx = ExecCtx {
            catalog: w.catalog,
            session: w.session,
            params: w.params,
            txn: Some(w.txn.id),
            examined: core::cell::Cell::new(0),
            subs: Default::default(),
        };
        let hits = exec::matching_rows(&ctx, &p.search)?;
        *w.examined = ctx.examined.get();
        hits.into_iter().map(|(s, _)| s).collect()
    };
    let t = w
        .catalog
        .table_mut(p.table)
        .ok_or_else(|| errors::no_such_table("", ""))?;
    for slot in &slots {
        let previous = t.write(w.txn.id, *slot, None).map_err(write_error)?;
        w.txn.record(w.log, p.table, *slot, previous);
    }
    Ok(done(slots.len() as u64, 0, String::new()))
}

/// Convert a value for a column as strict-mode MySQL does (errors 1366, 1265, 1264,
/// 1406). NULL stays NULL (the caller checks NOT NULL).
pub fn coerce(col: &Column, v: Value, row: u64, db: &str, table: &str) -> Result<Value, SqlError> {
    if v.is_null() {
        return Ok(v);
    }
    let path = || format!("`{db}`.`{table}`.`{}`", col.name);
    match col.ty {
        SqlType::TinyInt | SqlType::SmallInt | SqlType::Int | SqlType::BigInt => {
            let i: i128 = match &v {
                Value::Int(i) => i128::from(*i),
                Value::Decimal { mantissa, scale } => {
                    rescale(*mantissa, *scale, 0).unwrap_or(i128::MAX)
                }
                Value::Double(d) => round_f64(*d),
                Value::Text(t) => {
                    let p = parse_number(t);
                    if !p.has_digits {
                        return Err(errors::incorrect_value(
                            "integer",
                            &String::from_utf8_lossy(t),
                            &path(),
                            row,
                        ));
                    }
                    if !p.complete {
                        return Err(errors::data_truncated(&col.name, row));
                    }
                    p.int.map_or_else(|| round_f64(p.value), i128::from)
                }
                Value::Null => return Ok(Value::Null),
            };
            let (lo, hi) = col.int_range.unwrap_or((i64::MIN, i64::MAX));
            if i < i128::from(lo) || i > i128::from(hi) {
                return Err(errors::out_of_range_column(&col.name, row));
            }
            Ok(Value::Int(i64::try_from(i).unwrap_or(0)))
        }
        SqlType::Double | SqlType::Float => match &v {
            Value::Text(t) => {
                let p = parse_number(t);
                if !p.has_digits {
                    return Err(errors::incorrect_value(
                        "double",
                        &String::from_utf8_lossy(t),
                        &path(),
                        row,
                    ));
                }
                if !p.complete {
                    return Err(errors::data_truncated(&col.name, row));
                }
                Ok(Value::Double(p.value))
            }
            other => Ok(Value::Double(other.to_f64())),
        },
        SqlType::Decimal { precision, scale } => {
            let m: i128 = match &v {
                Value::Int(i) => i128::from(*i)
                    .checked_mul(pow10(u32::from(scale)).unwrap_or(1))
                    .ok_or_else(|| errors::out_of_range_column(&col.name, row))?,
                Value::Decimal { mantissa, scale: s } => rescale(*mantissa, *s, scale)
                    .ok_or_else(|| errors::out_of_range_column(&col.name, row))?,
                Value::Text(t) => {
                    let text = String::from_utf8_lossy(t);
                    let trimmed = text.trim();
                    let (neg, digits) = match trimmed.strip_prefix('-') {
                        Some(d) => (true, d),
                        None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
                    };
                    match parse_decimal_literal(digits) {
                        Some((m, s)) => {
                            let m = rescale(m, s, scale)
                                .ok_or_else(|| errors::out_of_range_column(&col.name, row))?;
                            if neg {
                                -m
                            } else {
                                m
                            }
                        }
                        None => {
                            let p = parse_number(t);
                            if !p.has_digits {
                                return Err(errors::incorrect_value(
                                    "decimal",
                                    &text,
                                    &path(),
                                    row,
                                ));
                            }
                            if !p.complete {
                                return Err(errors::data_truncated(&col.name, row));
                            }
                            round_f64(p.value * pow10(u32::from(scale)).unwrap_or(1) as f64)
                        }
                    }
                }
                Value::Double(d) => round_f64(d * pow10(u32::from(scale)).unwrap_or(1) as f64),
                Value::Null => return Ok(Value::Null),
            };
            let limit = pow10(u32::from(precision)).unwrap_or(i128::MAX);
            if m.abs() >= limit {
                return Err(errors::out_of_range_column(&col.name, row));
            }
            Ok(Value::Decimal { mantissa: m, scale })
        }
        SqlType::Char(_) | SqlType::VarChar(_) | SqlType::Text => {
            let n = match col.ty {
                SqlType::Char(n) | SqlType::VarChar(n) => n,
                _ => u32::MAX,
            };
            let mut t = match v {
                Value::Text(t) => t,
                other => other.to_text().unwrap_or_default(),
            };
            let is_char = matches!(col.ty, SqlType::Char(_));
            if is_char {
                let end = t.iter().rposition(|b| *b != b' ').map_or(0, |p| p + 1);
                t.truncate(end);
            }
            let too_long = match col.ty {
                SqlType::Text => t.len() > TEXT_MAX_BYTES,
                _ => char_count(&t) > n as usize,
            };
            if too_long {
                // Excess trailing spaces are cut silently; anything else is an error.
                let end = t.iter().rposition(|b| *b != b' ').map_or(0, |p| p + 1);
                if col.ty != SqlType::Text
                    && char_count(t.get(..end).unwrap_or_default()) <= n as usize
                {
                    let mut cut = Vec::new();
                    for c in t.iter().take(n as usize) {
                        cut.push(*c);
                    }
                    t = cut;
                } else {
                    return Err(errors::data_too_long(&col.name, row));
                }
            }
            Ok(Value::Text(t))
        }
    }
}

/// Round half away from zero to an integer (saturating).
fn round_f64(d: f64) -> i128 {
    let r = super::value::float::round(d);
    if r >= i128::MAX as f64 {
        i128::MAX
    } else if r <= i128::MIN as f64 {
        i128::MIN
    } else {
        r as i128
    }
}
