//! A connection storm against the Linux binary, while one client keeps being served: 2,000
//! connections (half RESP, half MySQL) opened and abandoned mid-command, then 10,000
//! connect/close cycles, then another 2,000 abandoned. After each phase every connection
//! is gone (`connected_clients`), the server's descriptors are back at their starting
//! count, and the later phases leave the resident memory where the first one did (a leak
//! per connection would add up to megabytes).

mod common;

use common::process::{open_descriptors, raise_descriptor_limit, resident_kib};
use common::{Server, IO_TIMEOUT, POLL_INTERVAL};
use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// Connections per round.
const FLOOD: usize = 2000;
/// Connect/close cycles between the two rounds.
const CYCLES: usize = 10_000;
/// The handshake timeout of this test's server: far above what a round takes, so that
/// the server lets go of the abandoned connections because they close, not because they
/// time out (that is `slow_clients.rs`).
const HANDSHAKE_TIMEOUT: &str = "600";
/// How long the server may take to see or drop a round's connections.
const SETTLE: Duration = Duration::from_secs(60);
/// Resident memory the second round may add over the first (2,000 leaked 16 KiB input
/// buffers would be 32 MiB; small allocator noise stays far below this).
const RSS_SLACK_KIB: u64 = 4096;

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

/// Connect and close at once, `CYCLES` times (alternating the two protocols), then wait
/// until the server has let go of every one.
fn connect_close_cycles(server: &Server, baseline_fds: usize) {
    for i in 0..CYCLES {
        let addr = if i % 2 == 0 {
            server.addr()
        } else {
            server.sql_addr()
        };
        drop(TcpStream::connect(addr).expect("cycle connect"));
    }
    wait_until("connected_clients after the cycles", 2, || {
        server.info_field("connected_clients")
    });
    wait_until("the server's open descriptors", baseline_fds as u64, || {
        open_descriptors(server.pid()) as u64
    });
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
fn abandoned_connections_and_churn_are_released_while_a_client_is_served() {
    raise_descriptor_limit(3 * FLOOD as u64);
    let server = Server::start(&["--handshake-timeout", HANDSHAKE_TIMEOUT]);
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
    connect_close_cycles(&server, baseline_fds);
    let cycles = started.elapsed() - first;
    flood_round(&server, baseline_fds);
    let second_kib = resident_kib(pid);

    stop.store(true, Ordering::Relaxed);
    let ops = client.join().expect("the served client failed");
    eprintln!(
        "2 x {FLOOD} abandoned connections and {CYCLES} connect/close cycles in {:?} (first \
         round {first:?}, cycles {cycles:?}); served client: {ops} SET+GET pairs; \
         descriptors back to {baseline_fds}; resident memory {baseline_kib} KiB at start, \
         {first_kib} KiB after round 1, {second_kib} KiB after the cycles and round 2",
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
