//! The rows one table yields for its access path: a scan, index equality, range or IN-list
//! lookups (probe values converted to the index's key space), or a hash-join table built
//! once per statement. Only rows visible to the reading transaction are returned.

use alloc::vec::Vec;
use core::ops::Bound;

// Keyed per process: the keys are values clients chose (hash joins, DISTINCT, GROUP BY).
use crate::hash::HashMap;

use super::super::errors;
use super::super::eval::eval;
use super::super::plan::{Access, Level};
use super::super::table::{key_matches, Key, SlotId, Table};
use super::super::value::{collation_key, KeyAtom};
use super::super::{SqlError, SqlType, Value};

use super::join::{HashTable, Hit};
use super::ExecCtx;

/// A probe value converted to the index column's key space.
pub(super) enum Probe {
    /// Keys between these atoms (inclusive) may match.
    Range(KeyAtom, KeyAtom),
    /// Nothing can match (NULL).
    Empty,
    /// The index cannot answer (e.g. a text column compared with a number).
    Fallback,
}

/// Convert `v` for an index column of type `ty` (a superset of the matching keys).
pub(super) fn probe(ty: SqlType, v: &Value) -> Probe {
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
            let Some(p) = super::super::value::pow10(u32::from(scale)) else {
                return Probe::Fallback;
            };
            let f = v.to_f64() * p as f64;
            let lo = clamp_i128(super::super::value::float::floor(f));
            let hi = clamp_i128(super::super::value::float::ceil(f));
            Probe::Range(KeyAtom::Decimal(lo, scale), KeyAtom::Decimal(hi, scale))
        }
        _ => {
            if let Value::Int(i) = v {
                return Probe::Range(KeyAtom::Int(*i), KeyAtom::Int(*i));
            }
            let f = v.to_f64();
            let lo = clamp_i64(super::super::value::float::floor(f));
            let hi = clamp_i64(super::super::value::float::ceil(f));
            Probe::Range(KeyAtom::Int(lo), KeyAtom::Int(hi))
        }
    }
}

pub(super) fn clamp_i64(f: f64) -> i64 {
    if f <= i64::MIN as f64 {
        i64::MIN
    } else if f >= i64::MAX as f64 {
        i64::MAX
    } else {
        f as i64
    }
}

pub(super) fn clamp_i128(f: f64) -> i128 {
    if f <= i128::MIN as f64 {
        i128::MIN
    } else if f >= i128::MAX as f64 {
        i128::MAX
    } else {
        f as i128
    }
}

/// The rows of `table` the level's access path yields (visible to the reader).
pub(super) fn candidates<'t>(
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
                    .is_some_and(|c| super::super::expr::is_text(c.ty));
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
pub(super) fn scan<'t>(ctx: &ExecCtx<'t>, table: &'t Table) -> Vec<Hit<'t>> {
    if let Some(pk) = table.primary() {
        return index_rows(ctx, table, pk, &Vec::new(), &Vec::from([KeyAtom::Max]));
    }
    (0..table.slot_count())
        .filter_map(|s| table.visible(s, ctx.txn).map(|r| (s, &r[..])))
        .collect()
}

/// Rows whose index keys lie in [low, high], re-checked against the visible version.
pub(super) fn index_rows<'t>(
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

pub(super) fn build_hash<'t>(ctx: &ExecCtx<'t>, table: &'t Table, cols: &[usize]) -> HashTable<'t> {
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
