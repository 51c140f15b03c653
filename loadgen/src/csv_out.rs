//! The results CSV: one row per (target, workload, round), fixed column order.

use std::fs::File;
use std::path::Path;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The columns, in file order (the header `csv` writes from [`ResultRow`]).
pub const COLUMNS: [&str; 41] = [
    "run_id",
    "utc_time",
    "git_commit",
    "target",
    "accelerator",
    "accel_reason",
    "workload",
    "read_ratio",
    "value_size",
    "keyspace",
    "key_dist",
    "connections",
    "pipeline",
    "rate_limit",
    "warmup_s",
    "duration_s",
    "ops",
    "errors",
    "ops_per_s",
    "p50_us",
    "p90_us",
    "p99_us",
    "p999_us",
    "host_cpu_s",
    "host_cpu_us_per_op",
    "guest_busy_cycles",
    "guest_idle_cycles",
    "guest_cycles_per_op",
    "loadgen_cpu_s",
    "sql_statements",
    "sql_queries",
    "sql_deadlocks",
    "user_cpu_s",
    "system_cpu_s",
    "guest_busy_s",
    "guest_irq_s",
    "server_user_s",
    "server_system_s",
    "cpu_accounting_overhead",
    "cpu_source",
    "durability",
];
/// Column counts of older files (before the SQL columns, before the CPU split, before
/// `durability`), still readable.
const LEGACY_COLUMNS: [usize; 3] = [29, 32, 40];

/// Reading or writing the CSV failed.
#[derive(Debug, Error)]
pub enum CsvError {
    /// I/O on the file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// CSV encoding/decoding.
    #[error("{path}: {source}")]
    Csv {
        /// The file.
        path: String,
        /// Cause.
        #[source]
        source: csv::Error,
    },
    /// The header is not [`COLUMNS`].
    #[error("{0}: header does not match the results schema")]
    Header(String),
}

/// One measured (target, workload, round). Empty optional fields are empty CSV cells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultRow {
    /// Run id (`<utc>-<commit>`).
    pub run_id: String,
    /// When this row was measured (RFC 3339, UTC).
    pub utc_time: String,
    /// Workspace commit (short hash, `-dirty` if modified).
    pub git_commit: String,
    /// Target name.
    pub target: String,
    /// Accelerator (`kvm`, `tcg`, `none`).
    pub accelerator: String,
    /// Why that accelerator.
    pub accel_reason: String,
    /// Workload label (its spec).
    pub workload: String,
    /// Fraction of GETs.
    pub read_ratio: f64,
    /// Value size in bytes.
    pub value_size: usize,
    /// Distinct keys.
    pub keyspace: u64,
    /// `uniform` or `zipfian(theta)`.
    pub key_dist: String,
    /// Connections.
    pub connections: usize,
    /// Pipeline depth.
    pub pipeline: u32,
    /// Open-loop rate in requests/s (empty: closed loop).
    pub rate_limit: Option<f64>,
    /// Warm-up seconds.
    pub warmup_s: f64,
    /// Measured seconds.
    pub duration_s: f64,
    /// Operations in the window.
    pub ops: u64,
    /// Wrong or missing replies.
    pub errors: u64,
    /// Throughput.
    pub ops_per_s: f64,
    /// Latency median (µs).
    pub p50_us: Option<u64>,
    /// Latency p90 (µs).
    pub p90_us: Option<u64>,
    /// Latency p99 (µs).
    pub p99_us: Option<u64>,
    /// Latency p99.9 (µs).
    pub p999_us: Option<u64>,
    /// Target process host CPU seconds in the window.
    pub host_cpu_s: Option<f64>,
    /// Host CPU µs per operation.
    pub host_cpu_us_per_op: Option<f64>,
    /// Guest busy cycles in the window.
    pub guest_busy_cycles: Option<u64>,
    /// Guest idle cycles in the window.
    pub guest_idle_cycles: Option<u64>,
    /// Guest busy cycles per operation.
    pub guest_cycles_per_op: Option<f64>,
    /// loadgen's own CPU seconds in the window.
    pub loadgen_cpu_s: f64,
    /// SQL workloads: `prepared` or `text` statements (empty for RESP workloads).
    #[serde(default)]
    pub sql_statements: Option<String>,
    /// SQL workloads: statements sent by the operations counted in `ops`.
    #[serde(default)]
    pub sql_queries: Option<u64>,
    /// SQL workloads: deadlocks (error 1213) rolled back and retried.
    #[serde(default)]
    pub sql_deadlocks: Option<u64>,
    /// User CPU seconds of the server in the window (see `cpu_source`).
    #[serde(default)]
    pub user_cpu_s: Option<f64>,
    /// System (kernel) CPU seconds of the server in the window.
    #[serde(default)]
    pub system_cpu_s: Option<f64>,
    /// Busy seconds of the whole guest in the window (VMs only).
    #[serde(default)]
    pub guest_busy_s: Option<f64>,
    /// Linux guests: irq + softirq seconds (included in `system_cpu_s`).
    #[serde(default)]
    pub guest_irq_s: Option<f64>,
    /// The server process's own utime in the window (Linux guests, host processes).
    #[serde(default)]
    pub server_user_s: Option<f64>,
    /// The server process's own stime in the window.
    #[serde(default)]
    pub server_system_s: Option<f64>,
    /// Unikernel: share of the busy time spent in the CPU accounting itself.
    #[serde(default)]
    pub cpu_accounting_overhead: Option<f64>,
    /// `guest-agent`, `tsc` or `host-proc`: where the split comes from.
    #[serde(default)]
    pub cpu_source: Option<String>,
    /// `off`, `always` or `everysec`: how durable the servers were (`--durability`; see
    /// `targets::durability`). Empty in files written before the column existed.
    #[serde(default)]
    pub durability: Option<String>,
}

impl ResultRow {
    /// Fills the CPU split columns.
    pub fn set_cpu(&mut self, split: Option<&crate::cpu::CpuSplit>) {
        let r = |v: f64| round_to(v, 4);
        let Some(s) = split else { return };
        self.user_cpu_s = Some(r(s.user_s));
        self.system_cpu_s = Some(r(s.system_s));
        self.guest_busy_s = s.busy_s.map(r);
        self.guest_irq_s = s.irq_s.map(r);
        self.server_user_s = s.server_user_s.map(r);
        self.server_system_s = s.server_system_s.map(r);
        self.cpu_accounting_overhead = s.accounting_overhead.map(|v| round_to(v, 5));
        self.cpu_source = Some(s.source.name().to_string());
    }
}

/// Rounds `x` to `decimals` places so the CSV stays readable.
pub fn round_to(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (x * scale).round() / scale
}

/// Appends rows to a results file, writing the header first.
pub struct CsvSink {
    writer: csv::Writer<File>,
    path: String,
}

impl CsvSink {
    /// Creates (truncates) `path`.
    pub fn create(path: &Path) -> Result<Self, CsvError> {
        let p = path.display().to_string();
        let file = File::create(path).map_err(|source| CsvError::Io {
            path: p.clone(),
            source,
        })?;
        Ok(Self {
            writer: csv::Writer::from_writer(file),
            path: p,
        })
    }

    /// Writes one row and flushes it, so a crash keeps what was measured.
    pub fn append(&mut self, row: &ResultRow) -> Result<(), CsvError> {
        let csv_err = |source| CsvError::Csv {
            path: self.path.clone(),
            source,
        };
        self.writer.serialize(row).map_err(csv_err)?;
        self.writer.flush().map_err(|source| CsvError::Io {
            path: self.path.clone(),
            source,
        })
    }
}

/// Reads every row of a results file, checking its header.
pub fn read_rows(path: &Path) -> Result<Vec<ResultRow>, CsvError> {
    let p = path.display().to_string();
    let csv_err = |source| CsvError::Csv {
        path: p.clone(),
        source,
    };
    let mut reader = csv::Reader::from_path(path).map_err(csv_err)?;
    let header = reader.headers().map_err(csv_err)?;
    let known = |n: usize| header.iter().eq(COLUMNS[..n].iter().copied());
    if !known(COLUMNS.len()) && !LEGACY_COLUMNS.into_iter().any(known) {
        return Err(CsvError::Header(p));
    }
    reader.deserialize().map(|r| r.map_err(csv_err)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fully populated row and a sparse one (host target, closed loop).
    pub(crate) fn sample_rows() -> Vec<ResultRow> {
        let full = ResultRow {
            run_id: "2026-11-22T10-40-00Z-abc1234".into(),
            utc_time: "2026-11-22T10:40:01Z".into(),
            git_commit: "abc1234".into(),
            target: "unikernel".into(),
            accelerator: "tcg".into(),
            accel_reason: "no vmx/svm, \"nested\" kvm".into(),
            workload: "mixed:r0.9:p16".into(),
            read_ratio: 0.9,
            value_size: 100,
            keyspace: 10_000,
            key_dist: "zipfian(0.99)".into(),
            connections: 8,
            pipeline: 16,
            rate_limit: Some(5000.0),
            warmup_s: 1.0,
            duration_s: 5.0,
            ops: 12_345,
            errors: 0,
            ops_per_s: 2469.0,
            p50_us: Some(100),
            p90_us: Some(200),
            p99_us: Some(300),
            p999_us: Some(400),
            host_cpu_s: Some(4.5),
            host_cpu_us_per_op: Some(364.5),
            guest_busy_cycles: Some(1_000_000),
            guest_idle_cycles: Some(2_000),
            guest_cycles_per_op: Some(81.0),
            loadgen_cpu_s: 0.25,
            sql_statements: Some("prepared".into()),
            sql_queries: Some(24_690),
            sql_deadlocks: Some(3),
            user_cpu_s: Some(1.5),
            system_cpu_s: Some(0.5),
            guest_busy_s: Some(2.25),
            guest_irq_s: Some(0.1),
            server_user_s: Some(1.4),
            server_system_s: Some(0.3),
            cpu_accounting_overhead: Some(0.002),
            cpu_source: Some("guest-agent".into()),
            durability: Some("always".into()),
        };
        let sparse = ResultRow {
            target: "linux-host".into(),
            accelerator: "none".into(),
            rate_limit: None,
            host_cpu_s: None,
            host_cpu_us_per_op: None,
            guest_busy_cycles: None,
            guest_idle_cycles: None,
            guest_cycles_per_op: None,
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
            durability: None,
            ..full.clone()
        };
        vec![full, sparse]
    }

    #[test]
    fn header_order_and_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.csv");
        let mut sink = CsvSink::create(&path).unwrap();
        for row in sample_rows() {
            sink.append(&row).unwrap();
        }
        drop(sink);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().next().unwrap(), COLUMNS.join(","));
        // Absent values are empty cells.
        assert!(text
            .lines()
            .nth(2)
            .unwrap()
            .ends_with(",,,,,,0.25,,,,,,,,,,,,"));
        assert_eq!(read_rows(&path).unwrap(), sample_rows());
    }

    #[test]
    fn reads_files_without_the_sql_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.csv");
        let mut text = COLUMNS[..LEGACY_COLUMNS[0]].join(",");
        text.push_str("\nr,t,c,linux-host,none,host,get:p1,1,100,10,uniform,8,1,,1.0,5.0,10,0,2.0,1,2,3,4,,,,,,0.1\n");
        std::fs::write(&path, text).unwrap();
        let rows = read_rows(&path).unwrap();
        assert_eq!(rows[0].ops, 10);
        assert_eq!(rows[0].sql_queries, None);
    }

    #[test]
    fn rejects_foreign_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        std::fs::write(&path, "a,b\n1,2\n").unwrap();
        assert!(matches!(read_rows(&path), Err(CsvError::Header(_))));
    }
}
