//! Bad input and limits over raw TCP against the real `dbserver` binary: every bad client
//! gets a protocol-level error and only its own connection closes; the limits answer with
//! Redis's errors; a well-behaved client keeps getting correct answers throughout.

mod common;

use common::{encode, Resp, Server, POLL_INTERVAL};
use std::thread;
use std::time::{Duration, Instant};

/// How long to wait for the server to notice a closed connection.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long an open connection is watched to show it stays open.
const NOT_CLOSED_WAIT: Duration = Duration::from_millis(300);

/// The well-behaved client still gets correct answers.
fn assert_healthy(good: &mut Resp, round: usize) {
    let value = format!("value-{round}");
    assert_eq!(good.command(&["SET", "healthy", &value]), b"+OK\r\n");
    assert_eq!(
        good.command(&["GET", "healthy"]),
        format!("${}\r\n{value}\r\n", value.len()).into_bytes()
    );
}

/// Wait until INFO reports `want` connected clients (the INFO connection included).
fn wait_for_clients(server: &Server, want: u64) {
    server.wait_for_info("connected_clients", SETTLE_TIMEOUT, |n| n == want);
}

#[test]
fn malformed_requests_get_protocol_errors_and_close_only_their_connection() {
    let server = Server::start(&[]);
    let mut good = server.connect();
    let cases: &[(&[u8], &str)] = &[
        (b"*abc\r\n", "invalid multibulk length"),
        (b"*-\r\n", "invalid multibulk length"),
        (b"*3000000\r\n", "invalid multibulk length"),
        (b"*1\r\n$-5\r\n", "invalid bulk length"),
        (b"*1\r\n$abc\r\n", "invalid bulk length"),
        (b"*1\r\n$99999999999999999999\r\n", "invalid bulk length"),
        (b"*1\r\n$1000000000000\r\n", "invalid bulk length"),
        (b"*2\r\n$3\r\nGET\r\nxyz\r\n", "expected '$', got 'x'"),
        (b"SET a \"unterminated\r\n", "unbalanced quotes in request"),
        (b"PING\r\n*1\r\n$-1\r\n", "invalid bulk length"),
    ];
    for (round, (input, message)) in cases.iter().enumerate() {
        let mut bad = server.connect();
        bad.send_raw(input).expect("send");
        let mut replies = Vec::new();
        while let Some(r) = bad.reply() {
            replies.push(String::from_utf8_lossy(&r).into_owned());
        }
        let want = format!("-ERR Protocol error: {message}\r\n");
        assert_eq!(
            replies.last(),
            Some(&want),
            "input {:?}",
            String::from_utf8_lossy(input)
        );
        assert_healthy(&mut good, round);
    }
    wait_for_clients(&server, 2);
    assert!(server.info_field("protocol_errors") >= cases.len() as u64);
}

#[test]
fn huge_inline_line_is_refused() {
    let server = Server::start(&[]);
    let mut good = server.connect();
    let mut bad = server.connect();
    // The server closes after 64 KiB, so the rest of the write may fail: that is fine.
    let _ = bad.send_raw(&vec![b'a'; 1024 * 1024]);
    if let Some(reply) = bad.reply() {
        assert_eq!(reply, b"-ERR Protocol error: too big inline request\r\n");
    }
    assert!(bad.closed_by_server());
    assert_healthy(&mut good, 0);
    // The same with a newline at the end.
    let mut bad = server.connect();
    let mut line = vec![b'b'; 1024 * 1024];
    line.extend_from_slice(b"\r\n");
    let _ = bad.send_raw(&line);
    if let Some(reply) = bad.reply() {
        assert_eq!(reply, b"-ERR Protocol error: too big inline request\r\n");
    }
    assert_healthy(&mut good, 1);
}

#[test]
fn binary_garbage_and_truncated_frames_do_not_hurt_others() {
    let server = Server::start(&[]);
    let mut good = server.connect();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for round in 0..50 {
        let mut bad = server.connect();
        let garbage: Vec<u8> = (0..(round * 37 % 4096 + 1))
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed >> 24) as u8
            })
            .collect();
        let _ = bad.send_raw(&garbage);
        drop(bad);
        assert_healthy(&mut good, round);
    }
    for truncated in [
        &b"*3\r\n$3\r\nSET\r\n$1\r\na"[..],
        b"*2\r\n$3\r\nGET\r\n$100\r\nabc",
        b"*5\r\n",
        b"PIN",
    ] {
        let mut bad = server.connect();
        bad.send_raw(truncated).expect("send");
        drop(bad);
        assert_healthy(&mut good, 0);
    }
    wait_for_clients(&server, 2);
}

#[test]
fn partial_frames_and_pipelines_over_tcp() {
    let server = Server::start(&[]);
    let mut c = server.connect();
    // One request trickled in byte by byte.
    for b in encode(&["SET", "trickle", "drop by drop"]) {
        c.send_raw(&[b]).expect("send");
    }
    assert_eq!(c.reply().expect("reply"), b"+OK\r\n");
    // A thousand requests in one write; the replies come back in order.
    const PIPELINE: usize = 1000;
    let mut batch = Vec::new();
    for i in 0..PIPELINE {
        batch.extend_from_slice(&encode(&["RPUSH", "plist", &i.to_string()]));
    }
    c.send_raw(&batch).expect("send");
    for i in 0..PIPELINE {
        assert_eq!(
            c.reply().expect("reply"),
            format!(":{}\r\n", i + 1).into_bytes()
        );
    }
    // Mixed inline and multibulk, split across writes in the middle of a bulk.
    c.send_raw(b"PING\r\n*2\r\n$3\r\nGET\r\n$7\r\ntri")
        .expect("send");
    // The PONG shows the server has read the first part before the rest is sent.
    assert_eq!(c.reply().expect("reply"), b"+PONG\r\n");
    c.send_raw(b"ckle\r\nECHO hi\r\n").expect("send");
    assert_eq!(c.reply().expect("reply"), b"$12\r\ndrop by drop\r\n");
    assert_eq!(c.reply().expect("reply"), b"$2\r\nhi\r\n");
}

#[test]
fn slow_reader_gets_every_reply_and_others_are_served() {
    let server = Server::start(&[]);
    let mut setup = server.connect();
    let element = "x".repeat(100);
    for _ in 0..100 {
        setup.command(&["RPUSH", "big", &element]);
    }
    // Each reply is 10,806 bytes: 3000 of them exceed the server's output high-water mark
    // (16 MiB, 1553 replies) twice over.
    const REQUESTS: usize = 3000;
    const REPLY_BYTES: u64 = 6 + 100 * 108;
    const OUTPUT_HIGH_WATER_BYTES: u64 = 16 * 1024 * 1024;
    const BACKLOG_REPLIES: u64 = OUTPUT_HIGH_WATER_BYTES.div_ceil(REPLY_BYTES);
    let mut slow = server.connect();
    let request = encode(&["LRANGE", "big", "0", "-1"]);
    let all: Vec<u8> = request
        .iter()
        .copied()
        .cycle()
        .take(request.len() * REQUESTS)
        .collect();
    let before = server.info_field("total_commands_processed");
    slow.send_raw(&all).expect("send");
    // Wait until the server has produced more unread output than its high-water mark.
    server.wait_for_info("total_commands_processed", SETTLE_TIMEOUT, |n| {
        n >= before + BACKLOG_REPLIES
    });
    let mut good = server.connect();
    assert_healthy(&mut good, 0);
    for _ in 0..REQUESTS {
        let reply = slow.reply().expect("reply");
        assert!(reply.starts_with(b"*100\r\n$100\r\n"));
    }
    assert_healthy(&mut good, 1);
}

#[test]
fn maxclients_refuses_extra_connections() {
    let server = Server::start(&["--maxclients", "2"]);
    let mut a = server.connect();
    assert_eq!(a.command(&["PING"]), b"+PONG\r\n");
    let mut b = server.connect();
    assert_eq!(b.command(&["PING"]), b"+PONG\r\n");
    let mut c = server.connect();
    assert_eq!(
        c.reply().expect("an error reply"),
        b"-ERR max number of clients reached\r\n"
    );
    assert!(c.closed_by_server());
    assert_eq!(a.command(&["PING"]), b"+PONG\r\n");
    drop(a);
    // The freed slot is usable again (the server notices the close within a moment).
    drop(connect_admitted(&server));
    drop(b);
    wait_for_clients(&server, 1);
    assert!(server.info_field("rejected_connections") >= 1);
}

/// A connection that answered PING (retrying while all slots are taken).
fn connect_admitted(server: &Server) -> Resp {
    let deadline = Instant::now() + SETTLE_TIMEOUT;
    loop {
        let mut c = server.connect();
        match c.command_or_close(&["PING"]) {
            Some(reply) if reply == b"+PONG\r\n" => return c,
            other => assert!(Instant::now() < deadline, "never admitted: {other:?}"),
        }
        thread::sleep(POLL_INTERVAL);
    }
}

#[test]
fn an_open_connection_is_not_reported_closed() {
    // Keeps `closed_by_server` honest: it must be able to say no.
    let server = Server::start(&[]);
    let mut c = server.connect();
    assert_eq!(c.command(&["PING"]), b"+PONG\r\n");
    assert!(!c.closed_within(NOT_CLOSED_WAIT));
    assert_eq!(c.command(&["PING"]), b"+PONG\r\n");
}

#[test]
fn maxmemory_refuses_writes_and_keeps_reads() {
    let server = Server::start(&["--maxmemory", "100kb"]);
    let mut c = server.connect();
    let value = "v".repeat(10_000);
    let mut stored = 0;
    let oom = loop {
        let reply = c.command(&["SET", &format!("key{stored}"), &value]);
        if reply != b"+OK\r\n" {
            break reply;
        }
        stored += 1;
        assert!(stored < 100, "maxmemory never reached");
    };
    assert_eq!(
        oom,
        b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"
    );
    assert_eq!(c.command(&["LPUSH", "list", "a"]), oom);
    assert_eq!(
        c.command(&["GET", "key0"]),
        format!("$10000\r\n{value}\r\n").into_bytes()
    );
    assert_eq!(
        c.command(&["DBSIZE"]),
        format!(":{stored}\r\n").into_bytes()
    );
    assert!(server.info_field("used_memory") > 100 * 1024);
    assert_eq!(c.command(&["DEL", "key0", "key1"]), b":2\r\n");
    assert_eq!(c.command(&["SET", "small", "1"]), b"+OK\r\n");
}

#[test]
fn bulk_and_query_buffer_limits_are_configurable() {
    let server = Server::start(&["--max-bulk-len", "1kb", "--max-query-buffer", "64kb"]);
    let mut good = server.connect();
    let mut c = server.connect();
    assert_eq!(c.command(&["SET", "k", &"a".repeat(1024)]), b"+OK\r\n");
    c.send_raw(&encode(&["SET", "k", &"a".repeat(1025)]))
        .expect("send");
    assert_eq!(
        c.reply().expect("reply"),
        b"-ERR Protocol error: invalid bulk length\r\n"
    );
    assert!(c.closed_by_server());
    // Many small arguments of one never-ending request: the unparsed input outgrows 64 KiB.
    let mut c = server.connect();
    let mut request = b"*100000\r\n".to_vec();
    for _ in 0..100 {
        request.extend_from_slice(&encode(&[&"b".repeat(1000)])[4..]);
    }
    let _ = c.send_raw(&request);
    if let Some(reply) = c.reply() {
        assert_eq!(
            reply,
            b"-ERR Protocol error: query buffer exceeds client-query-buffer-limit\r\n"
        );
    }
    assert_healthy(&mut good, 0);
}
