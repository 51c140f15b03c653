//! Planning a whole SELECT (and the row search of a single-table UPDATE or DELETE):
//! compile the select list, WHERE, GROUP BY, HAVING, ORDER BY and LIMIT over the FROM
//! list, then hand the conditions to the join planner. Calls [`from`], [`columns`],
//! [`joins`] and the expression compiler.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sqlparser::ast::{
    self as ast, GroupByExpr, OrderByKind, SelectItem, SelectItemQualifiedWildcardKind, SetExpr,
    TableFactor,
};

use super::super::errors;
use super::super::expr::{conjuncts, AggSpec, Compiler, Expr, Source};
use super::super::table::Table;
use super::super::{SqlError, SqlType};

use super::columns::{expr_meta, expr_name, group_expr, limit_exprs, position, same_column, star};
use super::from::{derived_table, from_items, table_source};
use super::joins::plan_joins;
use super::{FromItem, PlanEnv, SelectPlan};

/// A compiler over `sources`, of which the first `outer` belong to enclosing queries.
pub(super) fn compiler<'c>(
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
