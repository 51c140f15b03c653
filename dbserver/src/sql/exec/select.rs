//! Running a SELECT plan to a result set: bind the outer rows, materialise derived tables,
//! run the join ([`join`]) into either plain rows or groups ([`aggregate`]), then DISTINCT,
//! ORDER BY, LIMIT and OFFSET.

use alloc::vec::Vec;

use super::super::plan::SelectPlan;
use super::super::{ResultSet, SqlError, Value};

use super::aggregate::Groups;
use super::join::{all_true, join_all, JoinInput};
use super::order::{eval_count, finish_rows, sort_keys};
use super::ExecCtx;

/// Run a SELECT.
pub fn run_select(ctx: &ExecCtx<'_>, plan: &SelectPlan) -> Result<ResultSet, SqlError> {
    run_select_outer(ctx, plan, &[], None)
}

/// Run a SELECT with the enclosing query's rows bound (a subquery); `stop_after`: only
/// whether rows exist matters, so this many are enough.
pub(super) fn run_select_outer<'t>(
    ctx: &ExecCtx<'t>,
    plan: &SelectPlan,
    outer: &[&'t [Value]],
    stop_after: Option<usize>,
) -> Result<ResultSet, SqlError> {
    let mut rows_out: Vec<(Vec<Value>, Vec<Value>)> = Vec::new();
    let limit = eval_count(ctx, plan.limit.as_ref())?;
    let offset = eval_count(ctx, plan.offset.as_ref())?.unwrap_or(0);
    let mut early_stop = if plan.grouped || plan.distinct || !plan.order_by.is_empty() {
        None
    } else {
        limit.map(|l| l.saturating_add(offset))
    };
    if let (Some(n), false, false) = (stop_after, plan.grouped, plan.distinct) {
        let n = n.saturating_add(offset);
        early_stop = Some(early_stop.map_or(n, |e| e.min(n)));
    }
    if limit == Some(0) {
        return Ok(ResultSet {
            columns: plan.columns.clone(),
            rows: Vec::new(),
        });
    }
    let null_rows: Vec<Vec<Value>> = (0..plan.sources)
        .map(|s| {
            let n = plan
                .levels
                .iter()
                .find(|l| l.src == s)
                .map_or(0, |l| l.columns);
            alloc::vec![Value::Null; n]
        })
        .collect();
    let mut rows: Vec<&[Value]> = null_rows.iter().map(Vec::as_slice).collect();
    for (slot, row) in rows.iter_mut().zip(outer) {
        *slot = row;
    }
    let initial = rows.clone();
    // Derived tables, materialised once per run.
    let derived: Vec<Option<Vec<Vec<Value>>>> = plan
        .levels
        .iter()
        .map(|l| {
            l.derived
                .as_ref()
                .map(|p| run_select(ctx, p).map(|rs| rs.rows))
                .transpose()
        })
        .collect::<Result<_, _>>()?;
    let consts_ok = all_true(ctx, &plan.const_filters, &initial)?;
    let bound = JoinInput {
        null_rows: &null_rows,
        derived: &derived,
    };
    if plan.grouped {
        let mut groups = Groups::new(plan);
        if consts_ok {
            join_all(ctx, plan, &mut rows, &bound, &mut |ctx, r| {
                groups.add(ctx, plan, r)?;
                Ok(true)
            })?;
        }
        groups.finish(ctx, plan, &initial, &mut rows_out)?;
    } else if consts_ok {
        join_all(ctx, plan, &mut rows, &bound, &mut |ctx, r| {
            let env = ctx.env(r);
            let out = super::super::eval::eval_all(&plan.outputs, &env)?;
            let keys = sort_keys(plan, &env, &out)?;
            rows_out.push((keys, out));
            Ok(early_stop.is_none_or(|n| rows_out.len() < n))
        })?;
    }
    finish_rows(plan, rows_out, limit, offset)
}
