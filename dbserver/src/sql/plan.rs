//! Planning a SELECT: resolve the FROM list, compile every clause, choose a join order
//! and an access path per table (index equality/range/IN, index nested-loop join, hash
//! join, scan), and place each WHERE conjunct at the first level where it can run.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sqlparser::ast::{
    self as ast, GroupByExpr, JoinConstraint, JoinOperator, LimitClause, OrderByKind, SelectItem,
    SelectItemQualifiedWildcardKind, SetExpr, TableFactor,
};

use super::catalog::Catalog;
use super::errors;
use super::expr::{conjuncts, is_text, sources_used, AggSpec, CmpOp, Compiler, Expr, Source};
use super::table::{Table, TableId};
use super::{ColumnMeta, Session, SqlError, SqlType};

/// Most tables one SELECT may join (MySQL's limit).
pub const MAX_JOIN_TABLES: usize = 61;
/// Rows assumed to match an index equality that is not unique.
const EQ_ROWS_ESTIMATE: usize = 10;
/// Fraction (1/n) of a table assumed to match a range.
const RANGE_FRACTION: usize = 4;
/// Estimated cost of one hash-join probe (an index probe of a unique key costs 1).
const HASH_PROBE_COST: usize = 2;

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
}

/// A compiled SELECT.
#[derive(Clone, Debug)]
pub struct SelectPlan {
    pub levels: Vec<Level>,
    /// Number of FROM tables.
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
    left_on: Option<&'a ast::Expr>,
    inner_on: Option<&'a ast::Expr>,
}

/// Plan a query.
pub fn plan_query(env: &PlanEnv<'_>, q: &ast::Query) -> Result<SelectPlan, SqlError> {
    if q.with.is_some() || q.fetch.is_some() {
        return Err(errors::unsupported("WITH"));
    }
    let select = match q.body.as_ref() {
        SetExpr::Select(s) => s,
        SetExpr::Query(inner) if q.order_by.is_none() && q.limit_clause.is_none() => {
            return plan_query(env, inner)
        }
        _ => return Err(errors::unsupported("UNION and other set operations")),
    };
    if select.into.is_some() || select.top.is_some() {
        return Err(errors::unsupported("SELECT INTO"));
    }
    let db = env.session.database().unwrap_or("");
    let items = from_items(env, &select.from)?;
    let sources: Vec<Source<'_>> = items.iter().map(|i| i.source).collect();
    let mut aggs: Vec<AggSpec> = Vec::new();

    // Projection.
    let mut outputs = Vec::new();
    let mut columns = Vec::new();
    let mut aliases: Vec<(String, usize, SqlType)> = Vec::new();
    let mut select_exprs: Vec<Option<&ast::Expr>> = Vec::new();
    for item in &select.projection {
        match item {
            SelectItem::Wildcard(_) => {
                if sources.is_empty() {
                    return Err(errors::no_table_used());
                }
                for (si, s) in sources.iter().enumerate() {
                    star(s, si, &mut outputs, &mut columns, &mut select_exprs);
                }
            }
            SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(n), _) => {
                let name = n.0.last().map(|p| p.to_string()).unwrap_or_default();
                let name = name.trim_matches('`');
                let si = sources
                    .iter()
                    .position(|s| s.alias == name)
                    .ok_or_else(|| errors::unknown_table(name))?;
                if let Some(s) = sources.get(si) {
                    star(s, si, &mut outputs, &mut columns, &mut select_exprs);
                }
            }
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                let mut c = Compiler::new(&sources, env.sql, db, env.max_depth);
                c.aggs = Some(&mut aggs);
                let t = c.compile(e)?;
                let mut meta = expr_meta(&sources, &t.expr, t.ty, t.nullable);
                meta.name = match item {
                    SelectItem::ExprWithAlias { alias, .. } => alias.value.clone(),
                    _ => expr_name(&c, e),
                };
                if let SelectItem::ExprWithAlias { alias, .. } = item {
                    aliases.push((alias.value.clone(), outputs.len(), t.ty));
                }
                columns.push(meta);
                outputs.push(t.expr);
                select_exprs.push(Some(e));
            }
            other => return Err(errors::unsupported(&other.to_string())),
        }
    }

    // WHERE and inner ON conditions.
    let mut conds = Vec::new();
    {
        let mut c = Compiler::new(&sources, env.sql, db, env.max_depth);
        c.clause = "where clause";
        if let Some(w) = &select.selection {
            conjuncts(c.compile(w)?.expr, &mut conds);
        }
        c.clause = "on clause";
        for it in &items {
            if let Some(on) = it.inner_on {
                conjuncts(c.compile(on)?.expr, &mut conds);
            }
        }
    }
    let mut left_ons: Vec<Option<Vec<Expr>>> = Vec::new();
    for it in &items {
        left_ons.push(match it.left_on {
            Some(on) => {
                let mut c = Compiler::new(&sources, env.sql, db, env.max_depth);
                c.clause = "on clause";
                let mut v = Vec::new();
                conjuncts(c.compile(on)?.expr, &mut v);
                Some(v)
            }
            None => None,
        });
    }

    // GROUP BY: table columns first, then select aliases and positions.
    let mut group_by = Vec::new();
    match &select.group_by {
        GroupByExpr::Expressions(exprs, modifiers) if modifiers.is_empty() => {
            for g in exprs {
                group_by.push(group_expr(env, &sources, db, g, &select_exprs, &aliases)?);
            }
        }
        GroupByExpr::Expressions(..) => return Err(errors::unsupported("GROUP BY modifiers")),
        GroupByExpr::All(_) => return Err(errors::unsupported("GROUP BY ALL")),
    }

    // HAVING and ORDER BY may name aliases and aggregates.
    let having = match &select.having {
        Some(h) => {
            let mut c = Compiler::new(&sources, env.sql, db, env.max_depth);
            c.clause = "having clause";
            c.aggs = Some(&mut aggs);
            c.aliases = &aliases;
            Some(c.compile(h)?.expr)
        }
        None => None,
    };
    let mut order_by = Vec::new();
    if let Some(ob) = &q.order_by {
        let OrderByKind::Expressions(list) = &ob.kind else {
            return Err(errors::unsupported("ORDER BY ALL"));
        };
        for o in list {
            let desc = matches!(o.options.sort, Some(ast::OrderBySort::Desc));
            let e = if let Some(pos) = position(&o.expr) {
                if pos == 0 || pos > outputs.len() {
                    return Err(errors::unknown_column(&pos.to_string(), "order clause"));
                }
                Expr::Output(pos - 1)
            } else {
                let mut c = Compiler::new(&sources, env.sql, db, env.max_depth);
                c.clause = "order clause";
                c.aggs = Some(&mut aggs);
                c.aliases = &aliases;
                c.compile(&o.expr)?.expr
            };
            order_by.push((e, desc));
        }
    }
    let (limit, offset) = limit_exprs(env, q.limit_clause.as_ref())?;
    let grouped = !aggs.is_empty() || !group_by.is_empty();
    let distinct = match &select.distinct {
        None | Some(ast::Distinct::All) => false,
        Some(ast::Distinct::Distinct) => true,
        Some(_) => return Err(errors::unsupported("DISTINCT ON")),
    };

    let (levels, const_filters) = plan_joins(env, &items, conds, left_ons)?;
    Ok(SelectPlan {
        levels,
        sources: sources.len(),
        const_filters,
        outputs,
        columns,
        aggs,
        grouped,
        group_by,
        having,
        order_by,
        distinct,
        limit,
        offset,
    })
}

/// The FROM list, flattened in textual order.
fn from_items<'a>(
    env: &PlanEnv<'a>,
    from: &'a [ast::TableWithJoins],
) -> Result<Vec<FromItem<'a>>, SqlError> {
    let mut items: Vec<FromItem<'a>> = Vec::new();
    for twj in from {
        if is_dual(&twj.relation) && twj.joins.is_empty() {
            continue;
        }
        items.push(FromItem {
            source: table_source(env, &twj.relation)?,
            left_on: None,
            inner_on: None,
        });
        for j in &twj.joins {
            let source = table_source(env, &j.relation)?;
            let (left, constraint) = match &j.join_operator {
                JoinOperator::Join(c) | JoinOperator::Inner(c) | JoinOperator::CrossJoin(c) => {
                    (false, c)
                }
                JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (true, c),
                _ => return Err(errors::unsupported("this kind of join")),
            };
            let on = match constraint {
                JoinConstraint::On(e) => Some(e),
                JoinConstraint::None => None,
                _ => return Err(errors::unsupported("USING and NATURAL joins")),
            };
            items.push(FromItem {
                source,
                left_on: if left { on } else { None },
                inner_on: if left { None } else { on },
            });
            if left && on.is_none() {
                return Err(errors::syntax("", 1));
            }
        }
    }
    if items.len() > MAX_JOIN_TABLES {
        return Err(errors::too_many_tables(MAX_JOIN_TABLES));
    }
    for (i, a) in items.iter().enumerate() {
        if items
            .iter()
            .skip(i + 1)
            .any(|b| b.source.alias == a.source.alias)
        {
            return Err(errors::not_unique_table(a.source.alias));
        }
    }
    Ok(items)
}

/// `FROM DUAL`: no table at all.
fn is_dual(f: &TableFactor) -> bool {
    matches!(f, TableFactor::Table { name, alias: None, .. }
        if name.0.len() == 1 && name.to_string().eq_ignore_ascii_case("DUAL"))
}

fn table_source<'a>(env: &PlanEnv<'a>, f: &'a TableFactor) -> Result<Source<'a>, SqlError> {
    let TableFactor::Table { name, alias, .. } = f else {
        return Err(errors::unsupported("derived tables"));
    };
    let table = resolve_table(env.catalog, env.session, name)?;
    let alias = match alias {
        Some(a) => a.name.value.as_str(),
        None => table.name.as_str(),
    };
    Ok(Source { alias, table })
}

/// Find `[db.]name` in the catalog.
pub fn resolve_table<'a>(
    catalog: &'a Catalog,
    session: &Session,
    name: &ast::ObjectName,
) -> Result<&'a Table, SqlError> {
    let (db, t) = split_name(session, name)?;
    catalog.lookup(&db, &t)
}

/// `[db.]name` as (db, name), the db defaulting to the session's (1046 if none).
pub fn split_name(session: &Session, name: &ast::ObjectName) -> Result<(String, String), SqlError> {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| match p {
            ast::ObjectNamePart::Identifier(i) => Ok(i.value.clone()),
            _ => Err(errors::unsupported(&name.to_string())),
        })
        .collect::<Result<_, _>>()?;
    match parts.as_slice() {
        [t] => Ok((
            session
                .database()
                .ok_or_else(errors::no_database)?
                .to_string(),
            t.clone(),
        )),
        [d, t] => Ok((d.clone(), t.clone())),
        _ => Err(errors::syntax(&name.to_string(), 1)),
    }
}

/// `*` or `t.*`: every column of a source.
fn star(
    s: &Source<'_>,
    si: usize,
    outputs: &mut Vec<Expr>,
    columns: &mut Vec<ColumnMeta>,
    select_exprs: &mut Vec<Option<&ast::Expr>>,
) {
    for (ci, c) in s.table.columns.iter().enumerate() {
        let e = Expr::Col(si, ci);
        columns.push(column_meta(s, ci, c.name.clone()));
        outputs.push(e);
        select_exprs.push(None);
    }
}

/// Metadata of a table column as seen through source `s`.
pub fn column_meta(s: &Source<'_>, ci: usize, name: String) -> ColumnMeta {
    let t = s.table;
    let c = t.columns.get(ci);
    let in_index = |pred: &dyn Fn(&super::table::IndexDef) -> bool| {
        t.indexes
            .iter()
            .any(|ix| pred(&ix.def) && ix.def.columns.contains(&ci))
    };
    ColumnMeta {
        name,
        org_name: c.map(|c| c.name.clone()).unwrap_or_default(),
        table: s.alias.to_string(),
        org_table: t.name.clone(),
        schema: t.db.clone(),
        sql_type: c.map_or(SqlType::Text, |c| c.ty),
        nullable: c.is_none_or(|c| c.nullable),
        primary_key: in_index(&|d| d.primary),
        unique_key: in_index(&|d| d.unique && !d.primary),
        multiple_key: t
            .indexes
            .iter()
            .any(|ix| !ix.def.unique && ix.def.columns.first() == Some(&ci)),
        auto_increment: c.is_some_and(|c| c.auto_increment),
    }
}

fn expr_meta(sources: &[Source<'_>], e: &Expr, ty: SqlType, nullable: bool) -> ColumnMeta {
    if let Expr::Col(si, ci) = e {
        if let Some(s) = sources.get(*si) {
            return column_meta(s, *ci, String::new());
        }
    }
    ColumnMeta {
        name: String::new(),
        org_name: String::new(),
        table: String::new(),
        org_table: String::new(),
        schema: String::new(),
        sql_type: ty,
        nullable,
        primary_key: false,
        unique_key: false,
        multiple_key: false,
        auto_increment: false,
    }
}

/// The name MySQL gives an unaliased select item.
fn expr_name(c: &Compiler<'_>, e: &ast::Expr) -> String {
    match e {
        ast::Expr::Identifier(i) => i.value.clone(),
        ast::Expr::CompoundIdentifier(ids)
            if !ids.first().is_some_and(|i| i.value.starts_with('@')) =>
        {
            ids.last().map(|i| i.value.clone()).unwrap_or_default()
        }
        ast::Expr::Value(v) => match &v.value {
            ast::Value::SingleQuotedString(s) | ast::Value::DoubleQuotedString(s) => s.clone(),
            _ => c.text_of(e),
        },
        _ => c.text_of(e),
    }
}

/// A positive integer literal (ORDER BY / GROUP BY position).
fn position(e: &ast::Expr) -> Option<usize> {
    match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Number(n, _) => n.parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

fn group_expr(
    env: &PlanEnv<'_>,
    sources: &[Source<'_>],
    db: &str,
    g: &ast::Expr,
    select_exprs: &[Option<&ast::Expr>],
    aliases: &[(String, usize, SqlType)],
) -> Result<Expr, SqlError> {
    let mut c = Compiler::new(sources, env.sql, db, env.max_depth);
    c.clause = "group statement";
    let target = if let Some(pos) = position(g) {
        if pos == 0 || pos > select_exprs.len() {
            return Err(errors::unknown_column(&pos.to_string(), "group statement"));
        }
        match select_exprs.get(pos - 1) {
            Some(Some(e)) => *e,
            _ => {
                // `*` column.
                return Ok(Expr::Output(pos - 1));
            }
        }
    } else {
        g
    };
    match c.compile(target) {
        Ok(t) => Ok(t.expr),
        Err(e) if e.code == 1054 => {
            // An alias of the select list.
            if let ast::Expr::Identifier(id) = target {
                if let Some((_, i, _)) = aliases
                    .iter()
                    .find(|(a, _, _)| a.eq_ignore_ascii_case(&id.value))
                {
                    if let Some(Some(se)) = select_exprs.get(*i) {
                        return c.compile(se).map(|t| t.expr);
                    }
                }
            }
            Err(e)
        }
        Err(e) => Err(e),
    }
}

fn limit_exprs(
    env: &PlanEnv<'_>,
    l: Option<&LimitClause>,
) -> Result<(Option<Expr>, Option<Expr>), SqlError> {
    let db = env.session.database().unwrap_or("");
    let mut c = Compiler::new(&[], env.sql, db, env.max_depth);
    let mut one = |e: &ast::Expr| {
        // MariaDB's grammar takes only unsigned numbers and placeholders here.
        if matches!(e, ast::Expr::UnaryOp { .. }) {
            return Err(errors::syntax(&e.to_string(), 1));
        }
        c.compile(e).map(|t| t.expr)
    };
    Ok(match l {
        None => (None, None),
        Some(LimitClause::LimitOffset {
            limit,
            offset,
            limit_by,
        }) => {
            if !limit_by.is_empty() {
                return Err(errors::unsupported("LIMIT BY"));
            }
            let limit = match limit {
                Some(e) => Some(one(e)?),
                None => None,
            };
            let offset = match offset {
                Some(o) => Some(one(&o.value)?),
                None => None,
            };
            (limit, offset)
        }
        Some(LimitClause::OffsetCommaLimit { offset, limit }) => {
            (Some(one(limit)?), Some(one(offset)?))
        }
    })
}

/// A usable condition on one column of a table, against an expression over tables
/// already bound.
struct ColCond<'e> {
    col: usize,
    kind: CondKind<'e>,
}

enum CondKind<'e> {
    Eq(&'e Expr),
    Lower(&'e Expr, bool),
    Upper(&'e Expr, bool),
    In(&'e [Expr]),
}

/// Conditions of `conds` usable to access source `src` when `bound` sources are known.
fn column_conds<'e>(conds: &'e [Expr], src: usize, bound: u64, table: &Table) -> Vec<ColCond<'e>> {
    let mut out = Vec::new();
    let usable = |e: &Expr| sources_used(e) & !bound == 0 && !super::expr::has_agg(e);
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

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}

/// The cheapest access path to `src` given the bound sources, with its estimated rows.
fn choose_access(
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
fn hashable(table: &Table, col: usize, e: &Expr) -> bool {
    let Some(c) = table.columns.get(col) else {
        return false;
    };
    // Only plain column = column equalities of the same kind.
    matches!(e, Expr::Col(..)) && !matches!(c.ty, SqlType::Double | SqlType::Float) && {
        let _ = is_text(c.ty);
        true
    }
}

/// Order the tables and pick access paths; returns levels and constant conditions.
fn plan_joins(
    env: &PlanEnv<'_>,
    items: &[FromItem<'_>],
    conds: Vec<Expr>,
    left_ons: Vec<Option<Vec<Expr>>>,
) -> Result<(Vec<Level>, Vec<Expr>), SqlError> {
    let _ = env;
    let n = items.len();
    let has_left = left_ons.iter().any(Option::is_some);
    let mut order: Vec<(usize, Access)> = Vec::new();
    let mut bound = 0u64;
    let mut remaining: Vec<usize> = (0..n).collect();
    while !remaining.is_empty() {
        let mut best: Option<(usize, Access, usize)> = None;
        let candidates: Vec<usize> = if has_left {
            remaining.first().copied().into_iter().collect()
        } else {
            remaining.clone()
        };
        let conds_of = |src: usize| -> &[Expr] {
            match left_ons.get(src) {
                Some(Some(on)) => on,
                _ => &conds,
            }
        };
        for &src in &candidates {
            let Some(it) = items.get(src) else { continue };
            let rows = it.source.table.slot_count();
            let (access, cost) = choose_access(conds_of(src), src, bound, it.source.table, rows);
            // Look one table ahead: the cheapest way to join another table after this one.
            let with = bound | 1u64 << src.min(63);
            let next = remaining
                .iter()
                .filter(|t| **t != src && !has_left)
                .filter_map(|t| items.get(*t).map(|i| (*t, i)))
                .map(|(t, i)| {
                    let rows = i.source.table.slot_count();
                    choose_access(conds_of(t), t, with, i.source.table, rows).1
                })
                .min()
                .unwrap_or(0);
            let score = cost.saturating_mul(next.saturating_add(1));
            if best.as_ref().is_none_or(|b| score < b.2) {
                best = Some((src, access, score));
            }
        }
        let Some((src, access, _)) = best else { break };
        remaining.retain(|s| *s != src);
        bound |= 1u64 << src.min(63);
        order.push((src, access));
    }

    // Place each condition at the first level where all its tables are bound.
    let mut levels: Vec<Level> = Vec::new();
    for (src, access) in order {
        let Some(it) = items.get(src) else { continue };
        levels.push(Level {
            src,
            table: it.source.table.id,
            columns: it.source.table.columns.len(),
            access,
            left_on: left_ons.get(src).cloned().flatten(),
            filters: Vec::new(),
        });
    }
    let mut const_filters = Vec::new();
    for c in conds {
        let used = sources_used(&c);
        if used == 0 {
            const_filters.push(c);
            continue;
        }
        let mut seen = 0u64;
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
            if let Some(last) = levels.last_mut() {
                last.filters.push(c);
            }
        }
    }
    Ok((levels, const_filters))
}

/// Describe the plan's access paths (tests and diagnostics): one entry per level.
#[cfg(test)]
pub fn describe(plan: &SelectPlan, catalog: &Catalog) -> Vec<String> {
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

/// Plan the row search of a single-table UPDATE or DELETE.
pub fn plan_single(
    env: &PlanEnv<'_>,
    relation: &TableFactor,
    selection: Option<&ast::Expr>,
    order_by: &[ast::OrderByExpr],
    limit: Option<&ast::Expr>,
) -> Result<SelectPlan, SqlError> {
    let source = table_source(env, relation)?;
    let sources = [source];
    let db = env.session.database().unwrap_or("");
    let mut conds = Vec::new();
    let mut c = Compiler::new(&sources, env.sql, db, env.max_depth);
    c.clause = "where clause";
    if let Some(w) = selection {
        conjuncts(c.compile(w)?.expr, &mut conds);
    }
    c.clause = "order clause";
    let mut order = Vec::new();
    for o in order_by {
        order.push((
            c.compile(&o.expr)?.expr,
            matches!(o.options.sort, Some(ast::OrderBySort::Desc)),
        ));
    }
    c.clause = "field list";
    let limit = match limit {
        Some(l) => Some(c.compile(l)?.expr),
        None => None,
    };
    let items = [FromItem {
        source,
        left_on: None,
        inner_on: None,
    }];
    let (levels, const_filters) = plan_joins(env, &items, conds, Vec::from([None]))?;
    Ok(SelectPlan {
        levels,
        sources: 1,
        const_filters,
        outputs: Vec::new(),
        columns: Vec::new(),
        aggs: Vec::new(),
        grouped: false,
        group_by: Vec::new(),
        having: None,
        order_by: order,
        distinct: false,
        limit,
        offset: None,
    })
}
