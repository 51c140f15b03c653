//! The engine's vocabulary: values, SQL types, result-set metadata, outcomes and errors.

use alloc::string::String;
use alloc::vec::Vec;

/// The version string the server announces (handshake, `@@version`, `VERSION()`).
pub const SERVER_VERSION: &str = "8.0.36-ring0db";

/// One SQL value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Double(f64),
    /// An exact decimal: `mantissa / 10^scale` (results of `/`, `AVG`, decimal literals).
    Decimal {
        mantissa: i128,
        scale: u8,
    },
    /// Character data (CHAR/VARCHAR/TEXT), as the client sent it.
    Text(Vec<u8>),
}

/// The declared or inferred type of a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SqlType {
    TinyInt,
    SmallInt,
    Int,
    BigInt,
    Float,
    Double,
    /// DECIMAL(precision, scale).
    Decimal {
        precision: u8,
        scale: u8,
    },
    /// CHAR(n): n characters.
    Char(u32),
    /// VARCHAR(n): n characters.
    VarChar(u32),
    Text,
}

/// What a client learns about one column of a result set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnMeta {
    /// The name shown (an alias, or the expression's text).
    pub name: String,
    /// The column's name in its table ("" for expressions).
    pub org_name: String,
    /// The table alias used in the query ("" for expressions).
    pub table: String,
    /// The table's name ("" for expressions).
    pub org_table: String,
    /// The database of the table ("" for expressions).
    pub schema: String,
    pub sql_type: SqlType,
    /// False for `NOT NULL` columns.
    pub nullable: bool,
    /// Part of the primary key.
    pub primary_key: bool,
    /// Part of a unique key.
    pub unique_key: bool,
    /// Part of a non-unique index.
    pub multiple_key: bool,
    pub auto_increment: bool,
}

/// A result set. Rows are materialised by the executor; the protocol layer encodes them
/// into the connection's output as it drains (backpressure on the socket side).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResultSet {
    pub columns: Vec<ColumnMeta>,
    pub rows: Vec<Vec<Value>>,
}

/// What a statement produced.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// A statement without a result set (DDL, DML, SET, BEGIN, ...).
    Done {
        affected_rows: u64,
        /// `LAST_INSERT_ID()` after the statement (0 when it generated none).
        last_insert_id: u64,
        warnings: u16,
        /// Human-readable info, e.g. `Rows matched: 1  Changed: 1  Warnings: 0` ("" if none).
        info: String,
    },
    /// A result set.
    Rows(ResultSet),
}

/// A MySQL error: number, SQLSTATE and message, as the ERR packet carries them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqlError {
    pub code: u16,
    /// Five ASCII characters, e.g. "42S02".
    pub sqlstate: &'static str,
    pub message: String,
}

impl SqlError {
    pub fn new(code: u16, sqlstate: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            sqlstate,
            message: message.into(),
        }
    }
}
