//! The MySQL protocol front-end of the real `dbserver` binary under bad input and limits,
//! over raw TCP on loopback: each bad connection gets MySQL's error (or is dropped) and
//! only it closes, while a well-behaved SQL client (the `mysql` crate) and a RESP client
//! keep getting correct answers; `--maxclients`, `--maxmemory`, `--max-allowed-packet` and
//! `--sql-password` answer as MySQL and Redis do.

mod common;

use common::{Resp, Server, IO_TIMEOUT, POLL_INTERVAL};
use mysql::prelude::Queryable;
use mysql::{Conn, Opts, OptsBuilder};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddrV4, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

/// The version the server announces.
const SERVER_VERSION: &str = "8.0.36-ring0db";
/// MySQL's error numbers used here.
const ER_CON_COUNT_ERROR: u16 = 1040;
const ER_HANDSHAKE_ERROR: u16 = 1043;
const ER_ACCESS_DENIED_ERROR: u16 = 1045;
const ER_UNKNOWN_COM_ERROR: u16 = 1047;
const ER_RECORD_FILE_FULL: u16 = 1114;
const ER_NET_PACKET_TOO_LARGE: u16 = 1153;
const ER_NET_PACKETS_OUT_OF_ORDER: u16 = 1156;
const ER_UNKNOWN_STMT_HANDLER: u16 = 1243;
/// Capability flags of the raw client: 4.1 protocol, secure connection, plugin auth,
/// transactions; no CLIENT_DEPRECATE_EOF (classic EOF packets).
const CLIENT_CAPABILITIES: u32 = 1 | 0x200 | 0x2000 | 0x8000 | (1 << 19);
/// utf8mb4_general_ci.
const CHARSET_UTF8MB4: u8 = 45;
/// The largest payload of one physical packet; a logical packet this long continues.
const MAX_CHUNK: usize = 0xff_ffff;
/// The default `max_allowed_packet` (64 MiB).
const DEFAULT_MAX_ALLOWED_PACKET: usize = 64 * 1024 * 1024;
/// How long an open connection is watched to show it stays open.
const STAYS_OPEN_WAIT: Duration = Duration::from_millis(300);
/// How long to wait for the server to notice closed connections.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(10);
/// Nesting depth of the deeply nested statement.
const NESTING_DEPTH: usize = 10_000;
/// Command bytes.
const COM_QUIT: u8 = 0x01;
const COM_QUERY: u8 = 0x03;
const COM_PING: u8 = 0x0e;
const COM_STMT_EXECUTE: u8 = 0x17;

// ---------------------------------------------------------------------------------------
// A raw MySQL-protocol client

/// What the server answered to a command.
#[derive(Debug, PartialEq)]
enum Reply {
    Ok,
    Err(u16, String),
    Rows(Vec<Vec<Option<String>>>),
}

/// A MySQL-protocol connection that sends exactly the bytes a test gives it.
struct RawSql {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl RawSql {
    fn connect(addr: SocketAddrV4) -> RawSql {
        let stream = TcpStream::connect(addr).expect("connect to the SQL port");
        stream.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
        stream.set_write_timeout(Some(IO_TIMEOUT)).expect("timeout");
        RawSql {
            stream,
            buf: Vec::new(),
        }
    }

    /// Connect and read the server's greeting; returns its server version.
    fn greeted(addr: SocketAddrV4) -> (RawSql, String) {
        let mut c = RawSql::connect(addr);
        let (seq, greeting) = c.packet().expect("a greeting");
        assert_eq!(seq, 0, "greeting sequence id");
        assert_eq!(greeting[0], 10, "protocol version: {greeting:?}");
        let end = greeting[1..]
            .iter()
            .position(|&b| b == 0)
            .expect("NUL after the version");
        let version = String::from_utf8_lossy(&greeting[1..1 + end]).into_owned();
        (c, version)
    }

    /// Connect and log in as root without a password (the server accepts anyone).
    fn logged_in(addr: SocketAddrV4) -> RawSql {
        let (mut c, _) = RawSql::greeted(addr);
        c.send(1, &handshake_response("root", None));
        assert_eq!(c.reply(), Reply::Ok, "login");
        c
    }

    fn send_bytes(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// Send one physical packet.
    fn send(&mut self, seq: u8, payload: &[u8]) {
        self.send_bytes(&frame(seq, payload))
            .expect("send a packet");
    }

    /// One packet (sequence id, payload); `None` when the connection closed first.
    fn packet(&mut self) -> Option<(u8, Vec<u8>)> {
        loop {
            if self.buf.len() >= 4 {
                let len = u32::from_le_bytes([self.buf[0], self.buf[1], self.buf[2], 0]) as usize;
                if self.buf.len() >= 4 + len {
                    let seq = self.buf[3];
                    let payload = self.buf[4..4 + len].to_vec();
                    self.buf.drain(..4 + len);
                    return Some((seq, payload));
                }
            }
            let mut chunk = [0u8; 64 * 1024];
            match self.stream.read(&mut chunk) {
                Ok(0) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::ConnectionReset => return None,
                Err(e) => panic!("read failed: {e}"),
            }
        }
    }

    /// The answer to a command (OK, ERR, or a text result set).
    fn reply(&mut self) -> Reply {
        let (_, first) = self.packet().expect("a reply, not a closed connection");
        match first[0] {
            0x00 => Reply::Ok,
            0xff => parse_err(&first),
            _ => {
                let columns = lenenc_int(&first, &mut 0);
                for _ in 0..columns {
                    self.packet().expect("a column definition");
                }
                let (_, eof) = self.packet().expect("EOF after the columns");
                assert!(is_eof(&eof), "EOF expected: {eof:?}");
                let mut rows = Vec::new();
                loop {
                    let (_, row) = self.packet().expect("a row or EOF");
                    if is_eof(&row) {
                        return Reply::Rows(rows);
                    }
                    if row[0] == 0xff {
                        return parse_err(&row);
                    }
                    rows.push(parse_row(&row, columns));
                }
            }
        }
    }

    fn query(&mut self, sql: &str) -> Reply {
        let mut payload = vec![COM_QUERY];
        payload.extend_from_slice(sql.as_bytes());
        self.send(0, &payload);
        self.reply()
    }

    /// The connection still answers a query correctly.
    fn assert_usable(&mut self) {
        assert_eq!(
            self.query("SELECT 6 * 7"),
            Reply::Rows(vec![vec![Some("42".into())]])
        );
    }

    /// True when the server closes the connection within [`IO_TIMEOUT`] (pending input
    /// is discarded).
    fn closed_by_server(&mut self) -> bool {
        self.closed_within(IO_TIMEOUT)
    }

    fn closed_within(&mut self, limit: Duration) -> bool {
        self.buf.clear();
        ring0db_images::tcp::closed_within(&mut self.stream, limit)
            .unwrap_or_else(|e| panic!("read failed: {e}"))
    }

    /// The next reply is ERR `code`, then the server closes the connection.
    fn assert_fatal(&mut self, code: u16, case: &str) {
        match self.reply() {
            Reply::Err(got, message) => {
                assert_eq!(got, code, "{case}: ERR {got} {message}")
            }
            other => panic!("{case}: expected ERR {code}, got {other:?}"),
        }
        assert!(self.closed_by_server(), "{case}: connection left open");
    }
}

/// A physical packet: 3-byte length, sequence id, payload.
fn frame(seq: u8, payload: &[u8]) -> Vec<u8> {
    assert!(payload.len() <= MAX_CHUNK);
    let len = (payload.len() as u32).to_le_bytes();
    let mut out = vec![len[0], len[1], len[2], seq];
    out.extend_from_slice(payload);
    out
}

/// HandshakeResponse41 for `user` with an empty auth response (or `auth_len_lie`: an
/// auth-response length byte that runs past the end of the packet).
fn handshake_response(user: &str, auth_len_lie: Option<u8>) -> Vec<u8> {
    let mut out = CLIENT_CAPABILITIES.to_le_bytes().to_vec();
    out.extend_from_slice(&(16u32 * 1024 * 1024).to_le_bytes());
    out.push(CHARSET_UTF8MB4);
    out.extend_from_slice(&[0; 23]);
    out.extend_from_slice(user.as_bytes());
    out.push(0);
    match auth_len_lie {
        Some(len) => out.extend_from_slice(&[len, 1, 2, 3]),
        None => {
            out.push(0);
            out.extend_from_slice(b"mysql_native_password\0");
        }
    }
    out
}

fn parse_err(packet: &[u8]) -> Reply {
    let code = u16::from_le_bytes([packet[1], packet[2]]);
    let message = match packet.get(3) {
        Some(b'#') => &packet[9..],
        _ => &packet[3..],
    };
    Reply::Err(code, String::from_utf8_lossy(message).into_owned())
}

fn is_eof(packet: &[u8]) -> bool {
    packet.first() == Some(&0xfe) && packet.len() < 9
}

fn lenenc_int(p: &[u8], at: &mut usize) -> u64 {
    let first = p[*at];
    *at += 1;
    let width = match first {
        0xfc => 2,
        0xfd => 3,
        0xfe => 8,
        small => return u64::from(small),
    };
    let mut bytes = [0u8; 8];
    bytes[..width].copy_from_slice(&p[*at..*at + width]);
    *at += width;
    u64::from_le_bytes(bytes)
}

fn parse_row(packet: &[u8], columns: u64) -> Vec<Option<String>> {
    let mut at = 0;
    (0..columns)
        .map(|_| {
            if packet[at] == 0xfb {
                at += 1;
                return None;
            }
            let len = lenenc_int(packet, &mut at) as usize;
            let cell = String::from_utf8_lossy(&packet[at..at + len]).into_owned();
            at += len;
            Some(cell)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The well-behaved clients

fn sql_opts(server: &Server, password: Option<&str>) -> Opts {
    OptsBuilder::new()
        .ip_or_hostname(Some("127.0.0.1"))
        .tcp_port(server.sql_port)
        .prefer_socket(false)
        .user(Some("root"))
        .pass(password)
        .read_timeout(Some(IO_TIMEOUT))
        .write_timeout(Some(IO_TIMEOUT))
        .into()
}

/// A `mysql` crate connection (no password).
fn sql_client(server: &Server) -> Conn {
    Conn::new(sql_opts(server, None)).unwrap_or_else(|e| {
        panic!(
            "connect the SQL client: {e}; server log:\n{}",
            server.log_tail()
        )
    })
}

/// The server error of a `mysql` crate result.
fn error_code<T: std::fmt::Debug>(result: mysql::Result<T>) -> u16 {
    match result {
        Err(mysql::Error::MySqlError(e)) => e.code,
        other => panic!("expected a server error, got {other:?}"),
    }
}

/// The well-behaved SQL and RESP clients, checked after every bad case.
struct Healthy {
    sql: Conn,
    resp: Resp,
    rounds: u64,
}

impl Healthy {
    fn new(server: &Server) -> Healthy {
        let mut sql = sql_client(server);
        sql.query_drop("CREATE DATABASE health")
            .expect("create database");
        sql.query_drop("CREATE TABLE health.beat (n INT PRIMARY KEY)")
            .expect("create table");
        Healthy {
            sql,
            resp: server.connect(),
            rounds: 0,
        }
    }

    /// Both clients still get correct answers (`case` names what just happened).
    fn check(&mut self, case: &str) {
        self.rounds += 1;
        let n = self.rounds;
        self.sql
            .exec_drop("INSERT INTO health.beat VALUES (?)", (n,))
            .unwrap_or_else(|e| panic!("SQL client after {case}: {e}"));
        let count: u64 = self
            .sql
            .query_first("SELECT COUNT(*) FROM health.beat")
            .unwrap_or_else(|e| panic!("SQL client after {case}: {e}"))
            .expect("a row");
        assert_eq!(count, n, "SQL client after {case}");
        let value = format!("beat-{n}");
        assert_eq!(
            self.resp.command(&["SET", "health", &value]),
            b"+OK\r\n",
            "RESP client after {case}"
        );
        assert_eq!(
            self.resp.command(&["GET", "health"]),
            format!("${}\r\n{value}\r\n", value.len()).into_bytes(),
            "RESP client after {case}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Bad input

#[test]
fn greeting_and_plain_commands() {
    let server = Server::start(&[]);
    let (_, version) = RawSql::greeted(server.sql_addr());
    assert_eq!(version, SERVER_VERSION);
    let mut c = RawSql::logged_in(server.sql_addr());
    c.assert_usable();
    c.send(0, &[COM_PING]);
    assert_eq!(c.reply(), Reply::Ok, "COM_PING");
    c.send(0, &[COM_QUIT]);
    assert!(c.closed_by_server(), "COM_QUIT leaves the connection open");
}

#[test]
fn bad_packets_in_the_handshake_close_only_their_connection() {
    let server = Server::start(&[]);
    let mut healthy = Healthy::new(&server);
    // The handshake response with a wrong sequence id.
    let (mut c, _) = RawSql::greeted(server.sql_addr());
    c.send(5, &handshake_response("root", None));
    c.assert_fatal(ER_NET_PACKETS_OUT_OF_ORDER, "handshake response with seq 5");
    healthy.check("wrong sequence id in the handshake");
    // An auth-response length that runs past the end of the packet.
    let (mut c, _) = RawSql::greeted(server.sql_addr());
    c.send(1, &handshake_response("root", Some(200)));
    c.assert_fatal(ER_HANDSHAKE_ERROR, "auth length past the packet");
    healthy.check("length past the packet");
    // A handshake response cut short (only the capability flags).
    let (mut c, _) = RawSql::greeted(server.sql_addr());
    c.send(1, &CLIENT_CAPABILITIES.to_le_bytes());
    c.assert_fatal(ER_HANDSHAKE_ERROR, "truncated handshake response");
    healthy.check("truncated handshake response");
    // Garbage instead of the handshake reply: an HTTP request ("GET " is a header with
    // sequence id 0x20).
    let (mut c, _) = RawSql::greeted(server.sql_addr());
    c.send_bytes(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .expect("send");
    c.assert_fatal(ER_NET_PACKETS_OUT_OF_ORDER, "HTTP request as handshake");
    healthy.check("garbage before the handshake reply");
    // A packet header promising more than is ever sent, then the client goes away.
    let (mut c, _) = RawSql::greeted(server.sql_addr());
    c.send_bytes(&[100, 0, 0, 1, 1, 2, 3]).expect("send");
    assert!(
        !c.closed_within(STAYS_OPEN_WAIT),
        "the server gave up on a packet still arriving"
    );
    drop(c);
    healthy.check("truncated packet");
}

#[test]
fn bad_commands_get_errors_and_the_connection_stays_usable() {
    let server = Server::start(&[]);
    let mut healthy = Healthy::new(&server);
    let mut c = RawSql::logged_in(server.sql_addr());
    c.send(0, &[0x55]);
    assert!(
        matches!(c.reply(), Reply::Err(ER_UNKNOWN_COM_ERROR, _)),
        "unknown command byte"
    );
    c.assert_usable();
    c.send(0, &[]);
    assert!(
        matches!(c.reply(), Reply::Err(ER_UNKNOWN_COM_ERROR, _)),
        "empty command packet"
    );
    c.assert_usable();
    // COM_STMT_EXECUTE of a statement that was never prepared, and one cut short.
    c.send(0, &[COM_STMT_EXECUTE, 99, 0, 0, 0, 0, 1, 0, 0, 0]);
    assert!(
        matches!(c.reply(), Reply::Err(ER_UNKNOWN_STMT_HANDLER, _)),
        "execute of an unknown statement"
    );
    c.send(0, &[COM_STMT_EXECUTE, 1]);
    assert!(
        matches!(c.reply(), Reply::Err(..)),
        "truncated COM_STMT_EXECUTE"
    );
    c.assert_usable();
    healthy.check("bad commands");
    // A statement nested 10,000 deep: an error, not a crash; the connection goes on.
    let nested = format!(
        "SELECT {}1{}",
        "(".repeat(NESTING_DEPTH),
        ")".repeat(NESTING_DEPTH)
    );
    match c.query(&nested) {
        Reply::Err(code, message) => println!("10,000-deep nesting: ERR {code} {message}"),
        other => panic!("10,000-deep nesting answered {other:?}"),
    }
    c.assert_usable();
    healthy.check("deep nesting");
    // A command with a wrong sequence id.
    let mut payload = vec![COM_QUERY];
    payload.extend_from_slice(b"SELECT 1");
    c.send(3, &payload);
    c.assert_fatal(ER_NET_PACKETS_OUT_OF_ORDER, "COM_QUERY with seq 3");
    healthy.check("wrong sequence id in the command phase");
}

#[test]
fn random_garbage_does_not_hurt_others() {
    /// Rounds of garbage, each on its own connection.
    const ROUNDS: usize = 40;
    let server = Server::start(&[]);
    let mut healthy = Healthy::new(&server);
    let baseline = server.info_field("connected_clients");
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for round in 0..ROUNDS {
        let (mut c, _) = RawSql::greeted(server.sql_addr());
        if round % 2 == 1 {
            c.send(1, &handshake_response("root", None));
            assert_eq!(c.reply(), Reply::Ok);
        }
        let garbage: Vec<u8> = (0..(round * 97 % 3000 + 1))
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed >> 24) as u8
            })
            .collect();
        let _ = c.send_bytes(&garbage);
        drop(c);
        healthy.check(&format!("garbage round {round}"));
    }
    server.wait_for_info("connected_clients", SETTLE_TIMEOUT, |n| n == baseline);
}

#[test]
fn packets_past_max_allowed_packet_are_refused() {
    // The default limit, 64 MiB: a statement of 64 MiB + 1 byte in five physical packets.
    let server = Server::start(&[]);
    let mut healthy = Healthy::new(&server);
    let mut c = RawSql::logged_in(server.sql_addr());
    let mut chunk = vec![b' '; MAX_CHUNK];
    chunk[0] = COM_QUERY;
    for seq in 0..4u8 {
        c.send(seq, &chunk);
        chunk[0] = b' ';
    }
    let tail = DEFAULT_MAX_ALLOWED_PACKET + 1 - 4 * MAX_CHUNK;
    c.send(4, &vec![b' '; tail]);
    c.assert_fatal(ER_NET_PACKET_TOO_LARGE, "a 64 MiB + 1 statement");
    healthy.check("64 MiB packet");
    drop(server);
    // A small limit: a statement exactly at it runs, one byte more is refused.
    const LIMIT: usize = 1024;
    let server = Server::start(&["--max-allowed-packet", &LIMIT.to_string()]);
    let mut c = RawSql::logged_in(server.sql_addr());
    let at_limit = format!("SELECT '{}'", "a".repeat(LIMIT - 1 - "SELECT ''".len()));
    assert_eq!(
        c.query(&at_limit),
        Reply::Rows(vec![vec![Some("a".repeat(LIMIT - 10))]])
    );
    let over = format!("SELECT '{}'", "a".repeat(LIMIT - "SELECT ''".len()));
    let mut payload = vec![COM_QUERY];
    payload.extend_from_slice(over.as_bytes());
    c.send(0, &payload);
    c.assert_fatal(
        ER_NET_PACKET_TOO_LARGE,
        "a statement one byte over the limit",
    );
}

// ---------------------------------------------------------------------------------------
// Limits and authentication

#[test]
fn maxclients_counts_both_protocols() {
    let server = Server::start(&["--maxclients", "2"]);
    let mut resp = server.connect();
    assert_eq!(resp.command(&["PING"]), b"+PONG\r\n");
    let mut sql = sql_client(&server);
    assert_eq!(
        sql.query_first::<u8, _>("SELECT 1").expect("query"),
        Some(1)
    );
    // Both slots taken: a third SQL client gets 1040, a third RESP client Redis's error.
    assert_eq!(
        error_code(Conn::new(sql_opts(&server, None))),
        ER_CON_COUNT_ERROR
    );
    let mut raw = RawSql::connect(server.sql_addr());
    match raw.reply() {
        Reply::Err(code, message) => {
            assert_eq!(code, ER_CON_COUNT_ERROR);
            assert_eq!(message, "Too many connections");
        }
        other => panic!("expected ERR 1040 instead of a greeting, got {other:?}"),
    }
    assert!(raw.closed_by_server());
    let mut extra = server.connect();
    assert_eq!(
        extra.reply().expect("an error reply"),
        b"-ERR max number of clients reached\r\n"
    );
    assert!(extra.closed_by_server());
    // The admitted clients are unaffected; a freed slot admits a new SQL client.
    assert_eq!(resp.command(&["PING"]), b"+PONG\r\n");
    assert_eq!(
        sql.query_first::<u8, _>("SELECT 2").expect("query"),
        Some(2)
    );
    drop(resp);
    let mut again = connect_when_admitted(&server);
    assert_eq!(
        again.query_first::<u8, _>("SELECT 3").expect("query"),
        Some(3)
    );
}

/// A SQL connection, retrying while the server has not yet noticed a freed slot.
fn connect_when_admitted(server: &Server) -> Conn {
    let deadline = Instant::now() + SETTLE_TIMEOUT;
    loop {
        match Conn::new(sql_opts(server, None)) {
            Ok(conn) => return conn,
            Err(e) => assert!(Instant::now() < deadline, "never admitted: {e}"),
        }
        thread::sleep(POLL_INTERVAL);
    }
}

#[test]
fn maxmemory_refuses_inserts_and_keeps_reads() {
    /// Bytes of the string column of each row.
    const ROW_BYTES: usize = 1000;
    /// The loop gives up after this many rows (100 times the limit).
    const MAX_ROWS: u64 = 100_000;
    let server = Server::start(&["--maxmemory", "1mb"]);
    let mut sql = sql_client(&server);
    sql.query_drop("CREATE DATABASE m")
        .expect("create database");
    sql.query_drop("CREATE TABLE m.t (id INT PRIMARY KEY, v VARCHAR(1000) NOT NULL)")
        .expect("create table");
    let value = "v".repeat(ROW_BYTES);
    let mut stored = 0u64;
    let code = loop {
        match sql.exec_drop("INSERT INTO m.t VALUES (?, ?)", (stored, &value)) {
            Ok(()) => stored += 1,
            Err(e) => break error_code::<()>(Err(e)),
        }
        assert!(stored < MAX_ROWS, "maxmemory never reached");
    };
    assert_eq!(code, ER_RECORD_FILE_FULL, "after {stored} rows");
    assert!(stored > 0, "not even one row fitted");
    // A row of the same size stays refused; reads work and see every stored row.
    assert_eq!(
        error_code(sql.exec_drop("INSERT INTO m.t VALUES (?, ?)", (stored + 1, &value))),
        ER_RECORD_FILE_FULL
    );
    let count: u64 = sql
        .query_first("SELECT COUNT(*) FROM m.t")
        .expect("count")
        .expect("a row");
    assert_eq!(count, stored);
    let first: String = sql
        .query_first("SELECT v FROM m.t WHERE id = 0")
        .expect("read")
        .expect("a row");
    assert_eq!(first, value);
}

#[test]
fn maxmemory_is_shared_by_both_protocols() {
    /// Bytes of each RESP value.
    const VALUE_BYTES: usize = 10_000;
    /// The loop gives up after this many keys (100 times the limit).
    const MAX_KEYS: usize = 10_000;
    let server = Server::start(&["--maxmemory", "1mb"]);
    let mut sql = sql_client(&server);
    sql.query_drop("CREATE DATABASE m")
        .expect("create database");
    sql.query_drop("CREATE TABLE m.t (id INT PRIMARY KEY)")
        .expect("create table");
    sql.query_drop("INSERT INTO m.t VALUES (1)")
        .expect("insert under the limit");
    // Fill memory from the RESP side until it reports OOM (memory is then over the limit).
    let mut resp = server.connect();
    let value = "v".repeat(VALUE_BYTES);
    let mut keys = 0;
    while resp.command(&["SET", &format!("key{keys}"), &value]) == b"+OK\r\n" {
        keys += 1;
        assert!(keys < MAX_KEYS, "maxmemory never reached");
    }
    assert_eq!(
        error_code(sql.query_drop("INSERT INTO m.t VALUES (2)")),
        ER_RECORD_FILE_FULL
    );
    let count: u64 = sql
        .query_first("SELECT COUNT(*) FROM m.t")
        .expect("count")
        .expect("a row");
    assert_eq!(count, 1);
}

#[test]
fn sql_password_is_checked() {
    const PASSWORD: &str = "s3cret-pw";
    let server = Server::start(&["--sql-password", PASSWORD]);
    let mut good = Conn::new(sql_opts(&server, Some(PASSWORD))).expect("right password");
    assert_eq!(
        good.query_first::<u8, _>("SELECT 1").expect("query"),
        Some(1)
    );
    for wrong in [Some("wrong"), Some(""), None] {
        assert_eq!(
            error_code(Conn::new(sql_opts(&server, wrong))),
            ER_ACCESS_DENIED_ERROR,
            "password {wrong:?}"
        );
    }
    // The raw client sends an empty auth response: refused too.
    let (mut c, _) = RawSql::greeted(server.sql_addr());
    c.send(1, &handshake_response("root", None));
    match c.reply() {
        Reply::Err(code, _) => assert_eq!(code, ER_ACCESS_DENIED_ERROR),
        other => panic!("expected ERR 1045, got {other:?}"),
    }
    // The RESP side has its own password (none here).
    let mut resp = server.connect();
    assert_eq!(resp.command(&["PING"]), b"+PONG\r\n");
    assert_eq!(
        good.query_first::<u8, _>("SELECT 2").expect("query"),
        Some(2)
    );
}
