//! Compiling operators and calls: arithmetic, comparison and logic, CASE, CAST and the
//! scalar functions ([`super::super::func`]), and aggregates (collected into the
//! compiler's aggregate list).

use alloc::boxed::Box;
use alloc::string::ToString;
use alloc::vec::Vec;

use sqlparser::ast::{
    self as ast, BinaryOperator, DuplicateTreatment, FunctionArg, FunctionArgExpr,
    FunctionArguments, UnaryOperator,
};

use super::super::errors;
use super::super::func::{self, Func};
use super::super::value::MAX_DECIMAL_SCALE;
use super::super::{SqlError, SqlType};

use super::literal::negate_literal;
use super::types::{agg_type, arith_type, unify_types};
use super::{
    AggKind, AggSpec, ArithOp, CmpOp, Compiler, Expr, LogicOp, Typed, DECIMAL_RESULT_PRECISION,
};

impl<'a> Compiler<'a> {
    pub(super) fn binary(
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

    pub(super) fn unary(
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

    pub(super) fn case(
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

    pub(super) fn ceil_floor(
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

    pub(super) fn function(
        &mut self,
        whole: &ast::Expr,
        f: &ast::Function,
    ) -> Result<Typed, SqlError> {
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

    pub(super) fn aggregate(
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
pub(super) fn cast_func(t: &ast::DataType) -> Option<Func> {
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
pub(super) fn scalar_select(q: &ast::Query) -> Option<&ast::Expr> {
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
pub(super) fn boolean(expr: Expr) -> Typed {
    Typed {
        expr,
        ty: SqlType::BigInt,
        nullable: true,
    }
}

pub(super) fn aggregate_kind(name: &str) -> Option<AggKind> {
    Some(match name {
        "COUNT" => AggKind::Count,
        "SUM" => AggKind::Sum,
        "AVG" => AggKind::Avg,
        "MIN" => AggKind::Min,
        "MAX" => AggKind::Max,
        _ => return None,
    })
}
