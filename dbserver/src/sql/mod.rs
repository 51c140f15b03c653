//! The SQL engine: catalog, tables, indexes, planner and executor behind one API.
//!
//! Statements are parsed with `sqlparser` (MySQL dialect, bounded recursion); planning and
//! execution are ours. The engine is protocol-agnostic: the MySQL front-end
//! ([`crate::mysql`]) turns packets into calls of [`Engine`] and [`Outcome`]s into packets.
//!
//! Isolation: READ COMMITTED with first-writer-wins row locks, no waiting (see [`txn`]).
//!
//! Modules, in the order a statement meets them: [`parse`] (text to AST), [`plan`] and
//! [`expr`] (compile a SELECT/UPDATE/DELETE against the [`catalog`]), [`exec`] and
//! [`eval`] (run it over [`table`] storage), [`dml`], [`ddl`], [`admin`] (SET/SHOW),
//! [`txn`] (commit, rollback, statement undo), [`value`] (types, collation, formatting),
//! [`errors`] (MySQL error constructors).

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

mod admin;
mod catalog;
mod ddl;
mod dml;
mod errors;
mod eval;
mod exec;
mod expr;
mod func;
mod parse;
mod plan;
mod table;
#[cfg(test)]
mod tests;
mod txn;
mod value;

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
    /// The open transaction (explicit, or implicit under autocommit=0).
    txn: Option<txn::Txn>,
    /// `LAST_INSERT_ID()`: first id generated by the last INSERT that generated one.
    last_insert_id: u64,
    /// `@name` user variables (lower-case names).
    user_vars: BTreeMap<String, Value>,
    /// System variables SET in this session (lower-case names).
    variables: BTreeMap<String, Value>,
}

impl Session {
    /// A fresh session for connection `connection_id` (`CONNECTION_ID()`).
    pub fn new(connection_id: u32) -> Self {
        Self {
            connection_id,
            database: None,
            autocommit: true,
            in_transaction: false,
            txn: None,
            last_insert_id: 0,
            user_vars: BTreeMap::new(),
            variables: BTreeMap::new(),
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
    /// A transaction is open (SERVER_STATUS_IN_TRANS): after BEGIN, or after any
    /// statement under autocommit=0, until COMMIT/ROLLBACK.
    pub fn in_transaction(&self) -> bool {
        self.in_transaction
    }
    /// `LAST_INSERT_ID()` of the session.
    pub fn last_insert_id(&self) -> u64 {
        self.last_insert_id
    }
}

/// A prepared statement: parsed once, executed many times with parameters.
#[derive(Debug)]
pub struct Prepared {
    /// Number of `?` placeholders.
    pub params: u16,
    /// Columns of the result set it produces (empty for statements without one).
    pub columns: Vec<ColumnMeta>,
    /// The statement's text (result column names, recompilation).
    sql: String,
    /// The parsed statement (None for statements handled without parsing).
    statement: Option<sqlparser::ast::Statement>,
    /// The compiled plan, valid while the catalog version and database match.
    cache: RefCell<Option<Cached>>,
}

#[derive(Debug)]
struct Cached {
    catalog_version: u64,
    database: Option<String>,
    plan: dml::StmtPlan,
}

/// The SQL engine: every database, table and index of the server.
#[derive(Debug, Default)]
pub struct Engine {
    limits: EngineLimits,
    catalog: catalog::Catalog,
    /// Last transaction id handed out.
    last_txn: u64,
    /// Rows the last statement read from tables (tests check index use with it).
    last_examined: u64,
    stats: admin::Stats,
}

impl Engine {
    pub fn new(limits: EngineLimits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// Change the limits (the server passes the memory left under `maxmemory`).
    pub fn set_limits(&mut self, limits: EngineLimits) {
        self.limits = limits;
    }

    /// Bytes held by table data and indexes (an estimate, for `maxmemory` and `INFO`).
    pub fn used_bytes(&self) -> usize {
        self.catalog.total_bytes()
    }

    /// Run one statement (`COM_QUERY`).
    pub fn execute(&mut self, session: &mut Session, sql: &str) -> Result<Outcome, SqlError> {
        self.stats.questions += 1;
        let parsed = match parse::parse(sql, self.limits.max_nesting_depth)? {
            Ok(p) => p,
            Err(parse::Special::SetCharset) => return Ok(done(0, 0, String::new())),
        };
        if parsed.params > 0 {
            return Err(errors::syntax("?", 1));
        }
        self.run(session, &parsed.statement, sql, &[], None)
    }

    /// Parse and plan a statement with `?` placeholders (`COM_STMT_PREPARE`).
    pub fn prepare(&mut self, session: &mut Session, sql: &str) -> Result<Prepared, SqlError> {
        let (statement, params) = match parse::parse(sql, self.limits.max_nesting_depth)? {
            Ok(p) => (Some(p.statement), p.params),
            Err(parse::Special::SetCharset) => (None, 0),
        };
        let params = u16::try_from(params).map_err(|_| errors::syntax("?", 1))?;
        let mut columns = Vec::new();
        let mut cache = None;
        if let Some(stmt) = &statement {
            if let Some(plan) = self.compile(session, stmt, sql)? {
                if let dml::StmtPlan::Select(p) = &plan {
                    columns = p.columns.clone();
                }
                cache = Some(Cached {
                    catalog_version: self.catalog.version,
                    database: session.database.clone(),
                    plan,
                });
            }
        }
        Ok(Prepared {
            params,
            columns,
            sql: String::from(sql),
            statement,
            cache: RefCell::new(cache),
        })
    }

    /// Run a prepared statement with one value per placeholder (`COM_STMT_EXECUTE`).
    pub fn execute_prepared(
        &mut self,
        session: &mut Session,
        prepared: &Prepared,
        params: &[Value],
    ) -> Result<Outcome, SqlError> {
        self.stats.questions += 1;
        if params.len() != usize::from(prepared.params) {
            return Err(errors::wrong_arguments("mysqld_stmt_execute"));
        }
        let Some(stmt) = &prepared.statement else {
            return Ok(done(0, 0, String::new()));
        };
        self.run(session, stmt, &prepared.sql, params, Some(&prepared.cache))
    }

    /// Make `name` the session's current database (`COM_INIT_DB`, handshake); 1049 if unknown.
    pub fn use_database(&mut self, session: &mut Session, name: &str) -> Result<(), SqlError> {
        if !self.catalog.database_exists(name) && !catalog::is_system_schema(name) {
            return Err(errors::unknown_database(name));
        }
        session.database = Some(String::from(name));
        Ok(())
    }

    /// The connection closed: roll back its open transaction and release its locks.
    pub fn end_session(&mut self, session: &mut Session) {
        self.rollback(session);
    }

    /// Compile statements that have plans (SELECT, INSERT, UPDATE, DELETE).
    fn compile(
        &self,
        session: &Session,
        stmt: &sqlparser::ast::Statement,
        sql: &str,
    ) -> Result<Option<dml::StmtPlan>, SqlError> {
        let env = plan::PlanEnv {
            catalog: &self.catalog,
            session,
            sql,
            max_depth: self.limits.max_nesting_depth,
        };
        dml::compile(&env, stmt)
    }

    /// Run a parsed statement, with the prepared statement's plan cache if any.
    fn run(
        &mut self,
        session: &mut Session,
        stmt: &sqlparser::ast::Statement,
        sql: &str,
        params: &[Value],
        cache: Option<&RefCell<Option<Cached>>>,
    ) -> Result<Outcome, SqlError> {
        let version = self.catalog.version;
        let cached = cache.and_then(|c| c.borrow_mut().take()).filter(|c| {
            c.catalog_version == version && c.database.as_deref() == session.database()
        });
        let plan = match cached {
            Some(c) => Some(c.plan),
            None => self.compile(session, stmt, sql)?,
        };
        let Some(plan) = plan else {
            return self.run_other(session, stmt, sql);
        };
        let result = self.run_plan(session, &plan, params);
        if let Some(c) = cache {
            *c.borrow_mut() = Some(Cached {
                catalog_version: version,
                database: session.database.clone(),
                plan,
            });
        }
        result
    }

    fn next_txn(&mut self, explicit: bool) -> txn::Txn {
        self.last_txn += 1;
        txn::Txn::new(self.last_txn, explicit)
    }

    fn run_plan(
        &mut self,
        session: &mut Session,
        plan: &dml::StmtPlan,
        params: &[Value],
    ) -> Result<Outcome, SqlError> {
        if !session.autocommit && session.txn.is_none() {
            session.txn = Some(self.next_txn(false));
            session.in_transaction = true;
        }
        if let dml::StmtPlan::Select(p) = plan {
            self.stats.selects += 1;
            let txn = session.txn.as_ref().map(|t| t.id);
            let ctx = exec::ExecCtx::new(&self.catalog, session, params, txn);
            let rs = exec::run_select(&ctx, p);
            self.last_examined = ctx.examined.get();
            return rs.map(Outcome::Rows);
        }
        let mut txn = match session.txn.take() {
            Some(t) => t,
            None => self.next_txn(false),
        };
        let mut log = txn::StatementLog::default();
        let mut examined = 0u64;
        let result = dml::run(
            &mut dml::WriteCtx {
                catalog: &mut self.catalog,
                session,
                txn: &mut txn,
                log: &mut log,
                params,
                max_bytes: self.limits.max_data_bytes,
                examined: &mut examined,
            },
            plan,
        );
        self.last_examined = examined;
        let keep = !session.autocommit || txn.explicit;
        match &result {
            Ok(_) => {
                self.stats.writes += 1;
                if keep {
                    session.txn = Some(txn);
                } else {
                    txn.commit(&mut self.catalog);
                }
            }
            Err(e) => {
                log.undo(&mut self.catalog);
                if e.code == errors::DEADLOCK || !keep {
                    txn.rollback(&mut self.catalog);
                } else {
                    session.txn = Some(txn);
                }
            }
        }
        session.in_transaction = session.txn.is_some();
        result
    }

    /// Statements without plans: transactions, DDL, SET, SHOW, USE.
    fn run_other(
        &mut self,
        session: &mut Session,
        stmt: &sqlparser::ast::Statement,
        sql: &str,
    ) -> Result<Outcome, SqlError> {
        use sqlparser::ast::Statement as S;
        match stmt {
            S::StartTransaction { .. } => {
                self.commit(session);
                session.txn = Some(self.next_txn(true));
                session.in_transaction = true;
                Ok(done(0, 0, String::new()))
            }
            S::Commit { chain: false, .. } => {
                self.commit(session);
                Ok(done(0, 0, String::new()))
            }
            S::Rollback {
                chain: false,
                savepoint: None,
            } => {
                self.rollback(session);
                Ok(done(0, 0, String::new()))
            }
            S::Use(u) => {
                let name = admin::use_target(u)?;
                self.use_database(session, &name)?;
                Ok(done(0, 0, String::new()))
            }
            S::Set(set) => {
                let before = session.autocommit;
                let r = admin::set(session, set)?;
                if session.autocommit && !before {
                    // SET autocommit=1 commits the open transaction.
                    self.commit(session);
                }
                Ok(r)
            }
            S::CreateDatabase { .. }
            | S::CreateSchema { .. }
            | S::CreateTable(_)
            | S::CreateIndex(_)
            | S::Drop { .. }
            | S::Truncate(_) => {
                // DDL commits the open transaction first, as in MySQL.
                self.commit(session);
                let r = ddl::run(&mut self.catalog, session, stmt);
                if let (Err(_), false) = (&r, session.autocommit) {
                    session.in_transaction = session.txn.is_some();
                }
                r
            }
            _ => {
                let admin = admin::Admin {
                    catalog: &self.catalog,
                    session,
                    stats: &self.stats,
                };
                match admin.show(stmt)? {
                    Some(rs) => Ok(Outcome::Rows(rs)),
                    None => Err(errors::unsupported(&statement_kind(sql))),
                }
            }
        }
    }

    /// Commit the session's transaction, if any.
    fn commit(&mut self, session: &mut Session) {
        if let Some(t) = session.txn.take() {
            t.commit(&mut self.catalog);
        }
        session.in_transaction = false;
    }

    /// Roll back the session's transaction, if any.
    fn rollback(&mut self, session: &mut Session) {
        if let Some(t) = session.txn.take() {
            t.rollback(&mut self.catalog);
        }
        session.in_transaction = false;
    }
}

/// An OK outcome.
fn done(affected_rows: u64, last_insert_id: u64, info: String) -> Outcome {
    Outcome::Done {
        affected_rows,
        last_insert_id,
        warnings: 0,
        info,
    }
}

/// The first words of a statement, upper-case (for 1235 messages).
fn statement_kind(sql: &str) -> String {
    /// Words of the statement named in "doesn't yet support '...'".
    const KIND_WORDS: usize = 2;
    sql.split_whitespace()
        .take(KIND_WORDS)
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase()
}
