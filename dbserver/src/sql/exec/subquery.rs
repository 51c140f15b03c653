//! Subqueries while a statement runs: scalar, EXISTS and IN, each uncorrelated one run
//! once per execution and its result kept ([`Materialized`]), `IN` sets hashed under the
//! collation. Implements the evaluator's [`SubRunner`] by calling back into [`select`].

use alloc::vec::Vec;

// Keyed per process: the keys are values clients chose (hash joins, DISTINCT, GROUP BY).
use crate::hash::HashSet;

use super::super::errors;
use super::super::eval::{cmp, SubRunner};
use super::super::expr::{CmpOp, SubPlan};
use super::super::value::KeyAtom;
use super::super::{SqlError, Value};

use super::select::run_select_outer;
use super::ExecCtx;

/// An uncorrelated subquery's result.
#[derive(Debug)]
pub enum Materialized {
    Scalar(Value),
    Exists(bool),
    Set(InSet),
}

/// The first column of a subquery's rows, for `IN`.
#[derive(Debug, Default)]
pub struct InSet {
    rows: usize,
    values: Vec<Value>,
    keys: HashSet<KeyAtom>,
    has_null: bool,
    all_int: bool,
    all_text: bool,
}

impl InSet {
    fn new(rows: Vec<Vec<Value>>) -> Self {
        let mut set = InSet {
            rows: rows.len(),
            all_int: true,
            all_text: true,
            ..InSet::default()
        };
        for r in rows {
            let Some(v) = r.into_iter().next() else {
                continue;
            };
            if v.is_null() {
                set.has_null = true;
                continue;
            }
            set.all_int &= matches!(v, Value::Int(_));
            set.all_text &= matches!(v, Value::Text(_));
            set.keys.insert(KeyAtom::of(&v));
            set.values.push(v);
        }
        set
    }

    /// `x IN (set)`: true, false, or NULL (unknown).
    fn lookup(&self, x: &Value) -> Option<bool> {
        if self.rows == 0 {
            return Some(false);
        }
        if x.is_null() {
            return None;
        }
        let hashable = match x {
            Value::Int(_) => self.all_int,
            Value::Text(_) => self.all_text,
            _ => false,
        };
        let found = if hashable {
            self.keys.contains(&KeyAtom::of(x))
        } else {
            self.values
                .iter()
                .any(|v| cmp(CmpOp::Eq, x, v) == Some(true))
        };
        if found {
            Some(true)
        } else if self.has_null {
            None
        } else {
            Some(false)
        }
    }
}

impl ExecCtx<'_> {
    /// Run a subquery with the enclosing rows (the first `sub.outer`, padded if fewer).
    fn run_sub(
        &self,
        sub: &SubPlan,
        rows: &[&[Value]],
        stop_after: Option<usize>,
    ) -> Result<Vec<Vec<Value>>, SqlError> {
        let outer: Vec<&[Value]> = (0..sub.outer)
            .map(|i| rows.get(i).copied().unwrap_or(&[]))
            .collect();
        run_select_outer(self, &sub.plan, &outer, stop_after).map(|rs| rs.rows)
    }

    fn cached<T>(&self, sub: &SubPlan, f: impl FnOnce(&Materialized) -> Option<T>) -> Option<T> {
        if sub.outer_refs != 0 {
            return None;
        }
        let key = sub as *const SubPlan as usize;
        self.subs.borrow().get(&key).and_then(f)
    }

    fn remember(&self, sub: &SubPlan, m: Materialized) {
        if sub.outer_refs == 0 {
            self.subs
                .borrow_mut()
                .insert(sub as *const SubPlan as usize, m);
        }
    }
}

impl SubRunner for ExecCtx<'_> {
    fn scalar(&self, sub: &SubPlan, rows: &[&[Value]]) -> Result<Value, SqlError> {
        if let Some(v) = self.cached(sub, |m| match m {
            Materialized::Scalar(v) => Some(v.clone()),
            _ => None,
        }) {
            return Ok(v);
        }
        let out = self.run_sub(sub, rows, None)?;
        let v = match out.as_slice() {
            [] => Value::Null,
            [r] => r.first().cloned().unwrap_or(Value::Null),
            _ => return Err(errors::subquery_rows()),
        };
        self.remember(sub, Materialized::Scalar(v.clone()));
        Ok(v)
    }

    fn exists(&self, sub: &SubPlan, rows: &[&[Value]]) -> Result<bool, SqlError> {
        if let Some(b) = self.cached(sub, |m| match m {
            Materialized::Exists(b) => Some(*b),
            _ => None,
        }) {
            return Ok(b);
        }
        let b = !self.run_sub(sub, rows, Some(1))?.is_empty();
        self.remember(sub, Materialized::Exists(b));
        Ok(b)
    }

    fn contains(
        &self,
        sub: &SubPlan,
        rows: &[&[Value]],
        x: &Value,
    ) -> Result<Option<bool>, SqlError> {
        if let Some(r) = self.cached(sub, |m| match m {
            Materialized::Set(set) => Some(set.lookup(x)),
            _ => None,
        }) {
            return Ok(r);
        }
        let set = InSet::new(self.run_sub(sub, rows, None)?);
        let r = set.lookup(x);
        self.remember(sub, Materialized::Set(set));
        Ok(r)
    }
}
