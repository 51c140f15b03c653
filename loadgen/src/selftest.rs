//! `selftest`: shows that loadgen is not the bottleneck, and cross-checks it against
//! `redis-benchmark`.
//!
//! The *sink* is an in-process responder on loopback that answers every request with `+OK`
//! without parsing it: it counts the `*` bytes that start RESP commands (loadgen's keys and
//! values never contain `*`) and writes that many precomputed replies. A SET workload against it
//! measures what loadgen can drive; loadgen's CPU is taken from its own connection threads only,
//! so the sink's CPU is not charged to it.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::bench::{self, Measurement, RunConfig};
use crate::targets::Target;
use crate::workload::{KeyDist, OpMix, Workload};

/// Bytes of precomputed `+OK\r\n` replies the sink writes at most per `write`.
const SINK_REPLY_CHUNK: usize = 64 * 1024;
/// Longest a redis-benchmark cross-check may run.
const REDIS_BENCHMARK_TIMEOUT: Duration = Duration::from_secs(300);
/// How often a running benchmark tool is checked for completion.
const TOOL_POLL_INTERVAL: Duration = Duration::from_millis(50);
/// Connections redis-benchmark and loadgen use in the cross-check (redis-benchmark's default).
pub const CROSS_CHECK_CONNECTIONS: usize = 50;

/// An in-process server answering `+OK` to everything; stops when dropped.
pub struct Sink {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    acceptor: Option<thread::JoinHandle<()>>,
    workers: Arc<Mutex<Vec<thread::JoinHandle<()>>>>,
}

impl Sink {
    /// Starts the sink on a free loopback port.
    pub fn start() -> io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let workers = Arc::new(Mutex::new(Vec::new()));
        let (stop2, workers2) = (stop.clone(), workers.clone());
        let acceptor = thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::Relaxed) {
                    break;
                }
                if let Ok(stream) = conn {
                    let handle = thread::spawn(move || serve_sink(stream));
                    if let Ok(mut w) = workers2.lock() {
                        w.push(handle);
                    }
                }
            }
        });
        Ok(Self {
            addr,
            stop,
            acceptor: Some(acceptor),
            workers,
        })
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wake the acceptor so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(a) = self.acceptor.take() {
            let _ = a.join();
        }
        if let Ok(mut w) = self.workers.lock() {
            for h in w.drain(..) {
                let _ = h.join();
            }
        }
    }
}

fn serve_sink(mut stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(bench::IO_TIMEOUT));
    let replies: Vec<u8> = b"+OK\r\n".repeat(SINK_REPLY_CHUNK / 5);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let mut commands = buf[..n].iter().filter(|&&b| b == b'*').count() * 5;
        while commands > 0 {
            let chunk = commands.min(replies.len());
            if stream.write_all(&replies[..chunk]).is_err() {
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
            commands -= chunk;
        }
    }
}

impl Target for Sink {
    fn name(&self) -> &str {
        "sink"
    }
    fn accel_reason(&self) -> &str {
        "in-process sink"
    }
    fn connect(&self) -> io::Result<TcpStream> {
        TcpStream::connect(self.addr)
    }
    fn pid(&self) -> Option<u32> {
        None
    }
    fn loopback_addr(&self) -> Option<SocketAddr> {
        Some(self.addr)
    }
}

/// Drives the sink with SETs at each pipeline depth; returns `(pipeline, measurement)`.
pub fn sink_capacity(
    connections: usize,
    pipelines: &[u32],
    warmup_s: f64,
    duration_s: f64,
) -> Result<Vec<(u32, Measurement)>> {
    let sink = Sink::start().context("starting the sink")?;
    let mut out = Vec::new();
    for &pipeline in pipelines {
        let cfg = RunConfig {
            workload: Workload {
                label: format!("set:p{pipeline}"),
                mix: OpMix::Set,
                pipeline,
                value_size: 100,
                keyspace: 10_000,
                key_dist: KeyDist::Uniform,
                rate_limit: None,
            },
            connections,
            warmup_s,
            duration_s,
            seed: 1,
        };
        let m = bench::run(&sink, &cfg)?;
        if m.errors > 0 {
            bail!(
                "the sink produced {} errors: {:?}",
                m.errors,
                m.error_samples
            );
        }
        out.push((pipeline, m));
    }
    Ok(out)
}

/// Formats a sink measurement for the terminal.
pub fn sink_line(connections: usize, pipeline: u32, m: &Measurement) -> String {
    let cores = m.loadgen_cpu_s / m.duration_s;
    let us_per_op = if m.ops > 0 {
        m.loadgen_cpu_s * 1e6 / m.ops as f64
    } else {
        0.0
    };
    format!(
        "sink, {connections} connections, pipeline {pipeline:>3}: {:>10.0} ops/s, loadgen CPU {:.2} s = {:.2} cores, {:.2} µs/op, p50 {} µs, p99 {} µs",
        m.ops_per_s,
        m.loadgen_cpu_s,
        cores,
        us_per_op,
        m.latency.p50_us.unwrap_or(0),
        m.latency.p99_us.unwrap_or(0)
    )
}

/// One `redis-benchmark` result line.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchmarkRate {
    /// `GET` or `SET`.
    pub test: String,
    /// Requests per second.
    pub ops_per_s: f64,
}

/// Runs `redis-benchmark -t get,set -n requests -c 50 -q -d value_size` against `addr`.
pub fn redis_benchmark(
    addr: SocketAddr,
    requests: u64,
    value_size: usize,
) -> Result<Vec<BenchmarkRate>> {
    if !addr.ip().is_loopback() {
        bail!("redis-benchmark cross-check only runs against loopback, not {addr}");
    }
    let mut cmd = Command::new("redis-benchmark");
    cmd.args(["-h", &addr.ip().to_string(), "-p", &addr.port().to_string()])
        .args(["-t", "get,set", "-n", &requests.to_string()])
        .args(["-c", &CROSS_CHECK_CONNECTIONS.to_string(), "-q"])
        .args(["-d", &value_size.to_string()]);
    let out = run_tool(
        &mut cmd,
        REDIS_BENCHMARK_TIMEOUT,
        "running redis-benchmark (install package redis-tools or redis-server)",
    )?;
    let text = String::from_utf8_lossy(&out.stdout);
    let rates = parse_redis_benchmark(&text);
    if rates.is_empty() {
        bail!("could not parse redis-benchmark output: {text:?}");
    }
    Ok(rates)
}

/// Runs a benchmark tool to completion with its output captured, killing it after `timeout`;
/// `what` says what failed to start.
pub fn run_tool(cmd: &mut Command, timeout: Duration, what: &str) -> Result<Output> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| what.to_string())?;
    // Drain both pipes while waiting, so a chatty tool never blocks on a full pipe.
    let out_reader = drain(child.stdout.take());
    let err_reader = drain(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            bail!("{what}: did not finish within {timeout:?}");
        }
        thread::sleep(TOOL_POLL_INTERVAL);
    };
    Ok(Output {
        status,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    })
}

/// Reads `pipe` to its end on a helper thread.
fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        buf
    })
}

/// Parses `redis-benchmark -q` output (`SET: 95057.03 requests per second, p50=...`).
pub fn parse_redis_benchmark(text: &str) -> Vec<BenchmarkRate> {
    text.split(['\r', '\n'])
        .filter_map(|line| {
            let (test, rest) = line.trim().split_once(": ")?;
            let rate = rest.split_whitespace().next()?.parse().ok()?;
            rest.contains("requests per second").then(|| BenchmarkRate {
                test: test.to_string(),
                ops_per_s: rate,
            })
        })
        .collect()
}

/// Runs loadgen's `get:p1` and `set:p1` at 50 connections against `target` (preloading first).
pub fn loadgen_cross_check(
    target: &dyn Target,
    value_size: usize,
    warmup_s: f64,
    duration_s: f64,
) -> Result<Vec<(String, Measurement)>> {
    let keyspace = 10_000;
    bench::preload(target, keyspace, value_size)?;
    let mut out = Vec::new();
    for (name, mix) in [("GET", OpMix::Get), ("SET", OpMix::Set)] {
        let cfg = RunConfig {
            workload: Workload {
                label: format!("{}:p1", name.to_lowercase()),
                mix,
                pipeline: 1,
                value_size,
                keyspace,
                key_dist: KeyDist::Uniform,
                rate_limit: None,
            },
            connections: CROSS_CHECK_CONNECTIONS,
            warmup_s,
            duration_s,
            seed: 7,
        };
        out.push((name.to_string(), bench::run(target, &cfg)?));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_redis_benchmark_output() {
        let text = "SET: rps=0.0 (overall: nan) avg_msec=nan (overall: nan)\r\
                    SET: 95057.03 requests per second, p50=0.263 msec\n\
                    GET: 101010.10 requests per second, p50=0.255 msec\n";
        assert_eq!(
            parse_redis_benchmark(text),
            vec![
                BenchmarkRate {
                    test: "SET".into(),
                    ops_per_s: 95057.03
                },
                BenchmarkRate {
                    test: "GET".into(),
                    ops_per_s: 101010.10
                },
            ]
        );
    }

    #[test]
    fn open_loop_never_exceeds_its_schedule() {
        let sink = Sink::start().unwrap();
        let rate = 2_000.0;
        let cfg = RunConfig {
            workload: Workload {
                label: "set:q2000".into(),
                mix: OpMix::Set,
                pipeline: 2,
                value_size: 32,
                keyspace: 100,
                key_dist: KeyDist::Uniform,
                rate_limit: Some(rate),
            },
            connections: 2,
            warmup_s: 0.1,
            duration_s: 0.5,
            seed: 1,
        };
        let m = bench::run(&sink, &cfg).unwrap();
        assert_eq!(m.errors, 0);
        // The schedule allows rate × duration requests (plus one batch per connection).
        assert!(m.ops > 0);
        assert!(m.ops as f64 <= rate * cfg.duration_s + 4.0, "{} ops", m.ops);
    }

    #[test]
    fn wrong_replies_are_counted_and_shown() {
        // The sink answers +OK to GETs too: every GET is an error, and a few are kept for display.
        let sink = Sink::start().unwrap();
        let cfg = RunConfig {
            workload: Workload {
                label: "get:p8".into(),
                mix: OpMix::Get,
                pipeline: 8,
                value_size: 32,
                keyspace: 100,
                key_dist: KeyDist::Uniform,
                rate_limit: None,
            },
            connections: 2,
            warmup_s: 0.0,
            duration_s: 0.2,
            seed: 1,
        };
        let m = bench::run(&sink, &cfg).unwrap();
        assert_eq!(m.ops, 0);
        assert!(m.errors > 0);
        assert_eq!(m.error_samples.len(), bench::MAX_ERROR_SAMPLES);
        assert!(
            m.error_samples[0].contains("answered +OK"),
            "{:?}",
            m.error_samples
        );
    }

    #[test]
    fn sink_answers_sets() {
        let results = sink_capacity(2, &[4], 0.05, 0.2).unwrap();
        let m = &results[0].1;
        assert!(m.ops > 0);
        assert_eq!(m.errors, 0);
    }
}
