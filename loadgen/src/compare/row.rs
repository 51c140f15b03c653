//! One KV run and what is recorded of it: preloading then running a workload, the
//! one-line summary printed per run, and the CSV row it becomes.

use crate::bench::{self, Measurement, RunConfig};
use crate::csv_out::{round_to, ResultRow};
use crate::environment;
use crate::targets::Target;

/// Preloads when the target's data does not match the workload, then runs it.
pub fn run_one(
    target: &dyn Target,
    cfg: &RunConfig,
    preloaded: &mut Option<(u64, usize)>,
) -> Result<Measurement, bench::BenchError> {
    let wanted = (cfg.workload.keyspace, cfg.workload.value_size);
    if *preloaded != Some(wanted) {
        *preloaded = None;
        bench::preload(target, wanted.0, wanted.1)?;
        *preloaded = Some(wanted);
    }
    bench::run(target, cfg)
}

/// A one-line summary of a measurement.
pub fn result_line(m: &Measurement) -> String {
    let us = |v: Option<u64>| v.map_or_else(|| "-".to_string(), |v| v.to_string());
    format!(
        "{:.0} ops/s, {} ops, {} errors, p50 {} µs, p99 {} µs, p99.9 {} µs, host CPU {} µs/op, loadgen CPU {:.2} s",
        m.ops_per_s,
        m.ops,
        m.errors,
        us(m.latency.p50_us),
        us(m.latency.p99_us),
        us(m.latency.p999_us),
        m.host_cpu_us_per_op().map_or_else(|| "-".to_string(), |v| format!("{v:.2}")),
        m.loadgen_cpu_s
    )
}

/// Builds the CSV row of one measurement.
pub fn make_row(
    run_id: &str,
    commit: &str,
    target: &dyn Target,
    cfg: &RunConfig,
    m: &Measurement,
) -> ResultRow {
    let name = RowTarget {
        name: target.name(),
        accelerator: target.accelerator(),
        accel_reason: target.accel_reason(),
    };
    make_row_for(run_id, commit, &name, cfg, m)
}

/// What a CSV row says about its target.
#[derive(Debug, Clone, Copy)]
pub struct RowTarget<'a> {
    /// The target's name.
    pub name: &'a str,
    /// The accelerator (`none` for host processes).
    pub accelerator: &'a str,
    /// Why that accelerator.
    pub accel_reason: &'a str,
}

/// [`make_row`] for a target known only by its name and accelerator.
pub fn make_row_for(
    run_id: &str,
    commit: &str,
    target: &RowTarget<'_>,
    cfg: &RunConfig,
    m: &Measurement,
) -> ResultRow {
    let w = &cfg.workload;
    let mut row = ResultRow {
        run_id: run_id.to_string(),
        utc_time: environment::utc_now().0,
        git_commit: commit.to_string(),
        target: target.name.to_string(),
        accelerator: target.accelerator.to_string(),
        accel_reason: target.accel_reason.to_string(),
        workload: w.label.clone(),
        read_ratio: w.mix.read_ratio(),
        value_size: w.value_size,
        keyspace: w.keyspace,
        key_dist: w.key_dist.to_string(),
        connections: cfg.connections,
        pipeline: w.pipeline,
        rate_limit: w.rate_limit,
        warmup_s: cfg.warmup_s,
        duration_s: cfg.duration_s,
        ops: m.ops,
        errors: m.errors,
        ops_per_s: round_to(m.ops_per_s, 1),
        p50_us: m.latency.p50_us,
        p90_us: m.latency.p90_us,
        p99_us: m.latency.p99_us,
        p999_us: m.latency.p999_us,
        host_cpu_s: m.host_cpu_s.map(|v| round_to(v, 3)),
        host_cpu_us_per_op: m.host_cpu_us_per_op().map(|v| round_to(v, 3)),
        guest_busy_cycles: m.guest_busy_cycles,
        guest_idle_cycles: m.guest_idle_cycles,
        guest_cycles_per_op: m.guest_cycles_per_op().map(|v| round_to(v, 1)),
        loadgen_cpu_s: round_to(m.loadgen_cpu_s, 3),
        sql_statements: None,
        sql_queries: None,
        sql_deadlocks: None,
        user_cpu_s: None,
        system_cpu_s: None,
        guest_busy_s: None,
        guest_irq_s: None,
        server_user_s: None,
        server_system_s: None,
        cpu_accounting_overhead: None,
        cpu_source: None,
        durability: Some(crate::targets::durability::current().name().into()),
    };
    row.set_cpu(m.cpu.as_ref());
    row
}
