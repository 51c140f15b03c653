//! The clap definitions of `loadgen`'s command line: the subcommands, their flags and
//! defaults, and the help text on workload specs and targets.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::compare::Suite;
use crate::sql::cli::{SqlArgs, StatementArg};

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
    pub(super) command: Cmd,
}

#[derive(Debug, Subcommand)]
pub(super) enum Cmd {
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
        /// Profile the unikernel with the in-kernel sampler for all its rounds; its flame
        /// graph goes to the run directory's profiles/.
        #[arg(long)]
        profile: bool,
        /// Sampling rate of --profile in Hz (19-10000).
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(19..=10_000))]
        profile_hz: u32,
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
pub(super) struct Common {
    /// Concurrent connections.
    #[arg(long, default_value_t = 8)]
    pub(super) connections: usize,
    /// Measured seconds per run.
    #[arg(long, default_value_t = 5.0)]
    pub(super) duration: f64,
    /// Warm-up seconds per run (excluded from metrics).
    #[arg(long, default_value_t = 1.0)]
    pub(super) warmup: f64,
    /// Default pipeline depth.
    #[arg(long, default_value_t = 1)]
    pub(super) pipeline: u32,
    /// Default value size in bytes (>= 16).
    #[arg(long, default_value_t = 100)]
    pub(super) value_size: usize,
    /// Default key space (number of keys, preloaded before the first run).
    #[arg(long, default_value_t = 10_000)]
    pub(super) keyspace: u64,
    /// Default key distribution.
    #[arg(long, value_enum, default_value_t = DistArg::Uniform)]
    pub(super) key_dist: DistArg,
    /// Zipfian theta.
    #[arg(long, default_value_t = 0.99)]
    pub(super) theta: f64,
    /// Default read ratio of `mixed`.
    #[arg(long, default_value_t = 0.9)]
    pub(super) read_ratio: f64,
    /// Default open-loop rate in requests/s (all connections together); closed loop if absent.
    #[arg(long)]
    pub(super) rate: Option<f64>,
    /// Seed of the key and operation choices.
    #[arg(long, default_value_t = 0x5EED)]
    pub(super) seed: u64,
    /// Accelerator for VM targets: auto (KVM only with vmx/svm, else TCG), tcg or kvm.
    #[arg(long, default_value = "auto")]
    pub(super) accel: String,
    /// Network of VM targets: auto (tap in a namespace as root, else user networking), tap
    /// or user (QEMU user networking forwarding loopback ports).
    #[arg(long, default_value = "auto")]
    pub(super) net: String,
    /// How durable the servers are: off (data in memory), always (every acknowledged write
    /// flushed to the VM's disk: dbserver's log, Redis's AOF, InnoDB at commit) or everysec
    /// (flushed about once a second). Recorded in the CSV's `durability` column.
    #[arg(long, default_value = "off")]
    pub(super) durability: String,
    /// Profile every unikernel VM with the in-kernel sampler and write a flame graph per VM
    /// (`run`: under bench-results/profiles/; `compare`: in the run directory's profiles/).
    #[arg(long)]
    pub(super) profile: bool,
    /// Sampling rate of --profile in Hz (19-10000); 100 (the measured cost is in the README).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(19..=10_000))]
    pub(super) profile_hz: u32,
}

/// `compare`'s default targets and workloads of the KV and the SQL half.
pub(super) const DEFAULT_KV_TARGETS: &str = "unikernel,unikernel-trap,linux-vm,redis-vm,linux-host";
pub(super) const DEFAULT_KV_WORKLOADS: &str = "get:p1,get:p16,set:p1,set:p16";
pub(super) const DEFAULT_SQL_TARGETS: &str =
    "unikernel,unikernel-trap,linux-vm,mariadb-vm,linux-host";
pub(super) const DEFAULT_SQL_WORKLOADS: &str = "oltp-point-select,oltp-read-write,wisconsin";
/// Default rounds of `compare` (trimmed from 3 so KV + SQL fit 15 minutes under TCG).
pub(super) const DEFAULT_COMPARE_ROUNDS: usize = 2;
/// `compare`'s OLTP window, warm-up and connections.
pub(super) const DEFAULT_SQL_DURATION_S: f64 = 4.0;
pub(super) const DEFAULT_SQL_WARMUP_S: f64 = 1.0;
pub(super) const DEFAULT_SQL_CONNECTIONS: usize = 4;
/// `compare`'s sbtest1 rows and Wisconsin loop count (small: the default run must fit 15 min).
pub(super) const DEFAULT_COMPARE_TABLE_SIZE: u64 = 10_000;
pub(super) const DEFAULT_COMPARE_LOOP_COUNT: u64 = 20;

/// `--suite`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum SuiteArg {
    /// RESP workloads only.
    Kv,
    /// SQL workloads only.
    Sql,
    /// Both.
    All,
}

impl SuiteArg {
    pub(super) fn suite(self) -> Suite {
        match self {
            SuiteArg::Kv => Suite::Kv,
            SuiteArg::Sql => Suite::Sql,
            SuiteArg::All => Suite::All,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum DistArg {
    Uniform,
    Zipfian,
}
