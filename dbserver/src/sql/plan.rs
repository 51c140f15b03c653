//! Planning a SELECT: resolve the FROM list, compile every clause, choose a join order
//! and an access path per table (index equality/range/IN, index nested-loop join, hash
//! join, scan), and place each WHERE conjunct at the first level where it can run.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sqlparser::ast::{
    self as ast, GroupByExpr, JoinConstraint, JoinOperator, LimitClause, OrderByKind, SelectItem,
    SelectItemQualifiedWildcardKind, SetExpr, TableFactor,
};

use super::catalog::Catalog;
use super::errors;
use super::expr::{conjuncts, is_text, sources_used, AggSpec, CmpOp, Compiler, Expr, Source};
use super::table::{Column, Table, TableId};
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
    /// A derived table `(SELECT ...) AS alias`: its plan, materialised before the join.
    pub derived: Option<Box<SelectPlan>>,
}

/// A compiled SELECT.
#[derive(Clone, Debug)]
pub struct SelectPlan {
    pub levels: Vec<Level>,
    /// Number of sources: the enclosing queries' (a subquery's first `outer`), then the
    /// FROM tables.
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
    left_on: Option<Cow<'a, ast::Expr>>,
    inner_on: Option<Cow<'a, ast::Expr>>,
    /// Index of the derived table's plan.
    derived: Option<usize>,
}

/// The FROM list: items, the order the join must follow when it has outer joins, and
/// whether a `USING` join merged columns.
struct FromList<'a> {
    items: Vec<FromItem<'a>>,
    order: Vec<usize>,
    using: bool,
}

/// A compiler over `sources`, of which the first `outer` belong to enclosing queries.
fn compiler<'c>(
    env: &'c PlanEnv<'c>,
    sources: &'c [Source<'c>],
    outer: usize,
    clause: &'static str,
) -> Compiler<'c> {
    let db = env.session.database().unwrap_or("");
    let mut c = Compiler::new(sources, env.sql, db, env.max_depth);
    c.env = Some(env);
    c.outer = outer;
    c.clause = clause;
    c
}

/// Plan a query.
pub fn plan_query(env: &PlanEnv<'_>, q: &ast::Query) -> Result<SelectPlan, SqlError> {
    plan_query_in(env, q, &[])
}

/// Plan a query inside the scope of an enclosing query's sources (a subquery).
pub fn plan_query_in(
    env: &PlanEnv<'_>,
    q: &ast::Query,
    outer: &[Source<'_>],
) -> Result<SelectPlan, SqlError> {
    if q.with.is_some() || q.fetch.is_some() {
        return Err(errors::unsupported("WITH"));
    }
    let select = match q.body.as_ref() {
        SetExpr::Select(s) => s,
        SetExpr::Query(inner) if q.order_by.is_none() && q.limit_clause.is_none() => {
            return plan_query_in(env, inner, outer)
        }
        _ => return Err(errors::unsupported("UNION and other set operations")),
    };
    if select.into.is_some() || select.top.is_some() {
        return Err(errors::unsupported("SELECT INTO"));
    }
    let db = env.session.database().unwrap_or("");
    // Derived tables: plan each one and give it a table shape for name resolution.
    let mut derived_plans: Vec<Option<SelectPlan>> = Vec::new();
    let mut derived_tables: Vec<Table> = Vec::new();
    for twj in &select.from {
        for f in core::iter::once(&twj.relation).chain(twj.joins.iter().map(|j| &j.relation)) {
            if let TableFactor::Derived {
                subquery, alias, ..
            } = f
            {
                let (plan, table) = derived_table(env, subquery, alias.as_ref())?;
                derived_plans.push(Some(plan));
                derived_tables.push(table);
            }
        }
    }
    let from = from_items(env, &select.from, &derived_tables)?;
    let items = from.items;
    let base = outer.len();
    let mut sources: Vec<Source<'_>> = outer.to_vec();
    sources.extend(items.iter().map(|i| i.source));
    if sources.len() > 63 {
        return Err(errors::unsupported("more than 63 tables in nested queries"));
    }
    let own = sources.get(base..).unwrap_or_default();
    let mut aggs: Vec<AggSpec> = Vec::new();

    // Projection.
    let mut outputs = Vec::new();
    let mut columns = Vec::new();
    let mut aliases: Vec<(String, usize, SqlType)> = Vec::new();
    let mut select_exprs: Vec<Option<&ast::Expr>> = Vec::new();
    for item in &select.projection {
        match item {
            SelectItem::Wildcard(_) => {
                if own.is_empty() {
                    return Err(errors::no_table_used());
                }
                if from.using {
                    return Err(errors::unsupported("SELECT * with JOIN ... USING"));
                }
                for (si, s) in own.iter().enumerate() {
                    star(s, base + si, &mut outputs, &mut columns, &mut select_exprs);
                }
            }
            SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(n), _) => {
                let name = n.0.last().map(|p| p.to_string()).unwrap_or_default();
                let name = name.trim_matches('`');
                let si = own
                    .iter()
                    .position(|s| s.alias == name)
                    .ok_or_else(|| errors::unknown_table(name))?;
                if let Some(s) = own.get(si) {
                    star(s, base + si, &mut outputs, &mut columns, &mut select_exprs);
                }
            }
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                let mut c = compiler(env, &sources, base, "field list");
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
        let mut c = compiler(env, &sources, base, "where clause");
        if let Some(w) = &select.selection {
            conjuncts(c.compile(w)?.expr, &mut conds);
        }
        c.clause = "on clause";
        for it in &items {
            if let Some(on) = &it.inner_on {
                conjuncts(c.compile(on)?.expr, &mut conds);
            }
        }
    }
    let mut left_ons: Vec<Option<Vec<Expr>>> = Vec::new();
    for it in &items {
        left_ons.push(match &it.left_on {
            Some(on) => {
                let mut c = compiler(env, &sources, base, "on clause");
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
                group_by.push(group_expr(env, &sources, base, g, &select_exprs, &aliases)?);
            }
        }
        GroupByExpr::Expressions(..) => return Err(errors::unsupported("GROUP BY modifiers")),
        GroupByExpr::All(_) => return Err(errors::unsupported("GROUP BY ALL")),
    }

    // HAVING and ORDER BY may name aliases and aggregates.
    let having = match &select.having {
        Some(h) => {
            let mut c = compiler(env, &sources, base, "having clause");
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
                let mut c = compiler(env, &sources, base, "order clause");
                c.aggs = Some(&mut aggs);
                c.aliases = &aliases;
                let e = c.compile(&o.expr)?.expr;
                // A selected column is sorted on from the output row (not copied again).
                match (&e, outputs.iter().position(|x| same_column(x, &e))) {
                    (Expr::Col(..), Some(j)) => Expr::Output(j),
                    _ => e,
                }
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

    let _ = db;
    let (levels, const_filters) = plan_joins(
        &items,
        &from.order,
        base,
        conds,
        left_ons,
        &mut derived_plans,
    )?;
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

/// The FROM list, flattened in textual order. `derived` holds the derived tables'
/// shapes in the order they appear.
fn from_items<'a>(
    env: &PlanEnv<'a>,
    from: &'a [ast::TableWithJoins],
    derived: &'a [Table],
) -> Result<FromList<'a>, SqlError> {
    let mut items: Vec<FromItem<'a>> = Vec::new();
    let mut order: Vec<usize> = Vec::new();
    let mut using = false;
    let mut next_derived = 0usize;
    let mut source_of = |f: &'a TableFactor| -> Result<(Source<'a>, Option<usize>), SqlError> {
        if let TableFactor::Derived { alias, .. } = f {
            let table = derived
                .get(next_derived)
                .ok_or_else(|| errors::unsupported("derived tables"))?;
            let alias = alias
                .as_ref()
                .map(|a| a.name.value.as_str())
                .unwrap_or(table.name.as_str());
            next_derived += 1;
            return Ok((Source { alias, table }, Some(next_derived - 1)));
        }
        Ok((table_source(env, f)?, None))
    };
    for twj in from {
        if is_dual(&twj.relation) && twj.joins.is_empty() {
            continue;
        }
        let (source, derived) = source_of(&twj.relation)?;
        let first = items.len();
        items.push(FromItem {
            source,
            left_on: None,
            inner_on: None,
            derived,
        });
        order.push(first);
        for (n, j) in twj.joins.iter().enumerate() {
            let (source, derived) = source_of(&j.relation)?;
            let (kind, constraint) = match &j.join_operator {
                JoinOperator::Join(c) | JoinOperator::Inner(c) | JoinOperator::CrossJoin(c) => {
                    (JoinKind::Inner, c)
                }
                JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (JoinKind::Left, c),
                // `a RIGHT JOIN b ON c` is `b LEFT JOIN a ON c` (only with a single table on
                // the left).
                JoinOperator::Right(c) | JoinOperator::RightOuter(c) if n == 0 => {
                    (JoinKind::Right, c)
                }
                _ => return Err(errors::unsupported("this kind of join")),
            };
            let on: Option<Cow<'a, ast::Expr>> = match constraint {
                JoinConstraint::On(e) => Some(Cow::Borrowed(e)),
                JoinConstraint::None => None,
                JoinConstraint::Using(names) => {
                    using = true;
                    Some(Cow::Owned(using_condition(&items, &source, names)?))
                }
                _ => return Err(errors::unsupported("NATURAL joins")),
            };
            if kind != JoinKind::Inner && on.is_none() {
                return Err(errors::syntax("", 1));
            }
            let index = items.len();
            match kind {
                JoinKind::Inner => {
                    items.push(FromItem {
                        source,
                        left_on: None,
                        inner_on: on,
                        derived,
                    });
                    order.push(index);
                }
                JoinKind::Left => {
                    items.push(FromItem {
                        source,
                        left_on: on,
                        inner_on: None,
                        derived,
                    });
                    order.push(index);
                }
                JoinKind::Right => {
                    // The right table is read first; the left one is the optional side.
                    items.push(FromItem {
                        source,
                        left_on: None,
                        inner_on: None,
                        derived,
                    });
                    if let Some(left) = items.get_mut(first) {
                        left.left_on = on;
                    }
                    order.pop();
                    order.push(index);
                    order.push(first);
                }
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
    Ok(FromList {
        items,
        order,
        using,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum JoinKind {
    Inner,
    Left,
    Right,
}

/// `JOIN right USING (c, ...)` as `left.c = right.c AND ...`, each column found in
/// exactly one of the tables before it.
fn using_condition(
    items: &[FromItem<'_>],
    right: &Source<'_>,
    names: &[ast::ObjectName],
) -> Result<ast::Expr, SqlError> {
    let mut cond: Option<ast::Expr> = None;
    for n in names {
        let col = match n.0.as_slice() {
            [ast::ObjectNamePart::Identifier(i)] => i.clone(),
            _ => return Err(errors::syntax(&n.to_string(), 1)),
        };
        let mut left = items
            .iter()
            .filter(|it| it.source.table.column_index(&col.value).is_some());
        let (Some(l), None) = (left.next(), left.next()) else {
            return Err(errors::unknown_column(&col.value, "from clause"));
        };
        if right.table.column_index(&col.value).is_none() {
            return Err(errors::unknown_column(&col.value, "from clause"));
        }
        let side = |alias: &str| {
            ast::Expr::CompoundIdentifier(Vec::from([ast::Ident::new(alias), col.clone()]))
        };
        let eq = ast::Expr::BinaryOp {
            left: Box::new(side(l.source.alias)),
            op: ast::BinaryOperator::Eq,
            right: Box::new(side(right.alias)),
        };
        cond = Some(match cond {
            None => eq,
            Some(c) => ast::Expr::BinaryOp {
                left: Box::new(c),
                op: ast::BinaryOperator::And,
                right: Box::new(eq),
            },
        });
    }
    cond.ok_or_else(|| errors::syntax("", 1))
}

/// Plan a derived table and build the table shape its columns give it.
fn derived_table(
    env: &PlanEnv<'_>,
    q: &ast::Query,
    alias: Option<&ast::TableAlias>,
) -> Result<(SelectPlan, Table), SqlError> {
    let Some(alias) = alias else {
        // MariaDB's grammar requires the alias (1064, where MySQL says 1248).
        return Err(errors::syntax("", 1));
    };
    if !alias.columns.is_empty() {
        return Err(errors::unsupported("derived table column lists"));
    }
    let plan = plan_query(env, q)?;
    let mut columns: Vec<Column> = Vec::new();
    for c in &plan.columns {
        if columns.iter().any(|x| x.name.eq_ignore_ascii_case(&c.name)) {
            return Err(errors::duplicate_column(&c.name));
        }
        columns.push(Column {
            name: c.name.clone(),
            ty: c.sql_type,
            nullable: true,
            default: None,
            auto_increment: false,
            int_range: None,
            type_text: String::new(),
        });
    }
    let table = Table::new(
        DERIVED_TABLE_ID,
        String::new(),
        alias.name.value.clone(),
        columns,
    );
    Ok((plan, table))
}

/// Table id of derived tables (they are not in the catalog).
pub const DERIVED_TABLE_ID: TableId = TableId::MAX;

/// `FROM DUAL`: no table at all.
fn is_dual(f: &TableFactor) -> bool {
    matches!(f, TableFactor::Table { name, alias: None, .. }
        if name.0.len() == 1 && name.to_string().eq_ignore_ascii_case("DUAL"))
}

fn table_source<'a>(env: &PlanEnv<'a>, f: &'a TableFactor) -> Result<Source<'a>, SqlError> {
    let TableFactor::Table { name, alias, .. } = f else {
        return Err(errors::unsupported("derived tables here"));
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
        // The subquery's span leaves out its parentheses; MySQL's name keeps them.
        ast::Expr::Subquery(_) => {
            let text = c.text_of(e);
            if text.starts_with('(') {
                text
            } else {
                alloc::format!("({text})")
            }
        }
        _ => c.text_of(e),
    }
}

/// Both expressions read the same column.
fn same_column(a: &Expr, b: &Expr) -> bool {
    matches!((a, b), (Expr::Col(s1, c1), Expr::Col(s2, c2)) if s1 == s2 && c1 == c2)
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
    base: usize,
    g: &ast::Expr,
    select_exprs: &[Option<&ast::Expr>],
    aliases: &[(String, usize, SqlType)],
) -> Result<Expr, SqlError> {
    let mut c = compiler(env, sources, base, "group statement");
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
/// Item `i` is source `base + i`; sources below `base` (enclosing queries') are bound.
/// `order` is the textual join order, followed when there are outer joins.
fn plan_joins(
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

/// Bits of the sources of enclosing queries (the first `outer`).
pub fn outer_mask(outer: usize) -> u64 {
    if outer >= 64 {
        u64::MAX
    } else {
        (1u64 << outer) - 1
    }
}

/// The enclosing queries' sources (below `outer`) that a subquery's plan reads.
pub fn outer_refs(plan: &SelectPlan, outer: usize) -> u64 {
    let mut used = 0u64;
    let mut add = |e: &Expr| used |= sources_used(e);
    for l in &plan.levels {
        match &l.access {
            Access::Scan => {}
            Access::Index { eq, lo, hi, .. } => {
                eq.iter().for_each(&mut add);
                lo.iter().chain(hi).for_each(|(e, _)| add(e));
            }
            Access::InList { values, .. } => values.iter().for_each(&mut add),
            Access::Hash { probe, .. } => probe.iter().for_each(&mut add),
        }
        l.left_on.iter().flatten().for_each(&mut add);
        l.filters.iter().for_each(&mut add);
    }
    plan.const_filters.iter().for_each(&mut add);
    plan.outputs.iter().for_each(&mut add);
    plan.aggs
        .iter()
        .filter_map(|a| a.arg.as_ref())
        .for_each(&mut add);
    plan.group_by.iter().for_each(&mut add);
    plan.having.iter().for_each(&mut add);
    plan.order_by.iter().for_each(|(e, _)| add(e));
    plan.limit.iter().chain(&plan.offset).for_each(&mut add);
    used & outer_mask(outer)
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
    let mut conds = Vec::new();
    let mut c = compiler(env, &sources, 0, "where clause");
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
        derived: None,
    }];
    let (levels, const_filters) = plan_joins(&items, &[0], 0, conds, Vec::from([None]), &mut [])?;
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
