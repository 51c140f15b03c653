//! A connection storm against a RESP server while one client keeps being served (issue
//! 11). Phase 1 opens N connections, each with an unfinished request, and
//! abandons them; phase 2 connects and closes M times. After each phase the storm waits
//! until the server's `connected_clients` is back to its starting value. It reports the
//! wall time of each phase, the served client's round trips and slowest round trip, and
//! the server's `INFO` figures (clients, heap, sockets) before and after.
//!
//! Used by `loadgen storm` (the benchmark) and by the image tests
//! (`unikernel/harness/tests/floods.rs`); here so that neither needs the other.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};

/// Socket timeout of every storm connection and of the served client.
const IO_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the server may take to let go of a phase's connections.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(900);
/// Interval between two `INFO` looks while waiting for the server to settle.
const POLL_INTERVAL: Duration = Duration::from_millis(50);
/// What each abandoned connection sends: a SET whose value never arrives.
const UNFINISHED_REQUEST: &[u8] = b"*3\r\n$3\r\nSET\r\n$5\r\nstorm\r\n$100\r\nunfinished";
/// `INFO` fields reported before and after (those a server lacks are left out).
pub const INFO_FIELDS: &[&str] = &[
    "connected_clients",
    "used_memory",
    "heap_allocated_bytes",
    "kernel_sockets",
    "kernel_socket_slots",
    "kernel_socket_set_compactions",
    "timedout_clients",
    "client_output_buffer_limit_disconnections",
];

/// How big a storm is.
#[derive(Clone, Copy, Debug)]
pub struct StormPlan {
    /// Connections opened and abandoned mid-request (phase 1).
    pub abandoned: usize,
    /// Connect/close cycles (phase 2).
    pub cycles: usize,
}

/// What one storm measured.
#[derive(Clone, Debug)]
pub struct StormReport {
    /// Phase 1: opening the abandoned connections until the server has let go of them.
    pub abandon_time: Duration,
    /// Phase 2: the cycles until the server has let go of them.
    pub cycle_time: Duration,
    /// Connections the guest refused at the TCP level (`ECONNREFUSED`: no socket left
    /// in the kernel), in both phases; the storm goes on without them.
    pub refused: u64,
    /// Round trips (SET + GET) of the served client during the storm.
    pub served_round_trips: u64,
    /// Its slowest round trip.
    pub served_worst: Duration,
    /// Round trips of the served client during phase 2 alone.
    pub cycle_round_trips: u64,
    /// Guest busy seconds during phase 2, from the `busy` probe given to
    /// [`storm_measured`] (`None` when it has none).
    pub cycle_busy_s: Option<f64>,
    /// `INFO` figures before the storm (the served client connected).
    pub before: BTreeMap<String, u64>,
    /// `INFO` figures after it.
    pub after: BTreeMap<String, u64>,
}

/// The numeric `INFO` fields of [`INFO_FIELDS`] the server has.
pub fn info(connect: &dyn Fn() -> io::Result<TcpStream>) -> Result<BTreeMap<String, u64>> {
    let mut s = connect().context("connect for INFO")?;
    s.set_read_timeout(Some(IO_TIMEOUT))?;
    s.write_all(b"*2\r\n$4\r\nINFO\r\n$10\r\neverything\r\n")?;
    let reply = read_bulk(&mut s).context("INFO reply")?;
    Ok(reply
        .lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(k, _)| INFO_FIELDS.contains(k))
        .filter_map(|(k, v)| Some((k.to_string(), v.trim().parse().ok()?)))
        .collect())
}

/// Read one bulk-string reply (`$N\r\n...\r\n`) as text.
fn read_bulk(s: &mut TcpStream) -> Result<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(end) = buf.windows(2).position(|w| w == b"\r\n") {
            let header = std::str::from_utf8(&buf[..end])?;
            let len: usize = header
                .strip_prefix('$')
                .and_then(|n| n.parse().ok())
                .with_context(|| format!("expected a bulk string, got {header:?}"))?;
            if buf.len() >= end + 2 + len + 2 {
                return Ok(String::from_utf8_lossy(&buf[end + 2..end + 2 + len]).into_owned());
            }
        }
        let n = s.read(&mut chunk)?;
        ensure!(n > 0, "connection closed mid-reply");
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// One request/reply on the served client; the reply must be `want`.
fn round_trip(s: &mut TcpStream, request: &[u8], want: &[u8]) -> Result<()> {
    s.write_all(request)?;
    let mut got = vec![0u8; want.len()];
    s.read_exact(&mut got)?;
    ensure!(
        got == want,
        "served client: expected {:?}, got {:?}",
        String::from_utf8_lossy(want),
        String::from_utf8_lossy(&got)
    );
    Ok(())
}

/// Poll `INFO connected_clients` until it is at most `want`.
fn wait_for_clients(connect: &dyn Fn() -> io::Result<TcpStream>, want: u64) -> Result<()> {
    let deadline = Instant::now() + SETTLE_TIMEOUT;
    loop {
        // The INFO connection itself counts.
        let now = info(connect)?
            .get("connected_clients")
            .copied()
            .context("no connected_clients in INFO")?;
        if now <= want + 1 {
            return Ok(());
        }
        ensure!(
            Instant::now() < deadline,
            "connected_clients stayed {now} (want {want}) for {SETTLE_TIMEOUT:?}"
        );
        thread::sleep(POLL_INTERVAL);
    }
}

/// `ECONNREFUSED`, also when a target's `connect` wrapped it into a message (the VM
/// targets report `connect to ... inside the namespace: Connection refused (os error 111)`).
fn is_refused(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::ConnectionRefused
        || e.to_string()
            .contains(&io::Error::from(io::ErrorKind::ConnectionRefused).to_string())
        || e.to_string().contains("(os error 111)")
}

/// Run one storm through `connect` (which makes a new connection to the server's RESP
/// port) while a client does SET/GET round trips; every round trip must succeed.
pub fn storm(
    connect: &(dyn Fn() -> io::Result<TcpStream> + Sync),
    plan: StormPlan,
) -> Result<StormReport> {
    storm_measured(connect, plan, &|| None)
}

/// [`storm`], also reading the guest's busy seconds so far through `busy` at the start and
/// the end of phase 2 (the connect/close cycles).
pub fn storm_measured(
    connect: &(dyn Fn() -> io::Result<TcpStream> + Sync),
    plan: StormPlan,
    busy: &dyn Fn() -> Option<f64>,
) -> Result<StormReport> {
    let mut served = connect().context("served client")?;
    served.set_read_timeout(Some(IO_TIMEOUT))?;
    served.set_write_timeout(Some(IO_TIMEOUT))?;
    served.set_nodelay(true)?;
    round_trip(&mut served, b"PING\r\n", b"+PONG\r\n")?;
    let before = info(connect)?;
    let resting = before.get("connected_clients").copied().unwrap_or(2) - 1;
    let stop = Arc::new(AtomicBool::new(false));
    let served_count = Arc::new(AtomicU64::new(0));
    let served_thread = {
        let stop = stop.clone();
        let served_count = served_count.clone();
        thread::spawn(move || -> Result<(u64, Duration)> {
            let (mut n, mut worst) = (0u64, Duration::ZERO);
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let value = n.to_string();
                let set = format!(
                    "*3\r\n$3\r\nSET\r\n$6\r\nserved\r\n${}\r\n{value}\r\n",
                    value.len()
                );
                round_trip(&mut served, set.as_bytes(), b"+OK\r\n")?;
                let want = format!("${}\r\n{value}\r\n", value.len());
                round_trip(
                    &mut served,
                    b"*2\r\n$3\r\nGET\r\n$6\r\nserved\r\n",
                    want.as_bytes(),
                )?;
                worst = worst.max(started.elapsed());
                n += 1;
                served_count.store(n, Ordering::Relaxed);
            }
            Ok((n, worst))
        })
    };
    let mut refused = 0u64;
    // A refused connection is counted; any other failure ends the storm.
    let mut attempt = |what: &str, i: usize| -> Result<Option<TcpStream>> {
        match connect() {
            Ok(s) => Ok(Some(s)),
            Err(e) if is_refused(&e) => {
                refused += 1;
                Ok(None)
            }
            Err(e) => Err(e).with_context(|| format!("{what} {i}")),
        }
    };
    let result = (|| -> Result<(Duration, Duration, u64, Option<f64>)> {
        let started = Instant::now();
        let mut abandoned = Vec::with_capacity(plan.abandoned);
        for i in 0..plan.abandoned {
            let Some(mut s) = attempt("abandoned connection", i)? else {
                continue;
            };
            s.set_write_timeout(Some(IO_TIMEOUT))?;
            s.write_all(UNFINISHED_REQUEST)?;
            abandoned.push(s);
        }
        drop(abandoned);
        wait_for_clients(connect, resting)?;
        let abandon_time = started.elapsed();
        let (busy_before, served_before) = (busy(), served_count.load(Ordering::Relaxed));
        let started = Instant::now();
        for i in 0..plan.cycles {
            drop(attempt("cycle", i)?);
        }
        wait_for_clients(connect, resting)?;
        let cycle_time = started.elapsed();
        let served = served_count.load(Ordering::Relaxed) - served_before;
        let busy_s = busy_before.zip(busy()).map(|(b, a)| (a - b).max(0.0));
        Ok((abandon_time, cycle_time, served, busy_s))
    })();
    stop.store(true, Ordering::Relaxed);
    let served_result = served_thread
        .join()
        .map_err(|_| anyhow::anyhow!("the served client panicked"))?;
    let (abandon_time, cycle_time, cycle_round_trips, cycle_busy_s) = result?;
    let (served_round_trips, served_worst) = served_result?;
    Ok(StormReport {
        abandon_time,
        cycle_time,
        refused,
        served_round_trips,
        served_worst,
        cycle_round_trips,
        cycle_busy_s,
        before,
        after: info(connect)?,
    })
}
