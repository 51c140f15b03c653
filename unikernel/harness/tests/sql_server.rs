//! The SQL engine in ring 0: the appliance image in QEMU (tap in a namespace) serving the
//! MySQL protocol on port 3306, driven by the real clients people benchmark MySQL with
//! (`mariadb`, `sysbench`, `mysqlslap`, Perl DBI, PyMySQL), run inside the namespace, with
//! the server's system calls as function calls (`syscall=call`) and as traps
//! (`syscall=trap`).

use std::process::{Command, Output, Stdio};
use std::time::Duration;

use ring0db_harness::{NetVm, Network};
use ring0db_images::netns::TAP_GUEST_ADDR;
use ring0db_images::NetAttach;

const SYSCALL_PATHS: [&str; 2] = ["call", "trap"];
/// The image's default MySQL port (`sqlport=`).
const SQL_PORT: u16 = 3306;
/// Longest a client program may run (TCG on a loaded 2-core machine is slow).
const CLIENT_TIME_LIMIT: Duration = Duration::from_secs(180);
/// Rows of sysbench's table: enough for every script's ranges, quick to load under TCG.
const SYSBENCH_TABLE_SIZE: &str = "500";
/// Seconds of each sysbench run.
const SYSBENCH_SECONDS: &str = "2";
/// The Python that Debian's python3-pymysql belongs to.
const DEBIAN_PYTHON: &str = "/usr/bin/python3";
/// sysbench's OLTP scripts the server must run without errors.
const SYSBENCH_SCRIPTS: [&str; 5] = [
    "oltp_read_write",
    "oltp_point_select",
    "oltp_update_index",
    "oltp_insert",
    "oltp_delete",
];

fn boot_server(extra: &str) -> NetVm {
    let vm = NetVm::boot(Network::Tap, extra).unwrap_or_else(|e| panic!("boot `{extra}`: {e:#}"));
    drop(
        vm.connect(SQL_PORT)
            .expect("the server accepts MySQL connections"),
    );
    vm
}

/// A command that runs `program` inside the VM's network namespace, under coreutils'
/// `timeout` so that a hung client ends after [`CLIENT_TIME_LIMIT`].
fn in_netns(vm: &NetVm, program: &str) -> Command {
    let NetAttach::Tap(netns) = vm.vm.net() else {
        unreachable!("tap VM")
    };
    let mut cmd = netns.command("timeout");
    cmd.arg(format!("{}", CLIENT_TIME_LIMIT.as_secs()))
        .arg(program);
    cmd
}

/// Runs `cmd` to completion; fails when the program is missing or ran out of time.
fn run(mut cmd: Command, what: &str, package: &str) -> Output {
    /// `timeout`'s status when it had to stop the program, and when it could not run it.
    const TIMED_OUT: i32 = 124;
    const NOT_FOUND: i32 = 127;
    let output = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    match output.status.code() {
        Some(TIMED_OUT) => panic!(
            "{what} did not finish within {CLIENT_TIME_LIMIT:?}:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
        Some(NOT_FOUND) => panic!("{what} is not installed: apt-get install {package}"),
        _ => output,
    }
}

/// `mariadb -e SQL` against the guest: stdout, then stderr (errors are printed there).
fn mariadb(vm: &NetVm, database: Option<&str>, sql: &str) -> String {
    let host = TAP_GUEST_ADDR.to_string();
    let port = SQL_PORT.to_string();
    let mut cmd = in_netns(vm, "mariadb");
    cmd.args(["-h", &host, "-P", &port, "-u", "root", "--batch"]);
    if let Some(db) = database {
        cmd.args(["-D", db]);
    }
    cmd.args(["-e", sql]);
    let output = run(cmd, "mariadb", "mariadb-client");
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

#[test]
fn mariadb_cli_session() {
    for path in SYSCALL_PATHS {
        let vm = boot_server(&format!("syscall={path}"));
        let version = mariadb(&vm, None, "SELECT @@version_comment LIMIT 1");
        assert!(version.contains("@@version_comment"), "{version}");
        mariadb(&vm, None, "CREATE DATABASE shop");
        let setup = mariadb(
            &vm,
            Some("shop"),
            "CREATE TABLE customer (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL); \
             CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, customer INT, total INT, KEY c (customer)); \
             INSERT INTO customer VALUES (1, 'ada'), (2, 'linus'); \
             INSERT INTO orders (customer, total) VALUES (1, 10), (1, 5), (2, 7);",
        );
        assert!(!setup.contains("ERROR"), "{setup}");
        let joined = mariadb(
            &vm,
            Some("shop"),
            "SELECT c.name, SUM(o.total) AS spent FROM customer c JOIN orders o ON o.customer = c.id \
             GROUP BY c.name ORDER BY c.name",
        );
        assert_eq!(
            joined.trim(),
            "name\tspent\nada\t15\nlinus\t7",
            "syscall={path}"
        );
        // Nesting up to the limit is served; deeper statements get an error. Either way
        // the machine (whose stack the parser runs on) keeps serving.
        for depth in [20, 10_000] {
            let nested = format!("SELECT {}7{}", "(".repeat(depth), ")".repeat(depth));
            let reply = mariadb(&vm, None, &nested);
            let want = if depth == 20 {
                "7"
            } else {
                "ERROR 1064 (42000)"
            };
            assert!(
                reply.lines().any(|l| l.starts_with(want)),
                "nesting {depth}, syscall={path}: {reply}"
            );
        }
        let error = mariadb(&vm, Some("shop"), "SELECT * FROM nope");
        assert!(
            error.contains("ERROR 1146 (42S02)")
                && error.contains("Table 'shop.nope' doesn't exist"),
            "syscall={path}: {error}"
        );
    }
}

#[test]
fn sysbench_oltp_scripts_run_without_errors() {
    for path in SYSCALL_PATHS {
        let vm = boot_server(&format!("syscall={path}"));
        mariadb(&vm, None, "CREATE DATABASE sbtest");
        for ps_mode in ["auto", "disable"] {
            for script in SYSBENCH_SCRIPTS {
                for phase in ["prepare", "run", "cleanup"] {
                    let out = sysbench(&vm, script, ps_mode, phase);
                    // sysbench stops with a FATAL error and a failure status on any error
                    // it does not retry; it retries only deadlocks (1213), counted as
                    // "ignored errors".
                    if phase == "run" {
                        let transactions = sysbench_field(&out, "transactions:");
                        assert!(
                            transactions > 0,
                            "{script} ({ps_mode}, syscall={path}) ran no transaction:\n{out}"
                        );
                        let retried = sysbench_field(&out, "ignored errors:");
                        eprintln!(
                            "sysbench {script} --db-ps-mode={ps_mode} syscall={path}: \
                             {transactions} transactions, {retried} retried deadlocks"
                        );
                    }
                }
            }
        }
    }
}

/// Runs one sysbench phase with 8 threads; fails unless it exits 0.
fn sysbench(vm: &NetVm, script: &str, ps_mode: &str, phase: &str) -> String {
    let host = format!("--mysql-host={TAP_GUEST_ADDR}");
    let port = format!("--mysql-port={SQL_PORT}");
    let mut cmd = in_netns(vm, "sysbench");
    cmd.args([
        script,
        &host,
        &port,
        "--mysql-user=root",
        "--mysql-db=sbtest",
        "--tables=1",
        "--threads=8",
    ])
    .arg(format!("--table-size={SYSBENCH_TABLE_SIZE}"))
    .arg(format!("--time={SYSBENCH_SECONDS}"))
    .arg(format!("--db-ps-mode={ps_mode}"))
    .arg(phase);
    let output = run(cmd, "sysbench", "sysbench");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "sysbench {script} {phase} ({ps_mode}) failed:\n{text}"
    );
    text
}

/// The number after `label` in sysbench's report (`transactions: 1234 (617.00 per sec.)`).
fn sysbench_field(report: &str, label: &str) -> u64 {
    report
        .lines()
        .find_map(|line| line.trim().strip_prefix(label))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no `{label}` in sysbench's report:\n{report}"))
}

#[test]
fn mysqlslap_perl_and_python_clients_work() {
    let vm = boot_server("syscall=call");
    let host = TAP_GUEST_ADDR.to_string();
    let port = SQL_PORT.to_string();

    let mut slap = in_netns(&vm, "mysqlslap");
    slap.args(["-h", &host, "-P", &port, "-u", "root"])
        .args(["--auto-generate-sql", "--concurrency=4", "--iterations=2"])
        .args(["--number-of-queries=200"]);
    let output = run(slap, "mysqlslap", "mariadb-client");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && text.contains("Average number of seconds to run all queries"),
        "mysqlslap failed:\n{text}"
    );

    mariadb(&vm, None, "CREATE DATABASE clients");
    let perl = r#"
use strict; use DBI;
my ($host, $port) = @ARGV;
my $dbh = DBI->connect("DBI:MariaDB:database=clients;host=$host;port=$port", "root", "", {RaiseError => 1});
$dbh->do("CREATE TABLE perl_rows (id INT PRIMARY KEY, label VARCHAR(40), note VARCHAR(40))");
my $ins = $dbh->prepare("INSERT INTO perl_rows VALUES (?, ?, ?)");
$ins->execute(1, "it's perl", undef);
$ins->execute(2, "caf\x{e9}", "two");
my $rows = $dbh->selectall_arrayref("SELECT id, label, note FROM perl_rows ORDER BY id");
print join("|", map { defined $_ ? $_ : "NULL" } @$_), "\n" for @$rows;
"#;
    let mut cmd = in_netns(&vm, "perl");
    cmd.args(["-e", perl, &host, &port]);
    let output = run(cmd, "perl", "libdbd-mariadb-perl");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "perl DBI: {text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(text.lines().next(), Some("1|it's perl|NULL"), "{text}");
    assert_eq!(text.lines().count(), 2, "{text}");

    let python = r#"
import sys, pymysql
conn = pymysql.connect(host=sys.argv[1], port=int(sys.argv[2]), user="root", database="clients")
with conn.cursor() as cur:
    cur.execute("CREATE TABLE py_rows (id INT PRIMARY KEY, label VARCHAR(40), score DOUBLE)")
    cur.executemany("INSERT INTO py_rows VALUES (%s, %s, %s)", [(1, "o'hara", 1.5), (2, None, None)])
conn.commit()
with conn.cursor() as cur:
    cur.execute("SELECT id, label, score FROM py_rows ORDER BY id")
    for row in cur.fetchall():
        print(row)
"#;
    // Debian's interpreter: python3-pymysql installs into it, not into other Pythons on PATH.
    let mut cmd = in_netns(&vm, DEBIAN_PYTHON);
    cmd.args(["-c", python, &host, &port]);
    let output = run(cmd, "python3", "python3-pymysql");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "PyMySQL: {text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        text.trim(),
        "(1, \"o'hara\", 1.5)\n(2, None, None)",
        "{text}"
    );
}
