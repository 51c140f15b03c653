//! Running a SELECT plan: nested-loop join over the chosen access paths (rows are
//! borrowed from the tables, never copied), filter, group and aggregate, HAVING,
//! DISTINCT, ORDER BY, LIMIT.

use core::cell::{Cell, RefCell};

// Keyed per process: the keys are values clients chose (hash joins, DISTINCT, GROUP BY).
use crate::hash::HashMap;

use super::catalog::Catalog;
use super::errors;
use super::eval::Env;
use super::table::{Table, TxnId};
use super::{Session, SqlError, Value};

mod access;
mod aggregate;
mod join;
mod order;
mod select;
mod subquery;

pub use join::matching_rows;
pub use select::run_select;
pub use subquery::Materialized;

/// What a running statement reads.
pub struct ExecCtx<'a> {
    pub catalog: &'a Catalog,
    pub session: &'a Session,
    pub params: &'a [Value],
    /// The reading transaction (sees its own pending versions).
    pub txn: Option<TxnId>,
    /// Rows read from tables (tests check that indexes are used).
    pub examined: Cell<u64>,
    /// Results of uncorrelated subqueries, computed once per statement execution (keyed
    /// by the address of their plan, which lives as long as the statement runs).
    pub subs: RefCell<HashMap<usize, Materialized>>,
}

impl<'a> ExecCtx<'a> {
    /// A context for one statement execution: nothing examined, no subquery results yet.
    pub fn new(
        catalog: &'a Catalog,
        session: &'a Session,
        params: &'a [Value],
        txn: Option<TxnId>,
    ) -> Self {
        ExecCtx {
            catalog,
            session,
            params,
            txn,
            examined: Cell::new(0),
            subs: RefCell::default(),
        }
    }
}

impl<'a> ExecCtx<'a> {
    fn env<'e>(&'e self, rows: &'e [&'e [Value]]) -> Env<'e> {
        Env {
            rows,
            aggs: &[],
            outputs: &[],
            params: self.params,
            session: self.session,
            sub: Some(self),
        }
    }

    fn table(&self, id: super::table::TableId) -> Result<&'a Table, SqlError> {
        self.catalog
            .table(id)
            .ok_or_else(|| errors::unsupported("a table dropped while in use"))
    }
}
