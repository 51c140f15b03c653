//! INSERT, UPDATE and DELETE: compiled plans and their execution inside a transaction,
//! with MySQL's strict-mode conversion of values to column types.

//!
//! Files: [`compile`] (statement to plan), [`write`] (plan to table writes), [`coerce`]
//! (values to column types). This file holds the plans and the two entry points.

use alloc::boxed::Box;
use alloc::vec::Vec;

use sqlparser::ast::Statement;

use super::catalog::Catalog;
use super::errors;
use super::expr::Expr;
use super::plan::{self, PlanEnv, SelectPlan};
use super::table::{Column, TableId};
use super::txn::{StatementLog, Txn};
use super::{Outcome, Session, SqlError, Value};

mod coerce;
mod compile;
mod write;

pub use coerce::coerce;
use compile::{compile_delete, compile_insert, compile_update};
use write::{delete, insert, update};

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
