//! Planning a SELECT: resolve the FROM list, compile every clause, choose a join order
//! and an access path per table (index equality/range/IN, index nested-loop join, hash
//! join, scan), and place each WHERE conjunct at the first level where it can run.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::vec::Vec;

use sqlparser::ast;

use super::catalog::Catalog;
use super::expr::{sources_used, AggSpec, Expr, Source};
use super::table::TableId;
use super::{ColumnMeta, Session};

mod access;
mod columns;
mod from;
mod joins;
mod select;

pub use from::{resolve_table, split_name};
pub use select::{plan_query, plan_query_in, plan_single};

/// Most tables one SELECT may join (MySQL's limit).
pub const MAX_JOIN_TABLES: usize = 61;

/// How one table of a join is read.
#[derive(Clone, Debug)]
pub enum Access {
    /// Every row (primary key order if there is one, else insertion order).
    Scan,
    /// Index `index`: equality on its first `eq.len()` columns, then an optional range on
    /// the next column.
    Index {
        index: usize,
        eq: Vec<Expr>,
        lo: Option<(Expr, bool)>,
        hi: Option<(Expr, bool)>,
    },
    /// Index `index`: first column IN (values).
    InList { index: usize, values: Vec<Expr> },
    /// Hash join: this table's columns `build` equal the bound expressions `probe`.
    Hash { build: Vec<usize>, probe: Vec<Expr> },
}

/// One level of the nested-loop join.
#[derive(Clone, Debug)]
pub struct Level {
    /// Position of the table in the FROM list (index of `Expr::Col`'s source).
    pub src: usize,
    pub table: TableId,
    pub columns: usize,
    pub access: Access,
    /// LEFT JOIN: the ON conditions (a row failing them does not match).
    pub left_on: Option<Vec<Expr>>,
    /// Conditions checked once this level's row is bound.
    pub filters: Vec<Expr>,
    /// A derived table `(SELECT ...) AS alias`: its plan, materialised before the join.
    pub derived: Option<Box<SelectPlan>>,
}

/// A compiled SELECT.
#[derive(Clone, Debug)]
pub struct SelectPlan {
    pub levels: Vec<Level>,
    /// Number of sources: the enclosing queries' (a subquery's first `outer`), then the
    /// FROM tables.
    pub sources: usize,
    /// Conditions without columns: checked once.
    pub const_filters: Vec<Expr>,
    pub outputs: Vec<Expr>,
    pub columns: Vec<ColumnMeta>,
    pub aggs: Vec<AggSpec>,
    /// An aggregate query (GROUP BY or aggregates).
    pub grouped: bool,
    pub group_by: Vec<Expr>,
    pub having: Option<Expr>,
    /// Sort keys (evaluated with the output row available) and DESC flags.
    pub order_by: Vec<(Expr, bool)>,
    pub distinct: bool,
    pub limit: Option<Expr>,
    pub offset: Option<Expr>,
}

/// Everything planning needs to know about the statement's environment.
pub struct PlanEnv<'a> {
    pub catalog: &'a Catalog,
    pub session: &'a Session,
    pub sql: &'a str,
    pub max_depth: usize,
}

/// One FROM table with how it is joined.
struct FromItem<'a> {
    source: Source<'a>,
    left_on: Option<Cow<'a, ast::Expr>>,
    inner_on: Option<Cow<'a, ast::Expr>>,
    /// Index of the derived table's plan.
    derived: Option<usize>,
}

/// The FROM list: items, the order the join must follow when it has outer joins, and
/// whether a `USING` join merged columns.
struct FromList<'a> {
    items: Vec<FromItem<'a>>,
    order: Vec<usize>,
    using: bool,
}

/// Bits of the sources of enclosing queries (the first `outer`).
pub fn outer_mask(outer: usize) -> u64 {
    if outer >= 64 {
        u64::MAX
    } else {
        (1u64 << outer) - 1
    }
}

/// The enclosing queries' sources (below `outer`) that a subquery's plan reads.
pub fn outer_refs(plan: &SelectPlan, outer: usize) -> u64 {
    let mut used = 0u64;
    let mut add = |e: &Expr| used |= sources_used(e);
    for l in &plan.levels {
        match &l.access {
            Access::Scan => {}
            Access::Index { eq, lo, hi, .. } => {
                eq.iter().for_each(&mut add);
                lo.iter().chain(hi).for_each(|(e, _)| add(e));
            }
            Access::InList { values, .. } => values.iter().for_each(&mut add),
            Access::Hash { probe, .. } => probe.iter().for_each(&mut add),
        }
        l.left_on.iter().flatten().for_each(&mut add);
        l.filters.iter().for_each(&mut add);
    }
    plan.const_filters.iter().for_each(&mut add);
    plan.outputs.iter().for_each(&mut add);
    plan.aggs
        .iter()
        .filter_map(|a| a.arg.as_ref())
        .for_each(&mut add);
    plan.group_by.iter().for_each(&mut add);
    plan.having.iter().for_each(&mut add);
    plan.order_by.iter().for_each(|(e, _)| add(e));
    plan.limit.iter().chain(&plan.offset).for_each(&mut add);
    used & outer_mask(outer)
}

/// Describe the plan's access paths (tests and diagnostics): one entry per level.
#[cfg(test)]
pub fn describe(plan: &SelectPlan, catalog: &Catalog) -> Vec<alloc::string::String> {
    plan.levels
        .iter()
        .map(|l| {
            let t = catalog.table(l.table);
            let name = t.map(|t| t.name.as_str()).unwrap_or("?");
            let ix_name = |i: usize| {
                t.and_then(|t| t.indexes.get(i))
                    .map(|ix| ix.def.name.clone())
                    .unwrap_or_default()
            };
            match &l.access {
                Access::Scan => alloc::format!("{name}:scan"),
                Access::Index { index, eq, .. } if !eq.is_empty() => {
                    alloc::format!("{name}:eq({})", ix_name(*index))
                }
                Access::Index { index, .. } => alloc::format!("{name}:range({})", ix_name(*index)),
                Access::InList { index, .. } => alloc::format!("{name}:in({})", ix_name(*index)),
                Access::Hash { .. } => alloc::format!("{name}:hash"),
            }
        })
        .collect()
}
