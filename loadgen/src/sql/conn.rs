//! A MySQL-protocol connection for the SQL workloads: where the server is, prepared or text
//! statements behind one call, and errors sorted into deadlocks (retried) and the rest.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{mpsc, OnceLock};
use std::time::Duration;

use mysql::prelude::Queryable;
use mysql::{Conn, Opts, OptsBuilder, Row, Statement, Value};

/// MySQL error code of a deadlock (`ER_LOCK_DEADLOCK`): the transaction was rolled back and
/// is retried.
pub const ER_LOCK_DEADLOCK: u16 = 1213;
/// Bound on connect, read and write of every SQL connection.
pub const IO_TIMEOUT: Duration = Duration::from_secs(60);
/// The account the workloads log in as (dbserver accepts any; mariadb-vm has root@'%').
pub const SQL_USER: &str = "root";

/// Where the MySQL-protocol server is: TCP (loopback) or a unix socket path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlAddr {
    /// `HOST:PORT` on loopback.
    Tcp(SocketAddr),
    /// A unix socket (e.g. a test's MariaDB without a TCP port).
    Socket(PathBuf),
    /// A guest's address reached from inside the network namespace `netns` that loadgen
    /// created for it (connections are made there by the registered [`NetnsRunner`]).
    InNetns {
        /// The guest's address inside the namespace.
        addr: SocketAddr,
        /// The namespace's name.
        netns: String,
    },
}

/// Runs a job on a thread inside the named network namespace (set by the VM targets).
pub type NetnsRunner = fn(&str, Box<dyn FnOnce() + Send>) -> Result<(), String>;

static NETNS_RUNNER: OnceLock<NetnsRunner> = OnceLock::new();

/// Registers how to enter a namespace; first call wins.
pub fn set_netns_runner(runner: NetnsRunner) {
    let _ = NETNS_RUNNER.set(runner);
}

impl SqlAddr {
    /// `HOST:PORT` (loopback only) or an absolute socket path.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.starts_with('/') {
            return Ok(SqlAddr::Socket(PathBuf::from(text)));
        }
        let normalised = match text.strip_prefix("localhost:") {
            Some(port) => format!("127.0.0.1:{port}"),
            None => text.to_string(),
        };
        let addr: SocketAddr = normalised
            .parse()
            .map_err(|_| format!("`{text}` is neither HOST:PORT nor a /socket/path"))?;
        if !addr.ip().is_loopback() {
            return Err(format!(
                "SQL address {text} is not on loopback; loadgen only talks to loopback"
            ));
        }
        Ok(SqlAddr::Tcp(addr))
    }

    /// Connection options for `database` (none: no default database).
    pub fn opts(&self, database: Option<&str>) -> Opts {
        let builder = OptsBuilder::new()
            .user(Some(SQL_USER))
            .db_name(database)
            .read_timeout(Some(IO_TIMEOUT))
            .write_timeout(Some(IO_TIMEOUT))
            .tcp_connect_timeout(Some(IO_TIMEOUT));
        match self {
            // prefer_socket off: otherwise the client would switch a loopback TCP
            // connection to the server's unix socket behind our back.
            SqlAddr::Tcp(addr) | SqlAddr::InNetns { addr, .. } => builder
                .ip_or_hostname(Some(addr.ip().to_string()))
                .tcp_port(addr.port())
                .tcp_nodelay(true)
                .prefer_socket(false),
            SqlAddr::Socket(path) => builder
                .socket(Some(path.to_string_lossy()))
                .prefer_socket(true),
        }
        .into()
    }
}

impl fmt::Display for SqlAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlAddr::Tcp(addr) => write!(f, "{addr}"),
            SqlAddr::Socket(path) => write!(f, "{}", path.display()),
            SqlAddr::InNetns { addr, netns } => write!(f, "{addr} (netns {netns})"),
        }
    }
}

/// Prepared statements (binary protocol) or text statements with the values inlined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementMode {
    /// `COM_STMT_PREPARE` once per connection, `COM_STMT_EXECUTE` per call.
    Prepared,
    /// `COM_QUERY` with the parameters written into the text.
    Text,
}

impl StatementMode {
    /// `prepared` or `text`.
    pub fn name(self) -> &'static str {
        match self {
            StatementMode::Prepared => "prepared",
            StatementMode::Text => "text",
        }
    }
}

/// A failed statement.
#[derive(Debug)]
pub enum SqlError {
    /// Error 1213: the server rolled the transaction back; retry it.
    Deadlock,
    /// The server answered, but not what the data says it must.
    Wrong(String),
    /// Any other server or connection error.
    Failed(String),
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlError::Deadlock => write!(f, "deadlock (error {ER_LOCK_DEADLOCK})"),
            SqlError::Wrong(m) | SqlError::Failed(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for SqlError {}

impl SqlError {
    fn from_mysql(sql: &str, e: mysql::Error) -> Self {
        match &e {
            mysql::Error::MySqlError(me) if me.code == ER_LOCK_DEADLOCK => SqlError::Deadlock,
            _ => SqlError::Failed(format!("{}: {e}", abbreviate(sql))),
        }
    }
}

/// The first 80 characters of a statement, for messages.
pub fn abbreviate(sql: &str) -> String {
    const MAX: usize = 80;
    match sql.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &sql[..i]),
        None => sql.to_string(),
    }
}

/// One connection with the statement mode applied to every call.
pub struct SqlConn {
    conn: Conn,
    mode: StatementMode,
    prepared: HashMap<&'static str, Statement>,
    /// Statements sent (each `exec`/`rows` call counts one).
    pub statements: u64,
}

impl SqlConn {
    /// Connects to `addr` with `database` selected.
    pub fn connect(
        addr: &SqlAddr,
        database: Option<&str>,
        mode: StatementMode,
    ) -> Result<Self, SqlError> {
        let opts = addr.opts(database);
        let conn = match addr {
            SqlAddr::InNetns { netns, .. } => {
                let runner = NETNS_RUNNER.get().ok_or_else(|| {
                    SqlError::Failed(format!("connect to {addr}: no namespace support"))
                })?;
                let (tx, rx) = mpsc::channel();
                runner(
                    netns,
                    Box::new(move || {
                        let _ = tx.send(Conn::new(opts));
                    }),
                )
                .map_err(|e| SqlError::Failed(format!("connect to {addr}: {e}")))?;
                rx.recv()
                    .map_err(|_| SqlError::Failed(format!("connect to {addr}: no result")))?
            }
            _ => Conn::new(opts),
        }
        .map_err(|e| SqlError::Failed(format!("connect to {addr}: {e}")))?;
        Ok(SqlConn {
            conn,
            mode,
            prepared: HashMap::new(),
            statements: 0,
        })
    }

    /// Runs a statement without parameters as text (DDL, BEGIN, COMMIT, loading).
    pub fn run(&mut self, sql: &str) -> Result<u64, SqlError> {
        self.statements += 1;
        self.conn
            .query_drop(sql)
            .map_err(|e| SqlError::from_mysql(sql, e))?;
        Ok(self.conn.affected_rows())
    }

    /// Runs a statement without parameters as text and returns its rows.
    pub fn run_rows(&mut self, sql: &str) -> Result<Vec<Row>, SqlError> {
        self.statements += 1;
        self.conn
            .query(sql)
            .map_err(|e| SqlError::from_mysql(sql, e))
    }

    /// Executes `sql` (with `?` placeholders) with `params`; returns the affected rows.
    pub fn exec(&mut self, sql: &'static str, params: &[Value]) -> Result<u64, SqlError> {
        self.statements += 1;
        let result = match self.mode {
            StatementMode::Text => self.conn.query_drop(inline(sql, params)),
            StatementMode::Prepared => {
                let stmt = self.statement(sql)?;
                self.conn.exec_drop(&stmt, params.to_vec())
            }
        };
        result.map_err(|e| SqlError::from_mysql(sql, e))?;
        Ok(self.conn.affected_rows())
    }

    /// Executes `sql` with `params` and returns its rows.
    pub fn rows(&mut self, sql: &'static str, params: &[Value]) -> Result<Vec<Row>, SqlError> {
        self.statements += 1;
        let result = match self.mode {
            StatementMode::Text => self.conn.query(inline(sql, params)),
            StatementMode::Prepared => {
                let stmt = self.statement(sql)?;
                self.conn.exec(&stmt, params.to_vec())
            }
        };
        result.map_err(|e| SqlError::from_mysql(sql, e))
    }

    fn statement(&mut self, sql: &'static str) -> Result<Statement, SqlError> {
        if let Some(stmt) = self.prepared.get(sql) {
            return Ok(stmt.clone());
        }
        let stmt = self
            .conn
            .prep(sql)
            .map_err(|e| SqlError::from_mysql(sql, e))?;
        self.prepared.insert(sql, stmt.clone());
        Ok(stmt)
    }
}

/// `sql` with each `?` replaced by the SQL literal of the next parameter. Strings are quoted
/// with `'` doubled and `\` escaped (the workloads only send digits, letters and dashes).
pub fn inline(sql: &str, params: &[Value]) -> String {
    let mut out = String::with_capacity(sql.len() + 16 * params.len());
    let mut values = params.iter();
    for ch in sql.chars() {
        match (ch, ch == '?') {
            (_, true) => match values.next() {
                Some(v) => out.push_str(&literal(v)),
                None => out.push('?'),
            },
            (c, false) => out.push(c),
        }
    }
    out
}

fn literal(v: &Value) -> String {
    match v {
        Value::NULL => "NULL".into(),
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        Value::Bytes(b) => {
            let text = String::from_utf8_lossy(b);
            format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
        }
        other => other.as_sql(false),
    }
}

/// Column `i` of `row` as text (integers and decimals too), or `None` for NULL/missing.
pub fn text(row: &Row, i: usize) -> Option<String> {
    match row.as_ref(i)? {
        Value::NULL => None,
        Value::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Value::Int(v) => Some(v.to_string()),
        Value::UInt(v) => Some(v.to_string()),
        other => Some(other.as_sql(true).trim_matches('\'').to_string()),
    }
}

/// Column `i` of `row` as an integer.
pub fn int(row: &Row, i: usize) -> Option<i64> {
    text(row, i)?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_inlined_as_literals() {
        let sql = "SELECT c FROM t WHERE id = ? AND c = ? AND d = ?";
        let got = inline(
            sql,
            &[Value::Int(7), Value::Bytes(b"it's".to_vec()), Value::NULL],
        );
        assert_eq!(
            got,
            "SELECT c FROM t WHERE id = 7 AND c = 'it''s' AND d = NULL"
        );
    }

    #[test]
    fn addresses_are_loopback_or_sockets() {
        assert_eq!(
            SqlAddr::parse("localhost:3306").unwrap(),
            SqlAddr::Tcp("127.0.0.1:3306".parse().unwrap())
        );
        assert!(matches!(
            SqlAddr::parse("/tmp/x.sock"),
            Ok(SqlAddr::Socket(_))
        ));
        assert!(SqlAddr::parse("10.0.0.1:3306").is_err());
        assert!(SqlAddr::parse("bogus").is_err());
    }
}
