//! The access path of one table given the conditions usable at its place in the join:
//! index equality, range or IN list, hash join, or scan, chosen by estimated rows read.
//! Calls nothing above the table's index definitions.

use alloc::vec::Vec;

use super::super::expr::{is_text, sources_used, CmpOp, Expr};
use super::super::table::Table;
use super::super::SqlType;

use super::Access;

/// Rows assumed to match an index equality that is not unique.
pub(super) const EQ_ROWS_ESTIMATE: usize = 10;
/// Fraction (1/n) of a table assumed to match a range.
pub(super) const RANGE_FRACTION: usize = 4;
/// Estimated cost of one hash-join probe (an index probe of a unique key costs 1).
pub(super) const HASH_PROBE_COST: usize = 2;

/// A usable condition on one column of a table, against an expression over tables
/// already bound.
pub(super) struct ColCond<'e> {
    col: usize,
    kind: CondKind<'e>,
}

pub(super) enum CondKind<'e> {
    Eq(&'e Expr),
    Lower(&'e Expr, bool),
    Upper(&'e Expr, bool),
    In(&'e [Expr]),
}

/// Conditions of `conds` usable to access source `src` when `bound` sources are known.
pub(super) fn column_conds<'e>(
    conds: &'e [Expr],
    src: usize,
    bound: u64,
    table: &Table,
) -> Vec<ColCond<'e>> {
    let mut out = Vec::new();
    let usable = |e: &Expr| sources_used(e) & !bound == 0 && !super::super::expr::has_agg(e);
    // Index keys compare in the column's collation; a text column compared with a number
    // compares as numbers, which the index order does not follow.
    let compatible = |col: usize| table.columns.get(col).is_some_and(|_| true);
    for c in conds {
        match c {
            Expr::Cmp(op, both) => {
                let [a, b] = &**both;
                let (col, other, flipped) = match (a, b) {
                    (Expr::Col(s, col), o) if *s == src && usable(o) => (*col, o, false),
                    (o, Expr::Col(s, col)) if *s == src && usable(o) => (*col, o, true),
                    _ => continue,
                };
                if !compatible(col) {
                    continue;
                }
                let op = if flipped { flip(*op) } else { *op };
                let kind = match op {
                    CmpOp::Eq => CondKind::Eq(other),
                    CmpOp::Gt => CondKind::Lower(other, false),
                    CmpOp::Ge => CondKind::Lower(other, true),
                    CmpOp::Lt => CondKind::Upper(other, false),
                    CmpOp::Le => CondKind::Upper(other, true),
                    _ => continue,
                };
                out.push(ColCond { col, kind });
            }
            Expr::Between(parts, false) => {
                let [x, lo, hi] = &**parts;
                if let Expr::Col(s, col) = x {
                    if *s == src && usable(lo) && usable(hi) {
                        out.push(ColCond {
                            col: *col,
                            kind: CondKind::Lower(lo, true),
                        });
                        out.push(ColCond {
                            col: *col,
                            kind: CondKind::Upper(hi, true),
                        });
                    }
                }
            }
            Expr::In(x, list, false) => {
                if let Expr::Col(s, col) = &**x {
                    if *s == src && list.iter().all(usable) {
                        out.push(ColCond {
                            col: *col,
                            kind: CondKind::In(list),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    out
}

pub(super) fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}

/// The cheapest access path to `src` given the bound sources, with its estimated rows.
pub(super) fn choose_access(
    conds: &[Expr],
    src: usize,
    bound: u64,
    table: &Table,
    rows: usize,
) -> (Access, usize) {
    let cc = column_conds(conds, src, bound, table);
    let mut best = (Access::Scan, rows.max(1));
    let mut consider = |a: Access, cost: usize| {
        if cost < best.1 {
            best = (a, cost);
        }
    };
    for (ix_pos, ix) in table.indexes.iter().enumerate() {
        let mut eq = Vec::new();
        for col in &ix.def.columns {
            match cc
                .iter()
                .find(|c| c.col == *col && matches!(c.kind, CondKind::Eq(_)))
            {
                Some(ColCond {
                    kind: CondKind::Eq(e),
                    ..
                }) => eq.push((*e).clone()),
                _ => break,
            }
        }
        let next_col = ix.def.columns.get(eq.len()).copied();
        let (mut lo, mut hi) = (None, None);
        if let Some(nc) = next_col {
            for c in cc.iter().filter(|c| c.col == nc) {
                match c.kind {
                    CondKind::Lower(e, incl) if lo.is_none() => lo = Some((e.clone(), incl)),
                    CondKind::Upper(e, incl) if hi.is_none() => hi = Some((e.clone(), incl)),
                    _ => {}
                }
            }
        }
        let full_unique = ix.def.unique && eq.len() == ix.def.columns.len();
        let cost = if full_unique {
            1
        } else if !eq.is_empty() {
            EQ_ROWS_ESTIMATE.min(rows.max(1))
        } else if lo.is_some() || hi.is_some() {
            rows / RANGE_FRACTION + 2
        } else {
            usize::MAX
        };
        if eq.is_empty() {
            if let Some(first) = ix.def.columns.first() {
                for c in &cc {
                    if let (true, CondKind::In(list)) = (c.col == *first, &c.kind) {
                        consider(
                            Access::InList {
                                index: ix_pos,
                                values: list.to_vec(),
                            },
                            list.len() * if ix.def.unique { 1 } else { EQ_ROWS_ESTIMATE },
                        );
                    }
                }
            }
        }
        if cost != usize::MAX {
            consider(
                Access::Index {
                    index: ix_pos,
                    eq,
                    lo,
                    hi,
                },
                cost,
            );
        }
    }
    // Hash join on equalities with bound tables (only when the key types agree).
    if bound != 0 {
        let mut build = Vec::new();
        let mut probe = Vec::new();
        for c in &cc {
            if let CondKind::Eq(e) = c.kind {
                if sources_used(e) != 0 && hashable(table, c.col, e) {
                    build.push(c.col);
                    probe.push(e.clone());
                }
            }
        }
        if !build.is_empty() {
            consider(Access::Hash { build, probe }, HASH_PROBE_COST);
        }
    }
    best
}

/// Whether equal values of column `col` and expression `e` have equal hash keys.
pub(super) fn hashable(table: &Table, col: usize, e: &Expr) -> bool {
    let Some(c) = table.columns.get(col) else {
        return false;
    };
    // Only plain column = column equalities of the same kind.
    matches!(e, Expr::Col(..)) && !matches!(c.ty, SqlType::Double | SqlType::Float) && {
        let _ = is_text(c.ty);
        true
    }
}
