//! Slow and greedy clients against the Linux binary: slow-loris connections that trickle
//! a byte at a time and never finish a request are closed by the handshake timeout, and a
//! client that pipelines GETs of a large value and never reads is closed by the output
//! buffer limit, with the server's memory bounded; meanwhile another client keeps being
//! served.

mod common;

use common::process::{open_descriptors, peak_resident_kib, raise_descriptor_limit, resident_kib};
use common::{encode, Resp, Server, IO_TIMEOUT, POLL_INTERVAL};
use ring0db_images::tcp::closed_within;
use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Slow-loris connections (as the issue asks).
const LORIS: usize = 1000;
/// Of them, this many speak to the MySQL port (the rest to the RESP port).
const LORIS_MYSQL: usize = 200;
/// The handshake timeout the slow-loris test sets (seconds).
const HANDSHAKE_TIMEOUT_SECS: u64 = 3;
/// Pause between two trickled bytes on one connection: pacing of the attack, not
/// synchronisation (the test waits by polling the server's state).
const TRICKLE_PERIOD: Duration = Duration::from_millis(500);
/// How long the server may take to close what it must close.
const SETTLE: Duration = Duration::from_secs(60);
/// The large value the greedy client asks for, again and again.
const BIG_VALUE_BYTES: usize = 1024 * 1024;
/// GETs the greedy client pipelines without reading (256 MiB of replies).
const GREEDY_GETS: usize = 256;
/// Memory the server may add while the greedy client is served: the 16 MiB backpressure
/// mark, the output vector's doubling and one reply, with room for the allocator.
const MEMORY_BOUND_KIB: u64 = 80 * 1024;

/// A client doing SET/GET round trips until told to stop; each reply is checked, and a
/// stall longer than the I/O timeout fails it. Returns the round trips done.
fn served_client(server: &Server, stop: Arc<AtomicBool>) -> JoinHandle<u64> {
    let mut c = server.connect();
    assert_eq!(c.command(&["PING"]), b"+PONG\r\n");
    thread::spawn(move || {
        let mut ops = 0u64;
        while !stop.load(Ordering::Relaxed) {
            let value = ops.to_string();
            assert_eq!(c.command(&["SET", "served", &value]), b"+OK\r\n");
            let got = c.command(&["GET", "served"]);
            assert_eq!(got, format!("${}\r\n{value}\r\n", value.len()).into_bytes());
            ops += 1;
        }
        ops
    })
}

#[test]
fn slow_loris_connections_are_closed_by_the_handshake_timeout() {
    raise_descriptor_limit(4 * LORIS as u64);
    let timeout = HANDSHAKE_TIMEOUT_SECS.to_string();
    let server = Server::start(&["--handshake-timeout", &timeout]);
    let pid = server.pid();
    let stop = Arc::new(AtomicBool::new(false));
    let served = served_client(&server, stop.clone());
    let baseline_fds = open_descriptors(pid);

    // Each connection starts a request that needs far more bytes than it will ever send:
    // a RESP bulk of 100,000 bytes, a MySQL handshake response of 200 bytes.
    let started = Instant::now();
    let mut loris: Vec<TcpStream> = (0..LORIS)
        .map(|i| {
            let (addr, head): (_, &[u8]) = if i < LORIS_MYSQL {
                (server.sql_addr(), b"\xc8\x00\x00\x01")
            } else {
                (server.addr(), b"*2\r\n$3\r\nGET\r\n$100000\r\n")
            };
            let mut s = TcpStream::connect(addr).expect("loris connect");
            s.set_write_timeout(Some(IO_TIMEOUT)).expect("timeout");
            s.write_all(head).expect("loris head");
            s
        })
        .collect();
    // Trickle one byte per connection per period until the server has closed every one
    // (a write to a closed connection fails sooner or later: that one stops trickling).
    let mut open = vec![true; LORIS];
    let deadline = Instant::now() + SETTLE;
    loop {
        for (s, open) in loris.iter_mut().zip(open.iter_mut()) {
            if *open && s.write_all(b"x").is_err() {
                *open = false;
            }
        }
        let timed_out = server.info_field("timedout_clients");
        if timed_out >= LORIS as u64 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {timed_out} of {LORIS} slow-loris connections timed out in {SETTLE:?}"
        );
        thread::sleep(TRICKLE_PERIOD);
    }
    let closed_after = started.elapsed();
    for (i, s) in loris.iter_mut().enumerate() {
        assert!(
            closed_within(s, IO_TIMEOUT).expect("read"),
            "slow-loris connection {i} is still open"
        );
    }
    server.wait_for_info("connected_clients", SETTLE, |n| n == 2);
    let deadline = Instant::now() + SETTLE;
    while open_descriptors(pid) != baseline_fds {
        assert!(
            Instant::now() < deadline,
            "descriptors not back to {baseline_fds}"
        );
        thread::sleep(POLL_INTERVAL);
    }
    stop.store(true, Ordering::Relaxed);
    let ops = served.join().expect("the served client failed");
    eprintln!(
        "{LORIS} slow-loris connections closed {closed_after:?} after the first connect \
         (handshake timeout {HANDSHAKE_TIMEOUT_SECS} s); served client: {ops} SET+GET pairs"
    );
    assert!(ops > 0, "the served client got nothing done");
    wait_for_log(&server, "handshake timeout");
}

/// The greedy client: pipeline `GREEDY_GETS` GETs of the big value and never read.
/// Returns the stream (to check it gets closed).
fn greedy_client(server: &Server) -> TcpStream {
    let mut setup = server.connect();
    let value = "v".repeat(BIG_VALUE_BYTES);
    assert_eq!(setup.command(&["SET", "big", &value]), b"+OK\r\n");
    let mut greedy = TcpStream::connect(server.addr()).expect("connect");
    greedy.set_write_timeout(Some(IO_TIMEOUT)).expect("timeout");
    let requests = encode(&["GET", "big"]).repeat(GREEDY_GETS);
    // The server stops reading once it holds back output; the rest may not fit: fine.
    let _ = greedy.write_all(&requests);
    greedy
}

/// Waits until the server's log holds `needle`: the log is read from the server's stderr by
/// another thread, so a line written just before an `INFO` counter moved may not be there yet.
fn wait_for_log(server: &Server, needle: &str) {
    let deadline = Instant::now() + SETTLE;
    while !server.log_tail().contains(needle) {
        assert!(
            Instant::now() < deadline,
            "{needle:?} never appeared in the server's log"
        );
        thread::sleep(POLL_INTERVAL);
    }
}

/// Start a server with `--client-output-buffer-limit LIMIT`, let a greedy client loose,
/// and check that it is closed with the server's memory bounded and another client served.
fn greedy_client_is_closed(limit: &str) {
    let server = Server::start(&["--client-output-buffer-limit", limit]);
    let pid = server.pid();
    let stop = Arc::new(AtomicBool::new(false));
    let served = served_client(&server, stop.clone());
    let baseline_kib = resident_kib(pid);
    let mut greedy = greedy_client(&server);
    server.wait_for_info("client_output_buffer_limit_disconnections", SETTLE, |n| {
        n == 1
    });
    assert!(
        closed_within(&mut greedy, IO_TIMEOUT).expect("read"),
        "the greedy client is open"
    );
    let peak_kib = peak_resident_kib(pid);
    stop.store(true, Ordering::Relaxed);
    let ops = served.join().expect("the served client failed");
    eprintln!(
        "limit {limit}: greedy client closed; resident memory {baseline_kib} KiB before, \
         peak {peak_kib} KiB; served client: {ops} SET+GET pairs"
    );
    assert!(ops > 0, "the served client got nothing done");
    assert!(
        peak_kib <= baseline_kib + MEMORY_BOUND_KIB,
        "the server's memory peaked at {peak_kib} KiB, {baseline_kib} KiB before"
    );
    wait_for_log(&server, ": output buffer limit (");
    let mut after = Resp::connect(server.addr());
    assert_eq!(
        after.command(&["STRLEN", "big"]),
        format!(":{BIG_VALUE_BYTES}\r\n").into_bytes()
    );
}

#[test]
fn a_client_that_never_reads_is_closed_by_the_hard_output_limit() {
    greedy_client_is_closed("4mb 0 0");
}

#[test]
fn a_client_that_never_reads_is_closed_by_the_soft_output_limit() {
    // Below the backpressure mark, so only the soft limit can close it.
    greedy_client_is_closed("0 8mb 2");
}
