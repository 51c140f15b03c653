//! The nested-loop join over the plan's levels (LEFT JOIN NULL rows included), handing each
//! combined row to a sink, and the single-table row search of UPDATE and DELETE. Rows are
//! borrowed from the tables, never copied. Reads each level's rows through [`access`].

use alloc::vec::Vec;
use core::cmp::Ordering;

// Keyed per process: the keys are values clients chose (hash joins, DISTINCT, GROUP BY).
use crate::hash::HashMap;

use super::super::eval::is_true;
use super::super::expr::Expr;
use super::super::plan::SelectPlan;
use super::super::table::SlotId;
use super::super::value::{sort_cmp, KeyAtom};
use super::super::{SqlError, Value};

use super::access::candidates;
use super::order::{eval_count, sort_keys};
use super::ExecCtx;

/// A hash join's table: key -> rows.
pub(super) type HashTable<'t> = HashMap<Vec<KeyAtom>, Vec<Hit<'t>>>;

/// A visible row and its slot.
pub type Hit<'t> = (SlotId, &'t [Value]);

pub(super) type Sink<'s, 't> =
    dyn FnMut(&ExecCtx<'t>, &[&'t [Value]]) -> Result<bool, SqlError> + 's;

/// What the join reads besides tables: NULL rows for outer joins (one per source) and
/// the materialised derived tables (one per level).
pub(super) struct JoinInput<'t> {
    pub(super) null_rows: &'t [Vec<Value>],
    pub(super) derived: &'t [Option<Vec<Vec<Value>>>],
}

/// The whole join, from the first level; returns false once the sink wants no more rows.
/// Hash-join tables are built on first use and live as long as this call.
pub(super) fn join_all<'t>(
    ctx: &ExecCtx<'t>,
    plan: &SelectPlan,
    rows: &mut Vec<&'t [Value]>,
    bound: &JoinInput<'t>,
    sink: &mut Sink<'_, 't>,
) -> Result<bool, SqlError> {
    let mut hashes: Vec<Option<HashTable<'t>>> = (0..plan.levels.len()).map(|_| None).collect();
    join(ctx, plan, 0, rows, bound, &mut hashes, sink)
}

/// The nested loop at `depth`; returns false once the sink wants no more rows.
pub(super) fn join<'t>(
    ctx: &ExecCtx<'t>,
    plan: &SelectPlan,
    depth: usize,
    rows: &mut Vec<&'t [Value]>,
    bound: &JoinInput<'t>,
    hashes: &mut Vec<Option<HashTable<'t>>>,
    sink: &mut Sink<'_, 't>,
) -> Result<bool, SqlError> {
    let Some(level) = plan.levels.get(depth) else {
        return sink(ctx, rows);
    };
    let candidates = match bound.derived.get(depth).and_then(Option::as_ref) {
        Some(d) => d
            .iter()
            .enumerate()
            .map(|(i, r)| (i, r.as_slice()))
            .collect(),
        None => {
            let table = ctx.table(level.table)?;
            candidates(ctx, level, depth, table, rows, hashes)?
        }
    };
    let mut matched = false;
    for (_, row) in candidates {
        ctx.examined.set(ctx.examined.get() + 1);
        set_row(rows, level.src, row);
        if let Some(on) = &level.left_on {
            if !all_true(ctx, on, rows)? {
                continue;
            }
        }
        matched = true;
        if !filter_and_descend(ctx, plan, depth, rows, bound, hashes, sink)? {
            return Ok(false);
        }
    }
    if level.left_on.is_some() && !matched {
        let null_row = bound
            .null_rows
            .get(level.src)
            .map_or(&[][..], Vec::as_slice);
        set_row(rows, level.src, null_row);
        return filter_and_descend(ctx, plan, depth, rows, bound, hashes, sink);
    }
    Ok(true)
}

/// Check level `depth`'s filters on the row just bound there and, if they pass, join the
/// levels below; returns false once the sink wants no more rows.
fn filter_and_descend<'t>(
    ctx: &ExecCtx<'t>,
    plan: &SelectPlan,
    depth: usize,
    rows: &mut Vec<&'t [Value]>,
    bound: &JoinInput<'t>,
    hashes: &mut Vec<Option<HashTable<'t>>>,
    sink: &mut Sink<'_, 't>,
) -> Result<bool, SqlError> {
    let filters = plan
        .levels
        .get(depth)
        .map_or(&[][..], |l| l.filters.as_slice());
    Ok(!all_true(ctx, filters, rows)? || join(ctx, plan, depth + 1, rows, bound, hashes, sink)?)
}

pub(super) fn set_row<'t>(rows: &mut [&'t [Value]], src: usize, row: &'t [Value]) {
    if let Some(slot) = rows.get_mut(src) {
        *slot = row;
    }
}

pub(super) fn all_true(
    ctx: &ExecCtx<'_>,
    conds: &[Expr],
    rows: &[&[Value]],
) -> Result<bool, SqlError> {
    let env = ctx.env(rows);
    for c in conds {
        if !is_true(c, &env)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The rows of a single-table plan that pass its conditions (UPDATE and DELETE), in
/// access order, then ORDER BY and LIMIT applied.
pub fn matching_rows<'t>(ctx: &ExecCtx<'t>, plan: &SelectPlan) -> Result<Vec<Hit<'t>>, SqlError> {
    let limit = eval_count(ctx, plan.limit.as_ref())?;
    let Some(level) = plan.levels.first() else {
        return Ok(Vec::new());
    };
    if !all_true(ctx, &plan.const_filters, &[])? {
        return Ok(Vec::new());
    }
    let table = ctx.table(level.table)?;
    let mut hashes = Vec::new();
    let mut out: Vec<(Vec<Value>, Hit<'t>)> = Vec::new();
    for hit in candidates(ctx, level, 0, table, &[], &mut hashes)? {
        ctx.examined.set(ctx.examined.get() + 1);
        let rows = [hit.1];
        if all_true(ctx, &level.filters, &rows)? {
            let keys = sort_keys(plan, &ctx.env(&rows), &[])?;
            out.push((keys, hit));
            if plan.order_by.is_empty() && limit.is_some_and(|l| out.len() >= l) {
                break;
            }
        }
    }
    if !plan.order_by.is_empty() {
        out.sort_by(|a, b| {
            for (i, (_, desc)) in plan.order_by.iter().enumerate() {
                let o = sort_cmp(
                    a.0.get(i).unwrap_or(&Value::Null),
                    b.0.get(i).unwrap_or(&Value::Null),
                );
                let o = if *desc { o.reverse() } else { o };
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        });
    }
    Ok(out
        .into_iter()
        .take(limit.unwrap_or(usize::MAX))
        .map(|(_, h)| h)
        .collect())
}
