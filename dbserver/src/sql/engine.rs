//! The engine's public API: limits, prepared statements, and the calls the protocol
//! front-ends make (execute, prepare, execute_prepared, use_database, end_session).

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use super::done;
use super::{admin, catalog, dml, errors, parse, redo};
use super::{ColumnMeta, Outcome, Session, SqlError, Value};

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

/// A prepared statement: parsed once, executed many times with parameters.
#[derive(Debug)]
pub struct Prepared {
    /// Number of `?` placeholders.
    pub params: u16,
    /// Columns of the result set it produces (empty for statements without one).
    pub columns: Vec<ColumnMeta>,
    /// The statement's text (result column names, recompilation).
    pub(super) sql: String,
    /// The parsed statement (None for statements handled without parsing).
    pub(super) statement: Option<sqlparser::ast::Statement>,
    /// The compiled plan, valid while the catalog version and database match.
    pub(super) cache: RefCell<Option<Cached>>,
}

#[derive(Debug)]
pub(super) struct Cached {
    pub(super) catalog_version: u64,
    pub(super) database: Option<String>,
    pub(super) plan: dml::StmtPlan,
}

/// The SQL engine: every database, table and index of the server.
#[derive(Debug, Default)]
pub struct Engine {
    pub(super) limits: EngineLimits,
    pub(super) catalog: catalog::Catalog,
    /// Last transaction id handed out.
    pub(super) last_txn: u64,
    /// Rows the last statement read from tables (tests check index use with it).
    pub(super) last_examined: u64,
    pub(super) stats: admin::Stats,
    /// Redo payloads of commits for the durability log, and the log's refusal.
    pub(super) redo: redo::Outbox,
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
}
