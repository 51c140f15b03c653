//! The last steps of a SELECT over its (sort keys, output) rows: DISTINCT under the
//! collation, ORDER BY, and LIMIT/OFFSET values. Used by plain and grouped SELECTs and by
//! the row search of UPDATE and DELETE.

use alloc::vec::Vec;
use core::cmp::Ordering;

// Keyed per process: the keys are values clients chose (hash joins, DISTINCT, GROUP BY).
use crate::hash::HashSet;

use super::super::errors;
use super::super::eval::{eval, Env};
use super::super::expr::Expr;
use super::super::plan::SelectPlan;
use super::super::value::{sort_cmp, KeyAtom};
use super::super::{ResultSet, SqlError, Value};

use super::ExecCtx;

/// DISTINCT, ORDER BY, LIMIT over (sort keys, output) rows.
pub(super) fn finish_rows(
    plan: &SelectPlan,
    mut rows: Vec<(Vec<Value>, Vec<Value>)>,
    limit: Option<usize>,
    offset: usize,
) -> Result<ResultSet, SqlError> {
    // DISTINCT with every output column among the ORDER BY keys: duplicates end up next
    // to each other (the sort is stable, so the first of them is kept, as with hashing).
    let dedup_sorted = plan.distinct
        && (0..plan.outputs.len()).all(|j| {
            plan.order_by
                .iter()
                .any(|(e, _)| matches!(e, Expr::Output(k) if *k == j))
        });
    if plan.distinct && !dedup_sorted {
        // Rows hashed and compared in place (no key built per row).
        let keep: Vec<bool> = {
            let mut seen: HashSet<RowKey<'_>> =
                HashSet::with_capacity_and_hasher(rows.len(), Default::default());
            rows.iter()
                .map(|(_, out)| seen.insert(RowKey(out)))
                .collect()
        };
        let mut keep = keep.into_iter();
        rows.retain(|_| keep.next().unwrap_or(true));
    }
    if !plan.order_by.is_empty() {
        rows.sort_by(|a, b| {
            for (i, (_, desc)) in plan.order_by.iter().enumerate() {
                let o = sort_cmp(sort_key(plan, a, i), sort_key(plan, b, i));
                let o = if *desc { o.reverse() } else { o };
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        });
    }
    if dedup_sorted {
        rows.dedup_by(|a, b| RowKey(&a.1) == RowKey(&b.1));
    }
    let out: Vec<Vec<Value>> = rows
        .into_iter()
        .skip(offset)
        .take(limit.unwrap_or(usize::MAX))
        .map(|(_, o)| o)
        .collect();
    Ok(ResultSet {
        columns: plan.columns.clone(),
        rows: out,
    })
}

pub(super) const NULL_VALUE: Value = Value::Null;

/// Sort key `i` of a (keys, output) row: output columns are not copied into the keys.
pub(super) fn sort_key<'r>(
    plan: &SelectPlan,
    row: &'r (Vec<Value>, Vec<Value>),
    i: usize,
) -> &'r Value {
    let v = match plan.order_by.get(i) {
        Some((Expr::Output(j), _)) => row.1.get(*j),
        _ => row.0.get(i),
    };
    v.unwrap_or(&NULL_VALUE)
}

/// The ORDER BY keys of a row (NULL placeholders for keys that are output columns).
pub(super) fn sort_keys(
    plan: &SelectPlan,
    env: &Env<'_>,
    out: &[Value],
) -> Result<Vec<Value>, SqlError> {
    if plan.order_by.is_empty() {
        return Ok(Vec::new());
    }
    let env = Env {
        outputs: out,
        ..*env
    };
    let mut keys = Vec::with_capacity(plan.order_by.len());
    for (e, _) in &plan.order_by {
        keys.push(match e {
            Expr::Output(_) if !out.is_empty() => Value::Null,
            e => eval(e, &env)?.into_owned(),
        });
    }
    Ok(keys)
}

/// An output row as a DISTINCT key: equal under the collation (as [`KeyAtom::of`]).
pub(super) struct RowKey<'r>(&'r [Value]);

impl core::hash::Hash for RowKey<'_> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        for v in self.0 {
            match v {
                Value::Text(t) => {
                    state.write_u8(1);
                    let mut buf = [0u8; 64];
                    for chunk in super::super::value::trim_pad(t).chunks(buf.len()) {
                        for (b, c) in buf.iter_mut().zip(chunk) {
                            *b = super::super::value::weight(*c);
                        }
                        state.write(buf.get(..chunk.len()).unwrap_or_default());
                    }
                    state.write_u8(0xff);
                }
                other => {
                    state.write_u8(0);
                    KeyAtom::of(other).hash(state);
                }
            }
        }
    }
}

impl PartialEq for RowKey<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self.0.iter().zip(other.0).all(|(a, b)| match (a, b) {
                (Value::Text(x), Value::Text(y)) => {
                    super::super::value::collate_cmp(x, y) == Ordering::Equal
                }
                (Value::Text(_), _) | (_, Value::Text(_)) => false,
                (a, b) => KeyAtom::of(a) == KeyAtom::of(b),
            })
    }
}

impl Eq for RowKey<'_> {}

/// LIMIT / OFFSET value: a non-negative integer.
pub(super) fn eval_count(ctx: &ExecCtx<'_>, e: Option<&Expr>) -> Result<Option<usize>, SqlError> {
    let Some(e) = e else { return Ok(None) };
    let v = eval(e, &ctx.env(&[]))?;
    let n = match &*v {
        Value::Int(i) => *i,
        Value::Text(t) => super::super::value::parse_number(t)
            .int
            .ok_or_else(errors::wrong_limit)?,
        _ => return Err(errors::wrong_limit()),
    };
    usize::try_from(n)
        .map(Some)
        .map_err(|_| errors::wrong_limit())
}
