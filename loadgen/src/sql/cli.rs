//! `loadgen run` for SQL workloads: resolve a host target's MySQL address, load the data,
//! run, print one result line and optionally write a results CSV row.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};

use super::compare::{row_for, SqlCompareConfig};
use super::conn::{SqlAddr, SqlConn, StatementMode};
use super::driver::{run_oltp, OltpRun};
use super::oltp;
use super::wisconsin::{self, WisconsinRun};
use super::{SqlMeasurement, SqlWorkload};
use crate::compare::{result_line, RowTarget};
use crate::csv_out::{CsvSink, ResultRow};
use crate::environment;
use crate::targets::host::{find_listener_pid, find_unix_listener_pid, LinuxHost};
use crate::targets::{Target, NO_ACCELERATOR};

/// Default rows of `sbtest1` (sysbench's `--table-size` is 10,000).
pub const DEFAULT_TABLE_SIZE: u64 = 10_000;
/// Default Wisconsin loop count: small; sql-bench's default is 5,000, KML used 10,000.
pub const DEFAULT_LOOP_COUNT: u64 = 10;

/// Options of the SQL workloads (`oltp-*`, `wisconsin`).
#[derive(Debug, Clone, Args)]
pub struct SqlArgs {
    /// MySQL-protocol server for SQL workloads: HOST:PORT on loopback or a unix socket path
    /// (default: linux-host's SQL port, or --target HOST:PORT).
    #[arg(long)]
    pub sql_addr: Option<String>,
    /// Rows of sbtest1 for oltp-* workloads.
    #[arg(long, default_value_t = DEFAULT_TABLE_SIZE)]
    pub table_size: u64,
    /// Prepared (binary protocol) or text statements.
    #[arg(long, value_enum, default_value_t = StatementArg::Prepared)]
    pub statements: StatementArg,
    /// Wisconsin: executions of each SELECT of the query list.
    #[arg(long, default_value_t = DEFAULT_LOOP_COUNT)]
    pub loop_count: u64,
    /// Also write the result as a results.csv row to this file.
    #[arg(long)]
    pub csv: Option<PathBuf>,
}

/// `--statements`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StatementArg {
    /// COM_STMT_PREPARE / COM_STMT_EXECUTE.
    Prepared,
    /// COM_QUERY with inlined values.
    Text,
}

impl StatementArg {
    /// The statement mode.
    pub fn mode(self) -> StatementMode {
        match self {
            StatementArg::Prepared => StatementMode::Prepared,
            StatementArg::Text => StatementMode::Text,
        }
    }
}

/// Run parameters `loadgen run` shares with the RESP workloads.
#[derive(Debug, Clone)]
pub struct SqlRunParams {
    /// Connections (OLTP; Wisconsin is single-user).
    pub connections: usize,
    /// Warm-up seconds (OLTP).
    pub warmup_s: f64,
    /// Measured seconds (OLTP).
    pub duration_s: f64,
    /// Seed.
    pub seed: u64,
}

/// Where the SQL server is, what to call it, and which process to charge.
pub(crate) struct Resolved {
    pub(crate) addr: SqlAddr,
    pub(crate) name: String,
    pub(crate) pid: Option<u32>,
    // Kept alive for the run (a spawned linux-host).
    _host: Option<LinuxHost>,
}

/// A `linux-host` (spawned), `HOST:PORT` target or `--sql-addr` (loopback or unix socket).
pub(crate) fn resolve(target: Option<&str>, sql_addr: Option<&str>) -> Result<Resolved> {
    if let Some(text) = sql_addr {
        let addr = SqlAddr::parse(text).map_err(anyhow::Error::msg)?;
        let pid = match &addr {
            SqlAddr::Tcp(a) => find_listener_pid(a.port()),
            SqlAddr::Socket(path) => find_unix_listener_pid(path),
            SqlAddr::InNetns { .. } => None,
        };
        return Ok(Resolved {
            name: addr.to_string(),
            addr,
            pid,
            _host: None,
        });
    }
    match target {
        Some("linux-host") => {
            let host = LinuxHost::spawn()?;
            Ok(Resolved {
                addr: SqlAddr::Tcp(host.sql_addr()),
                name: "linux-host".into(),
                pid: host.pid(),
                _host: Some(host),
            })
        }
        Some(text) => match SqlAddr::parse(text) {
            Ok(addr @ SqlAddr::Tcp(a)) => Ok(Resolved {
                name: addr.to_string(),
                pid: find_listener_pid(a.port()),
                addr,
                _host: None,
            }),
            _ => bail!("SQL workloads run against host targets: linux-host, HOST:PORT or --sql-addr (not `{text}`)"),
        },
        None => bail!("name a target (--target linux-host or HOST:PORT) or --sql-addr"),
    }
}

/// Loads the workload's data, runs it and reports; fails if any reply was wrong.
pub fn run(
    target: Option<&str>,
    workload: SqlWorkload,
    args: &SqlArgs,
    params: &SqlRunParams,
) -> Result<()> {
    let target = resolve(target, args.sql_addr.as_deref())?;
    let mode = match args.statements {
        StatementArg::Prepared => StatementMode::Prepared,
        StatementArg::Text => StatementMode::Text,
    };
    eprintln!(
        "target {}: SQL at {} ({} statements)",
        target.name,
        target.addr,
        mode.name()
    );
    let m = match workload {
        SqlWorkload::Oltp(kind) => {
            if args.table_size < 1 {
                bail!("--table-size must be at least 1");
            }
            let mut conn = SqlConn::connect(&target.addr, None, mode)?;
            eprintln!(
                "loading {} rows into {}.sbtest1 ...",
                args.table_size,
                oltp::DATABASE
            );
            oltp::prepare(&mut conn, args.table_size).context("loading sbtest1")?;
            let run = OltpRun {
                kind,
                table_size: args.table_size,
                connections: params.connections,
                warmup_s: params.warmup_s,
                duration_s: params.duration_s,
                mode,
                seed: params.seed,
            };
            run_oltp(&target.addr, &run, target.pid)?
        }
        SqlWorkload::Wisconsin => {
            let mut conn = SqlConn::connect(&target.addr, None, mode)?;
            let (statements, secs) = wisconsin::load(&mut conn, params.seed)
                .context("loading the Wisconsin relations")?;
            eprintln!("wisconsin: loaded with {statements} statements in {secs:.2} s ({:.0} statements/s)", statements as f64 / secs.max(1e-9));
            let run = WisconsinRun {
                loop_count: args.loop_count,
                seed: params.seed,
            };
            let cpu0 = target
                .pid
                .and_then(|p| crate::metrics::process_cpu_s(p).ok());
            let mut m = wisconsin::run(&mut conn, &run);
            let cpu1 = target
                .pid
                .and_then(|p| crate::metrics::process_cpu_s(p).ok());
            m.host_cpu_s = cpu0.zip(cpu1).map(|(a, b)| (b - a).max(0.0));
            m
        }
    };
    let measurement = m.to_measurement();
    println!(
        "{} {}: {}, {:.0} statements/s, {} deadlocks",
        target.name,
        workload.name(),
        result_line(&measurement),
        m.statements as f64 / m.duration_s.max(1e-9),
        m.deadlocks
    );
    for e in &m.error_samples {
        println!("  error: {e}");
    }
    if let Some(path) = &args.csv {
        let row = make_row(&target.name, workload, args, params, mode, &m);
        let mut sink = CsvSink::create(path)?;
        sink.append(&row)?;
        println!("csv: {}", path.display());
    }
    if m.errors > 0 {
        bail!("{} failed or wrong SQL operations", m.errors);
    }
    Ok(())
}

/// The results row of a SQL run (columns documented in loadgen/README.md).
pub fn make_row(
    target: &str,
    workload: SqlWorkload,
    args: &SqlArgs,
    params: &SqlRunParams,
    mode: StatementMode,
    m: &SqlMeasurement,
) -> ResultRow {
    let commit = environment::git_commit();
    let cfg = SqlCompareConfig {
        workloads: vec![workload],
        table_size: args.table_size,
        loop_count: args.loop_count,
        connections: params.connections,
        warmup_s: params.warmup_s,
        duration_s: params.duration_s,
        mode,
    };
    let named = RowTarget {
        name: target,
        accelerator: NO_ACCELERATOR,
        accel_reason: "host process (no VM)",
    };
    let run_id = environment::new_run_id(&commit);
    row_for(&run_id, &commit, &named, workload, &cfg, m)
}
