//! Closed-loop SQL driver: one thread per connection runs transactions until the window
//! ends; deadlocks are retried and counted, other failures are errors.

use std::sync::{Barrier, Mutex};
use std::time::{Duration, Instant};

use super::conn::{SqlAddr, SqlConn, SqlError, StatementMode};
use super::oltp::{self, OltpKind, DATABASE};
use super::SqlMeasurement;
use crate::bench::{join_connections, CONNECTION_PANICKED, MAX_ERROR_SAMPLES};
use crate::cpu::CpuSample;
use crate::metrics::{process_cpu_s, thread_cpu_s, LatencyHistogram};
use crate::zipf::FastRng;

/// Attempts of one transaction that keeps deadlocking before it counts as an error.
const MAX_DEADLOCK_RETRIES: u32 = 100;

/// A timed OLTP run.
#[derive(Debug, Clone)]
pub struct OltpRun {
    /// Which transaction.
    pub kind: OltpKind,
    /// Rows of `sbtest1` (loaded by [`oltp::prepare`]).
    pub table_size: u64,
    /// Connections (threads).
    pub connections: usize,
    /// Warm-up seconds (not measured).
    pub warmup_s: f64,
    /// Measured seconds.
    pub duration_s: f64,
    /// Prepared or text statements.
    pub mode: StatementMode,
    /// Seed of the row choices.
    pub seed: u64,
}

#[derive(Default)]
struct ThreadResult {
    latency: LatencyHistogram,
    ops: u64,
    statements: u64,
    errors: u64,
    deadlocks: u64,
    cpu_s: f64,
    samples: Vec<String>,
}

/// Runs `run` against `addr`; `pid` is the server process whose CPU time is sampled.
pub fn run_oltp(
    addr: &SqlAddr,
    run: &OltpRun,
    pid: Option<u32>,
) -> Result<SqlMeasurement, SqlError> {
    run_oltp_sampled(addr, run, pid, &|| None)
}

/// [`run_oltp`], also taking `cpu_sample()` at the window's edges into
/// [`SqlMeasurement::cpu`].
pub fn run_oltp_sampled(
    addr: &SqlAddr,
    run: &OltpRun,
    pid: Option<u32>,
    cpu_sample: &dyn Fn() -> Option<CpuSample>,
) -> Result<SqlMeasurement, SqlError> {
    let connections = run.connections.max(1);
    let mut conns = Vec::with_capacity(connections);
    for _ in 0..connections {
        conns.push(SqlConn::connect(addr, Some(DATABASE), run.mode)?);
    }
    let warmup = Duration::from_secs_f64(run.warmup_s.max(0.0));
    let window = Duration::from_secs_f64(run.duration_s.max(0.0));
    let barrier = Barrier::new(connections + 1);
    let start_cell = Mutex::new(None::<Instant>);
    let (results, host_cpu_s, split) = std::thread::scope(|s| {
        let handles: Vec<_> = conns
            .into_iter()
            .enumerate()
            .map(|(i, conn)| {
                let (barrier, start_cell) = (&barrier, &start_cell);
                s.spawn(move || {
                    barrier.wait();
                    let start = start_cell
                        .lock()
                        .map(|g| g.unwrap_or_else(Instant::now))
                        .unwrap_or_else(|_| Instant::now());
                    drive(
                        conn,
                        addr,
                        run,
                        run.seed ^ (i as u64 + 1),
                        start + warmup,
                        start + warmup + window,
                    )
                })
            })
            .collect();
        let start = Instant::now();
        if let Ok(mut g) = start_cell.lock() {
            *g = Some(start);
        }
        barrier.wait();
        // The main thread only samples the server's CPU at the window's edges.
        std::thread::sleep(warmup);
        let cpu0 = pid.and_then(|p| process_cpu_s(p).ok());
        let sample0 = cpu_sample();
        std::thread::sleep((start + warmup + window).saturating_duration_since(Instant::now()));
        let cpu1 = pid.and_then(|p| process_cpu_s(p).ok());
        let sample1 = cpu_sample();
        let split = sample0
            .zip(sample1)
            .and_then(|(a, b)| crate::cpu::split(&a, &b));
        let results = join_connections(handles, || ThreadResult {
            errors: 1,
            samples: vec![CONNECTION_PANICKED.into()],
            ..Default::default()
        });
        (
            results,
            cpu0.zip(cpu1).map(|(a, b)| (b - a).max(0.0)),
            split,
        )
    });
    let mut m = SqlMeasurement {
        duration_s: run.duration_s,
        host_cpu_s,
        cpu: split,
        ..Default::default()
    };
    for r in results {
        m.latency.merge(&r.latency);
        m.ops += r.ops;
        m.statements += r.statements;
        m.errors += r.errors;
        m.deadlocks += r.deadlocks;
        m.loadgen_cpu_s += r.cpu_s;
        for e in r.samples {
            if m.error_samples.len() < MAX_ERROR_SAMPLES {
                m.error_samples.push(e);
            }
        }
    }
    Ok(m)
}

fn drive(
    mut conn: SqlConn,
    addr: &SqlAddr,
    run: &OltpRun,
    seed: u64,
    measure_from: Instant,
    end: Instant,
) -> ThreadResult {
    let mut r = ThreadResult::default();
    let mut rng = FastRng::new(seed);
    let mut cpu_from = None;
    let error = |r: &mut ThreadResult, e: String| {
        r.errors += 1;
        if r.samples.len() < MAX_ERROR_SAMPLES {
            r.samples.push(e);
        }
    };
    loop {
        let t0 = Instant::now();
        if t0 >= end {
            break;
        }
        let measured = t0 >= measure_from;
        if measured && cpu_from.is_none() {
            cpu_from = thread_cpu_s().ok();
        }
        let statements_before = conn.statements;
        let mut attempts = 0;
        let outcome = loop {
            match oltp::transaction(&mut conn, run.kind, run.table_size, &mut rng) {
                Err(SqlError::Deadlock) if attempts < MAX_DEADLOCK_RETRIES => {
                    attempts += 1;
                    if measured {
                        r.deadlocks += 1;
                    }
                    let _ = conn.run("ROLLBACK");
                }
                other => break other,
            }
        };
        let t1 = Instant::now();
        match outcome {
            Ok(()) => {
                if measured && t1 <= end {
                    r.ops += 1;
                    r.statements += conn.statements - statements_before;
                    r.latency
                        .record_us(t1.duration_since(t0).as_micros() as u64);
                }
            }
            Err(e) => {
                error(&mut r, e.to_string());
                if conn.run("ROLLBACK").is_err() {
                    match SqlConn::connect(addr, Some(DATABASE), run.mode) {
                        Ok(c) => conn = c,
                        Err(e) => {
                            error(&mut r, e.to_string());
                            break;
                        }
                    }
                }
            }
        }
    }
    if let (Some(a), Ok(b)) = (cpu_from, thread_cpu_s()) {
        r.cpu_s = (b - a).max(0.0);
    }
    r
}
