//! What a SELECT returns and how it is grouped and cut: `*` expansion, the metadata of
//! each result column, GROUP BY items (positions, aliases) and LIMIT/OFFSET expressions.
//! Calls the expression compiler only.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sqlparser::ast::{self as ast, LimitClause};

use super::super::errors;
use super::super::expr::{Compiler, Expr, Source};
use super::super::{ColumnMeta, SqlError, SqlType};

use super::select::compiler;
use super::PlanEnv;

/// `*` or `t.*`: every column of a source.
pub(super) fn star(
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
    let in_index = |pred: &dyn Fn(&super::super::table::IndexDef) -> bool| {
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

pub(super) fn expr_meta(
    sources: &[Source<'_>],
    e: &Expr,
    ty: SqlType,
    nullable: bool,
) -> ColumnMeta {
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
pub(super) fn expr_name(c: &Compiler<'_>, e: &ast::Expr) -> String {
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
pub(super) fn same_column(a: &Expr, b: &Expr) -> bool {
    matches!((a, b), (Expr::Col(s1, c1), Expr::Col(s2, c2)) if s1 == s2 && c1 == c2)
}

/// A positive integer literal (ORDER BY / GROUP BY position).
pub(super) fn position(e: &ast::Expr) -> Option<usize> {
    match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Number(n, _) => n.parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

pub(super) fn group_expr(
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

pub(super) fn limit_exprs(
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
