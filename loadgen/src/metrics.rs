//! Latency histograms, percentiles and CPU-time sampling (from `/proc`, no unsafe).

use std::fs;

use hdrhistogram::Histogram;
use thiserror::Error;

/// Highest latency a histogram records without clamping: 60 s, in µs.
pub const MAX_LATENCY_US: u64 = 60_000_000;
/// Significant digits kept by the histograms (0.1% value resolution).
const SIGNIFICANT_DIGITS: u8 = 3;
/// `USER_HZ`: the unit of `utime`/`stime` in `/proc/<pid>/stat`, fixed at 100 by the Linux ABI.
const USER_HZ: f64 = 100.0;

/// A `/proc` read that failed or did not parse.
#[derive(Debug, Error)]
pub enum ProcError {
    /// Reading the file failed (process gone, no procfs).
    #[error("reading {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file's format was not understood.
    #[error("cannot parse {0}")]
    Parse(String),
}

/// A latency histogram in microseconds.
#[derive(Debug, Clone)]
pub struct LatencyHistogram(Histogram<u64>);

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self::new()
    }
}

impl LatencyHistogram {
    /// An empty histogram covering 1 µs ..= [`MAX_LATENCY_US`].
    pub fn new() -> Self {
        Self(
            Histogram::new_with_bounds(1, MAX_LATENCY_US, SIGNIFICANT_DIGITS)
                .expect("constant histogram bounds are valid"),
        )
    }

    /// Records one latency; values beyond the range are clamped (and still counted).
    pub fn record_us(&mut self, latency_us: u64) {
        self.0.saturating_record(latency_us.max(1));
    }

    /// Adds all of `other`'s samples.
    pub fn merge(&mut self, other: &LatencyHistogram) {
        // Same bounds on both sides, so adding cannot fail.
        let _ = self.0.add(&other.0);
    }

    /// Number of samples.
    pub fn len(&self) -> u64 {
        self.0.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The latency at `quantile` (0..=1) in µs, or `None` without samples.
    pub fn quantile_us(&self, quantile: f64) -> Option<u64> {
        (!self.0.is_empty()).then(|| self.0.value_at_quantile(quantile))
    }

    /// p50, p90, p99, p99.9 in µs.
    pub fn summary(&self) -> Percentiles {
        let q = |x| self.quantile_us(x);
        Percentiles {
            p50_us: q(0.50),
            p90_us: q(0.90),
            p99_us: q(0.99),
            p999_us: q(0.999),
        }
    }
}

/// The percentiles the CSV reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Percentiles {
    /// Median.
    pub p50_us: Option<u64>,
    /// 90th percentile.
    pub p90_us: Option<u64>,
    /// 99th percentile.
    pub p99_us: Option<u64>,
    /// 99.9th percentile.
    pub p999_us: Option<u64>,
}

/// CPU time (user + system) of the calling thread in seconds.
///
/// Uses `/proc/thread-self/schedstat` (ns resolution), falling back to the tick counts of
/// `/proc/thread-self/stat`.
pub fn thread_cpu_s() -> Result<f64, ProcError> {
    let path = "/proc/thread-self/schedstat";
    if let Ok(text) = fs::read_to_string(path) {
        if let Some(ns) = text
            .split_whitespace()
            .next()
            .and_then(|f| f.parse::<u64>().ok())
        {
            return Ok(ns as f64 / 1e9);
        }
    }
    stat_cpu_s("/proc/thread-self/stat")
}

/// CPU time (user + system, all threads) of process `pid` in seconds, from `/proc/<pid>/stat`.
pub fn process_cpu_s(pid: u32) -> Result<f64, ProcError> {
    stat_cpu_s(&format!("/proc/{pid}/stat"))
}

/// CPU time of this whole process (all threads) in seconds.
pub fn self_cpu_s() -> Result<f64, ProcError> {
    stat_cpu_s("/proc/self/stat")
}

fn stat_cpu_s(path: &str) -> Result<f64, ProcError> {
    let text = fs::read_to_string(path).map_err(|source| ProcError::Io {
        path: path.to_string(),
        source,
    })?;
    parse_stat_cpu_s(&text).ok_or_else(|| ProcError::Parse(path.to_string()))
}

/// `utime + stime` of a `/proc/<pid>/stat` line in seconds.
pub fn parse_stat_cpu_s(stat: &str) -> Option<f64> {
    // The command name (field 2) may contain spaces and parentheses; fields after the last `)`
    // start with field 3 (state), so utime (14) and stime (15) are at indices 11 and 12.
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((utime + stime) as f64 / USER_HZ)
}

/// Guest-reported cycle counters from an `INFO` reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GuestCycles {
    /// `busy_cycles`, if reported.
    pub busy: Option<u64>,
    /// `idle_cycles`, if reported.
    pub idle: Option<u64>,
}

/// Extracts `busy_cycles` / `idle_cycles` from an `INFO` reply (its `# Platform` section).
pub fn parse_guest_cycles(info: &str) -> GuestCycles {
    let field = |name: &str| {
        info.lines().find_map(|line| {
            let (k, v) = line.trim().split_once(':')?;
            (k == name).then(|| v.trim().parse().ok()).flatten()
        })
    };
    GuestCycles {
        busy: field("busy_cycles"),
        idle: field("idle_cycles"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_a_uniform_distribution() {
        let mut h = LatencyHistogram::new();
        for v in 1..=10_000 {
            h.record_us(v);
        }
        let s = h.summary();
        let close = |got: Option<u64>, want: u64| {
            let got = got.unwrap() as f64;
            assert!(
                (got - want as f64).abs() <= want as f64 * 0.002,
                "{got} vs {want}"
            );
        };
        close(s.p50_us, 5_000);
        close(s.p90_us, 9_000);
        close(s.p99_us, 9_900);
        close(s.p999_us, 9_990);
    }

    #[test]
    fn percentiles_of_a_bimodal_distribution_and_merge() {
        // 99% at 100 µs, 1% at 10 ms: p99 is still 100 µs, p99.9 lands in the slow mode.
        let mut fast = LatencyHistogram::new();
        let mut slow = LatencyHistogram::new();
        for _ in 0..9_900 {
            fast.record_us(100);
        }
        for _ in 0..100 {
            slow.record_us(10_000);
        }
        fast.merge(&slow);
        let s = fast.summary();
        assert_eq!(fast.len(), 10_000);
        assert_eq!(s.p50_us, Some(100));
        assert_eq!(s.p99_us, Some(100));
        assert!((9_990..=10_010).contains(&s.p999_us.unwrap()));
        assert_eq!(LatencyHistogram::new().summary(), Percentiles::default());
    }

    #[test]
    fn parses_proc_stat() {
        let line = "123 (my (odd) name) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 1 0";
        assert_eq!(parse_stat_cpu_s(line), Some(3.0));
        assert!(self_cpu_s().is_ok());
        assert!(thread_cpu_s().is_ok());
    }

    #[test]
    fn parses_guest_cycles() {
        let info =
            "# Server\r\nredis_version:7\r\n# Platform\r\nbusy_cycles:123\r\nidle_cycles:456\r\n";
        assert_eq!(
            parse_guest_cycles(info),
            GuestCycles {
                busy: Some(123),
                idle: Some(456)
            }
        );
        assert_eq!(parse_guest_cycles("# Server\r\n"), GuestCycles::default());
    }
}
