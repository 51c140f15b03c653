//! The command phase: one logical packet = one command byte and its body.

use super::consts::{
    COM_DEBUG, COM_FIELD_LIST, COM_INIT_DB, COM_PING, COM_QUERY, COM_QUIT, COM_RESET_CONNECTION,
    COM_SET_OPTION, COM_STATISTICS, COM_STMT_CLOSE, COM_STMT_EXECUTE, COM_STMT_PREPARE,
    COM_STMT_RESET, COM_STMT_SEND_LONG_DATA, ER_INVALID_CHARACTER_STRING,
    ER_MAX_PREPARED_STMT_COUNT_REACHED, ER_TOO_MANY_FIELDS, ER_UNKNOWN_COM_ERROR,
    ER_UNKNOWN_STMT_HANDLER, ER_WRONG_ARGUMENTS, SQLSTATE_GENERAL, SQLSTATE_NET, SQLSTATE_SYNTAX,
};
use super::packet::write_packet;
use super::prepared::{
    parse_execute, put_prepare_ok, statement_id, BadArguments, MAX_STATEMENTS_PER_CONNECTION,
};
use super::reply::{eof_packet, err_packet, ok_packet, put_ok, status_flags};
use super::resultset::{RowFormat, RowStream};
use super::wire::Reader;
use super::{MysqlConn, Phase, ProtocolSettings};
use crate::sql::{Engine, Outcome, Session, SqlError};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// Bytes of an invalid statement echoed in error 1300.
const INVALID_UTF8_ECHO: usize = 16;

impl MysqlConn {
    pub(super) fn on_command(
        &mut self,
        payload: &[u8],
        engine: &mut Engine,
        settings: &ProtocolSettings,
        out: &mut Vec<u8>,
    ) {
        let Some((&command, body)) = payload.split_first() else {
            self.error(out, ER_UNKNOWN_COM_ERROR, SQLSTATE_NET, "Unknown command");
            return;
        };
        match command {
            COM_QUERY => {
                self.questions = self.questions.wrapping_add(1);
                let Some(sql) = self.statement(out, body) else {
                    return;
                };
                let result = engine.execute(&mut self.session, sql);
                self.send_outcome(out, result, RowFormat::Text);
            }
            COM_PING => self.ok(out),
            COM_QUIT => self.phase = Phase::Closed,
            COM_INIT_DB => {
                let Some(db) = self.utf8(out, body) else {
                    return;
                };
                match engine.use_database(&mut self.session, db) {
                    Ok(()) => self.ok(out),
                    Err(e) => self.sql_error(out, &e),
                }
            }
            COM_STMT_PREPARE => self.stmt_prepare(out, engine, body),
            COM_STMT_EXECUTE => self.stmt_execute(out, engine, body),
            COM_STMT_CLOSE => {
                if let Ok(id) = statement_id(body) {
                    self.statements.remove(id);
                }
            }
            COM_STMT_RESET => match statement_id(body) {
                Ok(id) => match self.statements.get_mut(id) {
                    Some(_) => {
                        self.statements.reset_long_data(id);
                        self.ok(out);
                    }
                    None => self.unknown_statement(out, id, "mysqld_stmt_reset"),
                },
                Err(_) => self.wrong_arguments(out, "mysqld_stmt_reset"),
            },
            COM_STMT_SEND_LONG_DATA => {
                // No reply, whatever happens; problems surface at the next execution.
                let mut r = Reader::new(body);
                if let (Ok(id), Ok(param)) = (r.u32(), r.u16()) {
                    let limit = settings.max_allowed_packet;
                    self.statements.append_long_data(id, param, r.rest(), limit);
                }
            }
            COM_SET_OPTION => eof_packet(out, &mut self.seq, status_flags(&self.session)),
            COM_STATISTICS => {
                let line = format!(
                    "Uptime: 0  Threads: 1  Questions: {}  Slow queries: 0  Opens: 0  \
                     Flush tables: 0  Open tables: 0  Queries per second avg: 0.000",
                    self.questions
                );
                write_packet(out, &mut self.seq, |p| p.extend_from_slice(line.as_bytes()));
            }
            COM_RESET_CONNECTION => {
                let database = self.session.database().map(String::from);
                engine.end_session(&mut self.session);
                self.session = Session::new(self.session.connection_id());
                if let Some(db) = database {
                    // The database may have been dropped meanwhile: then none is selected.
                    let _ = engine.use_database(&mut self.session, &db);
                }
                self.statements.clear();
                self.ok(out);
            }
            COM_FIELD_LIST | COM_DEBUG => {
                eof_packet(out, &mut self.seq, status_flags(&self.session))
            }
            _ => self.error(out, ER_UNKNOWN_COM_ERROR, SQLSTATE_NET, "Unknown command"),
        }
    }

    fn stmt_prepare(&mut self, out: &mut Vec<u8>, engine: &mut Engine, body: &[u8]) {
        self.questions = self.questions.wrapping_add(1);
        if self.statements.count() >= MAX_STATEMENTS_PER_CONNECTION {
            let message = format!(
                "Can't create more than max_prepared_stmt_count statements (current value: {MAX_STATEMENTS_PER_CONNECTION})"
            );
            self.error(
                out,
                ER_MAX_PREPARED_STMT_COUNT_REACHED,
                SQLSTATE_SYNTAX,
                &message,
            );
            return;
        }
        let Some(sql) = self.statement(out, body) else {
            return;
        };
        let prepared = match engine.prepare(&mut self.session, sql) {
            Ok(p) => p,
            Err(e) => return self.sql_error(out, &e),
        };
        if prepared.columns.len() > usize::from(u16::MAX) {
            self.error(
                out,
                ER_TOO_MANY_FIELDS,
                SQLSTATE_GENERAL,
                "Too many columns",
            );
            return;
        }
        let status = status_flags(&self.session);
        let Some(id) = self.statements.insert(prepared) else {
            return;
        };
        if let Some(stmt) = self.statements.get_mut(id) {
            put_prepare_ok(out, &mut self.seq, id, &stmt.prepared, status);
        }
    }

    fn stmt_execute(&mut self, out: &mut Vec<u8>, engine: &mut Engine, body: &[u8]) {
        const WHAT: &str = "mysqld_stmt_execute";
        self.questions = self.questions.wrapping_add(1);
        let Ok(id) = statement_id(body) else {
            return self.wrong_arguments(out, WHAT);
        };
        let Some(stmt) = self.statements.get_mut(id) else {
            return self.unknown_statement(out, id, WHAT);
        };
        let params = if stmt.long_data_overflow() {
            Err(BadArguments)
        } else {
            parse_execute(body, stmt)
        };
        // Long data serves one execution, whatever its fate.
        self.statements.reset_long_data(id);
        let Ok(params) = params else {
            return self.wrong_arguments(out, WHAT);
        };
        let Some(stmt) = self.statements.get_mut(id) else {
            return self.unknown_statement(out, id, WHAT);
        };
        let result = engine.execute_prepared(&mut self.session, &stmt.prepared, &params);
        self.send_outcome(out, result, RowFormat::Binary);
    }

    fn send_outcome(
        &mut self,
        out: &mut Vec<u8>,
        result: Result<Outcome, SqlError>,
        format: RowFormat,
    ) {
        let status = status_flags(&self.session);
        match result {
            Ok(Outcome::Done {
                affected_rows,
                last_insert_id,
                warnings,
                info,
            }) => write_packet(out, &mut self.seq, |p| {
                put_ok(p, affected_rows, last_insert_id, status, warnings, &info)
            }),
            Ok(Outcome::Rows(rs)) if rs.columns.is_empty() => self.ok(out),
            Ok(Outcome::Rows(rs)) => {
                self.stream = Some(RowStream::start(
                    out,
                    &mut self.seq,
                    &rs.columns,
                    rs.rows,
                    format,
                    status,
                ));
            }
            Err(e) => self.sql_error(out, &e),
        }
    }

    /// A statement's text: the body without trailing NUL bytes (mysqlslap sends its
    /// statements NUL-terminated; MySQL's lexer ends the statement there).
    fn statement<'b>(&mut self, out: &mut Vec<u8>, body: &'b [u8]) -> Option<&'b str> {
        let end = body.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
        self.utf8(out, body.get(..end).unwrap_or_default())
    }

    /// The body as UTF-8, or ERR 1300 (and None).
    fn utf8<'b>(&mut self, out: &mut Vec<u8>, body: &'b [u8]) -> Option<&'b str> {
        match core::str::from_utf8(body) {
            Ok(s) => Some(s),
            Err(e) => {
                let at = e.valid_up_to();
                let bad = body.get(at..).unwrap_or_default();
                let mut hex = String::new();
                for b in bad.iter().take(INVALID_UTF8_ECHO) {
                    hex.push_str(&format!("{b:02X}"));
                }
                let message = format!("Invalid utf8mb4 character string: '{hex}'");
                self.error(out, ER_INVALID_CHARACTER_STRING, SQLSTATE_GENERAL, &message);
                None
            }
        }
    }

    fn ok(&mut self, out: &mut Vec<u8>) {
        ok_packet(out, &mut self.seq, status_flags(&self.session));
    }

    fn error(&mut self, out: &mut Vec<u8>, code: u16, sqlstate: &str, message: &str) {
        err_packet(out, &mut self.seq, code, sqlstate, message);
    }

    fn sql_error(&mut self, out: &mut Vec<u8>, e: &SqlError) {
        self.error(out, e.code, e.sqlstate, &e.message);
    }

    fn unknown_statement(&mut self, out: &mut Vec<u8>, id: u32, what: &str) {
        let message = format!("Unknown prepared statement handler ({id}) given to {what}");
        self.error(out, ER_UNKNOWN_STMT_HANDLER, SQLSTATE_GENERAL, &message);
    }

    fn wrong_arguments(&mut self, out: &mut Vec<u8>, what: &str) {
        let message = format!("Incorrect arguments to {what}");
        self.error(out, ER_WRONG_ARGUMENTS, SQLSTATE_GENERAL, &message);
    }
}
