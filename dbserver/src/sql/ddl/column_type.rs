//! Column types of CREATE TABLE: the SQL type, integer range, signedness and SHOW text of a
//! declared data type, within the named length and precision limits.

use alloc::format;
use alloc::string::String;

use sqlparser::ast::{self as ast, DataType, ExactNumberInfo};

use crate::sql::errors;
use crate::sql::{SqlError, SqlType};

/// Default precision of DECIMAL without one.
pub(super) const DEFAULT_DECIMAL_PRECISION: u8 = 10;
/// Largest DECIMAL precision.
pub(super) const MAX_DECIMAL_PRECISION: u64 = 65;
/// Largest CHAR length.
pub(super) const MAX_CHAR_LENGTH: u64 = 255;
/// Largest VARCHAR length (characters).
pub(super) const MAX_VARCHAR_LENGTH: u64 = 65_535;

/// Type, range and SHOW text of a column type.
/// A column type: SQL type, integer range, unsigned, SHOW text.
pub(super) type ColumnType = (SqlType, Option<(i64, i64)>, bool, String);

pub(super) fn column_type(dt: &DataType) -> Result<ColumnType, SqlError> {
    /// (min, max) of signed and unsigned integer types.
    const TINY: (i64, i64) = (i8::MIN as i64, i8::MAX as i64);
    const TINY_U: (i64, i64) = (0, u8::MAX as i64);
    const SMALL: (i64, i64) = (i16::MIN as i64, i16::MAX as i64);
    const SMALL_U: (i64, i64) = (0, u16::MAX as i64);
    const MEDIUM: (i64, i64) = (-8_388_608, 8_388_607);
    const MEDIUM_U: (i64, i64) = (0, 16_777_215);
    const INT: (i64, i64) = (i32::MIN as i64, i32::MAX as i64);
    const INT_U: (i64, i64) = (0, u32::MAX as i64);
    const BIG: (i64, i64) = (i64::MIN, i64::MAX);
    const BIG_U: (i64, i64) = (0, i64::MAX);
    let int = |ty: SqlType, range: (i64, i64), name: &str, width: u64, unsigned: bool| {
        let text = if unsigned {
            format!("{name}({width}) unsigned")
        } else {
            format!("{name}({width})")
        };
        Ok((ty, Some(range), unsigned, text))
    };
    let chars = |l: &Option<ast::CharacterLength>, default: u64| match l {
        Some(ast::CharacterLength::IntegerLength { length, .. }) => *length,
        _ => default,
    };
    match dt {
        DataType::TinyInt(w) => int(SqlType::TinyInt, TINY, "tinyint", w.unwrap_or(4), false),
        DataType::TinyIntUnsigned(w) => {
            int(SqlType::TinyInt, TINY_U, "tinyint", w.unwrap_or(3), true)
        }
        DataType::Bool | DataType::Boolean => int(SqlType::TinyInt, TINY, "tinyint", 1, false),
        DataType::SmallInt(w) => int(SqlType::SmallInt, SMALL, "smallint", w.unwrap_or(6), false),
        DataType::SmallIntUnsigned(w) => {
            int(SqlType::SmallInt, SMALL_U, "smallint", w.unwrap_or(5), true)
        }
        DataType::MediumInt(w) => int(SqlType::Int, MEDIUM, "mediumint", w.unwrap_or(9), false),
        DataType::MediumIntUnsigned(w) => {
            int(SqlType::Int, MEDIUM_U, "mediumint", w.unwrap_or(8), true)
        }
        DataType::Int(w) | DataType::Integer(w) | DataType::Int4(w) => {
            int(SqlType::Int, INT, "int", w.unwrap_or(11), false)
        }
        DataType::IntUnsigned(w) | DataType::IntegerUnsigned(w) => {
            int(SqlType::Int, INT_U, "int", w.unwrap_or(10), true)
        }
        DataType::BigInt(w) | DataType::Int8(w) => {
            int(SqlType::BigInt, BIG, "bigint", w.unwrap_or(20), false)
        }
        DataType::BigIntUnsigned(w) => int(SqlType::BigInt, BIG_U, "bigint", w.unwrap_or(20), true),
        DataType::Char(l) | DataType::Character(l) => {
            let n = chars(l, 1);
            if n > MAX_CHAR_LENGTH {
                return Err(errors::unsupported("CHAR longer than 255"));
            }
            Ok((SqlType::Char(n as u32), None, false, format!("char({n})")))
        }
        DataType::Varchar(l) | DataType::CharacterVarying(l) => {
            let Some(ast::CharacterLength::IntegerLength { length, .. }) = l else {
                return Err(errors::syntax("", 1));
            };
            if *length > MAX_VARCHAR_LENGTH {
                return Err(errors::unsupported("VARCHAR longer than 65535"));
            }
            Ok((
                SqlType::VarChar(*length as u32),
                None,
                false,
                format!("varchar({length})"),
            ))
        }
        DataType::Text | DataType::TinyText | DataType::MediumText | DataType::LongText => {
            Ok((SqlType::Text, None, false, String::from("text")))
        }
        DataType::Double(_) | DataType::DoublePrecision | DataType::Real => {
            Ok((SqlType::Double, None, false, String::from("double")))
        }
        DataType::DoubleUnsigned(_) => {
            Ok((SqlType::Double, None, true, String::from("double unsigned")))
        }
        DataType::Float(_) => Ok((SqlType::Float, None, false, String::from("float"))),
        DataType::Decimal(info) | DataType::Numeric(info) | DataType::Dec(info) => {
            let (p, s) = match info {
                ExactNumberInfo::None => (u64::from(DEFAULT_DECIMAL_PRECISION), 0),
                ExactNumberInfo::Precision(p) => (*p, 0),
                ExactNumberInfo::PrecisionAndScale(p, s) => {
                    (*p, u64::try_from(*s).unwrap_or(u64::MAX))
                }
            };
            if p == 0
                || p > MAX_DECIMAL_PRECISION
                || s > p
                || s > u64::from(crate::sql::value::MAX_DECIMAL_SCALE)
            {
                return Err(errors::unsupported("this DECIMAL precision"));
            }
            // Mantissas are i128: 38 digits.
            let p = p.min(38);
            Ok((
                SqlType::Decimal {
                    precision: p as u8,
                    scale: s as u8,
                },
                None,
                false,
                format!("decimal({p},{s})"),
            ))
        }
        other => Err(errors::unsupported(&format!("column type {other}"))),
    }
}
