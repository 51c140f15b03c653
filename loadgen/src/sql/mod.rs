//! SQL workloads over the MySQL protocol (the `mysql` crate): sysbench-style OLTP and the
//! Wisconsin benchmark as sql-bench runs it. Every reply is checked against data the
//! workload generated itself.

pub mod cli;
pub mod compare;
pub mod conn;
pub mod crosscheck;
pub mod driver;
pub mod oltp;
pub mod rows;
pub mod wisconsin;

use crate::bench::{Measurement, MAX_ERROR_SAMPLES};
use crate::metrics::LatencyHistogram;
use oltp::OltpKind;

/// The name of the Wisconsin workload.
pub const WISCONSIN: &str = "wisconsin";

/// A SQL workload named on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlWorkload {
    /// A timed sysbench-style OLTP run.
    Oltp(OltpKind),
    /// The Wisconsin load + query list.
    Wisconsin,
}

impl SqlWorkload {
    /// `oltp-point-select`, `oltp-read-only`, `oltp-read-write`, `oltp-insert`,
    /// `oltp-update-index` or `wisconsin`; `None` for anything else (a RESP workload).
    pub fn parse(name: &str) -> Option<Self> {
        let name = name.trim();
        if name == WISCONSIN {
            return Some(SqlWorkload::Wisconsin);
        }
        OltpKind::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, k)| SqlWorkload::Oltp(*k))
    }

    /// The workload's name.
    pub fn name(self) -> &'static str {
        match self {
            SqlWorkload::Oltp(k) => k.name(),
            SqlWorkload::Wisconsin => WISCONSIN,
        }
    }
}

/// What a SQL run measured. `ops` are transactions (OLTP) or statements (Wisconsin).
#[derive(Debug, Clone, Default)]
pub struct SqlMeasurement {
    /// Operations completed and checked inside the window.
    pub ops: u64,
    /// SQL statements of those operations (BEGIN/COMMIT included).
    pub statements: u64,
    /// Failed or wrong operations.
    pub errors: u64,
    /// Deadlocks (error 1213) that were rolled back and retried.
    pub deadlocks: u64,
    /// Length of the window in seconds.
    pub duration_s: f64,
    /// Latency of each operation (retries included).
    pub latency: LatencyHistogram,
    /// Server process CPU seconds in the window, if its pid is known.
    pub host_cpu_s: Option<f64>,
    /// CPU seconds of loadgen's connection threads in the window.
    pub loadgen_cpu_s: f64,
    /// The first few error messages.
    pub error_samples: Vec<String>,
    /// The server's user/system CPU split in the window, if the target reports one.
    pub cpu: Option<crate::cpu::CpuSplit>,
}

impl SqlMeasurement {
    /// Counts one error and keeps its message if there is room.
    pub fn error(&mut self, message: String) {
        self.errors += 1;
        if self.error_samples.len() < MAX_ERROR_SAMPLES {
            self.error_samples.push(message);
        }
    }

    /// The measurement in the shape every other workload reports.
    pub fn to_measurement(&self) -> Measurement {
        let ops_per_s = if self.duration_s > 0.0 {
            self.ops as f64 / self.duration_s
        } else {
            0.0
        };
        Measurement {
            ops: self.ops,
            errors: self.errors,
            duration_s: self.duration_s,
            ops_per_s,
            latency: self.latency.summary(),
            host_cpu_s: self.host_cpu_s,
            guest_busy_cycles: None,
            guest_idle_cycles: None,
            loadgen_cpu_s: self.loadgen_cpu_s,
            error_samples: self.error_samples.clone(),
            cpu: self.cpu.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workload_names_round_trip() {
        for name in [
            "oltp-point-select",
            "oltp-read-only",
            "oltp-read-write",
            "oltp-insert",
            "oltp-update-index",
            "wisconsin",
        ] {
            assert_eq!(SqlWorkload::parse(name).map(SqlWorkload::name), Some(name));
        }
        assert_eq!(SqlWorkload::parse("get:p16"), None);
    }
}
