//! The expression compiler's entry and its names: dispatch on the AST node, resolve
//! identifiers to columns of the sources in scope (or enclosing queries' for correlated
//! subqueries) and compile subqueries through the planner.

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sqlparser::ast;

use super::super::errors;
use super::super::func::{self, Func};
use super::super::parse::OPERATOR_CHAIN_FACTOR;
use super::super::{SqlError, SqlType};

use super::literal::literal;
use super::operators::{boolean, cast_func, scalar_select};
use super::{Compiler, Expr, Source, SubPlan, Typed, LIKE_ESCAPE};

impl<'a> Compiler<'a> {
    pub fn new(sources: &'a [Source<'a>], sql: &'a str, db: &'a str, max_depth: usize) -> Self {
        Self {
            sources,
            sql,
            db,
            clause: "field list",
            aggs: None,
            aliases: &[],
            in_aggregate: false,
            env: None,
            outer: 0,
            depth: 0,
            max_depth: max_depth.saturating_mul(OPERATOR_CHAIN_FACTOR + 1),
        }
    }

    /// Compile an expression.
    pub fn compile(&mut self, e: &ast::Expr) -> Result<Typed, SqlError> {
        self.depth += 1;
        if self.depth > self.max_depth {
            self.depth -= 1;
            return Err(errors::too_deep(self.max_depth));
        }
        let r = self.compile_inner(e);
        self.depth -= 1;
        r
    }

    pub(super) fn compile_inner(&mut self, e: &ast::Expr) -> Result<Typed, SqlError> {
        use ast::Expr as A;
        Ok(match e {
            A::Nested(inner) => self.compile(inner)?,
            A::Value(v) => literal(&v.value)?,
            A::Identifier(id) => self.identifier(core::slice::from_ref(id))?,
            A::CompoundIdentifier(ids) => self.identifier(ids)?,
            A::BinaryOp { left, op, right } => self.binary(e, left, op, right)?,
            A::UnaryOp { op, expr } => self.unary(e, op, expr)?,
            A::IsNull(x) => boolean(Expr::IsNull(Box::new(self.compile(x)?.expr), false)),
            A::IsNotNull(x) => boolean(Expr::IsNull(Box::new(self.compile(x)?.expr), true)),
            A::IsTrue(x) => boolean(Expr::IsBool(Box::new(self.compile(x)?.expr), true, false)),
            A::IsNotTrue(x) => boolean(Expr::IsBool(Box::new(self.compile(x)?.expr), true, true)),
            A::IsFalse(x) => boolean(Expr::IsBool(Box::new(self.compile(x)?.expr), false, false)),
            A::IsNotFalse(x) => boolean(Expr::IsBool(Box::new(self.compile(x)?.expr), false, true)),
            A::Between {
                expr,
                negated,
                low,
                high,
            } => {
                let parts = [
                    self.compile(expr)?.expr,
                    self.compile(low)?.expr,
                    self.compile(high)?.expr,
                ];
                boolean(Expr::Between(Box::new(parts), *negated))
            }
            A::In {
                expr,
                target: ast::InTarget::List(list),
                negated,
                ..
            } => {
                let x = self.compile(expr)?.expr;
                let list = list
                    .iter()
                    .map(|i| self.compile(i).map(|t| t.expr))
                    .collect::<Result<Vec<_>, _>>()?;
                boolean(Expr::In(Box::new(x), list, *negated))
            }
            A::Like {
                negated,
                any: false,
                expr,
                pattern,
                escape_char,
            } => {
                let escape = match escape_char.as_deref() {
                    None => LIKE_ESCAPE,
                    Some(A::Value(v)) => match &v.value {
                        ast::Value::SingleQuotedString(s) if s.len() == 1 => {
                            s.as_bytes().first().copied().unwrap_or(LIKE_ESCAPE)
                        }
                        _ => return Err(errors::unsupported("this ESCAPE")),
                    },
                    Some(_) => return Err(errors::unsupported("this ESCAPE")),
                };
                let parts = [self.compile(expr)?.expr, self.compile(pattern)?.expr];
                boolean(Expr::Like(Box::new(parts), escape, *negated))
            }
            A::Case {
                operand,
                conditions,
                else_result,
                ..
            } => self.case(operand.as_deref(), conditions, else_result.as_deref())?,
            A::Function(f) => self.function(e, f)?,
            A::Ceil { expr, field } => self.ceil_floor(func::Func::Ceil, expr, field)?,
            A::Floor { expr, field } => self.ceil_floor(func::Func::Floor, expr, field)?,
            A::Substring {
                expr,
                substring_from,
                substring_for,
                ..
            } => {
                let mut args = Vec::from([self.compile(expr)?.expr]);
                if let Some(f) = substring_from {
                    args.push(self.compile(f)?.expr);
                }
                if let Some(f) = substring_for {
                    args.push(self.compile(f)?.expr);
                }
                func::typed(Func::Substring, args, &[])
            }
            A::Trim {
                expr,
                trim_where: None,
                trim_what: None,
                trim_characters: None,
            } => func::typed(Func::Trim, Vec::from([self.compile(expr)?.expr]), &[]),
            A::Cast {
                kind: ast::CastKind::Cast,
                expr,
                data_type,
                format: None,
            } => {
                let f = cast_func(data_type)
                    .ok_or_else(|| errors::unsupported(&alloc::format!("CAST AS {data_type}")))?;
                let x = self.compile(expr)?;
                func::typed(f, Vec::from([x.expr]), &[x.ty])
            }
            A::Subquery(q) if scalar_select(q).is_some() => {
                let inner = scalar_select(q).ok_or_else(|| errors::unsupported("subqueries"))?;
                self.compile(inner)?
            }
            A::Subquery(q) => {
                let sub = self.subquery(q, true)?;
                let meta = sub.plan.columns.first();
                let ty = meta.map_or(SqlType::VarChar(0), |m| m.sql_type);
                Typed {
                    expr: Expr::Subquery(Box::new(sub)),
                    ty,
                    nullable: true,
                }
            }
            A::Exists { subquery, negated } => {
                let sub = self.subquery(subquery, false)?;
                Typed {
                    expr: Expr::Exists(Box::new(sub), *negated),
                    ty: SqlType::BigInt,
                    nullable: false,
                }
            }
            A::In {
                expr,
                target: ast::InTarget::Subquery(q),
                negated,
                ..
            } => {
                let x = self.compile(expr)?.expr;
                let sub = self.subquery(q, true)?;
                boolean(Expr::InSubquery(Box::new(x), Box::new(sub), *negated))
            }
            A::In { .. } => return Err(errors::unsupported("this IN")),
            other => {
                let text = self.text_of(other);
                return Err(errors::unsupported(&text));
            }
        })
    }

    /// Plan a subquery over the sources in scope; `one_column`: used as a value.
    pub(super) fn subquery(
        &mut self,
        q: &ast::Query,
        one_column: bool,
    ) -> Result<SubPlan, SqlError> {
        let Some(env) = self.env else {
            return Err(errors::unsupported("subqueries here"));
        };
        if self.in_aggregate {
            return Err(errors::unsupported("subqueries in aggregates"));
        }
        let plan = super::super::plan::plan_query_in(env, q, self.sources)?;
        if one_column && plan.outputs.len() != 1 {
            return Err(errors::operand_columns(1));
        }
        let outer = self.sources.len();
        let outer_refs = super::super::plan::outer_refs(&plan, outer);
        Ok(SubPlan {
            plan,
            outer,
            outer_refs,
        })
    }

    /// The expression as written (for names and messages).
    pub fn text_of(&self, e: &ast::Expr) -> String {
        use sqlparser::ast::Spanned;
        super::super::parse::span_text(self.sql, e.span()).unwrap_or_else(|| e.to_string())
    }

    pub(super) fn identifier(&mut self, ids: &[ast::Ident]) -> Result<Typed, SqlError> {
        let first = ids.first().map(|i| i.value.as_str()).unwrap_or("");
        if let Some(var) = first.strip_prefix("@@") {
            let name = match ids {
                [_, rest]
                    if matches!(
                        var.to_ascii_lowercase().as_str(),
                        "session" | "global" | "local"
                    ) =>
                {
                    rest.value.to_ascii_lowercase()
                }
                [_] => var.to_ascii_lowercase(),
                _ => return Err(errors::unsupported("this variable name")),
            };
            let ty = super::super::admin::variable_type(&name);
            return Ok(Typed {
                expr: Expr::SysVar(name),
                ty,
                nullable: true,
            });
        }
        if let (Some(var), [_]) = (first.strip_prefix('@'), ids) {
            return Ok(Typed {
                expr: Expr::UserVar(var.to_ascii_lowercase()),
                ty: SqlType::Text,
                nullable: true,
            });
        }
        if let [id] = ids {
            if id.quote_style.is_none() && id.value.eq_ignore_ascii_case("CURRENT_USER") {
                return Ok(func::typed(Func::User, Vec::new(), &[]));
            }
        }
        self.column(ids)
    }

    /// Resolve a column reference (`c`, `t.c`, `db.t.c`).
    pub(super) fn column(&mut self, ids: &[ast::Ident]) -> Result<Typed, SqlError> {
        let full = ids
            .iter()
            .map(|i| i.value.as_str())
            .collect::<Vec<_>>()
            .join(".");
        let (db, table, name) = match ids {
            [c] => (None, None, c.value.as_str()),
            [t, c] => (None, Some(t.value.as_str()), c.value.as_str()),
            [d, t, c] => (
                Some(d.value.as_str()),
                Some(t.value.as_str()),
                c.value.as_str(),
            ),
            _ => return Err(errors::unknown_column(&full, self.clause)),
        };
        if table.is_none() {
            if let Some((_, idx, ty)) = self
                .aliases
                .iter()
                .find(|(a, _, _)| a.eq_ignore_ascii_case(name))
            {
                return Ok(Typed {
                    expr: Expr::Output(*idx),
                    ty: *ty,
                    nullable: true,
                });
            }
        }
        let mut found: Option<(usize, usize)> = None;
        // The query's own sources first, then the enclosing queries'.
        let outer = self.outer.min(self.sources.len());
        for range in [outer..self.sources.len(), 0..outer] {
            for si in range {
                let Some(s) = self.sources.get(si) else {
                    continue;
                };
                if let Some(t) = table {
                    if s.alias != t {
                        continue;
                    }
                }
                if let Some(d) = db {
                    if s.table.db != d {
                        continue;
                    }
                }
                if let Some(ci) = s.table.column_index(name) {
                    if found.is_some() {
                        return Err(errors::ambiguous_column(name, self.clause));
                    }
                    found = Some((si, ci));
                }
            }
            if found.is_some() {
                break;
            }
        }
        let Some((si, ci)) = found else {
            return Err(errors::unknown_column(&full, self.clause));
        };
        let col = self
            .sources
            .get(si)
            .and_then(|s| s.table.columns.get(ci))
            .ok_or_else(|| errors::unknown_column(&full, self.clause))?;
        Ok(Typed {
            expr: Expr::Col(si, ci),
            ty: col.ty,
            nullable: col.nullable,
        })
    }
}
