//! What the fuzz targets share: a platform without sockets and the small SQL schema the
//! SQL and MySQL targets run their statements against.

use dbserver::mysql::resultset::{put_binary_row, put_column_definition, put_text_row};
use dbserver::sql::{Engine, EngineLimits, Outcome, Session};
use dbserver::sys::{Errno, Event, Fd, Interest, SockAddrV4, Syscalls};

/// A platform without sockets: the commands only log, read the clock and report stats.
pub struct NoSockets;

impl Syscalls for NoSockets {
    fn socket(&self) -> Result<Fd, Errno> {
        Err(Errno::ENOSYS)
    }
    fn bind(&self, _: Fd, _: SockAddrV4) -> Result<(), Errno> {
        Err(Errno::ENOSYS)
    }
    fn listen(&self, _: Fd, _: u32) -> Result<(), Errno> {
        Err(Errno::ENOSYS)
    }
    fn accept(&self, _: Fd) -> Result<Fd, Errno> {
        Err(Errno::ENOSYS)
    }
    fn recv(&self, _: Fd, _: &mut [u8]) -> Result<usize, Errno> {
        Err(Errno::ENOSYS)
    }
    fn send(&self, _: Fd, _: &[u8]) -> Result<usize, Errno> {
        Err(Errno::ENOSYS)
    }
    fn close(&self, _: Fd) -> Result<(), Errno> {
        Err(Errno::ENOSYS)
    }
    fn poll_ctl(&self, _: Fd, _: Interest) -> Result<(), Errno> {
        Err(Errno::ENOSYS)
    }
    fn poll_wait(&self, _: &mut [Event], _: i32) -> Result<usize, Errno> {
        Err(Errno::ENOSYS)
    }
    fn clock_ns(&self) -> u64 {
        1_000_000_000
    }
    fn log(&self, _: &str) {}
    fn platform_stats(&self, report: &mut dyn FnMut(&str, u64)) {
        report("busy_cycles", 1);
    }
}

/// The database the schema lives in.
pub const DATABASE: &str = "fz";

/// Two small tables with a primary key, secondary indexes, NULLs, strings, decimals and
/// doubles, so joins, index lookups and every value type are reachable.
const SCHEMA: &[&str] = &[
    "CREATE DATABASE fz",
    "USE fz",
    "CREATE TABLE t (id INT PRIMARY KEY AUTO_INCREMENT, k INT NOT NULL, \
     s VARCHAR(32), d DECIMAL(10,2), f DOUBLE, g FLOAT, KEY k_idx (k))",
    "CREATE TABLE u (id BIGINT PRIMARY KEY, t_id SMALLINT, name CHAR(8) DEFAULT 'x', \
     b TEXT, UNIQUE KEY name_idx (name))",
    "INSERT INTO t (k, s, d, f, g) VALUES (1, 'one', 1.50, 0.5, 1.25), \
     (2, 'two', -2.25, 1e10, NULL), (2, NULL, NULL, -0.0, 3), \
     (3, 'three', 99999999.99, 3.25, -1e-7)",
    "INSERT INTO u VALUES (10, 1, 'a', 'text'), (20, 2, 'b', NULL), (30, NULL, 'c', '')",
];

/// An engine holding the schema, and a session using its database.
pub fn engine_with_schema(limits: EngineLimits) -> (Engine, Session) {
    let mut engine = Engine::new(limits);
    let mut session = Session::new(1);
    for statement in SCHEMA {
        match engine.execute(&mut session, statement) {
            Ok(_) => {}
            Err(e) => panic!("schema statement `{statement}` failed: {e:?}"),
        }
    }
    (engine, session)
}

/// Encode an outcome as the protocol sends it: column definitions, and every row in the
/// text (COM_QUERY) and binary (COM_STMT_EXECUTE) formats.
pub fn drain(outcome: Outcome) {
    let Outcome::Rows(rows) = outcome else {
        return;
    };
    let mut out = Vec::new();
    let mut scratch = Vec::new();
    let types: Vec<_> = rows.columns.iter().map(|c| c.sql_type).collect();
    for column in &rows.columns {
        put_column_definition(&mut out, column);
    }
    for row in &rows.rows {
        assert_eq!(row.len(), types.len(), "a row of the wrong width");
        put_text_row(&mut out, row, &types, &mut scratch);
        put_binary_row(&mut out, row, &types, &mut scratch);
    }
}
