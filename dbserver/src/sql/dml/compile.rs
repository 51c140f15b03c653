//! Compiling INSERT, UPDATE and DELETE into plans: target columns, VALUES rows,
//! assignments, and the search (a single-table [`SelectPlan`]) an UPDATE or DELETE runs.
//! Calls down into the planner ([`plan`]) and the expression compiler ([`Compiler`]).

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sqlparser::ast::{self as ast, AssignmentTarget, FromTable, SetExpr, TableObject};

use super::super::errors;
use super::super::expr::{Compiler, Expr, Source};
use super::super::plan::{self, PlanEnv};
use super::super::SqlError;
use super::{default_of, DeletePlan, InsertPlan, InsertSource, UpdatePlan};

pub(super) fn compile_insert(env: &PlanEnv<'_>, i: &ast::Insert) -> Result<InsertPlan, SqlError> {
    if i.ignore || i.replace_into || i.on.is_some() || i.returning.is_some() {
        return Err(errors::unsupported(
            "INSERT IGNORE, REPLACE and ON DUPLICATE KEY",
        ));
    }
    let TableObject::TableName(name) = &i.table else {
        return Err(errors::unsupported("INSERT INTO TABLE FUNCTION"));
    };
    let table = plan::resolve_table(env.catalog, env.session, name)?;
    let db = env.session.database().unwrap_or("");
    let mut c = Compiler::new(&[], env.sql, db, env.max_depth);
    let column = |n: &str| {
        table
            .column_index(n)
            .ok_or_else(|| errors::unknown_column(n, "field list"))
    };
    if !i.assignments.is_empty() {
        let mut targets = Vec::new();
        let mut row = Vec::new();
        for a in &i.assignments {
            let AssignmentTarget::ColumnName(n) = &a.target else {
                return Err(errors::unsupported("tuple assignment"));
            };
            targets.push(column(&last_part(n))?);
            row.push(value_expr(&mut c, &a.value)?);
        }
        return Ok(InsertPlan {
            table: table.id,
            targets,
            source: InsertSource::Values(Vec::from([row])),
        });
    }
    let targets: Vec<usize> = if i.columns.is_empty() {
        (0..table.columns.len()).collect()
    } else {
        i.columns
            .iter()
            .map(|n| column(&last_part(n)))
            .collect::<Result<_, _>>()?
    };
    let Some(source) = &i.source else {
        return Err(errors::syntax("", 1));
    };
    let SetExpr::Values(values) = source.body.as_ref() else {
        let select = plan::plan_query(env, source)?;
        if select.outputs.len() != targets.len() {
            return Err(errors::column_count_mismatch(1));
        }
        return Ok(InsertPlan {
            table: table.id,
            targets,
            source: InsertSource::Select(Box::new(select)),
        });
    };
    let mut rows = Vec::with_capacity(values.rows.len());
    for (n, r) in values.rows.iter().enumerate() {
        let empty_ok = r.content.is_empty() && i.columns.is_empty();
        if r.content.len() != targets.len() && !empty_ok {
            return Err(errors::column_count_mismatch(n as u64 + 1));
        }
        let row = r
            .content
            .iter()
            .map(|e| value_expr(&mut c, e))
            .collect::<Result<Vec<_>, _>>()?;
        rows.push(row);
    }
    Ok(InsertPlan {
        table: table.id,
        targets: if rows.iter().all(Vec::is_empty) {
            Vec::new()
        } else {
            targets
        },
        source: InsertSource::Values(rows),
    })
}

/// A VALUES item: an expression without columns, or DEFAULT.
pub(super) fn value_expr(c: &mut Compiler<'_>, e: &ast::Expr) -> Result<Option<Expr>, SqlError> {
    if let ast::Expr::Identifier(id) = e {
        if id.quote_style.is_none() && id.value.eq_ignore_ascii_case("DEFAULT") {
            return Ok(None);
        }
    }
    Ok(Some(c.compile(e)?.expr))
}

pub(super) fn last_part(n: &ast::ObjectName) -> String {
    match n.0.last() {
        Some(ast::ObjectNamePart::Identifier(i)) => i.value.clone(),
        _ => n.to_string(),
    }
}

pub(super) fn compile_update(env: &PlanEnv<'_>, u: &ast::Update) -> Result<UpdatePlan, SqlError> {
    if !u.table.joins.is_empty() || u.from.is_some() || u.returning.is_some() {
        return Err(errors::unsupported("multi-table UPDATE"));
    }
    let search = plan::plan_single(
        env,
        &u.table.relation,
        u.selection.as_ref(),
        &u.order_by,
        u.limit.as_ref(),
    )?;
    let ast::TableFactor::Table { name, alias, .. } = &u.table.relation else {
        return Err(errors::unsupported("UPDATE of a derived table"));
    };
    let table = plan::resolve_table(env.catalog, env.session, name)?;
    let alias = alias
        .as_ref()
        .map_or(table.name.as_str(), |a| a.name.value.as_str());
    let sources = [Source { alias, table }];
    let db = env.session.database().unwrap_or("");
    let mut c = Compiler::new(&sources, env.sql, db, env.max_depth);
    let mut assignments = Vec::new();
    for a in &u.assignments {
        let AssignmentTarget::ColumnName(n) = &a.target else {
            return Err(errors::unsupported("tuple assignment"));
        };
        let name = last_part(n);
        let col = table
            .column_index(&name)
            .ok_or_else(|| errors::unknown_column(&name, "field list"))?;
        let e = match value_expr(&mut c, &a.value)? {
            Some(e) => e,
            None => Expr::Lit(default_of(table.columns.get(col))),
        };
        assignments.push((col, e));
    }
    Ok(UpdatePlan {
        search,
        table: table.id,
        assignments,
    })
}

pub(super) fn compile_delete(env: &PlanEnv<'_>, d: &ast::Delete) -> Result<DeletePlan, SqlError> {
    let from = match &d.from {
        FromTable::WithFromKeyword(f) | FromTable::WithoutKeyword(f) => f,
    };
    let [twj] = from.as_slice() else {
        return Err(errors::unsupported("multi-table DELETE"));
    };
    if !d.tables.is_empty() || d.using.is_some() || !twj.joins.is_empty() {
        return Err(errors::unsupported("multi-table DELETE"));
    }
    let search = plan::plan_single(
        env,
        &twj.relation,
        d.selection.as_ref(),
        &d.order_by,
        d.limit.as_ref(),
    )?;
    let table = search
        .levels
        .first()
        .map(|l| l.table)
        .ok_or_else(|| errors::syntax("", 1))?;
    Ok(DeletePlan { search, table })
}
