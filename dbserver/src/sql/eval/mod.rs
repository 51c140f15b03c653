//! Expression evaluation with MySQL's semantics: three-valued NULL logic, string/number
//! conversion, exact integer and decimal arithmetic (overflow is error 1690), `/` as a
//! decimal with four more digits, division by zero as NULL.

mod arith;

use alloc::borrow::Cow;
use alloc::vec::Vec;
use core::cmp::Ordering;

use super::errors;
use super::expr::{CmpOp, Expr, LogicOp, SubPlan};
use super::func;
use super::value::{compare, like_match};
use super::{Session, SqlError, Value};

use arith::negate;
pub use arith::{arith, num, Num};

/// What an expression reads: the current row of each source, the group's aggregates,
/// the output row, the statement's parameters and the session.
#[derive(Clone, Copy)]
pub struct Env<'a> {
    pub rows: &'a [&'a [Value]],
    pub aggs: &'a [Value],
    pub outputs: &'a [Value],
    pub params: &'a [Value],
    pub session: &'a Session,
    /// Runs subqueries (None where statements have none: VALUES, SET, DDL defaults).
    pub sub: Option<&'a dyn SubRunner>,
}

impl<'a> Env<'a> {
    /// An environment without rows, parameters or subqueries, for constant expressions
    /// (SET values, column DEFAULTs).
    pub fn constant(session: &'a Session) -> Self {
        Env {
            rows: &[],
            aggs: &[],
            outputs: &[],
            params: &[],
            session,
            sub: None,
        }
    }
}

/// Runs a subquery with the enclosing query's current rows.
pub trait SubRunner {
    /// A scalar subquery's value.
    fn scalar(&self, sub: &SubPlan, rows: &[&[Value]]) -> Result<Value, SqlError>;
    /// Whether the subquery has a row.
    fn exists(&self, sub: &SubPlan, rows: &[&[Value]]) -> Result<bool, SqlError>;
    /// `x IN (subquery)` with SQL's NULL logic.
    fn contains(
        &self,
        sub: &SubPlan,
        rows: &[&[Value]],
        x: &Value,
    ) -> Result<Option<bool>, SqlError>;
}

const NULL: Value = Value::Null;

/// Evaluate an expression.
pub fn eval<'a>(e: &'a Expr, env: &Env<'a>) -> Result<Cow<'a, Value>, SqlError> {
    Ok(match e {
        Expr::Lit(v) => Cow::Borrowed(v),
        Expr::Param(i) => Cow::Borrowed(env.params.get(*i).unwrap_or(&NULL)),
        Expr::Col(s, c) => Cow::Borrowed(env.rows.get(*s).and_then(|r| r.get(*c)).unwrap_or(&NULL)),
        Expr::Agg(i) => Cow::Borrowed(env.aggs.get(*i).unwrap_or(&NULL)),
        Expr::Output(i) => Cow::Borrowed(env.outputs.get(*i).unwrap_or(&NULL)),
        Expr::SysVar(name) => Cow::Owned(super::admin::system_variable(env.session, name)?),
        Expr::UserVar(name) => Cow::Owned(
            env.session
                .user_vars
                .get(name)
                .cloned()
                .unwrap_or(Value::Null),
        ),
        Expr::Neg(x, text) => Cow::Owned(negate(&*eval(x, env)?, text)?),
        Expr::Not(x) => Cow::Owned(bool_value(eval(x, env)?.truth().map(|b| !b))),
        Expr::Arith(op, xs, text) => {
            let [a, b] = &**xs;
            let a = eval(a, env)?;
            let b = eval(b, env)?;
            Cow::Owned(arith(*op, &a, &b, text)?)
        }
        Expr::Cmp(op, xs) => {
            let [a, b] = &**xs;
            let a = eval(a, env)?;
            let b = eval(b, env)?;
            Cow::Owned(bool_value(cmp(*op, &a, &b)))
        }
        Expr::Logic(op, xs) => Cow::Owned(bool_value(logic(*op, xs, env)?)),
        Expr::IsNull(x, negated) => {
            Cow::Owned(bool_value(Some(eval(x, env)?.is_null() != *negated)))
        }
        Expr::IsBool(x, want, negated) => {
            let is = eval(x, env)?.truth() == Some(*want);
            Cow::Owned(bool_value(Some(is != *negated)))
        }
        Expr::Between(xs, negated) => {
            let [x, lo, hi] = &**xs;
            let x = eval(x, env)?;
            let ge = cmp(CmpOp::Ge, &x, &*eval(lo, env)?);
            let le = cmp(CmpOp::Le, &x, &*eval(hi, env)?);
            let r = and3(ge, le);
            Cow::Owned(bool_value(if *negated { r.map(|b| !b) } else { r }))
        }
        Expr::In(x, list, negated) => {
            let r = in_list(x, list, env)?;
            Cow::Owned(bool_value(if *negated { r.map(|b| !b) } else { r }))
        }
        Expr::Like(xs, escape, negated) => {
            let [x, p] = &**xs;
            let x = eval(x, env)?;
            let p = eval(p, env)?;
            let r = match (x.to_text(), p.to_text()) {
                (Some(x), Some(p)) => Some(like_match(&x, &p, *escape) != *negated),
                _ => None,
            };
            Cow::Owned(bool_value(r))
        }
        Expr::Case(operand, arms, else_) => {
            let op = match operand {
                Some(o) => Some(eval(o, env)?),
                None => None,
            };
            for (c, r) in arms {
                let hit = match &op {
                    Some(o) => cmp(CmpOp::Eq, o, &*eval(c, env)?) == Some(true),
                    None => eval(c, env)?.truth() == Some(true),
                };
                if hit {
                    return eval(r, env);
                }
            }
            match else_ {
                Some(x) => eval(x, env)?,
                None => Cow::Owned(Value::Null),
            }
        }
        Expr::Func(f, args) => func::call(*f, args, env)?,
        Expr::Subquery(sub) => Cow::Owned(runner(env)?.scalar(sub, env.rows)?),
        Expr::Exists(sub, negated) => Cow::Owned(bool_value(Some(
            runner(env)?.exists(sub, env.rows)? != *negated,
        ))),
        Expr::InSubquery(x, sub, negated) => {
            let x = eval(x, env)?;
            let r = runner(env)?.contains(sub, env.rows, &x)?;
            Cow::Owned(bool_value(if *negated { r.map(|b| !b) } else { r }))
        }
    })
}

fn runner<'a>(env: &Env<'a>) -> Result<&'a dyn SubRunner, SqlError> {
    env.sub
        .ok_or_else(|| errors::unsupported("subqueries in this statement"))
}

/// Evaluate a condition: true only for a true (non-NULL, non-zero) value.
pub fn is_true(e: &Expr, env: &Env<'_>) -> Result<bool, SqlError> {
    Ok(eval(e, env)?.truth() == Some(true))
}

/// 1/0/NULL as MySQL represents booleans.
pub fn bool_value(b: Option<bool>) -> Value {
    match b {
        None => Value::Null,
        Some(b) => Value::Int(i64::from(b)),
    }
}

fn and3(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

fn logic(op: LogicOp, xs: &[Expr; 2], env: &Env<'_>) -> Result<Option<bool>, SqlError> {
    let [a, b] = xs;
    let a = eval(a, env)?.truth();
    // Short-circuit where the left side decides.
    match (op, a) {
        (LogicOp::And, Some(false)) => return Ok(Some(false)),
        (LogicOp::Or, Some(true)) => return Ok(Some(true)),
        _ => {}
    }
    let b = eval(b, env)?.truth();
    Ok(match op {
        LogicOp::And => and3(a, b),
        LogicOp::Or => match (a, b) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
        LogicOp::Xor => match (a, b) {
            (Some(x), Some(y)) => Some(x != y),
            _ => None,
        },
    })
}

/// A comparison with NULL logic.
pub fn cmp(op: CmpOp, a: &Value, b: &Value) -> Option<bool> {
    if op == CmpOp::NullSafeEq {
        return Some(match (a.is_null(), b.is_null()) {
            (true, true) => true,
            (false, false) => compare(a, b) == Some(Ordering::Equal),
            _ => false,
        });
    }
    let o = compare(a, b)?;
    Some(match op {
        CmpOp::Eq | CmpOp::NullSafeEq => o == Ordering::Equal,
        CmpOp::Ne => o != Ordering::Equal,
        CmpOp::Lt => o == Ordering::Less,
        CmpOp::Le => o != Ordering::Greater,
        CmpOp::Gt => o == Ordering::Greater,
        CmpOp::Ge => o != Ordering::Less,
    })
}

fn in_list(x: &Expr, list: &[Expr], env: &Env<'_>) -> Result<Option<bool>, SqlError> {
    let x = eval(x, env)?;
    if x.is_null() {
        return Ok(None);
    }
    let mut saw_null = false;
    for item in list {
        match cmp(CmpOp::Eq, &x, &*eval(item, env)?) {
            Some(true) => return Ok(Some(true)),
            None => saw_null = true,
            Some(false) => {}
        }
    }
    Ok(if saw_null { None } else { Some(false) })
}

/// Evaluate a list of expressions into owned values.
pub fn eval_all(exprs: &[Expr], env: &Env<'_>) -> Result<Vec<Value>, SqlError> {
    let mut out = Vec::with_capacity(exprs.len());
    for e in exprs {
        out.push(eval(e, env)?.into_owned());
    }
    Ok(out)
}
