//! Runs one workload against one target: preload, warm-up, measured window.
//!
//! Each connection is driven by its own thread with a blocking socket: it writes a batch of
//! `pipeline` requests in one `write`, then reads until every reply of the batch is parsed and
//! checked. With at most a few dozen connections this costs less CPU per request than an event
//! loop (no readiness syscalls; one `write` and usually one `read` per batch).
//!
//! Closed loop: a batch is sent as soon as the previous one completed. Open loop (`rate_limit`):
//! batch *i* of a connection is *intended* at `start + phase + i·interval`; if the connection is
//! still busy, the batch goes out late, but its latency is still measured from the intended
//! time, so a stalled server is charged for the requests it delayed (no coordinated omission).
//!
//! Only requests *sent* at or after the end of warm-up and *answered* before the end of the
//! window count as operations; wrong or missing replies count as errors in warm-up and window.

use std::io::{self, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use thiserror::Error;

mod conn;

pub use conn::{check_reply, describe};
use conn::{sleep_until, Conn, OpenLoop, ReplyReader, Window, WorkerOut};

use crate::metrics::{self, GuestCycles, LatencyHistogram, Percentiles};
use crate::targets::{tune_stream, Target};
use crate::workload::{self, KeyDist, Workload};
use crate::zipf::{KeyChooser, Zipfian};
use ring0db_images::resp::{self, Reply};

/// Longest wait for one read or write before a connection is declared dead.
pub const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// Upper bound on the whole preload phase.
pub const PRELOAD_TIMEOUT: Duration = Duration::from_secs(600);
/// Pipeline depth used to preload the key space.
const PRELOAD_PIPELINE: u64 = 64;
/// Most connections used to preload.
const PRELOAD_CONNECTIONS: usize = 4;
/// Most connections a run may open (each gets its own thread).
pub const MAX_CONNECTIONS: usize = 1024;
/// How many error messages are kept for display.
pub const MAX_ERROR_SAMPLES: usize = 5;
/// Initial receive buffer per connection.
const RECV_BUFFER_BYTES: usize = 64 * 1024;

/// A run that could not be carried out at all (as opposed to one with reply errors).
#[derive(Debug, Error)]
pub enum BenchError {
    /// Opening a connection failed.
    #[error("connecting to {target}: {source}")]
    Connect {
        /// Target name.
        target: String,
        /// Cause.
        #[source]
        source: io::Error,
    },
    /// Preloading the key space failed.
    #[error("preloading {target}: {reason}")]
    Preload {
        /// Target name.
        target: String,
        /// Cause.
        reason: String,
    },
    /// The workload parameters make no sense.
    #[error("invalid run parameters: {0}")]
    Config(String),
}

/// How long and how wide to run.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// What to send.
    pub workload: Workload,
    /// Concurrent connections.
    pub connections: usize,
    /// Warm-up before the measured window (excluded from metrics).
    pub warmup_s: f64,
    /// Measured window.
    pub duration_s: f64,
    /// Seed of the key/op choice (each connection derives its own stream).
    pub seed: u64,
}

/// What one run measured.
#[derive(Debug, Clone, Default)]
pub struct Measurement {
    /// Requests sent and answered inside the window.
    pub ops: u64,
    /// Wrong or missing replies (warm-up and window).
    pub errors: u64,
    /// Length of the measured window.
    pub duration_s: f64,
    /// `ops / duration_s`.
    pub ops_per_s: f64,
    /// Latency percentiles of the window.
    pub latency: Percentiles,
    /// Host CPU seconds of the target process during the window.
    pub host_cpu_s: Option<f64>,
    /// Guest busy cycles during the window, from `INFO`.
    pub guest_busy_cycles: Option<u64>,
    /// Guest idle cycles during the window, from `INFO`.
    pub guest_idle_cycles: Option<u64>,
    /// CPU seconds loadgen's connection threads used during the window.
    pub loadgen_cpu_s: f64,
    /// The first few error messages.
    pub error_samples: Vec<String>,
    /// The server's user/system CPU split in the window, if the target reports one.
    pub cpu: Option<crate::cpu::CpuSplit>,
}

impl Measurement {
    /// Host CPU µs per operation.
    pub fn host_cpu_us_per_op(&self) -> Option<f64> {
        per_op(self.host_cpu_s.map(|s| s * 1e6), self.ops)
    }

    /// Guest busy cycles per operation.
    pub fn guest_cycles_per_op(&self) -> Option<f64> {
        per_op(self.guest_busy_cycles.map(|c| c as f64), self.ops)
    }
}

fn per_op(total: Option<f64>, ops: u64) -> Option<f64> {
    total.filter(|_| ops > 0).map(|t| t / ops as f64)
}

/// SETs every key of `0..keyspace` to its version-0 value so that GETs hit.
pub fn preload(target: &dyn Target, keyspace: u64, value_size: usize) -> Result<(), BenchError> {
    let threads = PRELOAD_CONNECTIONS.min(keyspace as usize).max(1);
    let deadline = Instant::now() + PRELOAD_TIMEOUT;
    let fail = |reason: String| BenchError::Preload {
        target: target.name().to_string(),
        reason,
    };
    let streams = (0..threads)
        .map(|_| open(target))
        .collect::<Result<Vec<_>, _>>()?;
    let results: Vec<Result<(), String>> = thread::scope(|s| {
        let handles: Vec<_> = streams
            .into_iter()
            .enumerate()
            .map(|(t, stream)| {
                s.spawn(move || {
                    preload_slice(
                        stream,
                        t as u64,
                        threads as u64,
                        keyspace,
                        value_size,
                        deadline,
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("preload thread panicked".to_string()))
            })
            .collect()
    });
    results
        .into_iter()
        .collect::<Result<(), String>>()
        .map_err(fail)
}

fn preload_slice(
    mut stream: TcpStream,
    first: u64,
    step: u64,
    keyspace: u64,
    value_size: usize,
    deadline: Instant,
) -> Result<(), String> {
    let (mut out, mut key, mut value) = (Vec::new(), Vec::new(), Vec::new());
    let mut reader = ReplyReader::new();
    let mut next = first;
    while next < keyspace {
        if Instant::now() > deadline {
            return Err(format!("not done after {PRELOAD_TIMEOUT:?}"));
        }
        out.clear();
        let mut batch = 0;
        while batch < PRELOAD_PIPELINE && next < keyspace {
            workload::key_name(next, &mut key);
            workload::make_value(next, 0, value_size, &mut value);
            resp::encode_set(&mut out, &key, &value);
            next += step;
            batch += 1;
        }
        stream.write_all(&out).map_err(|e| e.to_string())?;
        for _ in 0..batch {
            reader.next_reply(&mut stream, |reply| match reply {
                Reply::Simple(b"OK") => Ok(()),
                other => Err(format!("SET during preload answered {}", describe(&other))),
            })?;
        }
    }
    Ok(())
}

/// Runs `config` against `target` (which must already be preloaded) and measures it.
pub fn run(target: &dyn Target, config: &RunConfig) -> Result<Measurement, BenchError> {
    let w = &config.workload;
    let valid_s = |s: f64| s.is_finite() && s >= 0.0;
    if config.connections > MAX_CONNECTIONS {
        return Err(BenchError::Config(format!(
            "at most {MAX_CONNECTIONS} connections (one thread each)"
        )));
    }
    if config.connections == 0
        || !valid_s(config.duration_s)
        || config.duration_s == 0.0
        || !valid_s(config.warmup_s)
    {
        return Err(BenchError::Config(
            "need ≥ 1 connection, duration > 0 and warm-up ≥ 0".to_string(),
        ));
    }
    let chooser = match w.key_dist {
        KeyDist::Uniform => KeyChooser::Uniform {
            keyspace: w.keyspace,
        },
        KeyDist::Zipfian { theta } => KeyChooser::Zipf(
            Zipfian::new(w.keyspace, theta).map_err(|e| BenchError::Config(e.to_string()))?,
        ),
    };
    let streams = (0..config.connections)
        .map(|_| open(target))
        .collect::<Result<Vec<_>, _>>()?;
    let mut info_conn = open(target).ok();

    let start = Instant::now();
    let window = Window {
        start,
        measure_start: start + Duration::from_secs_f64(config.warmup_s),
        end: start + Duration::from_secs_f64(config.warmup_s + config.duration_s),
    };
    let batch_interval = w.rate_limit.map(|rate| {
        Duration::from_secs_f64(f64::from(w.pipeline) * config.connections as f64 / rate)
    });

    let (outs, before, after) = thread::scope(|s| {
        let handles: Vec<_> = streams
            .into_iter()
            .enumerate()
            .map(|(i, stream)| {
                let chooser = &chooser;
                let schedule = batch_interval.map(|interval| OpenLoop {
                    interval,
                    phase: interval.mul_f64(i as f64 / config.connections as f64),
                });
                let seed = config.seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                s.spawn(move || {
                    let mut conn = Conn::new(stream, w, chooser, i as u32, seed);
                    conn.drive(window, schedule);
                    conn.out
                })
            })
            .collect();
        sleep_until(window.measure_start);
        let before = sample(target, info_conn.as_mut());
        sleep_until(window.end);
        let after = sample(target, info_conn.as_mut());
        let outs = join_connections(handles, || WorkerOut {
            errors: 1,
            error_samples: vec![CONNECTION_PANICKED.to_string()],
            ..WorkerOut::default()
        });
        (outs, before, after)
    });

    let mut hist = LatencyHistogram::new();
    let mut m = Measurement {
        duration_s: config.duration_s,
        ..Measurement::default()
    };
    for out in &outs {
        hist.merge(&out.hist);
        m.ops += out.ops;
        m.errors += out.errors;
        m.loadgen_cpu_s += out.cpu_s;
        for e in &out.error_samples {
            if m.error_samples.len() < MAX_ERROR_SAMPLES {
                m.error_samples.push(e.clone());
            }
        }
    }
    m.ops_per_s = m.ops as f64 / config.duration_s;
    m.latency = hist.summary();
    m.host_cpu_s = before.cpu_s.zip(after.cpu_s).map(|(b, a)| (a - b).max(0.0));
    m.guest_busy_cycles = delta(before.cycles.busy, after.cycles.busy);
    m.guest_idle_cycles = delta(before.cycles.idle, after.cycles.idle);
    m.cpu = before
        .cpu
        .zip(after.cpu)
        .and_then(|(b, a)| crate::cpu::split(&b, &a));
    Ok(m)
}

/// What a connection thread that panicked is reported as.
pub(crate) const CONNECTION_PANICKED: &str = "connection thread panicked";

/// Joins the connection threads in order; a thread that panicked yields `panicked()`.
pub(crate) fn join_connections<T>(
    handles: Vec<thread::ScopedJoinHandle<'_, T>>,
    panicked: impl Fn() -> T,
) -> Vec<T> {
    handles
        .into_iter()
        .map(|h| h.join().unwrap_or_else(|_| panicked()))
        .collect()
}

fn delta(before: Option<u64>, after: Option<u64>) -> Option<u64> {
    before.zip(after).map(|(b, a)| a.saturating_sub(b))
}

/// Sends `INFO` on a fresh connection and returns the reply text (empty if unsupported).
pub fn fetch_info(target: &dyn Target) -> Result<String, BenchError> {
    let mut stream = open(target)?;
    Ok(info_on(&mut stream).unwrap_or_default())
}

fn info_on(stream: &mut TcpStream) -> Option<String> {
    let mut out = Vec::new();
    resp::encode_command(&mut out, &[b"INFO"]);
    stream.write_all(&out).ok()?;
    let mut reader = ReplyReader::new();
    reader
        .next_reply(stream, |reply| match reply {
            Reply::Bulk(Some(text)) => Ok(String::from_utf8_lossy(text).into_owned()),
            _ => Ok(String::new()),
        })
        .ok()
}

struct Sample {
    cpu_s: Option<f64>,
    cycles: GuestCycles,
    cpu: Option<crate::cpu::CpuSample>,
}

fn sample(target: &dyn Target, info_conn: Option<&mut TcpStream>) -> Sample {
    let cpu_s = target
        .pid()
        .and_then(|pid| metrics::process_cpu_s(pid).ok());
    let cycles = info_conn
        .and_then(info_on)
        .map(|text| metrics::parse_guest_cycles(&text))
        .unwrap_or_default();
    Sample {
        cpu_s,
        cycles,
        cpu: target.cpu_sample(),
    }
}

fn open(target: &dyn Target) -> Result<TcpStream, BenchError> {
    let connect_err = |source| BenchError::Connect {
        target: target.name().to_string(),
        source,
    };
    let stream = target.connect().map_err(connect_err)?;
    tune_stream(&stream, IO_TIMEOUT).map_err(connect_err)?;
    Ok(stream)
}
