//! Summaries of a run's rows across rounds: per workload, per target, medians with min–max
//! and the ratio to the baseline target. Used by the report, the charts and the KML table;
//! depends on nothing but the CSV row type.

use crate::csv_out::ResultRow;

/// Target every other target is compared against when it is present.
pub const BASELINE_TARGET: &str = "linux-vm";

/// One target's results for one workload, across rounds.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetSummary {
    /// Target name.
    pub target: String,
    /// Accelerator of its first row.
    pub accelerator: String,
    /// Rounds measured.
    pub rounds: usize,
    /// Median throughput.
    pub median_ops_per_s: f64,
    /// Lowest throughput of a round.
    pub min_ops_per_s: f64,
    /// Highest throughput of a round.
    pub max_ops_per_s: f64,
    /// Median of the rounds' p50.
    pub median_p50_us: Option<f64>,
    /// Median of the rounds' p99.
    pub median_p99_us: Option<f64>,
    /// Lowest p99 of a round.
    pub min_p99_us: Option<f64>,
    /// Highest p99 of a round.
    pub max_p99_us: Option<f64>,
    /// Median host CPU µs per op.
    pub host_cpu_us_per_op: Option<f64>,
    /// Median guest cycles per op.
    pub guest_cycles_per_op: Option<f64>,
    /// Errors summed over rounds.
    pub errors: u64,
    /// Median throughput relative to the baseline's.
    pub ratio: Option<f64>,
}

/// One workload's targets side by side.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadSummary {
    /// Workload label.
    pub workload: String,
    /// Parameters of the workload (from its first row).
    pub parameters: String,
    /// Target the ratios are relative to.
    pub baseline: String,
    /// Targets in the order they first appear in the CSV.
    pub targets: Vec<TargetSummary>,
}

/// Groups rows by workload and target (both in first-appearance order) and summarises rounds.
pub fn summarise(rows: &[ResultRow]) -> Vec<WorkloadSummary> {
    let workloads = unique(rows.iter().map(|r| r.workload.as_str()));
    workloads
        .into_iter()
        .map(|workload| {
            let of_workload: Vec<&ResultRow> =
                rows.iter().filter(|r| r.workload == workload).collect();
            let first = of_workload[0];
            let targets = unique(of_workload.iter().map(|r| r.target.as_str()));
            let mut summaries: Vec<TargetSummary> = targets
                .iter()
                .map(|t| summarise_target(t, &of_workload))
                .collect();
            let baseline = if targets.contains(&BASELINE_TARGET) {
                BASELINE_TARGET.to_string()
            } else {
                targets[0].to_string()
            };
            let base_ops = summaries
                .iter()
                .find(|s| s.target == baseline)
                .map(|s| s.median_ops_per_s)
                .unwrap_or(0.0);
            for s in &mut summaries {
                s.ratio = (base_ops > 0.0).then(|| s.median_ops_per_s / base_ops);
            }
            WorkloadSummary {
                workload: workload.to_string(),
                parameters: parameters(first),
                baseline,
                targets: summaries,
            }
        })
        .collect()
}

fn summarise_target(target: &str, rows: &[&ResultRow]) -> TargetSummary {
    let mine: Vec<&&ResultRow> = rows.iter().filter(|r| r.target == target).collect();
    let ops: Vec<f64> = mine.iter().map(|r| r.ops_per_s).collect();
    let p99: Vec<f64> = mine
        .iter()
        .filter_map(|r| r.p99_us.map(|v| v as f64))
        .collect();
    let opt_median = |values: Vec<f64>| median(&values);
    TargetSummary {
        target: target.to_string(),
        accelerator: mine[0].accelerator.clone(),
        rounds: mine.len(),
        median_ops_per_s: median(&ops).unwrap_or(0.0),
        min_ops_per_s: ops.iter().copied().fold(f64::INFINITY, f64::min),
        max_ops_per_s: ops.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        median_p50_us: opt_median(
            mine.iter()
                .filter_map(|r| r.p50_us.map(|v| v as f64))
                .collect(),
        ),
        median_p99_us: median(&p99),
        min_p99_us: p99.iter().copied().reduce(f64::min),
        max_p99_us: p99.iter().copied().reduce(f64::max),
        host_cpu_us_per_op: opt_median(mine.iter().filter_map(|r| r.host_cpu_us_per_op).collect()),
        guest_cycles_per_op: opt_median(
            mine.iter().filter_map(|r| r.guest_cycles_per_op).collect(),
        ),
        errors: mine.iter().map(|r| r.errors).sum(),
        ratio: None,
    }
}

/// The median (mean of the middle two for an even count); `None` when empty.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

fn unique<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

fn parameters(r: &ResultRow) -> String {
    let rate = r.rate_limit.map_or_else(
        || "closed loop".to_string(),
        |q| format!("open loop at {q} req/s"),
    );
    let durability = match r.durability.as_deref() {
        None | Some("off") => String::new(),
        Some(policy) => format!(
            ", durability {policy} (every server flushes to the VM's disk; see `--durability`)"
        ),
    };
    format!(
        "read ratio {}, value {} B, {} keys ({}), {} connections, pipeline {}, {}, warm-up {} s, measured {} s{durability}",
        r.read_ratio, r.value_size, r.keyspace, r.key_dist, r.connections, r.pipeline, rate, r.warmup_s, r.duration_s
    )
}
