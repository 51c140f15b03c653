//! Real MySQL clients against the real `dbserver` binary on loopback: the `mariadb` CLI,
//! sysbench's OLTP workloads (prepared statements and plain text), `mysqlslap`, Perl DBI
//! with DBD::MariaDB and Python's PyMySQL.
//!
//! The tests named `..._against_mariadb` run the same scripts and assertions against
//! Debian's MariaDB: they show that the expectations are MariaDB's behaviour, not ours.
//! The sysbench and mysqlslap ones are `#[ignore]`d (run them with `--ignored`).

mod common;

use common::mariadb::MariaDb;
use common::{program, run_limited, Server};
use mysql::prelude::Queryable;
use mysql::{Conn, Opts, OptsBuilder};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

/// Debian package of the `mariadb` CLI and `mysqlslap`.
const CLIENT_PACKAGE: &str = "mariadb-client";
/// Time limit of one `mariadb` CLI session.
const CLI_LIMIT: Duration = Duration::from_secs(30);
/// Time limit of one sysbench step (prepare, run, cleanup).
const SYSBENCH_LIMIT: Duration = Duration::from_secs(120);
/// How long each sysbench run lasts (its own `--time`).
const SYSBENCH_SECONDS: u32 = 3;
/// sysbench client threads.
const SYSBENCH_THREADS: u32 = 8;
/// Rows in sysbench's table.
const SYSBENCH_TABLE_SIZE: u64 = 1000;
/// The one error sysbench may retry: deadlock (a write-write conflict rolled back).
const DEADLOCK: u16 = 1213;
/// Time limit of one `mysqlslap` run.
const MYSQLSLAP_LIMIT: Duration = Duration::from_secs(120);
/// Time limit of one Perl or Python script.
const SCRIPT_LIMIT: Duration = Duration::from_secs(60);
/// Debian's Python, where python3-pymysql installs (not a virtualenv's).
const DEBIAN_PYTHON: &str = "/usr/bin/python3";

/// Where a client connects: dbserver over loopback TCP, or MariaDB over its unix socket.
enum Endpoint {
    Tcp(u16),
    Socket(PathBuf),
}

impl Endpoint {
    fn dbserver(server: &Server) -> Endpoint {
        Endpoint::Tcp(server.sql_port)
    }

    fn mariadb(peer: &MariaDb) -> Endpoint {
        Endpoint::Socket(peer.socket.clone())
    }

    /// Connection flags of the `mariadb` CLI and `mysqlslap` (user root, no password).
    fn cli_args(&self) -> Vec<String> {
        let mut args = vec!["--no-defaults".to_string(), "--user=root".to_string()];
        match self {
            Endpoint::Tcp(port) => args.extend([
                "--protocol=TCP".to_string(),
                "--host=127.0.0.1".to_string(),
                format!("--port={port}"),
            ]),
            Endpoint::Socket(path) => args.extend([
                "--protocol=SOCKET".to_string(),
                format!("--socket={}", path.display()),
            ]),
        }
        args
    }

    /// Connection flags of sysbench.
    fn sysbench_args(&self) -> Vec<String> {
        let mut args = vec!["--mysql-user=root".to_string()];
        match self {
            Endpoint::Tcp(port) => args.extend([
                "--mysql-host=127.0.0.1".to_string(),
                format!("--mysql-port={port}"),
            ]),
            Endpoint::Socket(path) => args.push(format!("--mysql-socket={}", path.display())),
        }
        args
    }

    /// Environment for the Perl and Python scripts: DB_HOST and DB_PORT, or DB_SOCKET.
    fn script_env(&self) -> Vec<(&'static str, String)> {
        match self {
            Endpoint::Tcp(port) => vec![
                ("DB_HOST", "127.0.0.1".to_string()),
                ("DB_PORT", port.to_string()),
            ],
            Endpoint::Socket(path) => vec![("DB_SOCKET", path.display().to_string())],
        }
    }

    /// Options of the `mysql` crate (root, no password, `database` selected).
    fn opts(&self, database: Option<&str>) -> Opts {
        let builder = OptsBuilder::new().user(Some("root")).db_name(database);
        match self {
            // The crate's default (prefer_socket) asks loopback servers for `@@socket`;
            // dbserver answers '', so the crate stays on TCP.
            Endpoint::Tcp(port) => builder
                .ip_or_hostname(Some("127.0.0.1"))
                .tcp_port(*port)
                .prefer_socket(true),
            Endpoint::Socket(path) => builder
                .socket(Some(path.to_string_lossy()))
                .prefer_socket(true),
        }
        .into()
    }

    /// A `mysql` crate connection, for setting up and checking what a client did.
    fn connect(&self, database: Option<&str>) -> Conn {
        Conn::new(self.opts(database)).unwrap_or_else(|e| panic!("connect for checking: {e}"))
    }
}

/// Run `program` (from Debian `package`) with `args`, `stdin` and `limit`.
fn run(name: &str, package: &str, args: &[String], stdin: &str, limit: Duration) -> Output {
    let mut command = Command::new(program(name, package));
    command.args(args);
    run_limited(command, stdin, limit)
}

/// stdout and stderr of `out`, for failure messages.
fn both(out: &Output) -> String {
    format!(
        "exit: {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

// ---------------------------------------------------------------------------------------
// The mariadb CLI

/// A batch session; line 13 refers to a table that does not exist, and `--force` goes on.
const CLI_SCRIPT: &str = "\
CREATE DATABASE d;
USE d;
CREATE TABLE fruit (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL, qty INT);
INSERT INTO fruit VALUES (1, 'apple', 3), (2, 'pear', NULL), (3, 'plum', 7);
CREATE TABLE price (fruit_id INT NOT NULL, cents INT NOT NULL);
INSERT INTO price VALUES (1, 50), (3, 125), (3, 130);
SELECT id, name, qty FROM fruit ORDER BY id;
SELECT f.name, p.cents FROM fruit f JOIN price p ON p.fruit_id = f.id ORDER BY f.name, p.cents;
SELECT COUNT(*) AS n, SUM(qty) AS total FROM fruit;
UPDATE fruit SET qty = qty + 1 WHERE qty IS NOT NULL;
DELETE FROM price WHERE cents > 128;
SELECT name, qty FROM fruit WHERE qty > 4;
SELECT * FROM nope;
SELECT COUNT(*) AS prices FROM price;
";

/// What the CLI prints for [`CLI_SCRIPT`] on stdout (batch mode: tab-separated, headers).
const CLI_STDOUT: &str = "\
id\tname\tqty
1\tapple\t3
2\tpear\tNULL
3\tplum\t7
name\tcents
apple\t50
plum\t125
plum\t130
n\ttotal
3\t10
name\tqty
plum\t8
prices
2
";

/// The error of the session, as MySQL numbers it and words it.
const NO_SUCH_TABLE: &str = "1146 (42S02)";

/// What the CLI prints on stderr for a failed statement in batch mode: the statement
/// between dashes, then `ERROR code (state) at line N: message`.
fn cli_error(statement: &str, line: usize, error: &str, message: &str) -> String {
    format!(
        "--------------\n{statement}\n--------------\n\nERROR {error} at line {line}: {message}\n"
    )
}

fn cli_session(endpoint: &Endpoint) {
    let mut args = endpoint.cli_args();
    args.push("--force".to_string());
    let out = run("mariadb", CLIENT_PACKAGE, &args, CLI_SCRIPT, CLI_LIMIT);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        CLI_STDOUT,
        "{}",
        both(&out)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        cli_error(
            "SELECT * FROM nope",
            13,
            NO_SUCH_TABLE,
            "Table 'd.nope' doesn't exist"
        ),
        "{}",
        both(&out)
    );
    // With --force, the error does not make the exit status fail.
    assert!(out.status.success(), "{}", both(&out));
    // Without --force it stops at the error.
    let stop = run(
        "mariadb",
        CLIENT_PACKAGE,
        &endpoint.cli_args(),
        "SELECT 1 AS one;\nSELECT * FROM d.nope;\nSELECT 2 AS two;\n",
        CLI_LIMIT,
    );
    assert_eq!(stop.status.code(), Some(1), "{}", both(&stop));
    assert_eq!(String::from_utf8_lossy(&stop.stdout), "one\n1\n");
    assert_eq!(
        String::from_utf8_lossy(&stop.stderr),
        cli_error(
            "SELECT * FROM d.nope",
            2,
            NO_SUCH_TABLE,
            "Table 'd.nope' doesn't exist"
        ),
        "{}",
        both(&stop)
    );
}

#[test]
fn mariadb_cli_session() {
    let server = Server::start(&[]);
    cli_session(&Endpoint::dbserver(&server));
}

#[test]
fn mariadb_cli_session_against_mariadb() {
    let peer = MariaDb::start();
    cli_session(&Endpoint::mariadb(&peer));
}

// ---------------------------------------------------------------------------------------
// sysbench

/// The numbers of one sysbench run.
#[derive(Debug)]
struct SysbenchFigures {
    transactions: u64,
    queries: u64,
    ignored_errors: u64,
    reconnects: u64,
    tps: f64,
}

/// The count (and rate) after `label:` in sysbench's report, e.g.
/// `    transactions:                        2211   (735.81 per sec.)`.
fn sysbench_number(report: &str, label: &str) -> Option<(u64, f64)> {
    let line = report
        .lines()
        .find_map(|l| l.trim().strip_prefix(label)?.strip_prefix(':'))?;
    let mut words = line.split_whitespace();
    let count = words.next()?.parse().ok()?;
    let rate = words
        .next()
        .and_then(|w| w.strip_prefix('('))
        .and_then(|w| w.parse().ok())
        .unwrap_or(0.0);
    Some((count, rate))
}

fn parse_sysbench(report: &str) -> SysbenchFigures {
    let get = |label| {
        sysbench_number(report, label)
            .unwrap_or_else(|| panic!("no `{label}:` in sysbench's report:\n{report}"))
    };
    let (transactions, tps) = get("transactions");
    SysbenchFigures {
        transactions,
        tps,
        queries: get("queries").0,
        ignored_errors: get("ignored errors").0,
        reconnects: get("reconnects").0,
    }
}

/// One sysbench step (`prepare`, `run`, `cleanup`); panics unless it exits 0.
fn sysbench(endpoint: &Endpoint, workload: &str, ps_mode: &str, step: &str) -> String {
    let mut args = vec![
        workload.to_string(),
        "--db-driver=mysql".to_string(),
        "--mysql-db=sbtest".to_string(),
        // Only deadlocks may be retried: any other error stops sysbench with FATAL.
        format!("--mysql-ignore-errors={DEADLOCK}"),
        format!("--db-ps-mode={ps_mode}"),
        "--tables=1".to_string(),
        format!("--table-size={SYSBENCH_TABLE_SIZE}"),
        format!("--threads={SYSBENCH_THREADS}"),
        format!("--time={SYSBENCH_SECONDS}"),
        "--events=0".to_string(),
        "--rand-seed=1".to_string(),
    ];
    args.extend(endpoint.sysbench_args());
    args.push(step.to_string());
    let out = run("sysbench", "sysbench", &args, "", SYSBENCH_LIMIT);
    assert!(
        out.status.success(),
        "sysbench {workload} {step} (--db-ps-mode={ps_mode}) failed:\n{}",
        both(&out)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Rows in sbtest.sbtest1, or the error number when the query fails.
fn sbtest_rows(endpoint: &Endpoint) -> Result<u64, u16> {
    let mut conn = endpoint.connect(None);
    match conn.query_first::<u64, _>("SELECT COUNT(*) FROM sbtest.sbtest1") {
        Ok(n) => Ok(n.expect("a row")),
        Err(mysql::Error::MySqlError(e)) => Err(e.code),
        Err(e) => panic!("count sbtest1: {e}"),
    }
}

/// How many rows a workload leaves behind, given the prepared count.
enum RowsAfterRun {
    Same,
    More,
    Fewer,
}

/// prepare, run and cleanup of `workload` in both prepared-statement modes.
fn sysbench_workload(endpoint: &Endpoint, workload: &str, after: RowsAfterRun) {
    endpoint
        .connect(None)
        .query_drop("CREATE DATABASE sbtest")
        .expect("create database sbtest");
    for ps_mode in ["auto", "disable"] {
        sysbench(endpoint, workload, ps_mode, "prepare");
        assert_eq!(
            sbtest_rows(endpoint),
            Ok(SYSBENCH_TABLE_SIZE),
            "rows after prepare"
        );
        let report = sysbench(endpoint, workload, ps_mode, "run");
        let figures = parse_sysbench(&report);
        println!(
            "sysbench {workload} --db-ps-mode={ps_mode}: {} transactions ({:.1}/s), {} queries, \
             {} deadlocks retried, {} reconnects",
            figures.transactions,
            figures.tps,
            figures.queries,
            figures.ignored_errors,
            figures.reconnects
        );
        assert!(figures.transactions > 0, "no transaction ran:\n{report}");
        assert_eq!(figures.reconnects, 0, "sysbench reconnected:\n{report}");
        let rows = sbtest_rows(endpoint).expect("sbtest1 after run");
        match after {
            RowsAfterRun::Same => assert_eq!(rows, SYSBENCH_TABLE_SIZE, "rows after run"),
            RowsAfterRun::More => assert!(rows > SYSBENCH_TABLE_SIZE, "rows after run: {rows}"),
            // Every event deletes a random id, so the first one always removes a row.
            RowsAfterRun::Fewer => assert!(rows < SYSBENCH_TABLE_SIZE, "rows after run: {rows}"),
        }
        sysbench(endpoint, workload, ps_mode, "cleanup");
        assert_eq!(sbtest_rows(endpoint), Err(1146), "sbtest1 after cleanup");
    }
}

macro_rules! sysbench_tests {
    ($($name:ident, $peer_name:ident: $workload:literal, $after:expr;)*) => {$(
        #[test]
        fn $name() {
            let server = Server::start(&[]);
            sysbench_workload(&Endpoint::dbserver(&server), $workload, $after);
        }

        #[test]
        #[ignore = "reference run against MariaDB"]
        fn $peer_name() {
            let peer = MariaDb::start();
            sysbench_workload(&Endpoint::mariadb(&peer), $workload, $after);
        }
    )*};
}

sysbench_tests! {
    sysbench_oltp_read_write, sysbench_oltp_read_write_against_mariadb:
        "oltp_read_write", RowsAfterRun::Same;
    sysbench_oltp_point_select, sysbench_oltp_point_select_against_mariadb:
        "oltp_point_select", RowsAfterRun::Same;
    sysbench_oltp_update_index, sysbench_oltp_update_index_against_mariadb:
        "oltp_update_index", RowsAfterRun::Same;
    sysbench_oltp_insert, sysbench_oltp_insert_against_mariadb:
        "oltp_insert", RowsAfterRun::More;
    sysbench_oltp_delete, sysbench_oltp_delete_against_mariadb:
        "oltp_delete", RowsAfterRun::Fewer;
}

#[test]
fn sysbench_report_parsing() {
    let report = "SQL statistics:\n    queries performed:\n        read:    100\n\
                  \x20   transactions:                        2211   (735.81 per sec.)\n\
                  \x20   queries:                             44220  (14716.24 per sec.)\n\
                  \x20   ignored errors:                      3      (1.00 per sec.)\n\
                  \x20   reconnects:                          0      (0.00 per sec.)\n";
    let f = parse_sysbench(report);
    assert_eq!(
        (f.transactions, f.queries, f.ignored_errors, f.reconnects),
        (2211, 44220, 3, 0)
    );
    assert!((f.tps - 735.81).abs() < 1e-9);
}

// ---------------------------------------------------------------------------------------
// mysqlslap

fn mysqlslap(endpoint: &Endpoint) {
    let mut args = endpoint.cli_args();
    args.extend(
        [
            "--auto-generate-sql",
            "--concurrency=4",
            "--iterations=3",
            "--number-of-queries=200",
        ]
        .map(String::from),
    );
    let out = run("mysqlslap", CLIENT_PACKAGE, &args, "", MYSQLSLAP_LIMIT);
    assert!(out.status.success(), "mysqlslap failed:\n{}", both(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for line in [
        "Benchmark",
        "Average number of seconds to run all queries:",
        "Minimum number of seconds to run all queries:",
        "Maximum number of seconds to run all queries:",
        "Number of clients running queries: 4",
        "Average number of queries per client: 50",
    ] {
        assert!(
            stdout.lines().any(|l| l.trim().starts_with(line)),
            "`{line}` missing:\n{}",
            both(&out)
        );
    }
    assert!(out.stderr.is_empty(), "mysqlslap stderr:\n{}", both(&out));
    println!("mysqlslap:\n{stdout}");
}

#[test]
fn mysqlslap_auto_generated_sql() {
    let server = Server::start(&[]);
    mysqlslap(&Endpoint::dbserver(&server));
}

#[test]
#[ignore = "reference run against MariaDB"]
fn mysqlslap_auto_generated_sql_against_mariadb() {
    let peer = MariaDb::start();
    mysqlslap(&Endpoint::mariadb(&peer));
}

// ---------------------------------------------------------------------------------------
// Perl DBI and Python PyMySQL

/// The rows both scripts insert with placeholders: id, name (NULL, quotes, backslash,
/// non-ASCII), amount.
const PEOPLE: &[(i64, Option<&str>, Option<i64>)] = &[
    (1, Some("plain"), Some(10)),
    (2, None, Some(-20)),
    (3, Some("O'Brien \"the quoted\" back\\slash"), None),
    (4, Some("Zürich – 東京 ñ"), Some(9_000_000_000)),
    (5, Some(""), Some(0)),
];

/// What the scripts print for [`PEOPLE`]: one `id|name as hex or NULL|amount or NULL`
/// line per row, ordered by id (hex shows the exact bytes the client got back).
fn expected_lines() -> String {
    PEOPLE
        .iter()
        .map(|(id, name, amount)| {
            let name = name.map_or("NULL".to_string(), hex);
            let amount = amount.map_or("NULL".to_string(), |a| a.to_string());
            format!("{id}|{name}|{amount}\n")
        })
        .collect()
}

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The rows as the script's language literal list: `[id, name, amount]` with `undef`/`None`.
fn rows_literal(null: &str, quote: fn(&str) -> String) -> String {
    PEOPLE
        .iter()
        .map(|(id, name, amount)| {
            let name = name.map_or(null.to_string(), quote);
            let amount = amount.map_or(null.to_string(), |a| a.to_string());
            format!("[{id}, {name}, {amount}]")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A Unicode-escaped string literal (Perl `"\x{..}"`, Python `"\u....."`).
fn escaped_literal(text: &str, escape: fn(u32) -> String) -> String {
    let body: String = text.chars().map(|c| escape(c as u32)).collect();
    format!("\"{body}\"")
}

/// Perl DBI with DBD::MariaDB; `server_prepare` selects server-side prepared statements.
const PERL_SCRIPT: &str = r#"
use strict; use warnings;
use DBI;
my $dsn = "DBI:MariaDB:";
$dsn .= defined $ENV{DB_SOCKET} ? "mariadb_socket=$ENV{DB_SOCKET}"
                                : "host=$ENV{DB_HOST};port=$ENV{DB_PORT}";
$dsn .= ";mariadb_server_prepare=$ENV{SERVER_PREPARE}";
my $dbh = DBI->connect($dsn, "root", "", { RaiseError => 1, PrintError => 0, AutoCommit => 1 });
$dbh->do("CREATE DATABASE IF NOT EXISTS $ENV{DB_NAME}");
$dbh->do("USE $ENV{DB_NAME}");
$dbh->do("CREATE TABLE people (id BIGINT PRIMARY KEY, name VARCHAR(100), amount BIGINT)");
my $ins = $dbh->prepare("INSERT INTO people (id, name, amount) VALUES (?, ?, ?)");
for my $row (ROWS) { $ins->execute(@$row); }
my $sel = $dbh->prepare("SELECT id, name, amount FROM people WHERE id >= ? ORDER BY id");
$sel->execute(1);
while (my ($id, $name, $amount) = $sel->fetchrow_array) {
    my $h = defined $name ? unpack("H*", do { my $b = $name; utf8::encode($b); $b }) : "NULL";
    print "$id|$h|", (defined $amount ? $amount : "NULL"), "\n";
}
my ($n) = $dbh->selectrow_array("SELECT COUNT(*) FROM people WHERE name IS NULL");
die "rows with NULL name: $n" unless $n == 1;
$dbh->disconnect;
"#;

/// Python PyMySQL (client-side placeholders, text protocol).
const PYTHON_SCRIPT: &str = r#"
import os, pymysql
kw = dict(user="root", password="", charset="utf8mb4", autocommit=True)
if "DB_SOCKET" in os.environ:
    kw["unix_socket"] = os.environ["DB_SOCKET"]
else:
    kw["host"] = os.environ["DB_HOST"]; kw["port"] = int(os.environ["DB_PORT"])
db = os.environ["DB_NAME"]
conn = pymysql.connect(**kw)
with conn.cursor() as cur:
    cur.execute("CREATE DATABASE IF NOT EXISTS " + db)
    cur.execute("USE " + db)
    cur.execute("CREATE TABLE people (id BIGINT PRIMARY KEY, name VARCHAR(100), amount BIGINT)")
    cur.executemany("INSERT INTO people (id, name, amount) VALUES (%s, %s, %s)", [ROWS])
    cur.execute("SELECT id, name, amount FROM people WHERE id >= %s ORDER BY id", (1,))
    for (id, name, amount) in cur.fetchall():
        h = "NULL" if name is None else name.encode("utf-8").hex()
        print("%d|%s|%s" % (id, h, "NULL" if amount is None else amount))
    cur.execute("SELECT COUNT(*) FROM people WHERE name IS NULL")
    assert cur.fetchone()[0] == 1
conn.close()
"#;

/// Run a script given on stdin to `interpreter` (from `package`), with the endpoint and
/// database in its environment; returns its stdout.
fn run_script(
    endpoint: &Endpoint,
    interpreter: &str,
    package: &str,
    script: &str,
    extra_env: &[(&str, &str)],
) -> String {
    let path = Path::new(interpreter);
    assert!(
        path.is_file(),
        "{interpreter} is missing (apt-get install {package})"
    );
    let mut command = Command::new(path);
    command.arg("-");
    for (key, value) in endpoint.script_env() {
        command.env(key, value);
    }
    for (key, value) in extra_env {
        command.env(key, value);
    }
    let out = run_limited(command, script, SCRIPT_LIMIT);
    assert!(
        out.status.success(),
        "{interpreter} script failed (is {package} installed?):\n{}",
        both(&out)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The rows in `database`.people as the `mysql` crate sees them (cross-client check).
fn people_rows(endpoint: &Endpoint, database: &str) -> Vec<(i64, Option<String>, Option<i64>)> {
    endpoint
        .connect(Some(database))
        .query("SELECT id, name, amount FROM people ORDER BY id")
        .expect("read people back")
}

fn expected_rows() -> Vec<(i64, Option<String>, Option<i64>)> {
    PEOPLE
        .iter()
        .map(|(id, name, amount)| (*id, name.map(str::to_string), *amount))
        .collect()
}

fn perl_dbi(endpoint: &Endpoint) {
    let perl_rows = rows_literal("undef", |s| escaped_literal(s, |c| format!("\\x{{{c:x}}}")));
    let script = PERL_SCRIPT.replace("ROWS", &perl_rows);
    for (database, server_prepare) in [("perl_text", "0"), ("perl_ps", "1")] {
        let out = run_script(
            endpoint,
            "/usr/bin/perl",
            "libdbd-mariadb-perl",
            &script,
            &[("DB_NAME", database), ("SERVER_PREPARE", server_prepare)],
        );
        assert_eq!(
            out,
            expected_lines(),
            "Perl (mariadb_server_prepare={server_prepare})"
        );
        assert_eq!(people_rows(endpoint, database), expected_rows());
    }
}

fn python_pymysql(endpoint: &Endpoint) {
    let python_rows = rows_literal("None", |s| escaped_literal(s, |c| format!("\\U{c:08x}")));
    let script = PYTHON_SCRIPT.replace("ROWS", &python_rows);
    let out = run_script(
        endpoint,
        DEBIAN_PYTHON,
        "python3-pymysql",
        &script,
        &[("DB_NAME", "python")],
    );
    assert_eq!(out, expected_lines(), "Python PyMySQL");
    assert_eq!(people_rows(endpoint, "python"), expected_rows());
}

#[test]
fn perl_dbi_placeholders() {
    let server = Server::start(&[]);
    perl_dbi(&Endpoint::dbserver(&server));
}

#[test]
fn python_pymysql_placeholders() {
    let server = Server::start(&[]);
    python_pymysql(&Endpoint::dbserver(&server));
}

#[test]
fn perl_and_python_against_mariadb() {
    let peer = MariaDb::start();
    let endpoint = Endpoint::mariadb(&peer);
    perl_dbi(&endpoint);
    python_pymysql(&endpoint);
}
