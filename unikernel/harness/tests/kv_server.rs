//! The KV server in ring 0: the appliance image in QEMU (tap in a namespace), driven by
//! Debian's real `redis-cli` and `redis-benchmark` run inside the namespace, with the
//! server's system calls as function calls (`syscall=call`) and as traps (`syscall=trap`).

use std::io::{Read, Write};
use std::process::Output;
use std::time::Duration;

use ring0db_harness::{NetVm, Network};
use ring0db_images::netns::{GUEST_PORT, TAP_GUEST_ADDR};
use ring0db_images::NetAttach;

const SYSCALL_PATHS: [&str; 2] = ["call", "trap"];
/// How far the guest's wall clock may be from the host's (the RTC has 1 s resolution).
const WALL_CLOCK_SLACK_S: u64 = 60;

fn boot_server(extra: &str) -> NetVm {
    let vm = NetVm::boot(Network::Tap, extra).unwrap_or_else(|e| panic!("boot `{extra}`: {e:#}"));
    drop(
        vm.connect(GUEST_PORT)
            .expect("the server accepts connections"),
    );
    vm
}

/// Runs a real client (`redis-cli`, `redis-benchmark`) inside the VM's namespace.
fn client(vm: &NetVm, program: &str, args: &[&str]) -> Output {
    let NetAttach::Tap(netns) = vm.vm.net() else {
        unreachable!("tap VM")
    };
    let host = TAP_GUEST_ADDR.to_string();
    let port = GUEST_PORT.to_string();
    netns
        .command(program)
        .args(["-h", &host, "-p", &port])
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run {program} ({e}); install it: apt-get install redis-tools")
        })
}

/// `redis-cli ARGS`: its stdout (replies, errors included), then its stderr.
fn cli(vm: &NetVm, args: &[&str]) -> String {
    let output = client(vm, "redis-cli", args);
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    text.trim_end().to_string()
}

#[test]
fn redis_cli_session() {
    for path in SYSCALL_PATHS {
        let vm = boot_server(&format!("syscall={path}"));
        assert_eq!(cli(&vm, &["PING"]), "PONG");
        assert_eq!(cli(&vm, &["SET", "greeting", "hello ring 0"]), "OK");
        assert_eq!(cli(&vm, &["GET", "greeting"]), "hello ring 0");
        assert_eq!(cli(&vm, &["INCR", "counter"]), "1");
        assert_eq!(cli(&vm, &["INCR", "counter"]), "2");
        assert_eq!(cli(&vm, &["LPUSH", "list", "a", "b", "c"]), "3");
        assert_eq!(cli(&vm, &["LRANGE", "list", "0", "-1"]), "c\nb\na");
        assert_eq!(cli(&vm, &["EXPIRE", "greeting", "100"]), "1");
        let ttl: u32 = cli(&vm, &["TTL", "greeting"])
            .parse()
            .expect("TTL is a number");
        assert!((1..=100).contains(&ttl), "TTL {ttl}");
        let unknown = cli(&vm, &["FROBNICATE", "x"]);
        assert!(
            unknown.starts_with("ERR unknown command 'FROBNICATE'"),
            "{unknown}"
        );
        // The wall clock comes from the VM's CMOS RTC, which QEMU sets to the host's UTC
        // time: TIME agrees with the host's clock (a correctness check; the slack covers
        // a slow boot under TCG, not a timing measurement).
        let time = cli(&vm, &["TIME"]);
        let guest_seconds: u64 = time
            .lines()
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("TIME reply {time:?}"));
        let host_seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("host clock after 1970")
            .as_secs();
        assert!(
            guest_seconds.abs_diff(host_seconds) <= WALL_CLOCK_SLACK_S,
            "guest TIME {guest_seconds} vs host {host_seconds}"
        );
        assert_eq!(
            cli(
                &vm,
                &[
                    "SET",
                    "abs",
                    "v",
                    "EXAT",
                    &(host_seconds + 1000).to_string()
                ]
            ),
            "OK"
        );
        let ttl: u64 = cli(&vm, &["TTL", "abs"]).parse().expect("TTL is a number");
        assert!(
            (1000 - WALL_CLOCK_SLACK_S..=1000 + WALL_CLOCK_SLACK_S).contains(&ttl),
            "TTL {ttl}"
        );
        let info = cli(&vm, &["INFO"]);
        for field in [
            "connected_clients:",
            "total_commands_processed:",
            "busy_cycles:",
            "idle_cycles:",
            "kernel_calls_recv:",
        ] {
            assert!(info.contains(field), "INFO lacks {field}:\n{info}");
        }
        assert!(
            info.contains(&format!("syscalls_via_trap:{}", u8::from(path == "trap"))),
            "{info}"
        );
    }
}

#[test]
fn auth_is_required_when_a_password_is_configured() {
    let vm = boot_server("requirepass=s3cret");
    assert!(
        cli(&vm, &["GET", "x"]).starts_with("NOAUTH"),
        "a command before AUTH must be refused"
    );
    assert_eq!(
        cli(&vm, &["-a", "s3cret", "--no-auth-warning", "SET", "x", "1"]),
        "OK"
    );
    let wrong = cli(&vm, &["-a", "wrong", "--no-auth-warning", "GET", "x"]);
    assert!(
        wrong.contains("WRONGPASS") && wrong.contains("NOAUTH"),
        "{wrong}"
    );
}

#[test]
fn redis_benchmark_default_suite_completes_without_errors() {
    for path in SYSCALL_PATHS {
        let vm = boot_server(&format!("syscall={path}"));
        for pipeline in ["1", "16"] {
            let output = client(
                &vm,
                "redis-benchmark",
                &["-q", "-n", "2000", "-c", "20", "-P", pipeline],
            );
            let stdout = String::from_utf8_lossy(&output.stdout);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(
                output.status.success() && stderr.trim().is_empty(),
                "redis-benchmark -P {pipeline} (syscall={path}) failed:\n{stdout}\n{stderr}"
            );
            for test in [
                "PING_INLINE",
                "SET",
                "GET",
                "INCR",
                "LPUSH",
                "LRANGE_600",
                "MSET",
            ] {
                assert!(
                    stdout.contains(&format!("{test}:")) || stdout.contains(&format!("{test} (")),
                    "no {test} result (syscall={path}, -P {pipeline}):\n{stdout}"
                );
            }
        }
        let stats = cli(&vm, &["INFO", "stats"]);
        assert!(
            !stats.contains("unknown_commands:1") && !stats.contains("protocol_errors:1"),
            "{stats}"
        );
    }
}

#[test]
fn malformed_input_leaves_the_server_serving_other_clients() {
    let vm = boot_server("");
    let mut good = vm.connect(GUEST_PORT).expect("connect");
    good.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let attacks: [&[u8]; 6] = [
        b"*1\r\n$-5\r\nPING\r\n",
        b"*2\r\n$3\r\nGET\r\n$99999999999999999999\r\n",
        b"*-7\r\n",
        b"*3\r\n$3\r\nSET\r\n$1\r\n",
        b"\x00\xff\xfe garbage \x01\x02\r\n\r\n*\r\n$\r\n",
        &[b'A'; 1 << 20],
    ];
    for attack in attacks {
        let mut bad = vm.connect(GUEST_PORT).expect("connect");
        bad.set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        let _ = bad.write_all(attack);
        let _ = bad.shutdown(std::net::Shutdown::Write);
        let mut reply = Vec::new();
        let _ = bad.read_to_end(&mut reply);
        good.write_all(b"*1\r\n$4\r\nPING\r\n").expect("send PING");
        let mut pong = [0u8; 7];
        good.read_exact(&mut pong)
            .expect("the good client still gets answers");
        assert_eq!(&pong, b"+PONG\r\n");
    }
}

#[test]
fn maxclients_and_maxmemory_are_answered_with_errors() {
    let vm = boot_server("maxclients=3 maxmemory=1mb");
    let held: Vec<_> = (0..3)
        .map(|_| vm.connect(GUEST_PORT).expect("connect"))
        .collect();
    let refused = cli(&vm, &["PING"]);
    assert!(
        refused.contains("max number of clients reached"),
        "{refused}"
    );
    drop(held);
    wait_until_only_info_client(&vm);
    let big = "x".repeat(64 * 1024);
    let mut oom = String::new();
    for key in 0..40 {
        oom = cli(&vm, &["SET", &format!("key{key}"), &big]);
        if oom.starts_with("OOM") {
            break;
        }
    }
    assert!(
        oom.starts_with("OOM command not allowed"),
        "writes past maxmemory must fail with OOM, last reply {oom:?}"
    );
    assert_eq!(cli(&vm, &["GET", "missing"]), "", "reads keep working");
    assert_eq!(cli(&vm, &["STRLEN", "key0"]), (64 * 1024).to_string());
}

/// Polls `INFO clients` until the only connected client is the INFO connection itself
/// (the server has noticed every closed connection).
fn wait_until_only_info_client(vm: &NetVm) {
    const SETTLE_TIMEOUT: Duration = Duration::from_secs(30);
    let deadline = std::time::Instant::now() + SETTLE_TIMEOUT;
    loop {
        let info = cli(vm, &["INFO", "clients"]);
        if info.lines().any(|l| l.trim() == "connected_clients:1") {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "closed connections still counted after {SETTLE_TIMEOUT:?}:\n{info}"
        );
    }
}
