//! Literals of the AST as values with their types: numbers (integer, exact decimal or
//! double), strings, hex strings, booleans and NULL.

use alloc::string::ToString;
use alloc::vec::Vec;

use sqlparser::ast;

use super::super::errors;
use super::super::value::parse_decimal_literal;
use super::super::{SqlError, SqlType, Value};

use super::{Expr, Typed, DECIMAL_RESULT_PRECISION};

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

pub(super) fn negate_literal(v: &Value) -> Option<Value> {
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

pub(super) fn hex_bytes(h: &str) -> Option<Vec<u8>> {
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
