//! Thousands of idle connections to the real image's KV server (dbserver in ring 0, over
//! a tap device in a network namespace) while one client keeps being served; once they
//! close, the kernel's descriptors, sockets and heap return to where they started.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use ring0db_harness::{NetVm, Network};

const KV_PORT: u16 = 6379;
const STATUS_PORT: u16 = 8;
const IDLE: usize = 2_000;

/// One `PING` and its `+PONG`.
fn ping(stream: &mut TcpStream) -> std::io::Result<()> {
    stream.write_all(b"PING\r\n")?;
    let mut reply = [0u8; 7];
    stream.read_exact(&mut reply)?;
    if &reply != b"+PONG\r\n" {
        return Err(std::io::Error::other(format!("unexpected reply {reply:?}")));
    }
    Ok(())
}

fn open_idle(vm: &NetVm, count: usize) -> Vec<TcpStream> {
    (0..count)
        .map(|i| {
            let mut stream = vm
                .connect(KV_PORT)
                .unwrap_or_else(|e| panic!("idle connection {i}: {e:#}"));
            stream
                .set_read_timeout(Some(Duration::from_secs(60)))
                .expect("timeout");
            // The server has really accepted it (not just the kernel's handshake).
            ping(&mut stream).unwrap_or_else(|e| panic!("idle connection {i} served: {e}"));
            stream
        })
        .collect()
}

/// The status once nothing is closing, `streams` is back to `streams_expected` and every one
/// of them is parked (the remaining client is idle too, so start and end are taken in the
/// same state: whether a connection is parked changes `parked` and one allocation), with
/// two consecutive readings agreeing on sockets and heap (polled, generous deadline).
fn settled_status(vm: &NetVm, streams_expected: u64) -> HashMap<String, u64> {
    let deadline = Instant::now() + Duration::from_secs(180);
    let key = |s: &HashMap<String, u64>| {
        (
            s.get("smoltcp_sockets").copied(),
            s.get("heap_allocated_bytes").copied(),
        )
    };
    let mut previous = vm.status(STATUS_PORT).expect("status");
    loop {
        let status = vm.status(STATUS_PORT).expect("status");
        let settled = status.get("closing") == Some(&0)
            && status.get("streams") == Some(&streams_expected)
            && status.get("parked") == Some(&streams_expected)
            && key(&status) == key(&previous);
        if settled || Instant::now() >= deadline {
            return status;
        }
        previous = status;
        thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn two_thousand_idle_connections_while_a_client_is_served_then_everything_returns() {
    let vm = NetVm::boot(Network::Tap, &format!("status={STATUS_PORT}"))
        .unwrap_or_else(|e| panic!("boot: {e:#}"));
    let mut active = vm.connect(KV_PORT).expect("connect the active client");
    active
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    ping(&mut active).expect("first PING");

    // Warm-up cycle: the socket set, the descriptor table and the server's client map
    // keep the capacity they grew to (by design, for reuse); measure from there.
    drop(open_idle(&vm, IDLE));
    let start = settled_status(&vm, 1);

    let stop = Arc::new(AtomicBool::new(false));
    let served = Arc::new(AtomicU64::new(0));
    let client = {
        let (stop, served) = (stop.clone(), served.clone());
        thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                ping(&mut active).expect("the active client is served throughout");
                served.fetch_add(1, Ordering::Relaxed);
            }
            active
        })
    };
    let idle = open_idle(&vm, IDLE);
    let held = vm
        .status(STATUS_PORT)
        .expect("status with idle connections");
    assert!(
        held.get("streams").copied().unwrap_or(0) > IDLE as u64,
        "the kernel holds the {IDLE} idle connections: {held:?}"
    );
    // Idle connections leave smoltcp's socket set. The active one may be parked too when
    // it waits between requests (a loaded host): at least the idle ones must be; that the
    // active one is still served is checked next.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let status = vm.status(STATUS_PORT).expect("status");
        if status.get("parked").is_some_and(|&n| n >= IDLE as u64) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the {IDLE} idle connections were not all parked within 120 s: {status:?}"
        );
        thread::sleep(Duration::from_millis(200));
    }
    // With every idle connection open, the active client keeps getting answers.
    let before = served.load(Ordering::Relaxed);
    let deadline = Instant::now() + Duration::from_secs(120);
    while served.load(Ordering::Relaxed) < before + 200 {
        assert!(
            Instant::now() < deadline,
            "the active client got {} replies in 120 s with {IDLE} idle connections open",
            served.load(Ordering::Relaxed) - before
        );
        thread::sleep(Duration::from_millis(50));
    }
    drop(idle);
    stop.store(true, Ordering::Relaxed);
    let mut active = client.join().expect("active client");
    ping(&mut active).expect("served after the idle connections closed");

    let end = settled_status(&vm, 1);
    for key in [
        "descriptors",
        "streams",
        "closing",
        "parked",
        "smoltcp_sockets",
        "heap_allocations",
    ] {
        assert_eq!(
            start.get(key),
            end.get(key),
            "`{key}` after {IDLE} idle connections closed: start {start:?}, end {end:?}"
        );
    }
    // Every allocation was returned (the count above is exact). The bytes may differ by
    // retained capacity only: dbserver's hash map of clients keeps the table it grew to,
    // and after 2,000 removals its tombstones can make the second storm grow it once
    // more (observed: +48 KiB, same allocation count). One growth step at most.
    const RETAINED_CAPACITY_SLACK_BYTES: u64 = 256 * 1024;
    let bytes = |s: &HashMap<String, u64>| s.get("heap_allocated_bytes").copied().unwrap_or(0);
    assert!(
        bytes(&end).abs_diff(bytes(&start)) <= RETAINED_CAPACITY_SLACK_BYTES,
        "heap after {IDLE} idle connections closed: start {start:?}, end {end:?}"
    );
}
