//! Scalar functions: names, arity, result types and evaluation.

mod call;
mod numbers;
mod strings;

use alloc::vec::Vec;

use super::errors;

use super::expr::{is_integer, is_text, unify_types, Expr, Typed};
use super::{SqlError, SqlType};

pub use call::call;

/// The user every session runs as (`USER()`, `CURRENT_USER()`).
pub const SESSION_USER: &str = "root@localhost";
/// Width reported for string results of unknown length.
const STRING_RESULT_CHARS: u32 = 255;

/// Scalar functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    LastInsertId,
    Database,
    Version,
    ConnectionId,
    User,
    Coalesce,
    IfNull,
    If,
    NullIf,
    Concat,
    Length,
    CharLength,
    Upper,
    Lower,
    Abs,
    Mod,
    Floor,
    Ceil,
    Round,
    Substring,
    Trim,
    Greatest,
    Least,
    Left,
    Right,
    Ltrim,
    Rtrim,
    Replace,
    /// CAST(x AS SIGNED / UNSIGNED / CHAR / DOUBLE / DECIMAL(p, s)).
    CastSigned,
    CastUnsigned,
    CastChar,
    CastDouble,
    CastDecimal(u8, u8),
}

impl Func {
    /// Functions that need a clock, which the engine does not have (1235).
    pub fn needs_clock(name: &str) -> bool {
        matches!(
            name,
            "NOW"
                | "CURRENT_TIMESTAMP"
                | "LOCALTIME"
                | "LOCALTIMESTAMP"
                | "SYSDATE"
                | "CURDATE"
                | "CURRENT_DATE"
                | "CURTIME"
                | "CURRENT_TIME"
                | "UNIX_TIMESTAMP"
                | "UTC_TIMESTAMP"
                | "RAND"
                | "UUID"
        )
    }

    /// The function of an (upper-case) name.
    pub fn by_name(name: &str) -> Option<Func> {
        Some(match name {
            "LAST_INSERT_ID" => Func::LastInsertId,
            "DATABASE" | "SCHEMA" => Func::Database,
            "VERSION" => Func::Version,
            "CONNECTION_ID" => Func::ConnectionId,
            "USER" | "CURRENT_USER" | "SESSION_USER" | "SYSTEM_USER" => Func::User,
            "COALESCE" => Func::Coalesce,
            "IFNULL" => Func::IfNull,
            "IF" => Func::If,
            "NULLIF" => Func::NullIf,
            "CONCAT" => Func::Concat,
            "LENGTH" | "OCTET_LENGTH" => Func::Length,
            "CHAR_LENGTH" | "CHARACTER_LENGTH" => Func::CharLength,
            "UPPER" | "UCASE" => Func::Upper,
            "LOWER" | "LCASE" => Func::Lower,
            "ABS" => Func::Abs,
            "MOD" => Func::Mod,
            "FLOOR" => Func::Floor,
            "CEIL" | "CEILING" => Func::Ceil,
            "ROUND" => Func::Round,
            "SUBSTRING" | "SUBSTR" => Func::Substring,
            "TRIM" => Func::Trim,
            "GREATEST" => Func::Greatest,
            "LEFT" => Func::Left,
            "RIGHT" => Func::Right,
            "LTRIM" => Func::Ltrim,
            "RTRIM" => Func::Rtrim,
            "REPLACE" => Func::Replace,
            "LEAST" => Func::Least,
            _ => return None,
        })
    }

    /// Refuse a call with the wrong number of arguments (1582).
    pub fn check_arity(self, n: usize, name: &str) -> Result<(), SqlError> {
        let ok = match self {
            Func::LastInsertId
            | Func::Database
            | Func::Version
            | Func::ConnectionId
            | Func::User => n == 0,
            Func::Coalesce | Func::Concat => n >= 1,
            Func::Greatest | Func::Least => n >= 2,
            Func::IfNull | Func::NullIf | Func::Mod | Func::Left | Func::Right => n == 2,
            Func::If | Func::Replace => n == 3,
            Func::Length
            | Func::CharLength
            | Func::Upper
            | Func::Lower
            | Func::Abs
            | Func::Floor
            | Func::Ceil
            | Func::Trim
            | Func::Ltrim
            | Func::Rtrim
            | Func::CastSigned
            | Func::CastUnsigned
            | Func::CastChar
            | Func::CastDouble
            | Func::CastDecimal(..) => n == 1,
            Func::Round => n == 1 || n == 2,
            Func::Substring => n == 2 || n == 3,
        };
        if ok {
            Ok(())
        } else {
            Err(errors::wrong_arg_count(name))
        }
    }
}

/// A call with its result type.
pub fn typed(f: Func, args: Vec<Expr>, types: &[SqlType]) -> Typed {
    let first = types.first().copied().unwrap_or(SqlType::BigInt);
    let ty = match f {
        Func::LastInsertId | Func::ConnectionId | Func::Length | Func::CharLength => {
            SqlType::BigInt
        }
        Func::Database
        | Func::Version
        | Func::User
        | Func::Concat
        | Func::Substring
        | Func::Left
        | Func::Right
        | Func::Ltrim
        | Func::Rtrim
        | Func::Replace
        | Func::CastChar => SqlType::VarChar(STRING_RESULT_CHARS),
        Func::CastSigned | Func::CastUnsigned => SqlType::BigInt,
        Func::CastDouble => SqlType::Double,
        Func::CastDecimal(precision, scale) => SqlType::Decimal { precision, scale },
        Func::Upper | Func::Lower | Func::Trim | Func::Abs => first,
        Func::Coalesce | Func::IfNull | Func::Greatest | Func::Least => unify_types(types),
        Func::If => unify_types(types.get(1..).unwrap_or_default()),
        Func::NullIf => first,
        Func::Mod => unify_types(types),
        Func::Floor | Func::Ceil => {
            if is_integer(first) || matches!(first, SqlType::Decimal { .. }) {
                SqlType::BigInt
            } else {
                SqlType::Double
            }
        }
        Func::Round => match first {
            SqlType::Decimal { precision, .. } => SqlType::Decimal {
                precision,
                scale: 0,
            },
            t if is_text(t) => SqlType::Double,
            t => t,
        },
    };
    Typed {
        expr: Expr::Func(f, args),
        ty,
        nullable: true,
    }
}
