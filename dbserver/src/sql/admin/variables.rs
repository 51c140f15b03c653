//! System variables: the known `@@` names with their defaults, a session's values, and
//! SHOW VARIABLES / SHOW STATUS.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sqlparser::ast::ShowStatementFilter;

use super::show::{columns, matches, text, Admin};
use crate::sql::errors;
use crate::sql::{ResultSet, Session, SqlError, SqlType, Value, SERVER_VERSION};

/// `@@max_allowed_packet`.
pub const MAX_ALLOWED_PACKET: i64 = 67_108_864;
/// Width of text columns in SHOW results.
pub(super) const SHOW_COLUMN_CHARS: u32 = 64;

/// Counters for SHOW STATUS.
#[derive(Debug, Default)]
pub struct Stats {
    pub questions: u64,
    pub selects: u64,
    pub writes: u64,
}

/// A system variable's default value.
enum Default {
    Int(i64),
    Text(&'static str),
}

/// Every system variable we know, with its default (sorted by name).
const VARIABLES: &[(&str, Default)] = &[
    ("auto_increment_increment", Default::Int(1)),
    ("auto_increment_offset", Default::Int(1)),
    ("autocommit", Default::Int(1)),
    ("bind_address", Default::Text("*")),
    ("character_set_client", Default::Text("utf8mb4")),
    ("character_set_connection", Default::Text("utf8mb4")),
    ("character_set_database", Default::Text("utf8mb4")),
    ("character_set_filesystem", Default::Text("binary")),
    ("character_set_results", Default::Text("utf8mb4")),
    ("character_set_server", Default::Text("utf8mb4")),
    ("character_set_system", Default::Text("utf8mb3")),
    ("collation_connection", Default::Text("utf8mb4_general_ci")),
    ("collation_database", Default::Text("utf8mb4_general_ci")),
    ("collation_server", Default::Text("utf8mb4_general_ci")),
    ("completion_type", Default::Text("NO_CHAIN")),
    ("default_authentication_plugin", Default::Text("mysql_native_password")),
    ("default_storage_engine", Default::Text("InnoDB")),
    ("div_precision_increment", Default::Int(4)),
    ("error_count", Default::Int(0)),
    ("foreign_key_checks", Default::Int(1)),
    ("group_concat_max_len", Default::Int(1_048_576)),
    ("have_openssl", Default::Text("NO")),
    ("have_ssl", Default::Text("DISABLED")),
    ("hostname", Default::Text("ring0db")),
    ("init_connect", Default::Text("")),
    ("innodb_lock_wait_timeout", Default::Int(50)),
    ("interactive_timeout", Default::Int(28800)),
    ("license", Default::Text("MIT OR Apache-2.0")),
    ("local_infile", Default::Int(0)),
    ("lock_wait_timeout", Default::Int(86_400)),
    ("lower_case_table_names", Default::Int(0)),
    ("max_allowed_packet", Default::Int(MAX_ALLOWED_PACKET)),
    ("max_connections", Default::Int(151)),
    ("max_execution_time", Default::Int(0)),
    ("net_buffer_length", Default::Int(16384)),
    ("net_read_timeout", Default::Int(30)),
    ("net_write_timeout", Default::Int(60)),
    ("performance_schema", Default::Int(0)),
    ("port", Default::Int(3306)),
    ("protocol_version", Default::Int(10)),
    ("query_cache_size", Default::Int(0)),
    ("query_cache_type", Default::Text("OFF")),
    ("skip_networking", Default::Int(0)),
    // No Unix socket: the Rust `mysql` crate asks loopback servers for `@@socket` and
    // stays on TCP when it is empty (it panics on NULL).
    ("socket", Default::Text("")),
    ("sql_auto_is_null", Default::Int(0)),
    (
        "sql_mode",
        Default::Text("STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION"),
    ),
    ("sql_notes", Default::Int(1)),
    ("sql_safe_updates", Default::Int(0)),
    ("sql_select_limit", Default::Text("18446744073709551615")),
    ("storage_engine", Default::Text("InnoDB")),
    ("system_time_zone", Default::Text("UTC")),
    ("time_zone", Default::Text("SYSTEM")),
    ("transaction_isolation", Default::Text("READ-COMMITTED")),
    ("transaction_read_only", Default::Int(0)),
    ("tx_isolation", Default::Text("READ-COMMITTED")),
    ("tx_read_only", Default::Int(0)),
    ("unique_checks", Default::Int(1)),
    ("version", Default::Text(SERVER_VERSION)),
    ("version_comment", Default::Text("ring0db")),
    ("version_compile_machine", Default::Text("x86_64")),
    ("version_compile_os", Default::Text("ring0")),
    ("wait_timeout", Default::Int(28800)),
    ("warning_count", Default::Int(0)),
];

fn known(name: &str) -> Option<&'static Default> {
    VARIABLES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, d)| d)
}

/// The type `@@name` has in result metadata.
pub fn variable_type(name: &str) -> SqlType {
    match known(name) {
        Some(Default::Int(_)) => SqlType::BigInt,
        _ => SqlType::VarChar(SHOW_COLUMN_CHARS),
    }
}

/// The value of `@@name` in a session (1193 if no such variable).
pub fn system_variable(session: &Session, name: &str) -> Result<Value, SqlError> {
    match name {
        "autocommit" => return Ok(Value::Int(i64::from(session.autocommit))),
        "last_insert_id" | "identity" => {
            return Ok(Value::Int(
                i64::try_from(session.last_insert_id).unwrap_or(i64::MAX),
            ))
        }
        _ => {}
    }
    if let Some(v) = session.variables.get(name) {
        return Ok(v.clone());
    }
    match known(name) {
        Some(Default::Int(i)) => Ok(Value::Int(*i)),
        Some(Default::Text(t)) => Ok(Value::Text(t.as_bytes().to_vec())),
        None => Err(errors::unknown_variable(name)),
    }
}

impl Admin<'_> {
    pub(super) fn show_variables(&self, filter: Option<&ShowStatementFilter>) -> ResultSet {
        let pattern = match filter {
            Some(ShowStatementFilter::Like(p)) => Some(p.as_str()),
            _ => None,
        };
        let mut names: Vec<&str> = VARIABLES.iter().map(|(n, _)| *n).collect();
        names.extend(self.session.variables.keys().map(String::as_str));
        names.sort_unstable();
        names.dedup();
        let rows = names
            .into_iter()
            .filter(|n| matches(pattern, n))
            .filter_map(|n| {
                let v = system_variable(self.session, n).ok()?;
                Some(alloc::vec![
                    text(n),
                    Value::Text(v.to_text().unwrap_or_default())
                ])
            })
            .collect();
        ResultSet {
            columns: columns(&["Variable_name", "Value"]),
            rows,
        }
    }

    pub(super) fn show_status(&self, filter: Option<&ShowStatementFilter>) -> ResultSet {
        let pattern = match filter {
            Some(ShowStatementFilter::Like(p)) => Some(p.as_str()),
            _ => None,
        };
        let counters = [
            ("Com_select", self.stats.selects),
            ("Com_write", self.stats.writes),
            ("Questions", self.stats.questions),
            ("Threads_connected", 1),
            ("Uptime", 0),
        ];
        let rows = counters
            .iter()
            .filter(|(n, _)| matches(pattern, n))
            .map(|(n, v)| alloc::vec![text(n), text(&v.to_string())])
            .collect();
        ResultSet {
            columns: columns(&["Variable_name", "Value"]),
            rows,
        }
    }
}
