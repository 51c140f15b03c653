//! The Markdown report (`report.md`), rendered from the CSV alone (summaries across rounds
//! come from [`crate::summary`]).

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::chart::{self, ChartError};
use crate::csv_out::{self, CsvError, ResultRow};
pub use crate::summary::{median, summarise, TargetSummary, WorkloadSummary, BASELINE_TARGET};

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
