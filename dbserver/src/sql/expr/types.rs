//! Result types: of aggregates, arithmetic and the branches of CASE/IF/COALESCE, and
//! which types count as integer or text.

use super::super::value::{DIV_PRECISION_INCREMENT, MAX_DECIMAL_SCALE};
use super::super::SqlType;

use super::{AggKind, ArithOp, DECIMAL_RESULT_PRECISION, SUM_INT_PRECISION};

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

pub(super) fn scale_of(t: SqlType) -> u8 {
    match t {
        SqlType::Decimal { scale, .. } => scale,
        _ => 0,
    }
}

/// Result type of arithmetic.
pub(super) fn arith_type(op: ArithOp, l: SqlType, r: SqlType) -> SqlType {
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
