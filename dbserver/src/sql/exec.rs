//! Running a SELECT plan: nested-loop join over the chosen access paths (rows are
//! borrowed from the tables, never copied), filter, group and aggregate, HAVING,
//! DISTINCT, ORDER BY, LIMIT.

use alloc::borrow::Cow;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::cmp::Ordering;
use core::ops::Bound;

// Keyed per process: the keys are values clients chose (hash joins, DISTINCT, GROUP BY).
use crate::hash::{HashMap, HashSet};

use super::catalog::Catalog;
use super::errors;
use super::eval::{cmp, eval, is_true, Env, SubRunner};
use super::expr::{AggKind, AggSpec, ArithOp, CmpOp, Expr, SubPlan};
use super::plan::{Access, Level, SelectPlan};
use super::table::{key_matches, Key, SlotId, Table, TxnId};
use super::value::{collation_key, sort_cmp, KeyAtom};
use super::{ResultSet, Session, SqlError, SqlType, Value};

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

/// Run a SELECT.
pub fn run_select(ctx: &ExecCtx<'_>, plan: &SelectPlan) -> Result<ResultSet, SqlError> {
    run_select_outer(ctx, plan, &[], None)
}

/// Run a SELECT with the enclosing query's rows bound (a subquery); `stop_after`: only
/// whether rows exist matters, so this many are enough.
fn run_select_outer<'t>(
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
    let consts_ok = {
        let env = ctx.env(&initial);
        let mut ok = true;
        for c in &plan.const_filters {
            if !is_true(c, &env)? {
                ok = false;
                break;
            }
        }
        ok
    };
    let mut hashes: Vec<Option<HashTable<'_>>> = (0..plan.levels.len()).map(|_| None).collect();
    let bound = JoinInput {
        null_rows: &null_rows,
        derived: &derived,
    };
    if plan.grouped {
        let mut groups = Groups::new(plan);
        if consts_ok {
            join(
                ctx,
                plan,
                0,
                &mut rows,
                &bound,
                &mut hashes,
                &mut |ctx, r| {
                    groups.add(ctx, plan, r)?;
                    Ok(true)
                },
            )?;
        }
        groups.finish(ctx, plan, &initial, &mut rows_out)?;
    } else if consts_ok {
        join(
            ctx,
            plan,
            0,
            &mut rows,
            &bound,
            &mut hashes,
            &mut |ctx, r| {
                let env = ctx.env(r);
                let out = super::eval::eval_all(&plan.outputs, &env)?;
                let keys = sort_keys(plan, &env, &out)?;
                rows_out.push((keys, out));
                Ok(early_stop.is_none_or(|n| rows_out.len() < n))
            },
        )?;
    }
    finish_rows(plan, rows_out, limit, offset)
}

/// DISTINCT, ORDER BY, LIMIT over (sort keys, output) rows.
fn finish_rows(
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

const NULL_VALUE: Value = Value::Null;

/// Sort key `i` of a (keys, output) row: output columns are not copied into the keys.
fn sort_key<'r>(plan: &SelectPlan, row: &'r (Vec<Value>, Vec<Value>), i: usize) -> &'r Value {
    let v = match plan.order_by.get(i) {
        Some((Expr::Output(j), _)) => row.1.get(*j),
        _ => row.0.get(i),
    };
    v.unwrap_or(&NULL_VALUE)
}

/// The ORDER BY keys of a row (NULL placeholders for keys that are output columns).
fn sort_keys(plan: &SelectPlan, env: &Env<'_>, out: &[Value]) -> Result<Vec<Value>, SqlError> {
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
struct RowKey<'r>(&'r [Value]);

impl core::hash::Hash for RowKey<'_> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        for v in self.0 {
            match v {
                Value::Text(t) => {
                    state.write_u8(1);
                    let mut buf = [0u8; 64];
                    for chunk in super::value::trim_pad(t).chunks(buf.len()) {
                        for (b, c) in buf.iter_mut().zip(chunk) {
                            *b = super::value::weight(*c);
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
                    super::value::collate_cmp(x, y) == Ordering::Equal
                }
                (Value::Text(_), _) | (_, Value::Text(_)) => false,
                (a, b) => KeyAtom::of(a) == KeyAtom::of(b),
            })
    }
}

impl Eq for RowKey<'_> {}

/// LIMIT / OFFSET value: a non-negative integer.
fn eval_count(ctx: &ExecCtx<'_>, e: Option<&Expr>) -> Result<Option<usize>, SqlError> {
    let Some(e) = e else { return Ok(None) };
    let v = eval(e, &ctx.env(&[]))?;
    let n = match &*v {
        Value::Int(i) => *i,
        Value::Text(t) => super::value::parse_number(t)
            .int
            .ok_or_else(errors::wrong_limit)?,
        _ => return Err(errors::wrong_limit()),
    };
    usize::try_from(n)
        .map(Some)
        .map_err(|_| errors::wrong_limit())
}

/// A hash join's table: key -> rows.
type HashTable<'t> = HashMap<Vec<KeyAtom>, Vec<Hit<'t>>>;

/// A visible row and its slot.
pub type Hit<'t> = (SlotId, &'t [Value]);

type Sink<'s, 't> = dyn FnMut(&ExecCtx<'t>, &[&'t [Value]]) -> Result<bool, SqlError> + 's;

/// What the join reads besides tables: NULL rows for outer joins (one per source) and
/// the materialised derived tables (one per level).
struct JoinInput<'t> {
    null_rows: &'t [Vec<Value>],
    derived: &'t [Option<Vec<Vec<Value>>>],
}

/// The nested loop at `depth`; returns false once the sink wants no more rows.
fn join<'t>(
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
        if all_true(ctx, &level.filters, rows)?
            && !join(ctx, plan, depth + 1, rows, bound, hashes, sink)?
        {
            return Ok(false);
        }
    }
    if level.left_on.is_some() && !matched {
        let null_row = bound
            .null_rows
            .get(level.src)
            .map_or(&[][..], Vec::as_slice);
        set_row(rows, level.src, null_row);
        if all_true(ctx, &level.filters, rows)?
            && !join(ctx, plan, depth + 1, rows, bound, hashes, sink)?
        {
            return Ok(false);
        }
    }
    Ok(true)
}

fn set_row<'t>(rows: &mut [&'t [Value]], src: usize, row: &'t [Value]) {
    if let Some(slot) = rows.get_mut(src) {
        *slot = row;
    }
}

fn all_true(ctx: &ExecCtx<'_>, conds: &[Expr], rows: &[&[Value]]) -> Result<bool, SqlError> {
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

/// A probe value converted to the index column's key space.
enum Probe {
    /// Keys between these atoms (inclusive) may match.
    Range(KeyAtom, KeyAtom),
    /// Nothing can match (NULL).
    Empty,
    /// The index cannot answer (e.g. a text column compared with a number).
    Fallback,
}

/// Convert `v` for an index column of type `ty` (a superset of the matching keys).
fn probe(ty: SqlType, v: &Value) -> Probe {
    if v.is_null() {
        return Probe::Empty;
    }
    match ty {
        SqlType::Char(_) | SqlType::VarChar(_) | SqlType::Text => match v {
            Value::Text(t) => {
                let k = KeyAtom::Text(collation_key(t));
                Probe::Range(k.clone(), k)
            }
            _ => Probe::Fallback,
        },
        SqlType::Double | SqlType::Float => {
            let k = KeyAtom::exact(&Value::Double(v.to_f64()));
            Probe::Range(k.clone(), k)
        }
        SqlType::Decimal { scale, .. } => {
            let Some(p) = super::value::pow10(u32::from(scale)) else {
                return Probe::Fallback;
            };
            let f = v.to_f64() * p as f64;
            let lo = clamp_i128(super::value::float::floor(f));
            let hi = clamp_i128(super::value::float::ceil(f));
            Probe::Range(KeyAtom::Decimal(lo, scale), KeyAtom::Decimal(hi, scale))
        }
        _ => {
            if let Value::Int(i) = v {
                return Probe::Range(KeyAtom::Int(*i), KeyAtom::Int(*i));
            }
            let f = v.to_f64();
            let lo = clamp_i64(super::value::float::floor(f));
            let hi = clamp_i64(super::value::float::ceil(f));
            Probe::Range(KeyAtom::Int(lo), KeyAtom::Int(hi))
        }
    }
}

fn clamp_i64(f: f64) -> i64 {
    if f <= i64::MIN as f64 {
        i64::MIN
    } else if f >= i64::MAX as f64 {
        i64::MAX
    } else {
        f as i64
    }
}

fn clamp_i128(f: f64) -> i128 {
    if f <= i128::MIN as f64 {
        i128::MIN
    } else if f >= i128::MAX as f64 {
        i128::MAX
    } else {
        f as i128
    }
}

/// The rows of `table` the level's access path yields (visible to the reader).
fn candidates<'t>(
    ctx: &ExecCtx<'t>,
    level: &Level,
    depth: usize,
    table: &'t Table,
    rows: &[&[Value]],
    hashes: &mut [Option<HashTable<'t>>],
) -> Result<Vec<Hit<'t>>, SqlError> {
    let env = ctx.env(rows);
    match &level.access {
        Access::Scan => Ok(scan(ctx, table)),
        Access::Index { index, eq, lo, hi } => {
            let Some(ix) = table.indexes.get(*index) else {
                return Ok(scan(ctx, table));
            };
            let col_type = |i: usize| {
                ix.def
                    .columns
                    .get(i)
                    .and_then(|c| table.columns.get(*c))
                    .map_or(SqlType::Text, |c| c.ty)
            };
            let mut low: Key = Vec::with_capacity(eq.len() + 1);
            let mut high: Key = Vec::with_capacity(eq.len() + 2);
            for (i, e) in eq.iter().enumerate() {
                match probe(col_type(i), &*eval(e, &env)?) {
                    Probe::Empty => return Ok(Vec::new()),
                    Probe::Fallback => return Ok(scan(ctx, table)),
                    Probe::Range(a, b) => {
                        let exact = a == b;
                        low.push(a);
                        high.push(b);
                        if !exact {
                            break;
                        }
                    }
                }
            }
            if low.len() == eq.len() {
                let ty = col_type(eq.len());
                if let Some((e, _)) = lo {
                    match probe(ty, &*eval(e, &env)?) {
                        Probe::Empty => return Ok(Vec::new()),
                        Probe::Fallback => return Ok(scan(ctx, table)),
                        Probe::Range(a, _) => low.push(a),
                    }
                }
                if let Some((e, _)) = hi {
                    match probe(ty, &*eval(e, &env)?) {
                        Probe::Empty => return Ok(Vec::new()),
                        Probe::Fallback => return Ok(scan(ctx, table)),
                        Probe::Range(_, b) => high.push(b),
                    }
                }
            }
            high.push(KeyAtom::Max);
            Ok(index_rows(ctx, table, *index, &low, &high))
        }
        Access::InList { index, values } => {
            let ty = table
                .indexes
                .get(*index)
                .and_then(|ix| ix.def.columns.first())
                .and_then(|c| table.columns.get(*c))
                .map_or(SqlType::Text, |c| c.ty);
            let mut ranges: Vec<(KeyAtom, KeyAtom)> = Vec::new();
            for v in values {
                match probe(ty, &*eval(v, &env)?) {
                    Probe::Empty => {}
                    Probe::Fallback => return Ok(scan(ctx, table)),
                    Probe::Range(a, b) => ranges.push((a, b)),
                }
            }
            ranges.sort();
            ranges.dedup();
            let mut out = Vec::new();
            for (a, b) in ranges {
                out.extend(index_rows(
                    ctx,
                    table,
                    *index,
                    &Vec::from([a]),
                    &Vec::from([b, KeyAtom::Max]),
                ));
            }
            Ok(out)
        }
        Access::Hash {
            build,
            probe: probe_exprs,
        } => {
            let mut key = Vec::with_capacity(probe_exprs.len());
            for (e, col) in probe_exprs.iter().zip(build) {
                let v = eval(e, &env)?;
                if v.is_null() {
                    return Ok(Vec::new());
                }
                let col_is_text = table
                    .columns
                    .get(*col)
                    .is_some_and(|c| super::expr::is_text(c.ty));
                if col_is_text != matches!(&*v, Value::Text(_)) {
                    // Mixed text/number equality compares as numbers: no hashing.
                    return Ok(scan(ctx, table));
                }
                key.push(KeyAtom::of(&v));
            }
            let cache = hashes
                .get_mut(depth)
                .ok_or_else(|| errors::unsupported("join"))?;
            let map = cache.get_or_insert_with(|| build_hash(ctx, table, build));
            Ok(map.get(&key).cloned().unwrap_or_default())
        }
    }
}

/// Every visible row: primary key order if there is a primary key, else insertion order.
fn scan<'t>(ctx: &ExecCtx<'t>, table: &'t Table) -> Vec<Hit<'t>> {
    if let Some(pk) = table.primary() {
        return index_rows(ctx, table, pk, &Vec::new(), &Vec::from([KeyAtom::Max]));
    }
    (0..table.slot_count())
        .filter_map(|s| table.visible(s, ctx.txn).map(|r| (s, &r[..])))
        .collect()
}

/// Rows whose index keys lie in [low, high], re-checked against the visible version.
fn index_rows<'t>(
    ctx: &ExecCtx<'t>,
    table: &'t Table,
    index: usize,
    low: &Key,
    high: &Key,
) -> Vec<Hit<'t>> {
    let Some(ix) = table.indexes.get(index) else {
        return Vec::new();
    };
    /// Rows expected from a range (a first allocation that avoids most regrowth).
    const RANGE_CAPACITY: usize = 32;
    let point = ix.def.unique
        && low.len() == ix.def.columns.len()
        && high.len() == low.len() + 1
        && high.get(..low.len()) == Some(&low[..]);
    let mut out = Vec::with_capacity(if point { 1 } else { RANGE_CAPACITY });
    let mut last: Option<SlotId> = None;
    for (key, slot) in table.index_range(index, Bound::Included(low), Bound::Included(high)) {
        if last == Some(slot) {
            continue;
        }
        if let Some(row) = table.visible(slot, ctx.txn) {
            if key_matches(&ix.def, key, row) {
                out.push((slot, &row[..]));
                last = Some(slot);
            }
        }
    }
    out
}

fn build_hash<'t>(ctx: &ExecCtx<'t>, table: &'t Table, cols: &[usize]) -> HashTable<'t> {
    let mut map: HashTable<'t> = HashMap::default();
    for (slot, row) in scan(ctx, table) {
        let key: Vec<KeyAtom> = cols
            .iter()
            .map(|c| row.get(*c).map_or(KeyAtom::Null, KeyAtom::of))
            .collect();
        if key.contains(&KeyAtom::Null) {
            continue;
        }
        map.entry(key).or_default().push((slot, row));
    }
    map
}

/// Running aggregate of one group.
#[derive(Clone, Debug)]
enum Acc {
    Count(i64),
    Sum { sum: Sum, count: i64 },
    Min(Value),
    Max(Value),
}

/// An exact sum while every input is exact, else a double.
#[derive(Clone, Debug, Default)]
struct Sum {
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
        let sum = super::value::rescale(self.exact, self.scale, scale)
            .and_then(|a| super::value::rescale(m, s, scale).and_then(|b| a.checked_add(b)));
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
            self.double = super::value::decimal_to_f64(self.exact, self.scale);
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
                if m.is_null() || super::value::compare(v, m) == Some(Ordering::Less) {
                    *m = v.clone();
                }
            }
            Acc::Max(m) => {
                if m.is_null() || super::value::compare(v, m) == Some(Ordering::Greater) {
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
                    || super::expr::is_text(spec.arg_type)
                {
                    Value::Double(total.to_f64())
                } else {
                    total
                };
                if spec.kind == AggKind::Sum {
                    total
                } else {
                    super::eval::arith(ArithOp::Div, &total, &Value::Int(*count), "avg")?
                }
            }
            Acc::Min(v) | Acc::Max(v) => v.clone(),
        })
    }
}

/// One group: its first row (for non-aggregated columns) and accumulators.
struct Group<'t> {
    rows: Vec<&'t [Value]>,
    key: Vec<Value>,
    accs: Vec<Acc>,
    distinct: Vec<HashSet<KeyAtom>>,
}

struct Groups<'t> {
    index: HashMap<Vec<KeyAtom>, usize>,
    groups: Vec<Group<'t>>,
}

impl<'t> Groups<'t> {
    fn new(_plan: &SelectPlan) -> Self {
        Self {
            index: HashMap::default(),
            groups: Vec::new(),
        }
    }

    fn add(
        &mut self,
        ctx: &ExecCtx<'t>,
        plan: &SelectPlan,
        rows: &[&'t [Value]],
    ) -> Result<(), SqlError> {
        let env = ctx.env(rows);
        let key_values = super::eval::eval_all(&plan.group_by, &env)?;
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

    fn finish(
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
            let outputs = super::eval::eval_all(&plan.outputs, &env)?;
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
