//! GROUP BY and aggregates: one group per distinct key, each with accumulators for COUNT,
//! SUM, AVG, MIN, MAX (exact sums while inputs are exact), finished into output rows
//! with HAVING applied.

use alloc::borrow::Cow;
use alloc::vec::Vec;
use core::cmp::Ordering;

// Keyed per process: the keys are values clients chose (hash joins, DISTINCT, GROUP BY).
use crate::hash::{HashMap, HashSet};

use super::super::eval::{eval, is_true, Env};
use super::super::expr::{AggKind, AggSpec, ArithOp};
use super::super::plan::SelectPlan;
use super::super::value::{sort_cmp, KeyAtom};
use super::super::{SqlError, SqlType, Value};

use super::order::sort_keys;
use super::ExecCtx;

/// Running aggregate of one group.
#[derive(Clone, Debug)]
pub(super) enum Acc {
    Count(i64),
    Sum { sum: Sum, count: i64 },
    Min(Value),
    Max(Value),
}

/// An exact sum while every input is exact, else a double.
#[derive(Clone, Debug, Default)]
pub(super) struct Sum {
    exact: i128,
    scale: u8,
    double: f64,
    is_double: bool,
}

impl Sum {
    fn add(&mut self, v: &Value) {
        match v {
            Value::Int(i) if !self.is_double => self.add_exact(i128::from(*i), 0, v),
            Value::Decimal { mantissa, scale } if !self.is_double => {
                self.add_exact(*mantissa, *scale, v)
            }
            _ => {
                self.make_double();
                self.double += v.to_f64();
            }
        }
    }

    fn add_exact(&mut self, m: i128, s: u8, v: &Value) {
        let scale = self.scale.max(s);
        let sum = super::super::value::rescale(self.exact, self.scale, scale)
            .and_then(|a| super::super::value::rescale(m, s, scale).and_then(|b| a.checked_add(b)));
        match sum {
            Some(x) => {
                self.exact = x;
                self.scale = scale;
            }
            None => {
                self.make_double();
                self.double += v.to_f64();
            }
        }
    }

    fn make_double(&mut self) {
        if !self.is_double {
            self.double = super::super::value::decimal_to_f64(self.exact, self.scale);
            self.is_double = true;
        }
    }

    fn value(&self) -> Value {
        if self.is_double {
            Value::Double(self.double)
        } else {
            Value::Decimal {
                mantissa: self.exact,
                scale: self.scale,
            }
        }
    }
}

impl Acc {
    fn new(spec: &AggSpec) -> Acc {
        match spec.kind {
            AggKind::Count | AggKind::CountStar => Acc::Count(0),
            AggKind::Sum | AggKind::Avg => Acc::Sum {
                sum: Sum::default(),
                count: 0,
            },
            AggKind::Min => Acc::Min(Value::Null),
            AggKind::Max => Acc::Max(Value::Null),
        }
    }

    fn add(&mut self, v: &Value) {
        if v.is_null() {
            return;
        }
        match self {
            Acc::Count(n) => *n += 1,
            Acc::Sum { sum, count } => {
                sum.add(v);
                *count += 1;
            }
            Acc::Min(m) => {
                if m.is_null() || super::super::value::compare(v, m) == Some(Ordering::Less) {
                    *m = v.clone();
                }
            }
            Acc::Max(m) => {
                if m.is_null() || super::super::value::compare(v, m) == Some(Ordering::Greater) {
                    *m = v.clone();
                }
            }
        }
    }

    fn finish(&self, spec: &AggSpec) -> Result<Value, SqlError> {
        Ok(match self {
            Acc::Count(n) => Value::Int(*n),
            Acc::Sum { count: 0, .. } => Value::Null,
            Acc::Sum { sum, count } => {
                let total = sum.value();
                let total = if matches!(spec.arg_type, SqlType::Double | SqlType::Float)
                    || super::super::expr::is_text(spec.arg_type)
                {
                    Value::Double(total.to_f64())
                } else {
                    total
                };
                if spec.kind == AggKind::Sum {
                    total
                } else {
                    super::super::eval::arith(ArithOp::Div, &total, &Value::Int(*count), "avg")?
                }
            }
            Acc::Min(v) | Acc::Max(v) => v.clone(),
        })
    }
}

/// One group: its first row (for non-aggregated columns) and accumulators.
pub(super) struct Group<'t> {
    rows: Vec<&'t [Value]>,
    key: Vec<Value>,
    accs: Vec<Acc>,
    distinct: Vec<HashSet<KeyAtom>>,
}

pub(super) struct Groups<'t> {
    index: HashMap<Vec<KeyAtom>, usize>,
    groups: Vec<Group<'t>>,
}

impl<'t> Groups<'t> {
    pub(super) fn new(_plan: &SelectPlan) -> Self {
        Self {
            index: HashMap::default(),
            groups: Vec::new(),
        }
    }

    pub(super) fn add(
        &mut self,
        ctx: &ExecCtx<'t>,
        plan: &SelectPlan,
        rows: &[&'t [Value]],
    ) -> Result<(), SqlError> {
        let env = ctx.env(rows);
        let key_values = super::super::eval::eval_all(&plan.group_by, &env)?;
        let key: Vec<KeyAtom> = key_values.iter().map(KeyAtom::of).collect();
        let gi = match self.index.get(&key) {
            Some(i) => *i,
            None => {
                self.groups.push(Group {
                    rows: rows.to_vec(),
                    key: key_values,
                    accs: plan.aggs.iter().map(Acc::new).collect(),
                    distinct: plan.aggs.iter().map(|_| HashSet::default()).collect(),
                });
                self.index.insert(key, self.groups.len() - 1);
                self.groups.len() - 1
            }
        };
        let Some(g) = self.groups.get_mut(gi) else {
            return Ok(());
        };
        for (i, spec) in plan.aggs.iter().enumerate() {
            let v = match &spec.arg {
                None => Cow::Owned(Value::Int(1)),
                Some(e) => eval(e, &env)?,
            };
            if spec.distinct && !v.is_null() {
                let fresh = g
                    .distinct
                    .get_mut(i)
                    .is_some_and(|set| set.insert(KeyAtom::of(&v)));
                if !fresh {
                    continue;
                }
            }
            if let Some(acc) = g.accs.get_mut(i) {
                acc.add(&v);
            }
        }
        Ok(())
    }

    pub(super) fn finish(
        mut self,
        ctx: &ExecCtx<'t>,
        plan: &SelectPlan,
        initial: &[&'t [Value]],
        out: &mut Vec<(Vec<Value>, Vec<Value>)>,
    ) -> Result<(), SqlError> {
        if self.groups.is_empty() && plan.group_by.is_empty() {
            self.groups.push(Group {
                rows: initial.to_vec(),
                key: Vec::new(),
                accs: plan.aggs.iter().map(Acc::new).collect(),
                distinct: Vec::new(),
            });
        }
        // MariaDB returns groups in GROUP BY order when there is no ORDER BY.
        if plan.order_by.is_empty() && !plan.group_by.is_empty() {
            self.groups.sort_by(|a, b| {
                a.key
                    .iter()
                    .zip(&b.key)
                    .map(|(x, y)| sort_cmp(x, y))
                    .find(|o| *o != Ordering::Equal)
                    .unwrap_or(Ordering::Equal)
            });
        }
        for g in &self.groups {
            let aggs = g
                .accs
                .iter()
                .zip(&plan.aggs)
                .map(|(a, s)| a.finish(s))
                .collect::<Result<Vec<_>, _>>()?;
            let env = Env {
                rows: &g.rows,
                aggs: &aggs,
                outputs: &[],
                params: ctx.params,
                session: ctx.session,
                sub: Some(ctx),
            };
            let outputs = super::super::eval::eval_all(&plan.outputs, &env)?;
            let env = Env {
                outputs: &outputs,
                ..env
            };
            if let Some(h) = &plan.having {
                if !is_true(h, &env)? {
                    continue;
                }
            }
            let keys = sort_keys(plan, &env, &outputs)?;
            out.push((keys, outputs));
        }
        Ok(())
    }
}
