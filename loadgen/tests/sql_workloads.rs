//! The SQL workloads against real servers: Debian's MariaDB (fresh data directory, unix
//! socket only, so no port race) and the workspace's dbserver (linux-host, TCP on
//! 127.0.0.1 with the port it reports). Every reply is checked; a corrupted row is caught.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use loadgen::sql::conn::{SqlAddr, SqlConn, StatementMode};
use loadgen::sql::driver::{run_oltp, OltpRun};
use loadgen::sql::oltp::{self, OltpKind, DATABASE};
use loadgen::sql::rows::c_value;
use loadgen::sql::wisconsin::{self, WisconsinRun};
use loadgen::targets::host::LinuxHost;
use loadgen::targets::Target;

/// Bound on mariadb-install-db and on the server accepting a login.
const START_TIMEOUT: Duration = Duration::from_secs(120);
/// How often start-up is polled.
const POLL_INTERVAL: Duration = Duration::from_millis(50);
/// A small table keeps loading fast; ranges of 100 still fit.
const TABLE_SIZE: u64 = 500;
/// Measured seconds per OLTP run (bounded test time on a shared 2-core machine).
const DURATION_S: f64 = 1.0;

/// Debian's mariadbd on a fresh data directory, listening on a unix socket only.
struct MariaDb {
    child: Child,
    dir: tempfile::TempDir,
}

impl MariaDb {
    fn start() -> MariaDb {
        let dir = tempfile::Builder::new()
            .prefix("loadgen-mariadb-")
            .tempdir()
            .unwrap();
        let data = dir.path().join("data");
        let status = bounded(
            Command::new("mariadb-install-db")
                .args(["--no-defaults", "--user=root", "--skip-test-db"])
                .arg("--auth-root-authentication-method=normal")
                .arg(format!("--datadir={}", data.display())),
        );
        assert!(
            status,
            "mariadb-install-db failed (apt-get install mariadb-server)"
        );
        let child = Command::new("mariadbd")
            .args([
                "--no-defaults",
                "--user=root",
                "--skip-networking",
                "--skip-log-bin",
            ])
            .args([
                "--innodb-buffer-pool-size=64M",
                "--innodb-flush-log-at-trx-commit=0",
            ])
            .arg("--transaction-isolation=READ-COMMITTED")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--socket={}", dir.path().join("sock").display()))
            .arg(format!(
                "--log-error={}",
                dir.path().join("error.log").display()
            ))
            .arg(format!("--pid-file={}", dir.path().join("pid").display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start mariadbd (apt-get install mariadb-server)");
        let mut server = MariaDb { child, dir };
        let deadline = Instant::now() + START_TIMEOUT;
        while SqlConn::connect(&server.addr(), None, StatementMode::Text).is_err() {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("mariadbd exited ({status}):\n{}", server.log());
            }
            assert!(
                Instant::now() < deadline,
                "mariadbd did not start:\n{}",
                server.log()
            );
            std::thread::sleep(POLL_INTERVAL);
        }
        server
    }

    fn addr(&self) -> SqlAddr {
        SqlAddr::Socket(self.dir.path().join("sock"))
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }
}

impl Drop for MariaDb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `cmd` to completion within [`START_TIMEOUT`]; true on success.
fn bounded(cmd: &mut Command) -> bool {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.success();
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return false;
        }
        std::thread::sleep(POLL_INTERVAL);
    }
}

fn oltp_run(kind: OltpKind, mode: StatementMode) -> OltpRun {
    OltpRun {
        kind,
        table_size: TABLE_SIZE,
        connections: 2,
        warmup_s: 0.0,
        duration_s: DURATION_S,
        mode,
        seed: 11,
    }
}

/// Loads sbtest1, runs every OLTP kind, then the Wisconsin benchmark; all replies correct.
fn all_workloads_pass(addr: &SqlAddr, pid: Option<u32>) {
    let mut conn = SqlConn::connect(addr, None, StatementMode::Text).expect("connect");
    oltp::prepare(&mut conn, TABLE_SIZE).expect("load sbtest1");
    for (i, (name, kind)) in OltpKind::ALL.iter().enumerate() {
        let mode = if i % 2 == 0 {
            StatementMode::Prepared
        } else {
            StatementMode::Text
        };
        let m = run_oltp(addr, &oltp_run(*kind, mode), pid).expect(name);
        assert_eq!(m.errors, 0, "{name}: {:?}", m.error_samples);
        assert!(m.ops > 0, "{name}: no transaction completed");
        eprintln!(
            "{name} ({}): {:.0} ops/s, {} deadlocks",
            mode.name(),
            m.ops as f64 / m.duration_s,
            m.deadlocks
        );
    }
    let mut conn = SqlConn::connect(addr, None, StatementMode::Text).expect("connect");
    wisconsin::load(&mut conn, 5).expect("load the Wisconsin relations");
    let m = wisconsin::run(
        &mut conn,
        &WisconsinRun {
            loop_count: 1,
            seed: 5,
        },
    );
    assert_eq!(m.errors, 0, "wisconsin: {:?}", m.error_samples);
    assert_eq!(m.ops, 24, "every statement of the query list ran once");
}

/// A row whose `c` no longer matches its id makes point selects fail.
fn corruption_is_caught(addr: &SqlAddr) {
    let mut conn = SqlConn::connect(addr, None, StatementMode::Text).expect("connect");
    oltp::prepare(&mut conn, 1).expect("load one row");
    // A well-formed `c`, but of row 2.
    let c = c_value(2, 0);
    conn.run(&format!("UPDATE {DATABASE}.sbtest1 SET c='{c}' WHERE id=1"))
        .expect("corrupt the row");
    let run = OltpRun {
        table_size: 1,
        ..oltp_run(OltpKind::PointSelect, StatementMode::Prepared)
    };
    let m = run_oltp(addr, &run, None).expect("run");
    assert_eq!(m.ops, 0);
    assert!(m.errors > 0);
    assert!(
        m.error_samples[0].contains("belongs to row 2"),
        "{:?}",
        m.error_samples
    );
}

#[test]
fn sql_workloads_against_mariadb() {
    let server = MariaDb::start();
    all_workloads_pass(&server.addr(), None);
    corruption_is_caught(&server.addr());
}

#[test]
fn sql_workloads_against_linux_host_over_tcp() {
    let host = LinuxHost::spawn().expect("spawn dbserver (linux-host)");
    let addr = SqlAddr::Tcp(host.sql_addr());
    assert!(host.sql_addr().ip().is_loopback());
    all_workloads_pass(&addr, host.pid());
    corruption_is_caught(&addr);
}
