//! The FROM clause: tables, derived tables and joins (INNER, LEFT, RIGHT, `USING`)
//! flattened into a list of sources with their ON conditions, and table names resolved
//! against the catalog. Calls the catalog and, for derived tables, [`select`].

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sqlparser::ast::{self as ast, JoinConstraint, JoinOperator, TableFactor};

use super::super::catalog::Catalog;
use super::super::errors;
use super::super::expr::Source;
use super::super::table::{Column, Table, TableId};
use super::super::{Session, SqlError};

use super::select::plan_query;
use super::{FromItem, FromList, PlanEnv, SelectPlan, MAX_JOIN_TABLES};

/// The FROM list, flattened in textual order. `derived` holds the derived tables'
/// shapes in the order they appear.
pub(super) fn from_items<'a>(
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
pub(super) enum JoinKind {
    Inner,
    Left,
    Right,
}

/// `JOIN right USING (c, ...)` as `left.c = right.c AND ...`, each column found in
/// exactly one of the tables before it.
pub(super) fn using_condition(
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
pub(super) fn derived_table(
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
pub(super) fn is_dual(f: &TableFactor) -> bool {
    matches!(f, TableFactor::Table { name, alias: None, .. }
        if name.0.len() == 1 && name.to_string().eq_ignore_ascii_case("DUAL"))
}

pub(super) fn table_source<'a>(
    env: &PlanEnv<'a>,
    f: &'a TableFactor,
) -> Result<Source<'a>, SqlError> {
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
