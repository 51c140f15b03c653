//! `selftest --cross-check-sql`: loadgen's OLTP numbers beside the real `sysbench` on the
//! same server, as `selftest --cross-check` does for `redis-benchmark`.
//!
//! For each target (`linux-host`, or a MySQL-protocol server on loopback: `HOST:PORT` or a
//! unix socket path), sysbench 1.0 prepares its `sbtest.sbtest1` and runs `oltp_point_select`
//! and `oltp_read_write`; then loadgen loads its own `sbtest1` (same schema, same row count)
//! and runs `oltp-point-select` and `oltp-read-write`. Both use the same connections, the
//! same window (whole seconds: sysbench's `--time`; no warm-up, sysbench 1.0 has none) and
//! prepared or text statements. Numbers are transactions per second, printed side by side
//! with their ratio; they are not asserted.

use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use super::cli::{resolve, StatementArg};
use super::conn::{SqlAddr, SqlConn, StatementMode, SQL_USER};
use super::driver::{run_oltp, OltpRun};
use super::oltp::{self, OltpKind, DATABASE};
use super::SqlMeasurement;
use crate::selftest::run_tool;

/// sysbench's scripts and loadgen's workloads compared, in order.
pub const SCRIPTS: [(&str, OltpKind); 2] = [
    ("oltp_point_select", OltpKind::PointSelect),
    ("oltp_read_write", OltpKind::ReadWrite),
];
/// Slack on top of the window for one sysbench invocation (connect, prepare, cleanup).
const SYSBENCH_SLACK: Duration = Duration::from_secs(300);

/// Parameters of the SQL cross-check.
#[derive(Debug, Clone)]
pub struct SqlCrossCheck {
    /// Rows of `sbtest1` (sysbench's `--table-size`).
    pub table_size: u64,
    /// Connections (sysbench's `--threads`).
    pub connections: usize,
    /// Measured seconds (rounded up to whole seconds for sysbench's `--time`).
    pub duration_s: f64,
    /// Prepared or text statements (sysbench's `--db-ps-mode=auto|disable`).
    pub statements: StatementArg,
    /// Seed of loadgen's row choices.
    pub seed: u64,
}

impl SqlCrossCheck {
    /// The window in whole seconds, at least one.
    pub fn seconds(&self) -> u64 {
        (self.duration_s.ceil() as u64).max(1)
    }
}

/// One sysbench run's totals.
#[derive(Debug, Clone, PartialEq)]
pub struct SysbenchRate {
    /// Transactions per second.
    pub tx_per_s: f64,
    /// Queries per second.
    pub queries_per_s: f64,
    /// Errors sysbench ignored (deadlocks it retried).
    pub ignored_errors: u64,
}

/// One script's result on one target: sysbench's and loadgen's.
#[derive(Debug, Clone)]
pub struct CrossCheckLine {
    /// The sysbench script name.
    pub script: &'static str,
    /// sysbench's rate.
    pub sysbench: SysbenchRate,
    /// loadgen's measurement.
    pub loadgen: SqlMeasurement,
}

impl CrossCheckLine {
    /// The line printed for it.
    pub fn render(&self) -> String {
        let ours = self.loadgen.to_measurement().ops_per_s;
        let ours_q = self.loadgen.statements as f64 / self.loadgen.duration_s.max(1e-9);
        let ratio = if self.sysbench.tx_per_s > 0.0 {
            format!("{:.2}", ours / self.sysbench.tx_per_s)
        } else {
            "-".into()
        };
        format!(
            "{}: sysbench {:.0} tx/s ({:.0} queries/s, {} ignored errors), loadgen {ours:.0} tx/s \
             ({ours_q:.0} statements/s, errors {}, deadlocks {}), loadgen/sysbench {ratio}",
            self.script,
            self.sysbench.tx_per_s,
            self.sysbench.queries_per_s,
            self.sysbench.ignored_errors,
            self.loadgen.errors,
            self.loadgen.deadlocks
        )
    }
}

/// Runs the cross-check against each of `targets` and prints the lines; fails if loadgen saw
/// a wrong reply.
pub fn run(targets: &[String], cfg: &SqlCrossCheck) -> Result<()> {
    for name in targets {
        let target = if name == "linux-host" {
            resolve(Some(name), None)?
        } else {
            resolve(None, Some(name))?
        };
        println!(
            "SQL cross-check against {} at {} ({} connections, {} rows, {} statements, {} s):",
            target.name,
            target.addr,
            cfg.connections,
            cfg.table_size,
            cfg.statements.mode().name(),
            cfg.seconds()
        );
        let lines = cross_check(&target.addr, target.pid, cfg)?;
        println!("  (the two should agree within about ±15%; more means a busy host or a client bottleneck)");
        for line in &lines {
            println!("  {}", line.render());
        }
        if let Some(bad) = lines.iter().find(|l| l.loadgen.errors > 0) {
            bail!(
                "{}: {} wrong or failed loadgen operations: {:?}",
                bad.script,
                bad.loadgen.errors,
                bad.loadgen.error_samples
            );
        }
    }
    Ok(())
}

/// sysbench's scripts, then loadgen's workloads, against `addr`.
pub fn cross_check(
    addr: &SqlAddr,
    pid: Option<u32>,
    cfg: &SqlCrossCheck,
) -> Result<Vec<CrossCheckLine>> {
    let mode = cfg.statements.mode();
    let mut conn = SqlConn::connect(addr, None, mode)?;
    conn.run(&format!("CREATE DATABASE IF NOT EXISTS {DATABASE}"))?;
    let sysbench = |script: &str, phase: &str| sysbench(addr, script, phase, cfg);
    // A table left by an interrupted earlier run would make `prepare` fail.
    sysbench(SCRIPTS[0].0, "cleanup")?;
    sysbench(SCRIPTS[0].0, "prepare")?;
    let mut theirs = Vec::new();
    for (script, _) in SCRIPTS {
        let text = sysbench(script, "run")?;
        theirs.push(parse_sysbench(&text).with_context(|| format!("sysbench {script}: {text}"))?);
    }
    sysbench(SCRIPTS[0].0, "cleanup")?;

    oltp::prepare(&mut conn, cfg.table_size).context("loading loadgen's sbtest1")?;
    let mut lines = Vec::new();
    for ((script, kind), sysbench) in SCRIPTS.into_iter().zip(theirs) {
        let run = OltpRun {
            kind,
            table_size: cfg.table_size,
            connections: cfg.connections,
            warmup_s: 0.0,
            duration_s: cfg.seconds() as f64,
            mode,
            seed: cfg.seed,
        };
        let loadgen = run_oltp(addr, &run, pid)?;
        lines.push(CrossCheckLine {
            script,
            sysbench,
            loadgen,
        });
    }
    Ok(lines)
}

/// Runs `sysbench SCRIPT ... PHASE` against `addr` and returns its standard output.
fn sysbench(addr: &SqlAddr, script: &str, phase: &str, cfg: &SqlCrossCheck) -> Result<String> {
    let mut cmd = Command::new("sysbench");
    cmd.arg(script);
    match addr {
        SqlAddr::Tcp(a) => {
            cmd.arg(format!("--mysql-host={}", a.ip()))
                .arg(format!("--mysql-port={}", a.port()));
        }
        SqlAddr::Socket(path) => {
            cmd.arg(format!("--mysql-socket={}", path.display()));
        }
        SqlAddr::InNetns { .. } => bail!("the sysbench cross-check runs against loopback only"),
    }
    let ps_mode = match cfg.statements.mode() {
        StatementMode::Prepared => "auto",
        StatementMode::Text => "disable",
    };
    cmd.arg(format!("--mysql-user={SQL_USER}"))
        .arg(format!("--mysql-db={DATABASE}"))
        .arg("--tables=1")
        .arg(format!("--table-size={}", cfg.table_size))
        .arg(format!("--threads={}", cfg.connections.max(1)))
        .arg(format!("--time={}", cfg.seconds()))
        .arg(format!("--db-ps-mode={ps_mode}"))
        .arg("--report-interval=0")
        .arg(phase);
    let timeout = Duration::from_secs(cfg.seconds()) + SYSBENCH_SLACK;
    let out = run_tool(
        &mut cmd,
        timeout,
        "running sysbench (apt-get install sysbench)",
    )?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        bail!(
            "sysbench {script} {phase} failed ({}): {}{}",
            out.status,
            stdout.trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(stdout)
}

/// Parses the totals of a `sysbench ... run` report.
pub fn parse_sysbench(text: &str) -> Option<SysbenchRate> {
    // "    transactions:                        1000   (99.93 per sec.)"
    let per_sec = |key: &str| -> Option<(u64, f64)> {
        let line = text.lines().find(|l| l.trim_start().starts_with(key))?;
        let rest = line.trim_start().strip_prefix(key)?;
        let (count, rate) = rest.split_once('(')?;
        let rate = rate.split_whitespace().next()?.parse().ok()?;
        Some((count.trim().parse().ok()?, rate))
    };
    Some(SysbenchRate {
        tx_per_s: per_sec("transactions:")?.1,
        queries_per_s: per_sec("queries:")?.1,
        ignored_errors: per_sec("ignored errors:").map_or(0, |(n, _)| n),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_sysbench_report() {
        let text = "SQL statistics:\n    queries performed:\n        read:    14000\n\
                    \x20   transactions:                        1000   (99.93 per sec.)\n\
                    \x20   queries:                             20000  (1998.60 per sec.)\n\
                    \x20   ignored errors:                      3      (0.30 per sec.)\n\
                    \x20   reconnects:                          0      (0.00 per sec.)\n";
        assert_eq!(
            parse_sysbench(text),
            Some(SysbenchRate {
                tx_per_s: 99.93,
                queries_per_s: 1998.60,
                ignored_errors: 3,
            })
        );
        assert_eq!(parse_sysbench("FATAL: no such table\n"), None);
    }

    #[test]
    fn the_window_is_whole_seconds() {
        let cfg = SqlCrossCheck {
            table_size: 10,
            connections: 1,
            duration_s: 0.2,
            statements: StatementArg::Prepared,
            seed: 1,
        };
        assert_eq!(cfg.seconds(), 1);
        assert_eq!(
            SqlCrossCheck {
                duration_s: 2.5,
                ..cfg
            }
            .seconds(),
            3
        );
    }
}
