//! Floods and slow clients against the image in QEMU (tap in a namespace), issue 11: a
//! connection storm of the size (2,000 abandoned, 10,000 connect/close cycles, twice)
//! while a client is served (heap, sockets and clients back where they
//! were), slow-loris connections closed by the handshake timeout, a client that never
//! reads closed by the output-buffer limit, and a client past `maxclients` refused at
//! once with Redis's error.
//!
//! The storm is `ring0db_images::storm::storm`, the routine `loadgen storm` measures with.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use ring0db_harness::{NetVm, Network};
use ring0db_images::netns::GUEST_PORT;
use ring0db_images::storm::{info, storm, StormPlan};
use ring0db_images::tcp::closed_within;

/// Socket timeout of the test's own connections.
const IO_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the server may take to close what it must close (TCG is slow).
const SETTLE: Duration = Duration::from_secs(300);
/// Heap the second storm may leave behind beyond the first (allocator noise, a few
/// buffers that stay allocated); a leak per connection would be far above it.
const HEAP_SLACK_BYTES: u64 = 256 * 1024;
/// The storm of the issue: 2,000 abandoned connections and 10,000 connect/close cycles.
const FULL: StormPlan = StormPlan {
    abandoned: 2000,
    cycles: 10_000,
};
/// Slots smoltcp's socket set may keep after a storm: below this many the kernel does
/// not rebuild it (`net::compaction::COMPACT_MIN_SLOTS`). The storm's abandoned
/// connections take more slots than this at their peak; without the rebuild every later
/// poll round would walk all of them.
const SOCKET_SLOTS_AT_REST: u64 = 256;
/// Slow-loris connections on the image (fewer than the 1,000 on the Linux binary: each is
/// a guest socket set up through TCG, and a thread entering the namespace on the host).
const LORIS: usize = 100;

fn boot(cmdline: &str) -> NetVm {
    let vm =
        NetVm::boot(Network::Tap, cmdline).unwrap_or_else(|e| panic!("boot `{cmdline}`: {e:#}"));
    drop(
        vm.connect(GUEST_PORT)
            .expect("the server accepts connections"),
    );
    vm
}

fn connect(vm: &NetVm) -> io::Result<TcpStream> {
    vm.vm
        .net()
        .connect_port(GUEST_PORT, IO_TIMEOUT)
        .map_err(|e| io::Error::other(format!("{e:#}")))
}

fn field(fields: &BTreeMap<String, u64>, name: &str) -> u64 {
    *fields
        .get(name)
        .unwrap_or_else(|| panic!("no {name} in INFO: {fields:?}"))
}

/// Two storms of `plan`: the first warms up (maps and buffers grow to their working
/// size), the second must leave clients, sockets and heap where the first left them.
fn storm_twice(plan: StormPlan) {
    let vm = boot("");
    let connect = || connect(&vm);
    let first = storm(&connect, plan).expect("first storm");
    let second = storm(&connect, plan).expect("second storm");
    eprintln!(
        "storm {plan:?}: first {:?} + {:?}, second {:?} + {:?}; served {} / {} round trips; \
         before {:?}; after the first {:?}; after the second {:?}",
        first.abandon_time,
        first.cycle_time,
        second.abandon_time,
        second.cycle_time,
        first.served_round_trips,
        second.served_round_trips,
        first.before,
        first.after,
        second.after
    );
    assert!(first.served_round_trips > 0 && second.served_round_trips > 0);
    assert_eq!(
        first.refused + second.refused,
        0,
        "connections refused at the TCP level instead of served or refused by the server"
    );
    for name in ["connected_clients", "kernel_sockets"] {
        assert_eq!(
            field(&second.after, name),
            field(&first.after, name),
            "{name} after the second storm"
        );
    }
    for after in [&first.after, &second.after] {
        assert!(
            field(after, "kernel_socket_slots") < SOCKET_SLOTS_AT_REST,
            "smoltcp's socket set kept its storm size: {after:?}"
        );
    }
    assert!(
        field(&first.after, "kernel_socket_set_compactions") >= 1,
        "the storm's {} connections grew the socket set past {SOCKET_SLOTS_AT_REST} slots, \
         so it was rebuilt: {:?}",
        plan.abandoned,
        first.after
    );
    let (heap_first, heap_second) = (
        field(&first.after, "heap_allocated_bytes"),
        field(&second.after, "heap_allocated_bytes"),
    );
    assert!(
        heap_second <= heap_first + HEAP_SLACK_BYTES,
        "the heap grew from {heap_first} to {heap_second} bytes in the second storm"
    );
}

#[test]
fn full_storm_leaves_clients_sockets_and_heap_where_they_were() {
    storm_twice(FULL);
}

/// PING on `c`, which must answer.
fn ping(c: &mut TcpStream) {
    c.write_all(b"PING\r\n").expect("ping");
    let mut pong = [0u8; 7];
    c.read_exact(&mut pong).expect("pong");
    assert_eq!(&pong, b"+PONG\r\n");
}

/// Poll INFO until `name` satisfies `ok`.
fn wait_for(vm: &NetVm, name: &str, ok: impl Fn(u64) -> bool) -> BTreeMap<String, u64> {
    let deadline = Instant::now() + SETTLE;
    loop {
        let fields = info(&|| connect(vm)).expect("INFO");
        if ok(field(&fields, name)) {
            return fields;
        }
        assert!(Instant::now() < deadline, "INFO {name}: {fields:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn slow_loris_and_a_client_that_never_reads_are_closed() {
    let vm = boot("handshaketimeout=3 clientoutputbufferlimit=4mb,0,0");
    let mut served = connect(&vm).expect("served client");
    served.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
    ping(&mut served);
    let before = info(&|| connect(&vm)).expect("INFO");

    // Slow-loris: a bulk of 100,000 bytes announced, then one byte per connection per
    // round, never finished.
    let mut loris: Vec<TcpStream> = (0..LORIS)
        .map(|_| {
            let mut s = connect(&vm).expect("loris connect");
            s.write_all(b"*2\r\n$3\r\nGET\r\n$100000\r\n")
                .expect("head");
            s
        })
        .collect();
    let deadline = Instant::now() + SETTLE;
    loop {
        for s in &mut loris {
            let _ = s.write_all(b"x");
        }
        ping(&mut served);
        let timed_out = field(&info(&|| connect(&vm)).expect("INFO"), "timedout_clients");
        if timed_out >= LORIS as u64 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{timed_out} of {LORIS} timed out"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    for (i, s) in loris.iter_mut().enumerate() {
        assert!(
            closed_within(s, IO_TIMEOUT).expect("read"),
            "loris {i} still open"
        );
    }

    // The greedy client: 64 GETs of a 1 MiB value, never read.
    let value = "v".repeat(1024 * 1024);
    let set = format!(
        "*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n${}\r\n{value}\r\n",
        value.len()
    );
    served.write_all(set.as_bytes()).expect("SET big");
    let mut ok = [0u8; 5];
    served.read_exact(&mut ok).expect("+OK");
    assert_eq!(&ok, b"+OK\r\n");
    let mut greedy = connect(&vm).expect("greedy connect");
    let _ = greedy.write_all(&b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".repeat(64));
    wait_for(&vm, "client_output_buffer_limit_disconnections", |n| n == 1);
    assert!(
        closed_within(&mut greedy, IO_TIMEOUT).expect("read"),
        "the greedy client is open"
    );
    ping(&mut served);
    wait_for(&vm, "connected_clients", |n| {
        n == before["connected_clients"]
    });
    // The server closed first; the guest's sockets go once the clients close their side
    // too (and the kernel's closing states end).
    drop(loris);
    drop(greedy);
    let sockets = field(&before, "kernel_sockets");
    let after = wait_for(&vm, "kernel_sockets", |n| n == sockets);
    eprintln!("slow-loris and greedy: before {before:?}, after {after:?}");
    // The 1 MiB value stays; the greedy client's output buffer is gone.
    assert!(
        field(&after, "heap_allocated_bytes")
            <= field(&before, "heap_allocated_bytes") + 2 * value.len() as u64 + HEAP_SLACK_BYTES,
        "heap before {before:?}, after {after:?}"
    );
}

#[test]
fn a_client_past_maxclients_gets_the_error_at_once_and_is_closed() {
    let vm = boot("maxclients=2");
    let mut held: Vec<TcpStream> = (0..2).map(|_| connect(&vm).expect("connect")).collect();
    for c in &mut held {
        c.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
        ping(c);
    }
    let mut refused = connect(&vm).expect("connect past maxclients");
    refused.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
    let mut reply = Vec::new();
    // Ends with end-of-file: the server closed the connection after its error.
    refused
        .read_to_end(&mut reply)
        .expect("the refused connection is closed by the server");
    assert_eq!(reply, b"-ERR max number of clients reached\r\n");
    ping(&mut held[0]);
}
