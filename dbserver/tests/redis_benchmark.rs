//! The real `redis-benchmark` default suite against the real `dbserver` binary.

mod common;

use common::{run_tool, Server};
use std::time::Duration;

/// Time limit for one benchmark run (it takes about a second on a quiet machine).
const BENCH_LIMIT: Duration = Duration::from_secs(300);

/// The tests of redis-benchmark 7's default suite, as it names them.
const DEFAULT_SUITE: &[&str] = &[
    "PING_INLINE",
    "PING_MBULK",
    "SET",
    "GET",
    "INCR",
    "LPUSH",
    "RPUSH",
    "LPOP",
    "RPOP",
    "SADD",
    "HSET",
    "SPOP",
    "ZADD",
    "ZPOPMIN",
    "LRANGE_100",
    "LRANGE_300",
    "LRANGE_500",
    "LRANGE_600",
    "MSET",
];

fn default_suite(pipeline: &str) {
    let server = Server::start(&[]);
    let port = server.port.to_string();
    let args = [
        "-h",
        "127.0.0.1",
        "-p",
        &port,
        "-q",
        "-n",
        "2000",
        "-c",
        "20",
        "-P",
        pipeline,
    ];
    let out = run_tool("redis-benchmark", &args, "", BENCH_LIMIT);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "redis-benchmark failed: {stderr}");
    assert!(stderr.trim().is_empty(), "redis-benchmark stderr: {stderr}");
    let text = stdout.replace('\r', "\n");
    for test in DEFAULT_SUITE {
        let found = text.lines().map(str::trim).any(|l| {
            l.strip_prefix(test)
                .is_some_and(|rest| rest.starts_with(": ") && rest.contains("requests per second"))
                || l.strip_prefix(test).is_some_and(|rest| {
                    rest.starts_with(" (") && rest.contains("requests per second")
                })
        });
        assert!(found, "{test} missing from output: {stdout}");
    }
    // redis-benchmark ignores error replies unless told otherwise: count them ourselves.
    assert_eq!(
        server.info_field("total_error_replies"),
        0,
        "error replies during the benchmark"
    );
    assert_eq!(
        server.info_field("unknown_commands"),
        0,
        "the suite sent commands we lack"
    );
    assert_eq!(server.info_field("protocol_errors"), 0);
    assert!(server.info_field("total_commands_processed") >= 2000 * DEFAULT_SUITE.len() as u64);
}

#[test]
fn default_suite_without_pipelining() {
    default_suite("1");
}

#[test]
fn default_suite_with_pipelining() {
    default_suite("16");
}
