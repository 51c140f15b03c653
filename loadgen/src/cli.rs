//! Command-line interface.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::bench::{self, RunConfig};
use crate::compare::Suite;
use crate::compare::{self, CompareConfig};
use crate::report;
use crate::selftest;
use crate::sql::cli::{SqlArgs, SqlRunParams, StatementArg};
use crate::sql::compare::SqlCompareConfig;
use crate::sql::crosscheck::SqlCrossCheck;
use crate::sql::SqlWorkload;
use crate::targets::{self, TargetSpec};
use crate::workload::{KeyDist, OpMix, Workload};

const WORKLOAD_HELP: &str = "\
WORKLOAD SPECS: KIND[:OPTION]...
  KIND     get | set | mixed
  pN       pipeline depth (requests in flight per connection), e.g. p16
  rF       read ratio of mixed, 0..=1, e.g. r0.9
  vN       value size in bytes (>= 16), e.g. v512
  kN       key space (number of keys), e.g. k100000
  uniform  uniform key choice
  zipf[F]  Zipfian key choice with theta F (default 0.99), e.g. zipf0.9
  qN       open loop at N requests/s in total (coordinated-omission safe)
Options not given take the values of the --pipeline, --read-ratio, --value-size, --keyspace,
--key-dist/--theta and --rate flags. Examples: get:p1  set:p16:v512  mixed:r0.9:p4:zipf

SQL WORKLOADS (MySQL protocol; `run` with host targets, `compare` with every target):
oltp-point-select, oltp-read-only,
oltp-read-write, oltp-insert, oltp-update-index (sysbench-style; --table-size, --statements,
--connections, --duration) and wisconsin (sql-bench's Wisconsin; --loop-count). Target:
linux-host (its SQL port), HOST:PORT of a MySQL server, or --sql-addr HOST:PORT|/socket.

TARGETS: unikernel, unikernel-trap, linux-vm, redis-vm, mariadb-vm (QEMU guests; mariadb-vm
speaks SQL only), linux-host (the workspace's dbserver spawned on 127.0.0.1), HOST:PORT of a
server on loopback, or NAME=HOST:PORT|/unix/socket of a MySQL-protocol server (SQL only).";

/// ring0db's load generator.
#[derive(Debug, Parser)]
#[command(name = "loadgen", version, about, after_help = WORKLOAD_HELP)]
pub struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Run one workload against one target and print the result.
    #[command(after_help = WORKLOAD_HELP)]
    Run {
        /// Target name or HOST:PORT.
        #[arg(long, required_unless_present = "sql_addr")]
        target: Option<String>,
        /// Workload spec (see below).
        #[arg(long, default_value = "get")]
        workload: String,
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        sql: SqlArgs,
    },
    /// Run targets × workloads × rounds interleaved; write CSV, environment, report and charts.
    #[command(after_help = WORKLOAD_HELP)]
    Compare {
        /// Comma-separated targets of the KV workloads [default:
        /// unikernel,unikernel-trap,linux-vm,redis-vm,linux-host].
        #[arg(long, value_delimiter = ',')]
        targets: Option<Vec<String>>,
        /// Comma-separated KV workload specs [default: get:p1,get:p16,set:p1,set:p16].
        #[arg(long, value_delimiter = ',')]
        workloads: Option<Vec<String>>,
        /// Rounds (each runs every workload on every target).
        #[arg(long, default_value_t = DEFAULT_COMPARE_ROUNDS)]
        rounds: usize,
        /// Which workloads: kv (RESP), sql (MySQL protocol) or all. Default: all, but only
        /// kv when just --targets/--workloads are given, only sql when just --sql-targets/
        /// --sql-workloads are.
        #[arg(long, value_enum)]
        suite: Option<SuiteArg>,
        /// Comma-separated targets of the SQL workloads (NAME=HOST:PORT|/socket attaches to a
        /// running MySQL-protocol server) [default:
        /// unikernel,unikernel-trap,linux-vm,mariadb-vm,linux-host].
        #[arg(long, value_delimiter = ',')]
        sql_targets: Option<Vec<String>>,
        /// Comma-separated SQL workloads [default: oltp-point-select,oltp-read-write,wisconsin].
        #[arg(long, value_delimiter = ',')]
        sql_workloads: Option<Vec<String>>,
        /// Measured seconds per OLTP run.
        #[arg(long, default_value_t = DEFAULT_SQL_DURATION_S)]
        sql_duration: f64,
        /// Warm-up seconds per OLTP run.
        #[arg(long, default_value_t = DEFAULT_SQL_WARMUP_S)]
        sql_warmup: f64,
        /// Connections per OLTP run.
        #[arg(long, default_value_t = DEFAULT_SQL_CONNECTIONS)]
        sql_connections: usize,
        /// Rows of sbtest1.
        #[arg(long, default_value_t = DEFAULT_COMPARE_TABLE_SIZE)]
        table_size: u64,
        /// Wisconsin: executions of each SELECT.
        #[arg(long, default_value_t = DEFAULT_COMPARE_LOOP_COUNT)]
        loop_count: u64,
        /// Prepared (binary protocol) or text statements.
        #[arg(long, value_enum, default_value_t = StatementArg::Prepared)]
        statements: StatementArg,
        /// Directory the run directory is created in.
        #[arg(long, default_value = "bench-results")]
        out_dir: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// Connection storm (issue 11): N connections abandoned mid-request, then M
    /// connect/close cycles, while one client is served; wall time per phase, median of
    /// the rounds, INFO clients/heap/sockets before and after (see src/storm.rs).
    Storm {
        /// Targets, one after the other (each booted once for all its rounds).
        #[arg(long, value_delimiter = ',', default_value = "unikernel,linux-vm")]
        targets: Vec<String>,
        /// Connections opened and abandoned mid-request.
        #[arg(long, default_value_t = 2000)]
        abandoned: usize,
        /// Connect/close cycles.
        #[arg(long, default_value_t = 10_000)]
        cycles: usize,
        /// Storms per target.
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Directory the run directory is created in.
        #[arg(long, default_value = "bench-results/storm")]
        out_dir: PathBuf,
    },
    /// Measure the in-kernel profiler's cost: the unikernel booted alternately without and
    /// with profile=HZ, same workload, medians and their ratio.
    ProfileCost {
        /// Workload spec (see below).
        #[arg(long, default_value = "get")]
        workload: String,
        /// Rounds (one VM without and one with the profiler each).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        #[command(flatten)]
        common: Common,
    },
    /// Throughput of the active connections (GET P=1 by default) while N more are held
    /// open and idle, per target, interleaved, median of the rounds.
    Scaling {
        /// Comma-separated targets; the last is the reference of the ratio column.
        #[arg(long, value_delimiter = ',', default_value = "unikernel,linux-vm")]
        targets: Vec<String>,
        /// Comma-separated idle connection counts.
        #[arg(long, value_delimiter = ',', default_value = "0,100,1000,4000")]
        idle: Vec<usize>,
        /// Workload spec of the active connections.
        #[arg(long, default_value = "get:p1")]
        workload: String,
        /// Rounds (median over them).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Directory the run directory is created in.
        #[arg(long, default_value = "bench-results/scaling")]
        out_dir: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// Re-render report.md and the SVG charts of DIR from DIR/results.csv.
    Report {
        /// A run directory written by `compare`.
        dir: PathBuf,
    },
    /// Measure what loadgen itself can drive, and cross-check against redis-benchmark.
    Selftest {
        /// Connections for the sink test.
        #[arg(long, default_value_t = 8)]
        connections: usize,
        /// Pipeline depths for the sink test.
        #[arg(long, value_delimiter = ',', default_value = "1,16,64")]
        pipelines: Vec<u32>,
        /// Warm-up seconds per measurement.
        #[arg(long, default_value_t = 0.5)]
        warmup: f64,
        /// Measured seconds per measurement.
        #[arg(long, default_value_t = 3.0)]
        duration: f64,
        /// Also drive linux-host (the workspace's dbserver) with get:p64.
        #[arg(long)]
        linux_host: bool,
        /// Cross-check against redis-benchmark on this target (must be reachable on loopback).
        #[arg(long)]
        cross_check: Option<String>,
        /// Requests per test for redis-benchmark.
        #[arg(long, default_value_t = 1_000_000)]
        requests: u64,
        /// Value size for the cross-check.
        #[arg(long, default_value_t = 100)]
        value_size: usize,
        /// Cross-check loadgen's OLTP against sysbench on these MySQL-protocol targets
        /// (comma-separated: linux-host, HOST:PORT on loopback or a unix socket path).
        #[arg(long, value_delimiter = ',')]
        cross_check_sql: Vec<String>,
        /// Rows of sbtest1 for the SQL cross-check.
        #[arg(long, default_value_t = crate::sql::cli::DEFAULT_TABLE_SIZE)]
        sql_table_size: u64,
        /// Connections of the SQL cross-check (sysbench --threads).
        #[arg(long, default_value_t = DEFAULT_SQL_CONNECTIONS)]
        sql_connections: usize,
        /// Prepared (binary protocol) or text statements in the SQL cross-check.
        #[arg(long, value_enum, default_value_t = StatementArg::Prepared)]
        sql_statements: StatementArg,
    },
}

/// Run parameters shared by `run` and `compare`.
#[derive(Debug, Args)]
struct Common {
    /// Concurrent connections.
    #[arg(long, default_value_t = 8)]
    connections: usize,
    /// Measured seconds per run.
    #[arg(long, default_value_t = 5.0)]
    duration: f64,
    /// Warm-up seconds per run (excluded from metrics).
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
    /// Default pipeline depth.
    #[arg(long, default_value_t = 1)]
    pipeline: u32,
    /// Default value size in bytes (>= 16).
    #[arg(long, default_value_t = 100)]
    value_size: usize,
    /// Default key space (number of keys, preloaded before the first run).
    #[arg(long, default_value_t = 10_000)]
    keyspace: u64,
    /// Default key distribution.
    #[arg(long, value_enum, default_value_t = DistArg::Uniform)]
    key_dist: DistArg,
    /// Zipfian theta.
    #[arg(long, default_value_t = 0.99)]
    theta: f64,
    /// Default read ratio of `mixed`.
    #[arg(long, default_value_t = 0.9)]
    read_ratio: f64,
    /// Default open-loop rate in requests/s (all connections together); closed loop if absent.
    #[arg(long)]
    rate: Option<f64>,
    /// Seed of the key and operation choices.
    #[arg(long, default_value_t = 0x5EED)]
    seed: u64,
    /// Accelerator for VM targets: auto (KVM only with vmx/svm, else TCG), tcg or kvm.
    #[arg(long, default_value = "auto")]
    accel: String,
    /// Network of VM targets: auto (tap in a namespace as root, else user networking), tap
    /// or user (QEMU user networking forwarding loopback ports).
    #[arg(long, default_value = "auto")]
    net: String,
    /// Profile every unikernel VM with the in-kernel sampler and write a flame graph per VM
    /// (`run`: under bench-results/profiles/; `compare`: in the run directory's profiles/).
    #[arg(long)]
    profile: bool,
    /// Sampling rate of --profile in Hz (19-10000); 100 (the measured cost is in the README).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(19..=10_000))]
    profile_hz: u32,
}

/// `compare`'s default targets and workloads of the KV and the SQL half.
const DEFAULT_KV_TARGETS: &str = "unikernel,unikernel-trap,linux-vm,redis-vm,linux-host";
const DEFAULT_KV_WORKLOADS: &str = "get:p1,get:p16,set:p1,set:p16";
const DEFAULT_SQL_TARGETS: &str = "unikernel,unikernel-trap,linux-vm,mariadb-vm,linux-host";
const DEFAULT_SQL_WORKLOADS: &str = "oltp-point-select,oltp-read-write,wisconsin";
/// Default rounds of `compare` (trimmed from 3 so KV + SQL fit 15 minutes under TCG).
const DEFAULT_COMPARE_ROUNDS: usize = 2;
/// `compare`'s OLTP window, warm-up and connections.
const DEFAULT_SQL_DURATION_S: f64 = 4.0;
const DEFAULT_SQL_WARMUP_S: f64 = 1.0;
const DEFAULT_SQL_CONNECTIONS: usize = 4;
/// `compare`'s sbtest1 rows and Wisconsin loop count (small: the default run must fit 15 min).
const DEFAULT_COMPARE_TABLE_SIZE: u64 = 10_000;
const DEFAULT_COMPARE_LOOP_COUNT: u64 = 20;

/// `--suite`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum SuiteArg {
    /// RESP workloads only.
    Kv,
    /// SQL workloads only.
    Sql,
    /// Both.
    All,
}

impl SuiteArg {
    fn suite(self) -> Suite {
        match self {
            SuiteArg::Kv => Suite::Kv,
            SuiteArg::Sql => Suite::Sql,
            SuiteArg::All => Suite::All,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DistArg {
    Uniform,
    Zipfian,
}

impl Common {
    fn defaults(&self) -> Result<Workload> {
        targets::vm::set_accel_request(&self.accel);
        targets::vm::set_net_request(&self.net)?;
        if self.profile {
            targets::vm::set_profile(self.profile_hz, &profile_staging_dir());
        }
        if self.value_size < crate::workload::MIN_VALUE_SIZE {
            bail!(
                "--value-size must be at least {}",
                crate::workload::MIN_VALUE_SIZE
            );
        }
        if self.rate.is_some_and(|r| !(r.is_finite() && r > 0.0)) {
            bail!("--rate must be a positive number of requests per second");
        }
        if !(0.0..=1.0).contains(&self.read_ratio) {
            bail!("--read-ratio must be within 0..=1");
        }
        Ok(Workload {
            label: String::new(),
            mix: OpMix::Mixed {
                read_ratio: self.read_ratio,
            },
            pipeline: self.pipeline.max(1),
            value_size: self.value_size,
            keyspace: self.keyspace.max(1),
            key_dist: match self.key_dist {
                DistArg::Uniform => KeyDist::Uniform,
                DistArg::Zipfian => KeyDist::Zipfian { theta: self.theta },
            },
            rate_limit: self.rate,
        })
    }
}

/// Where `--profile` writes flame graphs while runs go on: `bench-results/profiles/`
/// (`compare` moves them into its run directory afterwards).
fn profile_staging_dir() -> PathBuf {
    PathBuf::from("bench-results").join("profiles")
}

/// Moves the flame graphs `--profile` wrote into `profiles/` beside `report`.
fn move_profiles_next_to(report: &std::path::Path) -> Result<()> {
    let staging = profile_staging_dir();
    let Some(run_dir) = report.parent() else {
        return Ok(());
    };
    let dest = run_dir.join("profiles");
    std::fs::create_dir_all(&dest).with_context(|| format!("create {}", dest.display()))?;
    for name in targets::vm::profiles_written() {
        std::fs::rename(staging.join(&name), dest.join(&name))
            .with_context(|| format!("move {name} into {}", dest.display()))?;
    }
    println!("profiles: {}", dest.display());
    Ok(())
}

/// Parses the command line and runs it.
pub fn main() -> Result<()> {
    match Cli::parse().command {
        Cmd::Run {
            target,
            workload,
            common,
            sql,
        } => {
            if let Some(sql_workload) = SqlWorkload::parse(&workload) {
                let params = SqlRunParams {
                    connections: common.connections,
                    warmup_s: common.warmup,
                    duration_s: common.duration,
                    seed: common.seed,
                };
                return crate::sql::cli::run(target.as_deref(), sql_workload, &sql, &params);
            }
            let target = target.context("--target is required for RESP workloads")?;
            let spec = TargetSpec::parse(&target)?;
            let workload = Workload::parse(&workload, &common.defaults()?)?;
            let t = targets::start(&spec)?;
            eprintln!(
                "target {}: accelerator {} ({})",
                t.name(),
                t.accelerator(),
                t.accel_reason()
            );
            let cfg = RunConfig {
                workload,
                connections: common.connections,
                warmup_s: common.warmup,
                duration_s: common.duration,
                seed: common.seed,
            };
            let mut preloaded = None;
            let m = compare::run_one(t.as_ref(), &cfg, &mut preloaded)?;
            println!(
                "{} {}: {}",
                t.name(),
                cfg.workload.label,
                compare::result_line(&m)
            );
            for e in &m.error_samples {
                println!("  error: {e}");
            }
            if m.errors > 0 {
                bail!("{} wrong or missing replies", m.errors);
            }
            Ok(())
        }
        Cmd::Compare {
            targets,
            workloads,
            rounds,
            suite,
            sql_targets,
            sql_workloads,
            sql_duration,
            sql_warmup,
            sql_connections,
            table_size,
            loop_count,
            statements,
            out_dir,
            common,
        } => {
            let defaults = common.defaults()?;
            let kv_named = targets.is_some() || workloads.is_some();
            let sql_named = sql_targets.is_some() || sql_workloads.is_some();
            let suite = match (suite, kv_named, sql_named) {
                (Some(s), _, _) => s.suite(),
                (None, true, false) => Suite::Kv,
                (None, false, true) => Suite::Sql,
                (None, _, _) => Suite::All,
            };
            let list = |given: Option<Vec<String>>, default: &str| {
                given.unwrap_or_else(|| default.split(',').map(str::to_string).collect())
            };
            let targets = list(targets, DEFAULT_KV_TARGETS);
            let workloads = list(workloads, DEFAULT_KV_WORKLOADS);
            let sql_targets = list(sql_targets, DEFAULT_SQL_TARGETS);
            let sql_workloads = list(sql_workloads, DEFAULT_SQL_WORKLOADS);
            let sql = SqlCompareConfig {
                workloads: sql_workloads
                    .iter()
                    .map(|w| {
                        SqlWorkload::parse(w).with_context(|| format!("unknown SQL workload `{w}`"))
                    })
                    .collect::<Result<_>>()?,
                table_size: table_size.max(1),
                loop_count,
                connections: sql_connections.max(1),
                warmup_s: sql_warmup,
                duration_s: sql_duration,
                mode: statements.mode(),
            };
            let cfg = CompareConfig {
                suite,
                sql_targets: sql_targets
                    .iter()
                    .map(|t| TargetSpec::parse(t))
                    .collect::<Result<_, _>>()?,
                sql,
                targets: targets
                    .iter()
                    .map(|t| TargetSpec::parse(t))
                    .collect::<Result<_, _>>()?,
                workloads: workloads
                    .iter()
                    .map(|w| Workload::parse(w, &defaults))
                    .collect::<Result<_, _>>()?,
                rounds,
                connections: common.connections,
                warmup_s: common.warmup,
                duration_s: common.duration,
                out_root: out_dir,
                seed: common.seed,
            };
            let outcome = compare::compare(&cfg)?;
            if common.profile {
                move_profiles_next_to(&outcome.report)?;
            }
            println!("{}", outcome.summary);
            for f in &outcome.failed_runs {
                println!("FAILED: {f}");
            }
            println!("report: {}", outcome.report.display());
            if !outcome.failed_runs.is_empty() {
                bail!("{} runs failed", outcome.failed_runs.len());
            }
            Ok(())
        }
        Cmd::Storm {
            targets,
            abandoned,
            cycles,
            rounds,
            out_dir,
        } => {
            let targets = targets
                .iter()
                .map(|t| TargetSpec::parse(t))
                .collect::<Result<Vec<_>, _>>()?;
            let plan = crate::storm::StormPlan { abandoned, cycles };
            let cfg = crate::storm::StormConfig {
                targets,
                plan,
                rounds,
                out_dir,
            };
            let dir = crate::storm::run(&cfg)?;
            println!("results: {}", dir.display());
            Ok(())
        }
        Cmd::ProfileCost {
            workload,
            rounds,
            common,
        } => {
            let workload = Workload::parse(&workload, &common.defaults()?)?;
            crate::profile_cost::run(&crate::profile_cost::CostConfig {
                rounds,
                hz: common.profile_hz,
                profile_dir: profile_staging_dir(),
                run: RunConfig {
                    workload,
                    connections: common.connections,
                    warmup_s: common.warmup,
                    duration_s: common.duration,
                    seed: common.seed,
                },
            })
        }
        Cmd::Scaling {
            targets,
            idle,
            workload,
            rounds,
            out_dir,
            common,
        } => {
            let defaults = common.defaults()?;
            let cfg = crate::scaling::ScalingConfig {
                targets: targets
                    .iter()
                    .map(|t| TargetSpec::parse(t))
                    .collect::<Result<_, _>>()?,
                idle,
                run: RunConfig {
                    workload: Workload::parse(&workload, &defaults)?,
                    connections: common.connections,
                    warmup_s: common.warmup,
                    duration_s: common.duration,
                    seed: common.seed,
                },
                rounds,
                out_root: out_dir,
            };
            let csv = crate::scaling::scaling(&cfg)?;
            println!("csv: {}", csv.display());
            Ok(())
        }
        Cmd::Report { dir } => {
            let path = report::render_dir(&dir)
                .with_context(|| format!("rendering report of {}", dir.display()))?;
            println!("report: {}", path.display());
            Ok(())
        }
        Cmd::Selftest {
            connections,
            pipelines,
            warmup,
            duration,
            linux_host,
            cross_check,
            requests,
            value_size,
            cross_check_sql,
            sql_table_size,
            sql_connections,
            sql_statements,
        } => {
            selftest_cmd(
                connections,
                &pipelines,
                warmup,
                duration,
                linux_host,
                cross_check,
                requests,
                value_size,
            )?;
            if cross_check_sql.is_empty() {
                return Ok(());
            }
            let cfg = SqlCrossCheck {
                table_size: sql_table_size,
                connections: sql_connections,
                duration_s: duration,
                statements: sql_statements,
                seed: 11,
            };
            crate::sql::crosscheck::run(&cross_check_sql, &cfg)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn selftest_cmd(
    connections: usize,
    pipelines: &[u32],
    warmup_s: f64,
    duration_s: f64,
    linux_host: bool,
    cross_check: Option<String>,
    requests: u64,
    value_size: usize,
) -> Result<()> {
    println!("loadgen capacity against an in-process sink (answers +OK without parsing):");
    for (p, m) in selftest::sink_capacity(connections, pipelines, warmup_s, duration_s)? {
        println!("  {}", selftest::sink_line(connections, p, &m));
    }
    if linux_host {
        let t = targets::start(&TargetSpec::LinuxHost)?;
        let w = Workload::parse(
            "get:p64",
            &Workload {
                label: String::new(),
                mix: OpMix::Get,
                pipeline: 64,
                value_size,
                keyspace: 10_000,
                key_dist: KeyDist::Uniform,
                rate_limit: None,
            },
        )?;
        let cfg = RunConfig {
            workload: w,
            connections,
            warmup_s,
            duration_s,
            seed: 3,
        };
        let m = compare::run_one(t.as_ref(), &cfg, &mut None)?;
        println!(
            "  linux-host get:p64, {connections} connections: {}",
            compare::result_line(&m)
        );
    }
    if let Some(name) = cross_check {
        let t = targets::start(&TargetSpec::parse(&name)?)?;
        let addr = t.loopback_addr().context(
            "cross-check needs a target with a loopback address (HOST:PORT or linux-host)",
        )?;
        println!(
            "cross-check against {} ({} connections, value {value_size} B):",
            t.name(),
            selftest::CROSS_CHECK_CONNECTIONS
        );
        let theirs = selftest::redis_benchmark(addr, requests, value_size)?;
        let ours = selftest::loadgen_cross_check(t.as_ref(), value_size, warmup_s, duration_s)?;
        println!("  (the two should agree within about ±15%; more means a busy host or a client bottleneck)");
        for (test, m) in &ours {
            let rb = theirs.iter().find(|r| &r.test == test).map(|r| r.ops_per_s);
            let ratio = rb.map_or_else(|| "-".to_string(), |rb| format!("{:.2}", m.ops_per_s / rb));
            println!(
                "  {test}: redis-benchmark {} ops/s, loadgen {:.0} ops/s (errors {}), loadgen/redis-benchmark {ratio}",
                rb.map_or_else(|| "-".to_string(), |v| format!("{v:.0}")),
                m.ops_per_s,
                m.errors
            );
        }
    }
    let _ = bench::MAX_ERROR_SAMPLES;
    Ok(())
}
