//! The SQL engine: catalog, tables, indexes, planner and executor behind one API.
//!
//! Statements are parsed with `sqlparser` (MySQL dialect, bounded recursion); planning and
//! execution are ours. The engine is protocol-agnostic: the MySQL front-end
//! ([`crate::mysql`]) turns packets into calls of [`Engine`] and [`Outcome`]s into packets.
//!
//! Isolation: READ COMMITTED with first-writer-wins row locks (see `README.md`).

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
    Decimal { mantissa: i128, scale: u8 },
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
    Decimal { precision: u8, scale: u8 },
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

/// Limits of the engine, all configurable by the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EngineLimits {
    /// Deepest expression/statement nesting the parser accepts (else 1064-style error).
    pub max_nesting_depth: usize,
    /// Bytes of table data and indexes allowed (None: unlimited). Writes past it get 1114.
    pub max_data_bytes: Option<usize>,
}

impl Default for EngineLimits {
    fn default() -> Self {
        Self {
            max_nesting_depth: DEFAULT_MAX_NESTING_DEPTH,
            max_data_bytes: None,
        }
    }
}

/// Default of [`EngineLimits::max_nesting_depth`].
pub const DEFAULT_MAX_NESTING_DEPTH: usize = 64;

/// Per-connection state of the SQL engine: current database, transaction, session
/// variables, `LAST_INSERT_ID()`.
#[derive(Debug)]
pub struct Session {
    connection_id: u32,
    database: Option<String>,
    autocommit: bool,
    in_transaction: bool,
}

impl Session {
    /// A fresh session for connection `connection_id` (`CONNECTION_ID()`).
    pub fn new(connection_id: u32) -> Self {
        Self {
            connection_id,
            database: None,
            autocommit: true,
            in_transaction: false,
        }
    }
    pub fn connection_id(&self) -> u32 {
        self.connection_id
    }
    /// The current database (`USE`, `COM_INIT_DB`, the handshake's database).
    pub fn database(&self) -> Option<&str> {
        self.database.as_deref()
    }
    /// `@@autocommit` (SERVER_STATUS_AUTOCOMMIT).
    pub fn autocommit(&self) -> bool {
        self.autocommit
    }
    /// An explicit transaction is open (SERVER_STATUS_IN_TRANS).
    pub fn in_transaction(&self) -> bool {
        self.in_transaction
    }
}

/// A prepared statement: parsed once, executed many times with parameters.
#[derive(Debug)]
pub struct Prepared {
    /// Number of `?` placeholders.
    pub params: u16,
    /// Columns of the result set it produces (empty for statements without one).
    pub columns: Vec<ColumnMeta>,
}

/// The SQL engine: every database, table and index of the server.
#[derive(Debug, Default)]
pub struct Engine {
    limits: EngineLimits,
}

impl Engine {
    pub fn new(limits: EngineLimits) -> Self {
        Self { limits }
    }

    /// Change the limits (the server passes the memory left under `maxmemory`).
    pub fn set_limits(&mut self, limits: EngineLimits) {
        self.limits = limits;
    }

    /// Bytes held by table data and indexes (an estimate, for `maxmemory` and `INFO`).
    pub fn used_bytes(&self) -> usize {
        0
    }

    /// Run one statement (`COM_QUERY`).
    pub fn execute(&mut self, session: &mut Session, sql: &str) -> Result<Outcome, SqlError> {
        let _ = (session, sql);
        Err(not_supported())
    }

    /// Parse and plan a statement with `?` placeholders (`COM_STMT_PREPARE`).
    pub fn prepare(&mut self, session: &mut Session, sql: &str) -> Result<Prepared, SqlError> {
        let _ = (session, sql);
        Err(not_supported())
    }

    /// Run a prepared statement with one value per placeholder (`COM_STMT_EXECUTE`).
    pub fn execute_prepared(
        &mut self,
        session: &mut Session,
        prepared: &Prepared,
        params: &[Value],
    ) -> Result<Outcome, SqlError> {
        let _ = (session, prepared, params);
        Err(not_supported())
    }

    /// Make `name` the session's current database (`COM_INIT_DB`, handshake); 1049 if unknown.
    pub fn use_database(&mut self, session: &mut Session, name: &str) -> Result<(), SqlError> {
        let _ = (session, name);
        Err(not_supported())
    }

    /// The connection closed: roll back its open transaction and release its locks.
    pub fn end_session(&mut self, session: &mut Session) {
        let _ = session;
    }
}

fn not_supported() -> SqlError {
    SqlError::new(1235, "42000", "This version of ring0db doesn't yet support this")
}
