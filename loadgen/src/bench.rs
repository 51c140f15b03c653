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

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use thiserror::Error;

use crate::metrics::{self, GuestCycles, LatencyHistogram, Percentiles};
use crate::resp::{self, Reply};
use crate::targets::{tune_stream, Target};
use crate::workload::{self, KeyDist, OpMix, Workload};
use crate::zipf::{FastRng, KeyChooser, Zipfian};

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
        let outs: Vec<WorkerOut> = handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| WorkerOut {
                    errors: 1,
                    error_samples: vec!["connection thread panicked".to_string()],
                    ..WorkerOut::default()
                })
            })
            .collect();
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

fn sleep_until(t: Instant) {
    let now = Instant::now();
    if t > now {
        thread::sleep(t - now);
    }
}

#[derive(Clone, Copy)]
struct Window {
    start: Instant,
    measure_start: Instant,
    end: Instant,
}

#[derive(Clone, Copy)]
struct OpenLoop {
    interval: Duration,
    phase: Duration,
}

#[derive(Default)]
struct WorkerOut {
    hist: LatencyHistogram,
    ops: u64,
    errors: u64,
    cpu_s: f64,
    error_samples: Vec<String>,
}

impl WorkerOut {
    fn error(&mut self, message: impl FnOnce() -> String) {
        self.errors += 1;
        if self.error_samples.len() < MAX_ERROR_SAMPLES {
            self.error_samples.push(message());
        }
    }
}

/// One request in flight: what was asked.
#[derive(Clone, Copy)]
struct Expect {
    get: bool,
    key: u64,
}

/// One connection's state.
struct Conn<'a> {
    stream: TcpStream,
    workload: &'a Workload,
    chooser: &'a KeyChooser,
    rng: FastRng,
    version_base: u32,
    seq: u32,
    reader: ReplyReader,
    out: WorkerOut,
}

/// Versions are `(connection mod 255 + 1) << 24 | sequence`: they differ between (up to 255)
/// connections and are never 0, the preload's version. Checking does not depend on uniqueness.
const VERSION_SEQ_BITS: u32 = 24;

impl<'a> Conn<'a> {
    fn new(
        stream: TcpStream,
        workload: &'a Workload,
        chooser: &'a KeyChooser,
        index: u32,
        seed: u64,
    ) -> Self {
        Self {
            stream,
            workload,
            chooser,
            rng: FastRng::new(seed),
            version_base: (index % 255 + 1) << VERSION_SEQ_BITS,
            seq: 0,
            reader: ReplyReader::new(),
            out: WorkerOut::default(),
        }
    }

    fn drive(&mut self, window: Window, schedule: Option<OpenLoop>) {
        let pipeline = self.workload.pipeline as usize;
        let read_ratio = self.workload.mix.read_ratio();
        let always_get = self.workload.mix == OpMix::Get;
        let (mut out, mut key, mut value) = (Vec::new(), Vec::new(), Vec::new());
        let mut expects: Vec<Expect> = Vec::with_capacity(pipeline);
        let mut cpu_at_start: Option<f64> = None;
        let mut batch: u32 = 0;
        loop {
            let intended = match schedule {
                None => Instant::now(),
                Some(s) => window.start + s.phase + s.interval * batch,
            };
            // Stop at the end of the window in real time too: an open-loop connection that fell
            // behind its schedule does not keep sending its backlog (those requests are
            // missing from the histogram, as with wrk2).
            if intended >= window.end || Instant::now() >= window.end {
                break;
            }
            sleep_until(intended);
            batch = batch.wrapping_add(1);
            let measured = intended >= window.measure_start;
            if measured && cpu_at_start.is_none() {
                cpu_at_start = Some(metrics::thread_cpu_s().unwrap_or(0.0));
            }
            out.clear();
            expects.clear();
            for _ in 0..pipeline {
                let key_id = self.chooser.next_key(&mut self.rng);
                let get = always_get || (read_ratio > 0.0 && self.rng.next_f64() < read_ratio);
                workload::key_name(key_id, &mut key);
                if get {
                    resp::encode_get(&mut out, &key);
                } else {
                    let version = self.version_base | (self.seq & ((1 << VERSION_SEQ_BITS) - 1));
                    self.seq = self.seq.wrapping_add(1);
                    workload::make_value(key_id, version, self.workload.value_size, &mut value);
                    resp::encode_set(&mut out, &key, &value);
                }
                expects.push(Expect { get, key: key_id });
            }
            if let Err(e) = self.stream.write_all(&out) {
                self.fail_batch(pipeline, &format!("write failed: {e}"));
                break;
            }
            if let Err(e) = self.read_batch(&expects, intended, measured, window.end) {
                break_with(&mut self.out, e);
                break;
            }
        }
        if let Some(start) = cpu_at_start {
            self.out.cpu_s = (metrics::thread_cpu_s().unwrap_or(start) - start).max(0.0);
        }
    }

    /// Reads and checks every reply of the batch; `Err` ends the connection.
    fn read_batch(
        &mut self,
        expects: &[Expect],
        sent: Instant,
        measured: bool,
        end: Instant,
    ) -> Result<(), (usize, String)> {
        let value_size = self.workload.value_size;
        for (i, exp) in expects.iter().enumerate() {
            let out = &mut self.out;
            let checked = self.reader.next_reply(&mut self.stream, |reply| {
                Ok(check_reply(exp.get, exp.key, &reply, value_size))
            });
            match checked {
                Ok(Ok(())) => {
                    let now = self.reader.last_read;
                    if measured && now <= end {
                        out.ops += 1;
                        out.hist
                            .record_us(now.saturating_duration_since(sent).as_micros() as u64);
                    }
                }
                Ok(Err(message)) => out.error(|| message),
                Err(e) => return Err((expects.len() - i, e)),
            }
        }
        Ok(())
    }

    fn fail_batch(&mut self, outstanding: usize, message: &str) {
        break_with(&mut self.out, (outstanding, message.to_string()));
    }
}

fn break_with(out: &mut WorkerOut, (outstanding, message): (usize, String)) {
    for _ in 0..outstanding.max(1) {
        out.error(|| message.clone());
    }
}

/// Checks one reply: a SET must answer `+OK`, a GET a well-formed value of the key it asked for.
pub fn check_reply(
    get: bool,
    key: u64,
    reply: &Reply<'_>,
    value_size: usize,
) -> Result<(), String> {
    let exp = Expect { get, key };
    match (exp.get, reply) {
        (false, Reply::Simple(b"OK")) => Ok(()),
        (false, other) => Err(format!("SET key {} answered {}", exp.key, describe(other))),
        (true, Reply::Bulk(Some(value))) => workload::check_value(exp.key, value, value_size)
            .map_err(|e| format!("GET key {}: {e}", exp.key)),
        (true, other) => Err(format!("GET key {} answered {}", exp.key, describe(other))),
    }
}

/// A short printable description of a reply for error messages.
pub fn describe(reply: &Reply<'_>) -> String {
    const SHOWN_BYTES: usize = 40;
    let show = |b: &[u8]| String::from_utf8_lossy(&b[..b.len().min(SHOWN_BYTES)]).into_owned();
    match reply {
        Reply::Simple(s) => format!("+{}", show(s)),
        Reply::Error(s) => format!("-{}", show(s)),
        Reply::Integer(i) => format!(":{i}"),
        Reply::Bulk(None) => "nil".to_string(),
        Reply::Bulk(Some(b)) => format!("${} {:?}", b.len(), show(b)),
        Reply::Array(n) => format!("array {n:?}"),
    }
}

/// Buffers a socket's bytes and hands out one parsed reply at a time.
struct ReplyReader {
    buf: Vec<u8>,
    start: usize,
    end: usize,
    last_read: Instant,
}

impl ReplyReader {
    fn new() -> Self {
        Self {
            buf: vec![0; RECV_BUFFER_BYTES],
            start: 0,
            end: 0,
            last_read: Instant::now(),
        }
    }

    /// Reads until one complete reply is buffered and passes it to `f`.
    fn next_reply<T>(
        &mut self,
        stream: &mut TcpStream,
        f: impl FnOnce(Reply<'_>) -> Result<T, String>,
    ) -> Result<T, String> {
        loop {
            match resp::parse_reply(&self.buf[self.start..self.end]) {
                Ok(Some((reply, used))) => {
                    let result = f(reply);
                    self.start += used;
                    if self.start == self.end {
                        self.start = 0;
                        self.end = 0;
                    }
                    return result;
                }
                Ok(None) => self.fill(stream)?,
                Err(e) => return Err(format!("protocol error: {e}")),
            }
        }
    }

    fn fill(&mut self, stream: &mut TcpStream) -> Result<(), String> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        match stream.read(&mut self.buf[self.end..]) {
            Ok(0) => Err("server closed the connection".to_string()),
            Ok(n) => {
                self.end += n;
                self.last_read = Instant::now();
                Ok(())
            }
            Err(e)
                if e.kind() == io::ErrorKind::WouldBlock || e.kind() == io::ErrorKind::TimedOut =>
            {
                Err(format!("no reply within {IO_TIMEOUT:?}"))
            }
            Err(e) => Err(format!("read failed: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_replies() {
        let mut v = Vec::new();
        workload::make_value(5, 3, 32, &mut v);
        assert_eq!(check_reply(true, 5, &Reply::Bulk(Some(&v)), 32), Ok(()));
        assert_eq!(check_reply(false, 5, &Reply::Simple(b"OK"), 32), Ok(()));
        // Another key's value, a nil, a wrong size, an error reply and a bad SET answer fail.
        assert!(check_reply(true, 6, &Reply::Bulk(Some(&v)), 32).is_err());
        assert_eq!(
            check_reply(true, 5, &Reply::Bulk(None), 32),
            Err("GET key 5 answered nil".to_string())
        );
        assert!(check_reply(true, 5, &Reply::Bulk(Some(&v)), 33).is_err());
        assert!(check_reply(true, 5, &Reply::Error(b"ERR"), 32).is_err());
        assert_eq!(
            check_reply(false, 5, &Reply::Error(b"OOM"), 32),
            Err("SET key 5 answered -OOM".to_string())
        );
        assert!(check_reply(false, 5, &Reply::Simple(b"QUEUED"), 32).is_err());
    }
}
