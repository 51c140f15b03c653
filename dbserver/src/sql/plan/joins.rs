//! Join order: place the tables (greedily by estimated cost, or in textual order when
//! there are outer joins), choose each one's access path ([`access`]) and put every
//! WHERE conjunct at the first level where its sources are bound.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::super::expr::{sources_used, Expr};
use super::super::SqlError;

use super::access::choose_access;
use super::{outer_mask, Access, FromItem, Level, SelectPlan};

/// Order the tables and pick access paths; returns levels and constant conditions.
/// Item `i` is source `base + i`; sources below `base` (enclosing queries') are bound.
/// `order` is the textual join order, followed when there are outer joins.
pub(super) fn plan_joins(
    items: &[FromItem<'_>],
    order_hint: &[usize],
    base: usize,
    conds: Vec<Expr>,
    left_ons: Vec<Option<Vec<Expr>>>,
    derived: &mut [Option<SelectPlan>],
) -> Result<(Vec<Level>, Vec<Expr>), SqlError> {
    let has_left = left_ons.iter().any(Option::is_some);
    let outer_mask = outer_mask(base);
    let bit = |item: usize| 1u64 << (base + item).min(63);
    let mut order: Vec<(usize, Access)> = Vec::new();
    let mut bound = outer_mask;
    let mut remaining: Vec<usize> = order_hint.to_vec();
    while !remaining.is_empty() {
        let mut best: Option<(usize, Access, usize)> = None;
        let candidates: Vec<usize> = if has_left {
            remaining.first().copied().into_iter().collect()
        } else {
            remaining.clone()
        };
        let conds_of = |item: usize| -> &[Expr] {
            match left_ons.get(item) {
                Some(Some(on)) => on,
                _ => &conds,
            }
        };
        let access_of = |item: usize, it: &FromItem<'_>, bound: u64| {
            let rows = it.source.table.slot_count();
            if it.derived.is_some() {
                return (Access::Scan, rows.max(1));
            }
            choose_access(conds_of(item), base + item, bound, it.source.table, rows)
        };
        for &item in &candidates {
            let Some(it) = items.get(item) else { continue };
            let (access, cost) = access_of(item, it, bound);
            // Look one table ahead: the cheapest way to join another table after this one.
            let with = bound | bit(item);
            let next = remaining
                .iter()
                .filter(|t| **t != item && !has_left)
                .filter_map(|t| items.get(*t).map(|i| (*t, i)))
                .map(|(t, i)| access_of(t, i, with).1)
                .min()
                .unwrap_or(0);
            let score = cost.saturating_mul(next.saturating_add(1));
            if best.as_ref().is_none_or(|b| score < b.2) {
                best = Some((item, access, score));
            }
        }
        let Some((item, access, _)) = best else { break };
        remaining.retain(|s| *s != item);
        bound |= bit(item);
        order.push((item, access));
    }

    // Place each condition at the first level where all its tables are bound.
    let mut levels: Vec<Level> = Vec::new();
    for (item, access) in order {
        let Some(it) = items.get(item) else { continue };
        levels.push(Level {
            src: base + item,
            table: it.source.table.id,
            columns: it.source.table.columns.len(),
            access,
            left_on: left_ons.get(item).cloned().flatten(),
            filters: Vec::new(),
            derived: it
                .derived
                .and_then(|d| derived.get_mut(d))
                .and_then(Option::take)
                .map(Box::new),
        });
    }
    let mut const_filters = Vec::new();
    for c in conds {
        let used = sources_used(&c);
        if used & !outer_mask == 0 {
            // Constant, or reading only enclosing queries' rows: checked once per run.
            const_filters.push(c);
            continue;
        }
        let mut seen = outer_mask;
        let mut placed = false;
        for level in levels.iter_mut() {
            seen |= 1u64 << level.src.min(63);
            if used & !seen == 0 {
                level.filters.push(c.clone());
                placed = true;
                break;
            }
        }
        if !placed {
            match levels.last_mut() {
                Some(last) => last.filters.push(c),
                None => const_filters.push(c),
            }
        }
    }
    Ok((levels, const_filters))
}
