//! A connection flood against the Linux binary: 2,000 connections (half RESP, half MySQL)
//! opened and abandoned mid-command, twice, while one client keeps being served. After each
//! round every connection is gone (`connected_clients`), the server's descriptors are back
//! at their starting count, and the second round leaves the resident memory where the first
//! one did (a leak per abandoned connection would add up to megabytes).

mod common;

use common::{Server, IO_TIMEOUT, POLL_INTERVAL};
use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// Connections per round.
const FLOOD: usize = 2000;
/// How long the server may take to see or drop a round's connections.
const SETTLE: Duration = Duration::from_secs(60);
/// Resident memory the second round may add over the first (2,000 leaked 16 KiB input
/// buffers would be 32 MiB; small allocator noise stays far below this).
const RSS_SLACK_KIB: u64 = 4096;

/// Raise this process's descriptor limit (the server inherits it) to cover the flood on
/// both ends.
fn raise_descriptor_limit(needed: u64) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid rlimit for the call to fill.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    assert_eq!(rc, 0, "getrlimit");
    if limit.rlim_cur >= needed {
        return;
    }
    assert!(
        limit.rlim_max >= needed,
        "the hard descriptor limit {} is below the {needed} this test needs",
        limit.rlim_max
    );
    limit.rlim_cur = needed;
    // SAFETY: `limit` is a valid rlimit; raising the soft limit up to the hard one is allowed.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) };
    assert_eq!(rc, 0, "setrlimit");
}

fn open_descriptors(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .expect("the server's /proc/PID/fd")
        .count()
}

fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/PID/status")
}

/// Poll `value` until it equals `want`; fail after `SETTLE` naming `what`.
fn wait_until(what: &str, want: u64, value: impl Fn() -> u64) {
    let deadline = Instant::now() + SETTLE;
    loop {
        let now = value();
        if now == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what} stayed {now}, expected {want}, for {SETTLE:?}"
        );
        thread::sleep(POLL_INTERVAL);
    }
}

/// Open `FLOOD` connections, each with an unfinished request, wait until the server has
/// them all, then close them all and wait until it has let go of every one.
fn flood_round(server: &Server, baseline_fds: usize) {
    let mut abandoned = Vec::with_capacity(FLOOD);
    for i in 0..FLOOD {
        let (addr, partial): (_, &[u8]) = if i % 2 == 0 {
            // A SET whose value never finishes.
            (
                server.addr(),
                b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$100\r\nunfinished",
            )
        } else {
            // Three bytes of a HandshakeResponse41 packet header.
            (server.sql_addr(), b"\x40\x00\x00")
        };
        let mut stream = TcpStream::connect(addr).expect("flood connect");
        stream.set_write_timeout(Some(IO_TIMEOUT)).expect("timeout");
        stream.write_all(partial).expect("flood send");
        abandoned.push(stream);
    }
    // The served client and the INFO connection besides the flood.
    wait_until(
        "connected_clients during the flood",
        FLOOD as u64 + 2,
        || server.info_field("connected_clients"),
    );
    drop(abandoned);
    wait_until("connected_clients after the flood", 2, || {
        server.info_field("connected_clients")
    });
    wait_until("the server's open descriptors", baseline_fds as u64, || {
        open_descriptors(server.pid()) as u64
    });
}

#[test]
fn abandoned_connections_are_released_while_a_client_is_served() {
    raise_descriptor_limit(3 * FLOOD as u64);
    let server = Server::start(&[]);
    let pid = server.pid();

    // A client served throughout: SET/GET pairs, each reply checked (a stall longer than
    // IO_TIMEOUT fails its read).
    let stop = Arc::new(AtomicBool::new(false));
    let mut served = server.connect();
    assert_eq!(served.command(&["PING"]), b"+PONG\r\n");
    let baseline_fds = open_descriptors(pid);
    let baseline_kib = resident_kib(pid);
    let client = {
        let stop = stop.clone();
        thread::spawn(move || {
            let mut ops = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let value = ops.to_string();
                assert_eq!(served.command(&["SET", "served", &value]), b"+OK\r\n");
                let got = served.command(&["GET", "served"]);
                assert_eq!(got, format!("${}\r\n{value}\r\n", value.len()).into_bytes());
                ops += 1;
            }
            ops
        })
    };

    let started = Instant::now();
    flood_round(&server, baseline_fds);
    let first_kib = resident_kib(pid);
    let first = started.elapsed();
    flood_round(&server, baseline_fds);
    let second_kib = resident_kib(pid);

    stop.store(true, Ordering::Relaxed);
    let ops = client.join().expect("the served client failed");
    eprintln!(
        "2 x {FLOOD} abandoned connections in {:?} (first round {first:?}); served client: \
         {ops} SET+GET pairs; descriptors back to {baseline_fds}; resident memory \
         {baseline_kib} KiB at start, {first_kib} KiB after round 1, {second_kib} KiB after \
         round 2",
        started.elapsed()
    );
    assert!(ops > 0, "the served client got nothing done");
    assert!(
        second_kib <= first_kib + RSS_SLACK_KIB,
        "memory grew by {} KiB in the second round: a leak per connection",
        second_kib.saturating_sub(first_kib)
    );
    assert!(server.info_field("connected_clients") <= 2);
}
