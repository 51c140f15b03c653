//! Running one statement: compile or reuse a plan, open and close the implicit
//! transaction, and dispatch to the executor, DML, DDL and administration.

use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use super::engine::Cached;
use super::{admin, ddl, dml, errors, exec, plan, txn};
use super::{Engine, Outcome, Session, SqlError, Value};

impl Engine {
    /// Compile statements that have plans (SELECT, INSERT, UPDATE, DELETE).
    pub(super) fn compile(
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
    pub(super) fn run(
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

    pub(super) fn next_txn(&mut self, explicit: bool) -> txn::Txn {
        self.last_txn += 1;
        txn::Txn::new(self.last_txn, explicit)
    }

    pub(super) fn run_plan(
        &mut self,
        session: &mut Session,
        plan: &dml::StmtPlan,
        params: &[Value],
    ) -> Result<Outcome, SqlError> {
        if !matches!(plan, dml::StmtPlan::Select(_)) {
            self.redo.check_writable()?;
        }
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
                    let mut rec = self.redo.recorder();
                    txn.commit(&mut self.catalog, &mut rec);
                    self.redo.push(rec);
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
    pub(super) fn run_other(
        &mut self,
        session: &mut Session,
        stmt: &sqlparser::ast::Statement,
        sql: &str,
    ) -> Result<Outcome, SqlError> {
        use sqlparser::ast::Statement as S;
        match stmt {
            S::StartTransaction { .. } => {
                self.commit(session)?;
                session.txn = Some(self.next_txn(true));
                session.in_transaction = true;
                Ok(done(0, 0, String::new()))
            }
            S::Commit { chain: false, .. } => {
                self.commit(session)?;
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
                    self.commit(session)?;
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
                self.redo.check_writable()?;
                self.commit(session)?;
                // A DDL statement that fails part-way (TRUNCATE of several tables) keeps
                // what it did, so its payload is queued either way.
                let mut rec = self.redo.recorder();
                let r = ddl::run(&mut self.catalog, session, stmt, &mut rec);
                self.redo.push(rec);
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

    /// Commit the session's transaction, if any. While the log refuses durable writes a
    /// transaction holding changes is rolled back instead, with 1021.
    pub(super) fn commit(&mut self, session: &mut Session) -> Result<(), SqlError> {
        session.in_transaction = false;
        let Some(t) = session.txn.take() else {
            return Ok(());
        };
        if !t.is_empty() {
            if let Err(e) = self.redo.check_writable() {
                t.rollback(&mut self.catalog);
                return Err(e);
            }
        }
        let mut rec = self.redo.recorder();
        t.commit(&mut self.catalog, &mut rec);
        self.redo.push(rec);
        Ok(())
    }

    /// Roll back the session's transaction, if any.
    pub(super) fn rollback(&mut self, session: &mut Session) {
        if let Some(t) = session.txn.take() {
            t.rollback(&mut self.catalog);
        }
        session.in_transaction = false;
    }
}

/// An OK outcome.
pub(super) fn done(affected_rows: u64, last_insert_id: u64, info: String) -> Outcome {
    Outcome::Done {
        affected_rows,
        last_insert_id,
        warnings: 0,
        info,
    }
}

/// The first words of a statement, upper-case (for 1235 messages).
pub(super) fn statement_kind(sql: &str) -> String {
    /// Words of the statement named in "doesn't yet support '...'".
    const KIND_WORDS: usize = 2;
    sql.split_whitespace()
        .take(KIND_WORDS)
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_uppercase()
}
