//! Summaries across rounds and the Markdown report (`report.md`), rendered from the CSV alone.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::chart::{self, ChartError};
use crate::csv_out::{self, CsvError, ResultRow};

/// Target every other target is compared against when it is present.
pub const BASELINE_TARGET: &str = "linux-vm";
/// File names inside a results directory.
pub const RESULTS_CSV: &str = "results.csv";
/// Environment description written by `compare`.
pub const ENVIRONMENT_TXT: &str = "environment.txt";
/// The Markdown report.
pub const REPORT_MD: &str = "report.md";
/// Throughput chart.
pub const THROUGHPUT_SVG: &str = "throughput.svg";
/// p99 latency chart.
pub const P99_SVG: &str = "p99_latency.svg";

/// Rendering the report failed.
#[derive(Debug, Error)]
pub enum ReportError {
    /// The CSV could not be read.
    #[error(transparent)]
    Csv(#[from] CsvError),
    /// A chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// Writing a file failed.
    #[error("writing {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// Nothing to report.
    #[error("{0} has no rows")]
    Empty(String),
}

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

/// Re-renders `report.md` and the SVG charts in `dir` from `dir/results.csv` (and
/// `dir/environment.txt` when present). Returns the path of `report.md`.
pub fn render_dir(dir: &Path) -> Result<PathBuf, ReportError> {
    let rows = csv_out::read_rows(&dir.join(RESULTS_CSV))?;
    if rows.is_empty() {
        return Err(ReportError::Empty(
            dir.join(RESULTS_CSV).display().to_string(),
        ));
    }
    let environment = fs::read_to_string(dir.join(ENVIRONMENT_TXT)).ok();
    let summaries = summarise(&rows);
    chart::throughput_chart(&summaries, &dir.join(THROUGHPUT_SVG))?;
    chart::p99_chart(&summaries, &dir.join(P99_SVG))?;
    let kml_rows = crate::kml::kml_rows(&rows);
    if !kml_rows.is_empty() {
        chart::cpu_split_chart(&kml_rows, &dir.join(crate::kml::KML_SVG))?;
    }
    let has_sql = rows.iter().any(|r| r.sql_queries.is_some());
    let null_call = has_sql
        .then(|| fs::read_to_string(dir.join(crate::kml::NULL_CALL_CSV)).ok())
        .flatten();
    let extra = crate::kml::section(&rows, null_call.as_deref());
    let path = dir.join(REPORT_MD);
    let markdown = render_markdown_with(&rows, &summaries, environment.as_deref(), &extra);
    fs::write(&path, markdown).map_err(|source| ReportError::Io {
        path: path.display().to_string(),
        source,
    })?;
    Ok(path)
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
    format!(
        "read ratio {}, value {} B, {} keys ({}), {} connections, pipeline {}, {}, warm-up {} s, measured {} s",
        r.read_ratio, r.value_size, r.keyspace, r.key_dist, r.connections, r.pipeline, rate, r.warmup_s, r.duration_s
    )
}

const HOW_TO_READ: &str = "\
Each workload was run against every target in interleaved rounds (round 1: all targets, then \
round 2, ...), so slow drifts of the host hit all targets alike. Throughput is the median over \
rounds with the lowest and highest round in brackets; latencies are medians of each round's \
percentile, measured from the moment a request was (or, in open loop, should have been) sent \
until its reply arrived. *ratio* is a target's median throughput divided by the baseline's \
(`linux-vm` when it ran, else the first target). *host CPU µs/op* is the CPU time the target's \
host process (QEMU for VMs) used during the measured window, divided by the operations; *guest \
cycles/op* are the busy cycles the guest itself reported through `INFO`. Under TCG absolute \
numbers are emulation numbers: compare ratios and per-operation costs measured side by side, \
not absolute values across machines. Rows with errors are not trustworthy.";

/// The Markdown report.
pub fn render_markdown(
    rows: &[ResultRow],
    summaries: &[WorkloadSummary],
    environment: Option<&str>,
) -> String {
    render_markdown_with(rows, summaries, environment, "")
}

/// The Markdown report with `extra` sections (Markdown) before the environment.
pub fn render_markdown_with(
    rows: &[ResultRow],
    summaries: &[WorkloadSummary],
    environment: Option<&str>,
    extra: &str,
) -> String {
    let mut md = String::new();
    let first = &rows[0];
    let rounds = summaries
        .iter()
        .flat_map(|w| w.targets.iter().map(|t| t.rounds))
        .max()
        .unwrap_or(0);
    let _ = writeln!(md, "# ring0db benchmark report\n");
    let _ = writeln!(
        md,
        "Run `{}`, commit `{}`, {} rows, up to {} rounds per target and workload.\n",
        first.run_id,
        first.git_commit,
        rows.len(),
        rounds
    );
    let _ = writeln!(md, "## How to read this\n\n{HOW_TO_READ}\n");
    let _ = writeln!(md, "![throughput per target]({THROUGHPUT_SVG})\n");
    let _ = writeln!(md, "![p99 latency per target]({P99_SVG})\n");
    for w in summaries {
        let _ = writeln!(md, "## Workload `{}`\n", w.workload);
        let _ = writeln!(md, "{}.\n", w.parameters);
        md.push_str(&table(w));
        md.push('\n');
    }
    md.push_str(extra);
    let _ = writeln!(md, "## Environment\n");
    match environment {
        Some(env) => {
            let _ = writeln!(md, "```text\n{}\n```", env.trim_end());
        }
        None => {
            let _ = writeln!(md, "(no {ENVIRONMENT_TXT} next to the CSV)");
        }
    }
    md
}

fn table(w: &WorkloadSummary) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "| target | accel | rounds | ops/s median (min–max) | ratio vs {} | p50 µs | p99 µs | host CPU µs/op | guest cycles/op | errors |",
        w.baseline
    );
    t.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for s in &w.targets {
        let _ = writeln!(
            t,
            "| {} | {} | {} | {:.0} ({:.0}–{:.0}) | {} | {} | {} | {} | {} | {} |",
            s.target,
            s.accelerator,
            s.rounds,
            s.median_ops_per_s,
            s.min_ops_per_s,
            s.max_ops_per_s,
            fmt_opt(s.ratio, 2, "×"),
            fmt_opt(s.median_p50_us, 0, ""),
            fmt_opt(s.median_p99_us, 0, ""),
            fmt_opt(s.host_cpu_us_per_op, 2, ""),
            fmt_opt(s.guest_cycles_per_op, 0, ""),
            s.errors
        );
    }
    t
}

fn fmt_opt(v: Option<f64>, decimals: usize, suffix: &str) -> String {
    v.map_or_else(|| "–".to_string(), |x| format!("{x:.decimals$}{suffix}"))
}

/// A plain-text summary table for the terminal.
pub fn render_text_summary(summaries: &[WorkloadSummary]) -> String {
    let mut out = String::new();
    for w in summaries {
        let _ = writeln!(out, "{} (ratio vs {})", w.workload, w.baseline);
        let _ = writeln!(
            out,
            "  {:<18} {:>12} {:>23} {:>7} {:>8} {:>8} {:>10} {:>7}",
            "target", "ops/s", "(min-max)", "ratio", "p50_us", "p99_us", "cpu_us/op", "errors"
        );
        for s in &w.targets {
            let _ = writeln!(
                out,
                "  {:<18} {:>12.0} {:>23} {:>7} {:>8} {:>8} {:>10} {:>7}",
                s.target,
                s.median_ops_per_s,
                format!("({:.0}-{:.0})", s.min_ops_per_s, s.max_ops_per_s),
                fmt_opt(s.ratio, 2, "x"),
                fmt_opt(s.median_p50_us, 0, ""),
                fmt_opt(s.median_p99_us, 0, ""),
                fmt_opt(s.host_cpu_us_per_op, 2, ""),
                s.errors
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }
}
