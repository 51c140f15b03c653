//! Session and administration statements: SET, USE, SHOW ..., DESCRIBE, and the system
//! variables (`@@version_comment`, `@@autocommit`, ...).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sqlparser::ast::{
    self as ast, Set, ShowCreateObject, ShowStatementFilter, ShowStatementFilterPosition,
    ShowStatementOptions, Statement,
};

use super::catalog::{Catalog, SYSTEM_SCHEMAS};
use super::ddl::PRIMARY_KEY_NAME;
use super::errors;
use super::eval::{eval, Env};
use super::expr::Compiler;
use super::plan::split_name;
use super::table::Table;
use super::value::like_match;
use super::{
    done, ColumnMeta, Outcome, ResultSet, Session, SqlError, SqlType, Value, SERVER_VERSION,
};

/// `@@max_allowed_packet`.
pub const MAX_ALLOWED_PACKET: i64 = 67_108_864;
/// Width of text columns in SHOW results.
const SHOW_COLUMN_CHARS: u32 = 64;

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

/// The database a USE statement names.
pub fn use_target(u: &ast::Use) -> Result<String, SqlError> {
    match u {
        ast::Use::Object(n) | ast::Use::Database(n) | ast::Use::Schema(n) => Ok(match n.0.last() {
            Some(ast::ObjectNamePart::Identifier(i)) => i.value.clone(),
            _ => n.to_string(),
        }),
        _ => Err(errors::unsupported("this USE")),
    }
}

/// SET statements.
pub fn set(session: &mut Session, set: &Set) -> Result<Outcome, SqlError> {
    match set {
        Set::SetNames { .. } | Set::SetNamesDefault {} | Set::SetTransaction { .. } => {}
        Set::SingleAssignment {
            variable, values, ..
        } => {
            let [value] = values.as_slice() else {
                return Err(errors::unsupported("SET of a list"));
            };
            assign(session, variable, value)?;
        }
        Set::MultipleAssignments { assignments } => {
            for a in assignments {
                assign(session, &a.name, &a.value)?;
            }
        }
        _ => return Err(errors::unsupported("this SET")),
    }
    Ok(done(0, 0, String::new()))
}

fn assign(
    session: &mut Session,
    variable: &ast::ObjectName,
    value: &ast::Expr,
) -> Result<(), SqlError> {
    let parts: Vec<String> = variable
        .0
        .iter()
        .map(|p| p.to_string().to_ascii_lowercase())
        .collect();
    let name = match parts.as_slice() {
        [scope, n] if matches!(scope.as_str(), "@@session" | "@@global" | "@@local") => n.clone(),
        [n] => n.trim_start_matches("@@").to_string(),
        _ => return Err(errors::unsupported("this variable name")),
    };
    let value = match value {
        // `SET x = ON` / `SET sql_mode = TRADITIONAL`: a bare word is a string.
        ast::Expr::Identifier(id) if id.quote_style.is_none() && !id.value.starts_with('@') => {
            Value::Text(id.value.as_bytes().to_vec())
        }
        e => {
            let mut c = Compiler::new(
                &[],
                "",
                session.database().unwrap_or(""),
                super::DEFAULT_MAX_NESTING_DEPTH,
            );
            let t = c.compile(e)?;
            let env = Env {
                rows: &[],
                aggs: &[],
                outputs: &[],
                params: &[],
                session,
                sub: None,
            };
            eval(&t.expr, &env)?.into_owned()
        }
    };
    if let Some(user_var) = name.strip_prefix('@') {
        session.user_vars.insert(user_var.to_string(), value);
        return Ok(());
    }
    if name == "autocommit" {
        session.autocommit = match &value {
            Value::Text(t) if t.eq_ignore_ascii_case(b"on") => true,
            Value::Text(t) if t.eq_ignore_ascii_case(b"off") => false,
            v => v
                .truth()
                .ok_or_else(|| errors::wrong_value_for_var("autocommit", "NULL"))?,
        };
        return Ok(());
    }
    if value.is_null() || value == Value::Text(b"DEFAULT".to_vec()) {
        session.variables.remove(&name);
    } else {
        session.variables.insert(name, value);
    }
    Ok(())
}

/// Read-only statements answered from the catalog and the session.
pub struct Admin<'a> {
    pub catalog: &'a Catalog,
    pub session: &'a Session,
    pub stats: &'a Stats,
}

fn text(s: &str) -> Value {
    Value::Text(s.as_bytes().to_vec())
}

/// Result metadata for text columns named `names`.
fn columns(names: &[&str]) -> Vec<ColumnMeta> {
    names
        .iter()
        .map(|n| ColumnMeta {
            name: n.to_string(),
            org_name: n.to_string(),
            table: String::new(),
            org_table: String::new(),
            schema: String::new(),
            sql_type: SqlType::VarChar(SHOW_COLUMN_CHARS),
            nullable: true,
            primary_key: false,
            unique_key: false,
            multiple_key: false,
            auto_increment: false,
        })
        .collect()
}

fn like_filter(options: &ShowStatementOptions) -> Option<&str> {
    match &options.filter_position {
        Some(ShowStatementFilterPosition::Infix(ShowStatementFilter::Like(p)))
        | Some(ShowStatementFilterPosition::Suffix(ShowStatementFilter::Like(p))) => Some(p),
        _ => None,
    }
}

fn matches(pattern: Option<&str>, name: &str) -> bool {
    pattern.is_none_or(|p| like_match(name.as_bytes(), p.as_bytes(), b'\\'))
}

impl Admin<'_> {
    /// Answer a SHOW/DESCRIBE statement; None if it is not one we know.
    pub fn show(&self, stmt: &Statement) -> Result<Option<ResultSet>, SqlError> {
        Ok(Some(match stmt {
            Statement::ShowDatabases { show_options, .. }
            | Statement::ShowSchemas { show_options, .. } => {
                let p = like_filter(show_options);
                let mut names: Vec<&str> = SYSTEM_SCHEMAS.to_vec();
                names.extend(self.catalog.database_names());
                names.sort_unstable();
                ResultSet {
                    columns: columns(&["Database"]),
                    rows: names
                        .into_iter()
                        .filter(|n| matches(p, n))
                        .map(|n| alloc::vec![text(n)])
                        .collect(),
                }
            }
            Statement::ShowTables {
                full, show_options, ..
            } => self.show_tables(*full, show_options)?,
            Statement::ShowColumns {
                full, show_options, ..
            } => {
                let Some(name) = show_options
                    .show_in
                    .as_ref()
                    .and_then(|s| s.parent_name.as_ref())
                else {
                    return Err(errors::syntax("", 1));
                };
                self.describe(name, *full, like_filter(show_options))?
            }
            Statement::ExplainTable { table_name, .. } => self.describe(table_name, false, None)?,
            Statement::ShowCreate {
                obj_type: ShowCreateObject::Table,
                obj_name,
            } => {
                let t = self.table(obj_name)?;
                ResultSet {
                    columns: columns(&["Table", "Create Table"]),
                    rows: alloc::vec![alloc::vec![text(&t.name), text(&show_create(t))]],
                }
            }
            Statement::ShowVariables { filter, .. } => self.show_variables(filter.as_ref()),
            Statement::ShowStatus { filter, .. } => self.show_status(filter.as_ref()),
            Statement::ShowVariable { variable } => {
                let words: Vec<String> = variable
                    .iter()
                    .map(|i| i.value.to_ascii_uppercase())
                    .collect();
                match words
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .as_slice()
                {
                    ["WARNINGS"] | ["ERRORS"] => ResultSet {
                        columns: columns(&["Level", "Code", "Message"]),
                        rows: Vec::new(),
                    },
                    ["ENGINES"] | ["STORAGE", "ENGINES"] => ResultSet {
                        columns: columns(&[
                            "Engine",
                            "Support",
                            "Comment",
                            "Transactions",
                            "XA",
                            "Savepoints",
                        ]),
                        rows: alloc::vec![[
                            "InnoDB",
                            "DEFAULT",
                            "In-memory tables of ring0db",
                            "YES",
                            "NO",
                            "NO"
                        ]
                        .iter()
                        .map(|s| text(s))
                        .collect()],
                    },
                    ["INDEX" | "INDEXES" | "KEYS", "FROM" | "IN", ..] => {
                        let Some(name) = variable.get(2) else {
                            return Err(errors::syntax("", 1));
                        };
                        let mut parts = Vec::from([ast::ObjectNamePart::Identifier(name.clone())]);
                        if let (Some(_), Some(db)) = (variable.get(3), variable.get(4)) {
                            parts.insert(0, ast::ObjectNamePart::Identifier(db.clone()));
                        }
                        self.show_index(&ast::ObjectName(parts))?
                    }
                    _ => return Ok(None),
                }
            }
            Statement::ShowCollation { .. } => ResultSet {
                columns: columns(&[
                    "Collation",
                    "Charset",
                    "Id",
                    "Default",
                    "Compiled",
                    "Sortlen",
                ]),
                rows: alloc::vec![["utf8mb4_general_ci", "utf8mb4", "45", "Yes", "Yes", "1"]
                    .iter()
                    .map(|s| text(s))
                    .collect()],
            },
            _ => return Ok(None),
        }))
    }

    fn table(&self, name: &ast::ObjectName) -> Result<&Table, SqlError> {
        let (db, t) = split_name(self.session, name)?;
        self.catalog.lookup(&db, &t)
    }

    fn show_tables(
        &self,
        full: bool,
        options: &ShowStatementOptions,
    ) -> Result<ResultSet, SqlError> {
        let db = match options
            .show_in
            .as_ref()
            .and_then(|s| s.parent_name.as_ref())
        {
            Some(n) => n.to_string().trim_matches('`').to_string(),
            None => self
                .session
                .database()
                .ok_or_else(errors::no_database)?
                .to_string(),
        };
        if !self.catalog.database_exists(&db) && !super::catalog::is_system_schema(&db) {
            return Err(errors::unknown_database(&db));
        }
        let p = like_filter(options);
        let mut header = format!("Tables_in_{db}");
        if let Some(p) = p {
            header.push_str(&format!(" ({p})"));
        }
        let mut names = alloc::vec![header.as_str()];
        if full {
            names.push("Table_type");
        }
        let rows = self
            .catalog
            .table_names(&db)
            .into_iter()
            .filter(|n| matches(p, n))
            .map(|n| {
                let mut r = alloc::vec![text(n)];
                if full {
                    r.push(text("BASE TABLE"));
                }
                r
            })
            .collect();
        Ok(ResultSet {
            columns: columns(&names),
            rows,
        })
    }

    fn describe(
        &self,
        name: &ast::ObjectName,
        full: bool,
        pattern: Option<&str>,
    ) -> Result<ResultSet, SqlError> {
        let t = self.table(name)?;
        let names: &[&str] = if full {
            &[
                "Field",
                "Type",
                "Collation",
                "Null",
                "Key",
                "Default",
                "Extra",
                "Privileges",
                "Comment",
            ]
        } else {
            &["Field", "Type", "Null", "Key", "Default", "Extra"]
        };
        let mut rows = Vec::new();
        for (i, c) in t.columns.iter().enumerate() {
            if !matches(pattern, &c.name) {
                continue;
            }
            let key = key_kind(t, i);
            let default = match &c.default {
                Some(v) => match v.to_text() {
                    Some(tx) => Value::Text(tx),
                    None => Value::Null,
                },
                None => Value::Null,
            };
            let collation = if super::expr::is_text(c.ty) {
                text("utf8mb4_general_ci")
            } else {
                Value::Null
            };
            let mut row = alloc::vec![text(&c.name), text(&c.type_text)];
            if full {
                row.push(collation);
            }
            row.push(text(if c.nullable { "YES" } else { "NO" }));
            row.push(text(key));
            row.push(default);
            row.push(text(if c.auto_increment {
                "auto_increment"
            } else {
                ""
            }));
            if full {
                row.push(text("select,insert,update,references"));
                row.push(text(""));
            }
            rows.push(row);
        }
        Ok(ResultSet {
            columns: columns(names),
            rows,
        })
    }

    fn show_index(&self, name: &ast::ObjectName) -> Result<ResultSet, SqlError> {
        let t = self.table(name)?;
        let names = [
            "Table",
            "Non_unique",
            "Key_name",
            "Seq_in_index",
            "Column_name",
            "Collation",
            "Cardinality",
            "Sub_part",
            "Packed",
            "Null",
            "Index_type",
            "Comment",
            "Index_comment",
            "Ignored",
        ];
        let mut rows = Vec::new();
        for ix in &t.indexes {
            for (seq, c) in ix.def.columns.iter().enumerate() {
                let col = t.columns.get(*c);
                rows.push(alloc::vec![
                    text(&t.name),
                    Value::Int(i64::from(!ix.def.unique)),
                    text(&ix.def.name),
                    Value::Int(seq as i64 + 1),
                    text(col.map_or("", |c| c.name.as_str())),
                    text("A"),
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    text(if col.is_some_and(|c| c.nullable) {
                        "YES"
                    } else {
                        ""
                    }),
                    text("BTREE"),
                    text(""),
                    text(""),
                    text("NO"),
                ]);
            }
        }
        Ok(ResultSet {
            columns: columns(&names),
            rows,
        })
    }

    fn show_variables(&self, filter: Option<&ShowStatementFilter>) -> ResultSet {
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

    fn show_status(&self, filter: Option<&ShowStatementFilter>) -> ResultSet {
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

/// PRI / UNI / MUL / "" as SHOW COLUMNS reports a column.
fn key_kind(t: &Table, col: usize) -> &'static str {
    let first = |pred: &dyn Fn(&super::table::IndexDef) -> bool| {
        t.indexes
            .iter()
            .any(|ix| pred(&ix.def) && ix.def.columns.first() == Some(&col))
    };
    if t.indexes
        .iter()
        .any(|ix| ix.def.primary && ix.def.columns.contains(&col))
    {
        "PRI"
    } else if first(&|d| d.unique && d.columns.len() == 1) {
        "UNI"
    } else if first(&|_| true) {
        "MUL"
    } else {
        ""
    }
}

/// The CREATE TABLE statement of a table, as MariaDB prints it.
fn show_create(t: &Table) -> String {
    let mut s = format!("CREATE TABLE `{}` (\n", t.name);
    let mut lines: Vec<String> = Vec::new();
    for c in &t.columns {
        let mut l = format!("  `{}` {}", c.name, c.type_text);
        if !c.nullable {
            l.push_str(" NOT NULL");
        }
        match &c.default {
            Some(Value::Null) | None if c.nullable && !c.auto_increment => {
                l.push_str(" DEFAULT NULL")
            }
            Some(v) if !v.is_null() => {
                let shown = v.display();
                if super::expr::is_text(c.ty) {
                    l.push_str(&format!(" DEFAULT '{}'", shown.replace('\'', "''")));
                } else {
                    l.push_str(&format!(" DEFAULT {shown}"));
                }
            }
            _ => {}
        }
        if c.auto_increment {
            l.push_str(" AUTO_INCREMENT");
        }
        lines.push(l);
    }
    for ix in &t.indexes {
        let cols: Vec<String> = ix
            .def
            .columns
            .iter()
            .filter_map(|c| t.columns.get(*c))
            .map(|c| format!("`{}`", c.name))
            .collect();
        let cols = cols.join(",");
        lines.push(if ix.def.primary {
            format!("  {} KEY ({cols})", PRIMARY_KEY_NAME)
        } else if ix.def.unique {
            format!("  UNIQUE KEY `{}` ({cols})", ix.def.name)
        } else {
            format!("  KEY `{}` ({cols})", ix.def.name)
        });
    }
    s.push_str(&lines.join(",\n"));
    s.push_str("\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci");
    s
}
