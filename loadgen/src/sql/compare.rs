//! The SQL half of `compare`: one SQL workload against one target (data loaded as needed),
//! with the server's CPU split sampled around the measured part, and its results row.

use super::conn::{SqlAddr, SqlConn, StatementMode};
use super::driver::{run_oltp_sampled, OltpRun};
use super::oltp;
use super::wisconsin::{self, WisconsinRun};
use super::{SqlMeasurement, SqlWorkload};
use crate::compare::{make_row_for, RowTarget};
use crate::csv_out::{round_to, ResultRow};
use crate::targets::Target;

/// Parameters of the SQL workloads in a comparison.
#[derive(Debug, Clone)]
pub struct SqlCompareConfig {
    /// Workloads, in report order.
    pub workloads: Vec<SqlWorkload>,
    /// Rows of `sbtest1`.
    pub table_size: u64,
    /// Wisconsin loop count.
    pub loop_count: u64,
    /// OLTP connections.
    pub connections: usize,
    /// OLTP warm-up seconds.
    pub warmup_s: f64,
    /// OLTP measured seconds.
    pub duration_s: f64,
    /// Prepared or text statements.
    pub mode: StatementMode,
}

/// What a target already holds.
#[derive(Debug, Default, Clone)]
pub struct LoadedData {
    /// `sbtest1` is loaded with the configured table size.
    pub oltp: bool,
}

/// The target's SQL address, or an error naming it.
pub fn sql_addr(target: &dyn Target) -> Result<SqlAddr, String> {
    target
        .sql_addr()
        .ok_or_else(|| format!("{} does not speak the MySQL protocol", target.name()))
}

/// Runs `workload` once against `target`: loads `sbtest1` on first use, reloads the
/// Wisconsin relations before every Wisconsin run (its writes change tenk1), measures the
/// OLTP window or the Wisconsin query list, and samples the CPU split around it.
pub fn run_one(
    target: &dyn Target,
    workload: SqlWorkload,
    cfg: &SqlCompareConfig,
    loaded: &mut LoadedData,
    seed: u64,
) -> Result<SqlMeasurement, String> {
    let addr = sql_addr(target)?;
    let pid = target.pid();
    let mut conn = SqlConn::connect(&addr, None, cfg.mode).map_err(|e| e.to_string())?;
    match workload {
        SqlWorkload::Oltp(kind) => {
            if !loaded.oltp {
                oltp::prepare(&mut conn, cfg.table_size)
                    .map_err(|e| format!("loading sbtest1: {e}"))?;
                loaded.oltp = true;
            }
            drop(conn);
            let run = OltpRun {
                kind,
                table_size: cfg.table_size,
                connections: cfg.connections,
                warmup_s: cfg.warmup_s,
                duration_s: cfg.duration_s,
                mode: cfg.mode,
                seed,
            };
            run_oltp_sampled(&addr, &run, pid, &|| target.cpu_sample()).map_err(|e| e.to_string())
        }
        SqlWorkload::Wisconsin => {
            wisconsin::load(&mut conn, seed).map_err(|e| format!("loading Wisconsin: {e}"))?;
            let run = WisconsinRun {
                loop_count: cfg.loop_count,
                seed,
            };
            let cpu0 = pid.and_then(|p| crate::metrics::process_cpu_s(p).ok());
            let sample0 = target.cpu_sample();
            let mut m = wisconsin::run(&mut conn, &run);
            let cpu1 = pid.and_then(|p| crate::metrics::process_cpu_s(p).ok());
            let sample1 = target.cpu_sample();
            m.host_cpu_s = cpu0.zip(cpu1).map(|(a, b)| (b - a).max(0.0));
            m.cpu = sample0
                .zip(sample1)
                .and_then(|(a, b)| crate::cpu::split(&a, &b));
            Ok(m)
        }
    }
}

/// The results row of one SQL run in a comparison.
pub fn row(
    run_id: &str,
    commit: &str,
    target: &dyn Target,
    workload: SqlWorkload,
    cfg: &SqlCompareConfig,
    m: &SqlMeasurement,
) -> ResultRow {
    let named = RowTarget {
        name: target.name(),
        accelerator: target.accelerator(),
        accel_reason: target.accel_reason(),
    };
    row_for(run_id, commit, &named, workload, cfg, m)
}

/// [`row`] for a target known only by its name and accelerator (`loadgen run`'s rows).
pub fn row_for(
    run_id: &str,
    commit: &str,
    target: &RowTarget<'_>,
    workload: SqlWorkload,
    cfg: &SqlCompareConfig,
    m: &SqlMeasurement,
) -> ResultRow {
    let meas = m.to_measurement();
    let (read_ratio, keyspace, connections, warmup_s) = match workload {
        SqlWorkload::Oltp(k) => (
            k.read_ratio(),
            cfg.table_size,
            cfg.connections,
            cfg.warmup_s,
        ),
        SqlWorkload::Wisconsin => (
            wisconsin::read_ratio(cfg.loop_count),
            u64::from(wisconsin::TENK),
            1,
            0.0,
        ),
    };
    let run_cfg = crate::bench::RunConfig {
        workload: crate::workload::Workload {
            label: workload.name().to_string(),
            mix: crate::workload::OpMix::Mixed { read_ratio },
            pipeline: 1,
            value_size: 0,
            keyspace,
            key_dist: crate::workload::KeyDist::Uniform,
            rate_limit: None,
        },
        connections,
        warmup_s,
        duration_s: round_to(m.duration_s, 3),
        seed: 0,
    };
    let mut row = make_row_for(run_id, commit, target, &run_cfg, &meas);
    row.sql_statements = Some(cfg.mode.name().to_string());
    row.sql_queries = Some(m.statements);
    row.sql_deadlocks = Some(m.deadlocks);
    row
}
