//! The real `redis-cli` against the real `dbserver` binary.

mod common;

use common::{run_tool, Server};
use std::time::Duration;

/// Time limit for one `redis-cli` run.
const CLI_LIMIT: Duration = Duration::from_secs(30);

/// Run `redis-cli -p <port> <args>` with `stdin`; returns stdout (stderr must be empty
/// apart from the password warning).
fn cli(server: &Server, args: &[&str], stdin: &str) -> String {
    let port = server.port.to_string();
    let mut all = vec!["-h", "127.0.0.1", "-p", &port];
    all.extend_from_slice(args);
    let out = run_tool("redis-cli", &all, stdin, CLI_LIMIT);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let unexpected: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.contains("Using a password"))
        .collect();
    assert!(unexpected.is_empty(), "redis-cli stderr: {stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn session_of_common_commands() {
    let server = Server::start(&[]);
    let script = "SET greeting hello\n\
                  GET greeting\n\
                  INCR counter\n\
                  INCR counter\n\
                  LPUSH list a b c\n\
                  LRANGE list 0 -1\n\
                  EXPIRE greeting 100\n\
                  TTL greeting\n\
                  TTL counter\n\
                  nosuchcommand x y\n\
                  GET missing\n\
                  DBSIZE\n";
    let out = cli(&server, &[], script);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "OK",
            "hello",
            "1",
            "2",
            "3",
            "c",
            "b",
            "a",
            "1",
            "100",
            "-1",
            "ERR unknown command 'nosuchcommand', with args beginning with: 'x' 'y' ",
            "", // redis-cli follows an error with an empty line
            "", // the nil reply
            "3",
        ],
        "full output: {out}"
    );
}

#[test]
fn one_shot_commands_and_info() {
    let server = Server::start(&[]);
    assert_eq!(cli(&server, &["PING"], ""), "PONG\n");
    assert_eq!(cli(&server, &["SET", "k", "v w"], ""), "OK\n");
    assert_eq!(cli(&server, &["GET", "k"], ""), "v w\n");
    let info = cli(&server, &["INFO"], "");
    assert!(info.contains("connected_clients:1"), "{info}");
    assert!(info.contains("# Platform"), "{info}");
    assert!(info.contains("user_cpu_ns:"), "{info}");
    // What redis-cli asks in interactive mode (COMMAND DOCS) must not be an error.
    assert!(!cli(&server, &["COMMAND", "DOCS"], "").contains("ERR"));
}

#[test]
fn requirepass_needs_auth() {
    let server = Server::start(&["--requirepass", "s3cret"]);
    assert_eq!(
        cli(&server, &["GET", "k"], "").trim_end(),
        "NOAUTH Authentication required."
    );
    assert_eq!(cli(&server, &["-a", "s3cret", "SET", "k", "v"], ""), "OK\n");
    assert_eq!(cli(&server, &["-a", "s3cret", "GET", "k"], ""), "v\n");
    let port = server.port.to_string();
    let wrong = run_tool(
        "redis-cli",
        &["-p", &port, "-a", "wrong", "GET", "k"],
        "",
        CLI_LIMIT,
    );
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert!(stderr.contains("AUTH failed: WRONGPASS"), "{stderr}");
    assert!(String::from_utf8_lossy(&wrong.stdout).contains("NOAUTH"));
    let session = cli(&server, &[], "GET k\nAUTH wrong\nAUTH s3cret\nGET k\n");
    assert_eq!(
        session
            .lines()
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>(),
        [
            "NOAUTH Authentication required.",
            "WRONGPASS invalid username-password pair or user is disabled.",
            "OK",
            "v"
        ]
    );
}

#[test]
fn without_requirepass_auth_is_an_error() {
    let server = Server::start(&[]);
    let out = cli(&server, &[], "AUTH whatever\nPING\n");
    assert!(
        out.starts_with("ERR AUTH <password> called without any password configured"),
        "{out}"
    );
    assert!(out.ends_with("PONG\n"), "{out}");
}

/// The Unix time now, in seconds.
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[test]
fn absolute_expire_times_use_the_wall_clock() {
    let server = Server::start(&[]);
    let at = unix_now() + 100;
    let script = format!(
        "SET k v EXAT {at}\nTTL k\nEXPIRETIME k\nSET k v PXAT {}\nPTTL k\n\
         EXPIREAT k {}\nTTL k\nEXPIRE k 9223370399119966\nTIME\n",
        at * 1000 + 500,
        at + 100
    );
    let out = cli(&server, &[], &script);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "OK");
    let ttl: u64 = lines[1].parse().unwrap_or(0);
    assert!((98..=100).contains(&ttl), "{out}");
    assert_eq!(lines[2], at.to_string());
    assert_eq!(lines[3], "OK");
    let pttl: u64 = lines[4].parse().unwrap_or(0);
    assert!((98_000..=100_500).contains(&pttl), "{out}");
    assert_eq!(lines[5], "1");
    let ttl: u64 = lines[6].parse().unwrap_or(0);
    assert!((198..=200).contains(&ttl), "{out}");
    assert_eq!(lines[7], "ERR invalid expire time in 'expire' command");
    let secs: u64 = lines[9].parse().unwrap_or(0);
    assert!(secs.abs_diff(unix_now()) <= 2, "{out}");
}

#[test]
fn transaction_and_watch_between_two_clients() {
    let server = Server::start(&[]);
    let out = cli(
        &server,
        &[],
        "MULTI\nSET a 1\nINCR a\nLPUSH a x\nEXEC\nWATCH a\nMULTI\nGET a\n",
    );
    assert!(
        out.starts_with("OK\nQUEUED\nQUEUED\nQUEUED\nOK\n2\n"),
        "{out}"
    );
    // A second client: WATCH, then another client writes, then EXEC fails.
    let mut first = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    use std::io::{Read, Write};
    first.write_all(b"WATCH a\r\nMULTI\r\nGET a\r\n").unwrap();
    let mut buf = [0u8; 64];
    let mut got = Vec::new();
    while got.len() < b"+OK\r\n+OK\r\n+QUEUED\r\n".len() {
        let n = first.read(&mut buf).unwrap();
        assert!(n > 0);
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(cli(&server, &["SET", "a", "changed"], ""), "OK\n");
    first.write_all(b"EXEC\r\n").unwrap();
    let n = first.read(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"*-1\r\n");
}

#[test]
fn blocking_pop_is_served_by_a_push_from_another_client() {
    let server = Server::start(&[]);
    let port = server.port;
    let waiter = std::thread::spawn(move || {
        let mut c = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        use std::io::{Read, Write};
        c.write_all(b"BLPOP queue 10\r\nPING\r\n").unwrap();
        let want = b"*2\r\n$5\r\nqueue\r\n$3\r\njob\r\n+PONG\r\n".len();
        let mut got = Vec::new();
        let mut buf = [0u8; 256];
        while got.len() < want {
            let n = c.read(&mut buf).unwrap();
            assert!(n > 0);
            got.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&got).into_owned()
    });
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(cli(&server, &["RPUSH", "queue", "job"], ""), "1\n");
    let got = waiter.join().unwrap();
    assert_eq!(got, "*2\r\n$5\r\nqueue\r\n$3\r\njob\r\n+PONG\r\n");
    let started = std::time::Instant::now();
    assert_eq!(cli(&server, &["BLPOP", "nothing", "0.2"], ""), "\n");
    assert!(started.elapsed() >= Duration::from_millis(190));
}

#[test]
fn publish_reaches_a_subscriber_on_another_connection() {
    use std::io::{Read, Write};
    let server = Server::start(&[]);
    let mut sub = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    sub.write_all(b"SUBSCRIBE news\r\nPSUBSCRIBE n*\r\n")
        .unwrap();
    let confirm = "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:2\r\n";
    let message = "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n\
                   *4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$5\r\nhello\r\n";
    let read_exactly = |s: &mut std::net::TcpStream, len: usize| {
        let mut got = Vec::new();
        let mut buf = [0u8; 512];
        while got.len() < len {
            let n = s.read(&mut buf).unwrap();
            assert!(n > 0);
            got.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&got).into_owned()
    };
    assert_eq!(read_exactly(&mut sub, confirm.len()), confirm);
    assert_eq!(cli(&server, &["PUBLISH", "news", "hello"], ""), "2\n");
    assert_eq!(read_exactly(&mut sub, message.len()), message);
    assert_eq!(cli(&server, &["PUBSUB", "NUMSUB", "news"], ""), "news\n1\n");
}

#[test]
fn info_reports_cpu_time() {
    let server = Server::start(&[]);
    let out = cli(&server, &["INFO", "cpu"], "");
    assert!(out.contains("# CPU"), "{out}");
    let user = out
        .lines()
        .find_map(|l| l.strip_prefix("used_cpu_user:"))
        .and_then(|v| v.trim().parse::<f64>().ok());
    assert!(user.is_some_and(|u| u >= 0.0), "{out}");
}

#[test]
fn redis_cli_speaks_resp3_after_hello_3() {
    let server = Server::start(&[]);
    let script = "HSET h field value\nHGETALL h\nSADD s m\nSMEMBERS s\nZADD z 0.1 a\n\
                  ZSCORE z a\nZRANGE z 0 -1 WITHSCORES\nGET missing\nHELLO 3\n";
    let out = cli(&server, &["-3", "--no-raw"], script);
    let want = "(integer) 1\n\
                1# \"field\" => \"value\"\n\
                (integer) 1\n\
                1~ \"m\"\n\
                (integer) 1\n\
                (double) 0.10000000000000001\n\
                1) 1) \"a\"\n   2) (double) 0.10000000000000001\n\
                (nil)\n";
    assert!(out.starts_with(want), "{out}");
    assert!(out.contains("\"proto\" => (integer) 3"), "{out}");
}

#[test]
fn resp3_subscriber_gets_push_messages() {
    use std::io::{Read, Write};
    let server = Server::start(&[]);
    let mut sub = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    sub.write_all(b"HELLO 3\r\nSUBSCRIBE news\r\n").unwrap();
    let confirm = ">3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n";
    let mut got = Vec::new();
    let mut buf = [0u8; 512];
    while !String::from_utf8_lossy(&got).ends_with(confirm) {
        let n = sub.read(&mut buf).unwrap();
        assert!(
            n > 0,
            "connection closed: {}",
            String::from_utf8_lossy(&got)
        );
        got.extend_from_slice(&buf[..n]);
    }
    assert!(
        got.starts_with(b"%7\r\n"),
        "{}",
        String::from_utf8_lossy(&got)
    );
    assert_eq!(cli(&server, &["PUBLISH", "news", "hi"], ""), "1\n");
    let message = ">3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n";
    let mut got = Vec::new();
    while got.len() < message.len() {
        let n = sub.read(&mut buf).unwrap();
        assert!(n > 0);
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(String::from_utf8_lossy(&got), message);
}
