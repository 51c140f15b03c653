//! End to end: a tiny `loadgen compare --suite sql` against linux-host's dbserver and a
//! fresh Debian MariaDB on a unix socket (package `mariadb-server`): 2 interleaved rounds of
//! OLTP and Wisconsin with every reply verified, the CPU split of every row (never more than
//! the measured busy time), the KML table and well-formed SVGs.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use loadgen::csv_out::{self, ResultRow};
use loadgen::{kml, report};

/// What mariadbd prints on stderr once it accepts connections.
const MARIADB_READY: &str = "ready for connections";
/// Wisconsin loop count of the test, and the statements one run sends (10 SELECTs × loop
/// count + 14 writes).
const LOOP_COUNT: u64 = 2;
const WISCONSIN_STATEMENTS: u64 = 10 * LOOP_COUNT + 14;
/// `/proc` CPU times tick at 1/100 s and the two counters of one edge are read one after
/// the other: allow two ticks per edge.
const TICK_SLACK_S: f64 = 0.04;
const WORKLOADS: [&str; 3] = ["oltp-point-select", "oltp-read-write", "wisconsin"];

/// Debian's mariadbd on a fresh data directory, unix socket only; killed on drop.
struct MariaDb {
    child: Child,
    dir: tempfile::TempDir,
}

impl MariaDb {
    fn start() -> MariaDb {
        let dir = tempfile::Builder::new()
            .prefix("loadgen-sqlcmp-")
            .tempdir()
            .unwrap();
        let data = dir.path().join("data");
        let status = Command::new("mariadb-install-db")
            .args(["--no-defaults", "--user=root", "--skip-test-db"])
            .arg("--auth-root-authentication-method=normal")
            .arg(format!("--datadir={}", data.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("mariadb-install-db (apt-get install mariadb-server)");
        assert!(status.success(), "mariadb-install-db failed");
        let mut child = Command::new("mariadbd")
            .args(["--no-defaults", "--user=root", "--skip-networking"])
            .args(["--skip-log-bin", "--innodb-buffer-pool-size=64M"])
            .arg("--innodb-flush-log-at-trx-commit=0")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--socket={}", dir.path().join("sock").display()))
            .arg(format!("--pid-file={}", dir.path().join("pid").display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start mariadbd (apt-get install mariadb-server)");
        // The log goes to stderr: block on it until the server says it is ready (it exits,
        // closing the pipe, if it cannot start).
        let stderr = child.stderr.take().unwrap();
        let mut log = Vec::new();
        let mut lines = BufReader::new(stderr).lines();
        for line in lines.by_ref().map_while(Result::ok) {
            let ready = line.contains(MARIADB_READY);
            log.push(line);
            if ready {
                break;
            }
        }
        assert!(
            log.last().is_some_and(|l| l.contains(MARIADB_READY)),
            "mariadbd did not start:\n{}",
            log.join("\n")
        );
        // Keep draining the log so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        MariaDb { child, dir }
    }

    fn socket(&self) -> PathBuf {
        self.dir.path().join("sock")
    }
}

impl Drop for MariaDb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run_compare(targets: &[String], out: &Path) -> PathBuf {
    let dbserver = loadgen::targets::host::build_dbserver().expect("building dbserver");
    let output = Command::new(env!("CARGO_BIN_EXE_loadgen"))
        .env(loadgen::targets::host::DBSERVER_ENV, dbserver)
        .args(["compare", "--suite", "sql", "--rounds", "2"])
        .args(["--sql-targets", &targets.join(",")])
        .args(["--sql-workloads", &WORKLOADS.join(",")])
        .args(["--sql-duration", "0.5", "--sql-warmup", "0.2"])
        .args(["--sql-connections", "2", "--table-size", "500"])
        .args(["--loop-count", &LOOP_COUNT.to_string()])
        .arg("--out-dir")
        .arg(out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "compare failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    let runs: Vec<_> = std::fs::read_dir(out).unwrap().flatten().collect();
    assert_eq!(runs.len(), 1, "one run directory");
    runs[0].path()
}

fn check_row(r: &ResultRow) {
    assert!(r.ops > 0 && r.errors == 0, "{r:?}");
    assert!(r.sql_queries.is_some_and(|q| q >= r.ops), "{r:?}");
    if r.workload == "wisconsin" {
        assert_eq!(r.ops, WISCONSIN_STATEMENTS, "{r:?}");
        assert_eq!(r.sql_queries, Some(WISCONSIN_STATEMENTS), "{r:?}");
    }
    assert_eq!(r.cpu_source.as_deref(), Some("host-proc"), "{r:?}");
    let (user, system) = (r.user_cpu_s.unwrap(), r.system_cpu_s.unwrap());
    assert!(user >= 0.0 && system >= 0.0, "{r:?}");
    // The busy time of a host process is its CPU time in the window (`host_cpu_s`), and
    // it can never be more than the wall-clock window on every core.
    let busy = r.host_cpu_s.expect("server CPU is known");
    assert!(user + system <= busy + TICK_SLACK_S, "{r:?}");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    assert!(
        user + system <= r.duration_s * cores + TICK_SLACK_S,
        "{r:?}"
    );
}

#[test]
fn sql_compare_linux_host_and_mariadb() {
    let maria = MariaDb::start();
    let out = tempfile::tempdir().unwrap();
    let targets = vec![
        "linux-host".to_string(),
        format!("mariadb={}", maria.socket().display()),
    ];
    let dir = run_compare(&targets, out.path());
    let rows = csv_out::read_rows(&dir.join(report::RESULTS_CSV)).unwrap();

    // Interleaved: round 1 (each workload × each target), then round 2.
    let expected: Vec<(String, String)> = (0..2)
        .flat_map(|_| WORKLOADS)
        .flat_map(|w| ["linux-host", "mariadb"].map(|t| (w.to_string(), t.to_string())))
        .collect();
    let got: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r.workload.clone(), r.target.clone()))
        .collect();
    assert_eq!(got, expected);
    rows.iter().for_each(check_row);

    let md = std::fs::read_to_string(dir.join(report::REPORT_MD)).unwrap();
    assert!(
        md.contains("## Kernel Mode Linux, Table 2 reproduced"),
        "{md}"
    );
    assert!(md.contains("| KML paper: Linux | | 753.86 | 611.78 | 142.08 |"));
    assert!(
        md.contains("| linux-host (`linux-host`, 2 rounds) | 34 |"),
        "{md}"
    );
    assert!(
        md.contains("| mariadb (`mariadb`, 2 rounds) | 34 |"),
        "{md}"
    );
    assert!(md.contains("## Where the CPU goes, every workload"));
    let kml_rows = kml::kml_rows(&rows);
    assert_eq!(kml_rows.len(), 2);
    for r in &kml_rows {
        assert!(r.total_s() > 0.0, "the fixed work used CPU: {r:?}");
    }
    common::assert_svg(
        &dir.join(kml::KML_SVG),
        &[
            "linux-host",
            "mariadb",
            "user (server code)",
            "system (kernel)",
        ],
    );
    let mut labels = vec!["linux-host", "mariadb"];
    labels.extend(WORKLOADS);
    common::assert_svg(&dir.join(report::THROUGHPUT_SVG), &labels);
    common::assert_svg(&dir.join(report::P99_SVG), &labels);
}

/// `selftest --cross-check-sql`: sysbench's `oltp_point_select` and `oltp_read_write` and
/// loadgen's own OLTP workloads against linux-host's dbserver and a MariaDB; both rates are
/// printed and positive for every script and target (numbers are compared by a human, not
/// asserted), and loadgen saw no wrong reply.
#[test]
fn selftest_cross_checks_oltp_against_sysbench() {
    let maria = MariaDb::start();
    let dbserver = loadgen::targets::host::build_dbserver().expect("building dbserver");
    let targets = format!("linux-host,{}", maria.socket().display());
    let output = Command::new(env!("CARGO_BIN_EXE_loadgen"))
        .env(loadgen::targets::host::DBSERVER_ENV, dbserver)
        .args(["selftest", "--pipelines", "1", "--connections", "2"])
        .args(["--warmup", "0.1", "--duration", "1"])
        .args(["--cross-check-sql", &targets])
        .args(["--sql-table-size", "500", "--sql-connections", "2"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "selftest failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    // "  oltp_point_select: sysbench 16849 tx/s (...), loadgen 17671 tx/s (..., errors 0, ...)"
    let rate = |line: &str, tool: &str| -> f64 {
        let rest = line.split_once(&format!("{tool} ")).unwrap().1;
        rest.split_whitespace().next().unwrap().parse().unwrap()
    };
    for target in ["linux-host", maria.socket().to_str().unwrap()] {
        let section = stdout
            .split("SQL cross-check against ")
            .find(|s| s.starts_with(target))
            .unwrap_or_else(|| panic!("no cross-check of {target}:\n{stdout}"));
        for script in ["oltp_point_select", "oltp_read_write"] {
            let line = section
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("{script}:")))
                .unwrap_or_else(|| panic!("no {script} line for {target}:\n{stdout}"));
            assert!(rate(line, "sysbench") > 0.0, "{line}");
            assert!(rate(line, "loadgen") > 0.0, "{line}");
            assert!(line.contains("errors 0,"), "{line}");
            assert!(line.contains("loadgen/sysbench "), "{line}");
        }
    }
}
