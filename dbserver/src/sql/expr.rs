//! Compiled expressions: sqlparser's AST resolved against the tables of a statement
//! (column references become positions), with result types inferred for metadata.
//! Compilation recursion follows the AST, whose depth [`super::parse`] bounded.

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sqlparser::ast::{
    self as ast, BinaryOperator, DuplicateTreatment, FunctionArg, FunctionArgExpr,
    FunctionArguments, UnaryOperator,
};

use super::errors;
use super::func::{self, Func};
use super::parse::OPERATOR_CHAIN_FACTOR;
use super::table::Table;
use super::value::{parse_decimal_literal, DIV_PRECISION_INCREMENT, MAX_DECIMAL_SCALE};
use super::{SqlError, SqlType, Value};

/// Precision reported for DECIMAL results whose precision we do not track.
pub const DECIMAL_RESULT_PRECISION: u8 = 65;
/// Precision of SUM over integers (MySQL: the argument's plus 22, capped).
pub const SUM_INT_PRECISION: u8 = 32;
/// Default escape character of LIKE.
pub const LIKE_ESCAPE: u8 = b'\\';

/// Arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    IntDiv,
    Mod,
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `<=>`: NULL-safe equality.
    NullSafeEq,
}

/// Logical connectives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogicOp {
    And,
    Or,
    Xor,
}

/// Aggregate functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggKind {
    CountStar,
    Count,
    Sum,
    Avg,
    Min,
    Max,
}

/// One aggregate of a query: evaluated per group, referenced as [`Expr::Agg`].
#[derive(Clone, Debug)]
pub struct AggSpec {
    pub kind: AggKind,
    pub arg: Option<Expr>,
    pub distinct: bool,
    /// Type of the argument (decides the result type of SUM/AVG).
    pub arg_type: SqlType,
}

/// A compiled expression.
#[derive(Clone, Debug)]
pub enum Expr {
    Lit(Value),
    /// The n-th `?` (0-based).
    Param(usize),
    /// Column `col` of the row of source `src`.
    Col(usize, usize),
    /// The n-th aggregate of the group.
    Agg(usize),
    /// The n-th output column of the current result row (ORDER BY alias or position).
    Output(usize),
    /// `@@name`: a system variable, read from the session at run time.
    SysVar(String),
    /// `@name`: a user variable.
    UserVar(String),
    Neg(Box<Expr>, Box<str>),
    Not(Box<Expr>),
    /// Operation, operands, and its text (for 1690 messages).
    Arith(ArithOp, Box<[Expr; 2]>, Box<str>),
    Cmp(CmpOp, Box<[Expr; 2]>),
    Logic(LogicOp, Box<[Expr; 2]>),
    IsNull(Box<Expr>, bool),
    /// `IS [NOT] TRUE/FALSE`: (expr, wanted truth, negated).
    IsBool(Box<Expr>, bool, bool),
    Between(Box<[Expr; 3]>, bool),
    In(Box<Expr>, Vec<Expr>, bool),
    Like(Box<[Expr; 2]>, u8, bool),
    Case(Option<Box<Expr>>, Vec<(Expr, Expr)>, Option<Box<Expr>>),
    Func(Func, Vec<Expr>),
    /// A scalar subquery `(SELECT ...)`: its one value (NULL without rows, 1242 with more).
    Subquery(Box<SubPlan>),
    /// `[NOT] EXISTS (SELECT ...)`.
    Exists(Box<SubPlan>, bool),
    /// `x [NOT] IN (SELECT ...)`.
    InSubquery(Box<Expr>, Box<SubPlan>, bool),
}

/// A compiled subquery. Its plan's first `outer` sources are the enclosing query's (bound
/// to the enclosing row when it runs); `outer_refs` are those it reads (0: uncorrelated,
/// evaluated once per statement execution).
#[derive(Clone, Debug)]
pub struct SubPlan {
    pub plan: super::plan::SelectPlan,
    pub outer: usize,
    pub outer_refs: u64,
}

/// A compiled expression with its inferred type.
#[derive(Clone, Debug)]
pub struct Typed {
    pub expr: Expr,
    pub ty: SqlType,
    pub nullable: bool,
}

/// One table of a statement, as expressions see it.
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    /// The name the query uses: the alias, or the table name.
    pub alias: &'a str,
    pub table: &'a Table,
}

/// What compilation needs: the tables in scope, the statement text, where aggregates go.
pub struct Compiler<'a> {
    pub sources: &'a [Source<'a>],
    /// The statement's text (expression names, error messages).
    pub sql: &'a str,
    /// The current database (1305 messages).
    pub db: &'a str,
    /// Clause named in 1054 messages ("field list", "where clause", ...).
    pub clause: &'static str,
    /// Aggregates found so far; None where aggregates are not allowed.
    pub aggs: Option<&'a mut Vec<AggSpec>>,
    /// Output columns an identifier may name (alias, index) before table columns.
    pub aliases: &'a [(String, usize, SqlType)],
    /// Inside an aggregate's argument (nested aggregates are an error).
    in_aggregate: bool,
    /// Planning environment for subqueries (None: subqueries are refused here).
    pub env: Option<&'a super::plan::PlanEnv<'a>>,
    /// The first `outer` sources belong to enclosing queries (searched after the others).
    pub outer: usize,
    depth: usize,
    max_depth: usize,
}

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

    fn compile_inner(&mut self, e: &ast::Expr) -> Result<Typed, SqlError> {
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
    fn subquery(&mut self, q: &ast::Query, one_column: bool) -> Result<SubPlan, SqlError> {
        let Some(env) = self.env else {
            return Err(errors::unsupported("subqueries here"));
        };
        if self.in_aggregate {
            return Err(errors::unsupported("subqueries in aggregates"));
        }
        let plan = super::plan::plan_query_in(env, q, self.sources)?;
        if one_column && plan.outputs.len() != 1 {
            return Err(errors::operand_columns(1));
        }
        let outer = self.sources.len();
        let outer_refs = super::plan::outer_refs(&plan, outer);
        Ok(SubPlan {
            plan,
            outer,
            outer_refs,
        })
    }

    /// The expression as written (for names and messages).
    pub fn text_of(&self, e: &ast::Expr) -> String {
        use sqlparser::ast::Spanned;
        super::parse::span_text(self.sql, e.span()).unwrap_or_else(|| e.to_string())
    }

    fn identifier(&mut self, ids: &[ast::Ident]) -> Result<Typed, SqlError> {
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
            let ty = super::admin::variable_type(&name);
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
    fn column(&mut self, ids: &[ast::Ident]) -> Result<Typed, SqlError> {
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

    fn binary(
        &mut self,
        whole: &ast::Expr,
        left: &ast::Expr,
        op: &BinaryOperator,
        right: &ast::Expr,
    ) -> Result<Typed, SqlError> {
        use BinaryOperator as B;
        let l = self.compile(left)?;
        let r = self.compile(right)?;
        let both = Box::new([l.expr, r.expr]);
        let arith = |op: ArithOp, this: &Self| {
            let ty = arith_type(op, l.ty, r.ty);
            let text = alloc::format!("({})", this.text_of(whole));
            Typed {
                expr: Expr::Arith(op, both.clone(), text.into_boxed_str()),
                ty,
                nullable: true,
            }
        };
        Ok(match op {
            B::Plus => arith(ArithOp::Add, self),
            B::Minus => arith(ArithOp::Sub, self),
            B::Multiply => arith(ArithOp::Mul, self),
            B::Divide => arith(ArithOp::Div, self),
            B::MyIntegerDivide => arith(ArithOp::IntDiv, self),
            B::Modulo => arith(ArithOp::Mod, self),
            B::Eq => boolean(Expr::Cmp(CmpOp::Eq, both)),
            B::NotEq => boolean(Expr::Cmp(CmpOp::Ne, both)),
            B::Lt => boolean(Expr::Cmp(CmpOp::Lt, both)),
            B::LtEq => boolean(Expr::Cmp(CmpOp::Le, both)),
            B::Gt => boolean(Expr::Cmp(CmpOp::Gt, both)),
            B::GtEq => boolean(Expr::Cmp(CmpOp::Ge, both)),
            B::Spaceship => Typed {
                expr: Expr::Cmp(CmpOp::NullSafeEq, both),
                ty: SqlType::BigInt,
                nullable: false,
            },
            B::And => boolean(Expr::Logic(LogicOp::And, both)),
            B::Or => boolean(Expr::Logic(LogicOp::Or, both)),
            B::Xor => boolean(Expr::Logic(LogicOp::Xor, both)),
            other => return Err(errors::unsupported(&other.to_string())),
        })
    }

    fn unary(
        &mut self,
        whole: &ast::Expr,
        op: &UnaryOperator,
        inner: &ast::Expr,
    ) -> Result<Typed, SqlError> {
        let x = self.compile(inner)?;
        Ok(match op {
            UnaryOperator::Plus => x,
            UnaryOperator::Minus => {
                // A negative literal stays a literal (so -9223372036854775808 is a BIGINT).
                if let Expr::Lit(v) = &x.expr {
                    if let Some(neg) = negate_literal(v) {
                        return Ok(Typed {
                            expr: Expr::Lit(neg),
                            ..x
                        });
                    }
                }
                let text = alloc::format!("-({})", self.text_of(inner));
                let _ = whole;
                Typed {
                    ty: match x.ty {
                        SqlType::Char(_) | SqlType::VarChar(_) | SqlType::Text => SqlType::Double,
                        t => t,
                    },
                    expr: Expr::Neg(Box::new(x.expr), text.into_boxed_str()),
                    nullable: x.nullable,
                }
            }
            UnaryOperator::Not | UnaryOperator::BangNot => boolean(Expr::Not(Box::new(x.expr))),
            other => return Err(errors::unsupported(&other.to_string())),
        })
    }

    fn case(
        &mut self,
        operand: Option<&ast::Expr>,
        conditions: &[ast::CaseWhen],
        else_result: Option<&ast::Expr>,
    ) -> Result<Typed, SqlError> {
        let operand = match operand {
            Some(o) => Some(Box::new(self.compile(o)?.expr)),
            None => None,
        };
        let mut arms = Vec::with_capacity(conditions.len());
        let mut types = Vec::new();
        for w in conditions {
            let c = self.compile(&w.condition)?.expr;
            let r = self.compile(&w.result)?;
            types.push(r.ty);
            arms.push((c, r.expr));
        }
        let else_ = match else_result {
            Some(e) => {
                let t = self.compile(e)?;
                types.push(t.ty);
                Some(Box::new(t.expr))
            }
            None => None,
        };
        Ok(Typed {
            expr: Expr::Case(operand, arms, else_),
            ty: unify_types(&types),
            nullable: true,
        })
    }

    fn ceil_floor(
        &mut self,
        f: Func,
        expr: &ast::Expr,
        field: &ast::CeilFloorKind,
    ) -> Result<Typed, SqlError> {
        match field {
            ast::CeilFloorKind::DateTimeField(ast::DateTimeField::NoDateTime) => {}
            _ => return Err(errors::unsupported("CEIL/FLOOR with a scale")),
        }
        let x = self.compile(expr)?;
        Ok(func::typed(f, Vec::from([x.expr]), &[x.ty]))
    }

    fn function(&mut self, whole: &ast::Expr, f: &ast::Function) -> Result<Typed, SqlError> {
        let name = match f.name.0.as_slice() {
            [ast::ObjectNamePart::Identifier(id)] => id.value.to_ascii_uppercase(),
            _ => return Err(errors::unsupported(&f.name.to_string())),
        };
        if f.over.is_some() || f.filter.is_some() || !f.within_group.is_empty() {
            return Err(errors::unsupported(&self.text_of(whole)));
        }
        let (args, distinct) = match &f.args {
            FunctionArguments::None => (Vec::new(), false),
            FunctionArguments::List(l) => {
                if !l.clauses.is_empty() {
                    return Err(errors::unsupported(&self.text_of(whole)));
                }
                let distinct = matches!(l.duplicate_treatment, Some(DuplicateTreatment::Distinct));
                (l.args.iter().collect::<Vec<_>>(), distinct)
            }
            FunctionArguments::Subquery(_) => return Err(errors::unsupported("subqueries")),
        };
        if let Some(kind) = aggregate_kind(&name) {
            return self.aggregate(kind, &name, &args, distinct);
        }
        if distinct {
            return Err(errors::syntax(&self.text_of(whole), 1));
        }
        if Func::needs_clock(&name) {
            return Err(errors::unsupported(&alloc::format!("{name}()")));
        }
        let Some(func) = Func::by_name(&name) else {
            return Err(errors::no_such_function(self.db, &f.name.to_string()));
        };
        let mut compiled = Vec::with_capacity(args.len());
        let mut types = Vec::with_capacity(args.len());
        for a in args {
            let FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) = a else {
                return Err(errors::unsupported(&self.text_of(whole)));
            };
            let t = self.compile(e)?;
            types.push(t.ty);
            compiled.push(t.expr);
        }
        func.check_arity(compiled.len(), &name)?;
        Ok(func::typed(func, compiled, &types))
    }

    fn aggregate(
        &mut self,
        kind: AggKind,
        name: &str,
        args: &[&FunctionArg],
        distinct: bool,
    ) -> Result<Typed, SqlError> {
        if self.aggs.is_none() || self.in_aggregate {
            return Err(errors::invalid_group_function());
        }
        let (kind, arg, arg_type) = match (kind, args) {
            (AggKind::Count, [FunctionArg::Unnamed(FunctionArgExpr::Wildcard)]) if !distinct => {
                (AggKind::CountStar, None, SqlType::BigInt)
            }
            (_, [FunctionArg::Unnamed(FunctionArgExpr::Expr(e))]) => {
                self.in_aggregate = true;
                let t = self.compile(e);
                self.in_aggregate = false;
                let t = t?;
                (kind, Some(t.expr), t.ty)
            }
            _ => return Err(errors::wrong_arg_count(name)),
        };
        let ty = agg_type(kind, arg_type);
        let Some(aggs) = self.aggs.as_deref_mut() else {
            return Err(errors::invalid_group_function());
        };
        aggs.push(AggSpec {
            kind,
            arg,
            distinct,
            arg_type,
        });
        Ok(Typed {
            expr: Expr::Agg(aggs.len() - 1),
            ty,
            nullable: !matches!(kind, AggKind::Count | AggKind::CountStar),
        })
    }
}

/// The function a CAST target type maps to.
fn cast_func(t: &ast::DataType) -> Option<Func> {
    use ast::DataType as D;
    Some(match t {
        D::Signed | D::SignedInteger | D::Int(_) | D::Integer(_) | D::BigInt(_) => Func::CastSigned,
        D::Unsigned | D::UnsignedInteger => Func::CastUnsigned,
        D::Char(_) | D::Varchar(_) | D::Text | D::Binary(_) => Func::CastChar,
        D::Double(_) | D::DoublePrecision | D::Float(_) | D::Real => Func::CastDouble,
        D::Decimal(info) | D::Numeric(info) | D::Dec(info) => {
            let (p, s) = match info {
                ast::ExactNumberInfo::None => (10, 0),
                ast::ExactNumberInfo::Precision(p) => (*p, 0),
                ast::ExactNumberInfo::PrecisionAndScale(p, s) => (*p, u64::try_from(*s).ok()?),
            };
            let scale = u8::try_from(s).ok().filter(|s| *s <= MAX_DECIMAL_SCALE)?;
            Func::CastDecimal(u8::try_from(p).ok()?.min(DECIMAL_RESULT_PRECISION), scale)
        }
        _ => return None,
    })
}

/// The expression of `(SELECT expr)` without FROM or other clauses (a constant
/// subquery, e.g. `SET sql_mode = (SELECT CONCAT(@@sql_mode, ',X'))`).
fn scalar_select(q: &ast::Query) -> Option<&ast::Expr> {
    let ast::SetExpr::Select(s) = q.body.as_ref() else {
        return None;
    };
    let plain = q.with.is_none()
        && q.order_by.is_none()
        && q.limit_clause.is_none()
        && s.from.is_empty()
        && s.selection.is_none()
        && s.having.is_none()
        && s.distinct.is_none()
        && matches!(&s.group_by, ast::GroupByExpr::Expressions(g, m) if g.is_empty() && m.is_empty());
    match s.projection.as_slice() {
        [ast::SelectItem::UnnamedExpr(e) | ast::SelectItem::ExprWithAlias { expr: e, .. }]
            if plain =>
        {
            Some(e)
        }
        _ => None,
    }
}

/// A boolean-valued expression (MySQL types them as BIGINT 0/1).
fn boolean(expr: Expr) -> Typed {
    Typed {
        expr,
        ty: SqlType::BigInt,
        nullable: true,
    }
}

fn aggregate_kind(name: &str) -> Option<AggKind> {
    Some(match name {
        "COUNT" => AggKind::Count,
        "SUM" => AggKind::Sum,
        "AVG" => AggKind::Avg,
        "MIN" => AggKind::Min,
        "MAX" => AggKind::Max,
        _ => return None,
    })
}

/// Result type of an aggregate over an argument of type `arg`.
pub fn agg_type(kind: AggKind, arg: SqlType) -> SqlType {
    match kind {
        AggKind::Count | AggKind::CountStar => SqlType::BigInt,
        AggKind::Min | AggKind::Max => arg,
        AggKind::Sum => match arg {
            t if is_integer(t) => SqlType::Decimal {
                precision: SUM_INT_PRECISION,
                scale: 0,
            },
            SqlType::Decimal { scale, .. } => SqlType::Decimal {
                precision: DECIMAL_RESULT_PRECISION,
                scale,
            },
            _ => SqlType::Double,
        },
        AggKind::Avg => match arg {
            t if is_integer(t) => SqlType::Decimal {
                precision: DECIMAL_RESULT_PRECISION,
                scale: DIV_PRECISION_INCREMENT,
            },
            SqlType::Decimal { scale, .. } => SqlType::Decimal {
                precision: DECIMAL_RESULT_PRECISION,
                scale: (scale + DIV_PRECISION_INCREMENT).min(MAX_DECIMAL_SCALE),
            },
            _ => SqlType::Double,
        },
    }
}

pub fn is_integer(t: SqlType) -> bool {
    matches!(
        t,
        SqlType::TinyInt | SqlType::SmallInt | SqlType::Int | SqlType::BigInt
    )
}

pub fn is_text(t: SqlType) -> bool {
    matches!(t, SqlType::Char(_) | SqlType::VarChar(_) | SqlType::Text)
}

fn scale_of(t: SqlType) -> u8 {
    match t {
        SqlType::Decimal { scale, .. } => scale,
        _ => 0,
    }
}

/// Result type of arithmetic.
fn arith_type(op: ArithOp, l: SqlType, r: SqlType) -> SqlType {
    let floating = |t: SqlType| matches!(t, SqlType::Double | SqlType::Float) || is_text(t);
    if op == ArithOp::IntDiv {
        return SqlType::BigInt;
    }
    if floating(l) || floating(r) {
        return SqlType::Double;
    }
    let (sl, sr) = (scale_of(l), scale_of(r));
    let scale = match op {
        ArithOp::Div => (sl + DIV_PRECISION_INCREMENT).min(MAX_DECIMAL_SCALE),
        ArithOp::Mul => (sl + sr).min(MAX_DECIMAL_SCALE),
        _ => sl.max(sr),
    };
    if op != ArithOp::Div && is_integer(l) && is_integer(r) {
        return SqlType::BigInt;
    }
    SqlType::Decimal {
        precision: DECIMAL_RESULT_PRECISION,
        scale,
    }
}

/// One type for the branches of CASE/IF/COALESCE.
pub fn unify_types(types: &[SqlType]) -> SqlType {
    let mut out: Option<SqlType> = None;
    for t in types {
        out = Some(match (out, *t) {
            (None, t) => t,
            (Some(a), b) if a == b => a,
            (Some(a), b) if is_text(a) || is_text(b) => SqlType::Text,
            (Some(a), b) if is_integer(a) && is_integer(b) => SqlType::BigInt,
            (Some(SqlType::Double | SqlType::Float), _) | (_, SqlType::Double | SqlType::Float) => {
                SqlType::Double
            }
            (Some(a), b) => SqlType::Decimal {
                precision: DECIMAL_RESULT_PRECISION,
                scale: scale_of(a).max(scale_of(b)),
            },
        });
    }
    out.unwrap_or(SqlType::VarChar(0))
}

/// A literal of the AST.
pub fn literal(v: &ast::Value) -> Result<Typed, SqlError> {
    use ast::Value as V;
    let (value, ty) = match v {
        V::Number(n, _) => number_literal(n),
        V::SingleQuotedString(s) | V::DoubleQuotedString(s) | V::NationalStringLiteral(s) => {
            let chars = u32::try_from(s.chars().count()).unwrap_or(u32::MAX);
            (Value::Text(s.as_bytes().to_vec()), SqlType::VarChar(chars))
        }
        V::HexStringLiteral(h) => {
            let bytes = hex_bytes(h).ok_or_else(|| errors::syntax(h, 1))?;
            let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
            (Value::Text(bytes), SqlType::VarChar(len))
        }
        V::Boolean(b) => (Value::Int(i64::from(*b)), SqlType::BigInt),
        V::Null => (Value::Null, SqlType::VarChar(0)),
        V::Placeholder(p) => {
            let n = p
                .strip_prefix('?')
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| n.checked_sub(1))
                .ok_or_else(|| errors::syntax(p, 1))?;
            return Ok(Typed {
                expr: Expr::Param(n),
                ty: SqlType::VarChar(0),
                nullable: true,
            });
        }
        other => return Err(errors::unsupported(&other.to_string())),
    };
    Ok(Typed {
        nullable: value.is_null(),
        expr: Expr::Lit(value),
        ty,
    })
}

/// A numeric literal: integer if it fits, exact decimal if it has a point, else double.
pub fn number_literal(n: &str) -> (Value, SqlType) {
    if let Ok(i) = n.parse::<i64>() {
        return (Value::Int(i), SqlType::BigInt);
    }
    if !n.contains(['e', 'E']) {
        if let Some((mantissa, scale)) = parse_decimal_literal(n) {
            let digits = u8::try_from(n.len()).unwrap_or(DECIMAL_RESULT_PRECISION);
            return (
                Value::Decimal { mantissa, scale },
                SqlType::Decimal {
                    precision: digits.min(DECIMAL_RESULT_PRECISION),
                    scale,
                },
            );
        }
    }
    (
        Value::Double(n.parse::<f64>().unwrap_or(0.0)),
        SqlType::Double,
    )
}

fn negate_literal(v: &Value) -> Option<Value> {
    match v {
        Value::Int(i) => i.checked_neg().map(Value::Int),
        Value::Double(d) => Some(Value::Double(-d)),
        Value::Decimal { mantissa, scale } => {
            if *scale == 0 && *mantissa == i128::from(i64::MAX) + 1 {
                return Some(Value::Int(i64::MIN));
            }
            Some(Value::Decimal {
                mantissa: -mantissa,
                scale: *scale,
            })
        }
        _ => None,
    }
}

fn hex_bytes(h: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = h
        .bytes()
        .map(|b| (b as char).to_digit(16).map(|d| d as u8))
        .collect::<Option<_>>()?;
    let padded: Vec<u8> = if digits.len() % 2 == 1 {
        core::iter::once(0).chain(digits).collect()
    } else {
        digits
    };
    Some(
        padded
            .chunks(2)
            .map(|c| c.iter().fold(0u8, |a, d| a * 16 + d))
            .collect(),
    )
}

/// The columns an expression reads: a bit per source (sources beyond 63 share bit 63).
pub fn sources_used(e: &Expr) -> u64 {
    let mut mask = 0u64;
    visit(e, &mut |x| match x {
        Expr::Col(s, _) => mask |= 1u64 << (*s).min(63),
        Expr::Subquery(sub) | Expr::Exists(sub, _) | Expr::InSubquery(_, sub, _) => {
            mask |= sub.outer_refs
        }
        _ => {}
    });
    mask
}

/// Whether an expression contains an aggregate, output reference or parameter.
pub fn has_agg(e: &Expr) -> bool {
    let mut found = false;
    visit(e, &mut |x| {
        if matches!(x, Expr::Agg(_) | Expr::Output(_)) {
            found = true;
        }
    });
    found
}

/// Call `f` on every node (recursion bounded by the compiled depth).
pub fn visit(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(e);
    match e {
        Expr::Neg(x, _) | Expr::Not(x) | Expr::IsNull(x, _) | Expr::IsBool(x, _, _) => visit(x, f),
        Expr::Arith(_, xs, _) | Expr::Cmp(_, xs) | Expr::Logic(_, xs) | Expr::Like(xs, _, _) => {
            xs.iter().for_each(|x| visit(x, f))
        }
        Expr::Between(xs, _) => xs.iter().for_each(|x| visit(x, f)),
        Expr::In(x, list, _) => {
            visit(x, f);
            list.iter().for_each(|x| visit(x, f));
        }
        Expr::Case(op, arms, else_) => {
            if let Some(o) = op {
                visit(o, f);
            }
            for (c, r) in arms {
                visit(c, f);
                visit(r, f);
            }
            if let Some(x) = else_ {
                visit(x, f);
            }
        }
        Expr::Func(_, args) => args.iter().for_each(|x| visit(x, f)),
        // A subquery's own expressions belong to its plan (see `SubPlan::outer_refs`).
        Expr::InSubquery(x, _, _) => visit(x, f),
        Expr::Subquery(_) | Expr::Exists(..) => {}
        Expr::Lit(_)
        | Expr::Param(_)
        | Expr::Col(..)
        | Expr::Agg(_)
        | Expr::Output(_)
        | Expr::SysVar(_)
        | Expr::UserVar(_) => {}
    }
}

/// Split a condition into its AND-ed parts.
pub fn conjuncts(e: Expr, out: &mut Vec<Expr>) {
    let mut stack = Vec::from([e]);
    while let Some(e) = stack.pop() {
        match e {
            Expr::Logic(LogicOp::And, both) => {
                let [a, b] = *both;
                stack.push(b);
                stack.push(a);
            }
            other => out.push(other),
        }
    }
}
