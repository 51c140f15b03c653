//! The `mariadb-vm` guest answers SQL on port 3306 over tap (client inside the namespace)
//! and over user networking (client on 127.0.0.1); the `linux-vm` guest's dbserver listens
//! for SQL on 3306 too. Real QEMU (TCG), real MariaDB, real `mariadb` client. Under user
//! networking the guest's CPU agent is reached through its loopback forward too.

mod common;

use common::{linux_guest, require_root, spec_and_accel, BOOT_TIMEOUT};
use ring0db_images::netns::{SQL_GUEST_PORT, TAP_GUEST_ADDR};
use ring0db_images::{Image, NetAttach, RunningVm, SerialOptions};
use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The guest's ready line for the SQL port.
const SQL_READY: &str = "ring0db-linux: serving on port 3306";
/// Bound on one `mariadb` client run (connect + query).
const CLIENT_TIMEOUT: Duration = Duration::from_secs(60);
/// How often a running client is polled.
const POLL_INTERVAL: Duration = Duration::from_millis(20);
/// Spawn attempts when QEMU cannot bind a forwarded loopback port (another process took
/// it between picking and binding).
const USER_NET_ATTEMPTS: usize = 5;
/// The query, and what the client prints for it with `-N -B`.
const QUERY: &str = "SELECT 1, @@datadir, @@innodb_flush_log_at_trx_commit, @@log_bin, @@port";
const EXPECTED: &str = "1\t/dev/shm/mysql/\t0\t0\t3306";

/// Runs `mariadb -u root -N -B -e QUERY` with `args` (host, port), killed after
/// [`CLIENT_TIMEOUT`].
fn mariadb_client(mut cmd: Command, host: &str, port: u16, query: &str) -> Output {
    cmd.args(["-h", host, "-P", &port.to_string(), "-u", "root"])
        .args(["--connect-timeout=30", "-N", "-B", "-e", query])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .expect("run the mariadb client (apt-get install mariadb-client)");
    let deadline = Instant::now() + CLIENT_TIMEOUT;
    while child.try_wait().expect("wait for mariadb").is_none() {
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the mariadb client did not finish within {CLIENT_TIMEOUT:?}");
        }
        std::thread::sleep(POLL_INTERVAL);
    }
    child.wait_with_output().expect("mariadb output")
}

fn assert_answers(out: &Output, vm: &RunningVm) {
    assert!(
        out.status.success(),
        "mariadb failed ({}): {}\n--- serial ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        vm.serial_log()
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), EXPECTED);
}

fn boot(image: &Image, net: NetAttach) -> RunningVm {
    let (spec, accel) = spec_and_accel();
    RunningVm::spawn(&spec, image, net, &accel, SerialOptions::default()).expect("spawn QEMU")
}

#[test]
fn mariadb_guest_answers_sql_on_tap() {
    require_root();
    ring0db_images::cleanup::install_signal_handler().expect("signal handler");
    let image = linux_guest().mariadb_image();
    let vm = boot(
        &image,
        NetAttach::tap().expect("creating the tap namespace"),
    );
    vm.wait_for_line(SQL_READY, BOOT_TIMEOUT)
        .expect("mariadbd listens on 3306");
    let ns = vm.net().netns().expect("tap namespace");
    let host = TAP_GUEST_ADDR.to_string();
    let out = mariadb_client(ns.command("mariadb"), &host, SQL_GUEST_PORT, QUERY);
    assert_answers(&out, &vm);
}

#[test]
fn mariadb_guest_answers_sql_over_user_networking() {
    ring0db_images::cleanup::install_signal_handler().expect("signal handler");
    let image = linux_guest().mariadb_image();
    for attempt in 1..=USER_NET_ATTEMPTS {
        let vm = boot(
            &image,
            NetAttach::user_with_sql().expect("free loopback ports"),
        );
        if let Err(e) = vm.wait_for_line(SQL_READY, BOOT_TIMEOUT) {
            let text = format!("{e:#}");
            if text.contains("port is in use") && attempt < USER_NET_ATTEMPTS {
                eprintln!("attempt {attempt}: forwarded port taken meanwhile, retrying");
                continue;
            }
            panic!("mariadbd listens on 3306: {text}");
        }
        let addr = vm.net().sql_client_addr().expect("SQL port forwarded");
        let out = mariadb_client(
            Command::new("mariadb"),
            &addr.ip().to_string(),
            addr.port(),
            QUERY,
        );
        assert_answers(&out, &vm);
        assert_cpu_agent_answers(&vm);
        return;
    }
}

/// The CPU agent answers through the network attachment: its magic line, the guest's
/// `/proc/stat` `cpu` line, the server's `/proc/PID/stat` and `end`.
fn assert_cpu_agent_answers(vm: &RunningVm) {
    let reply = ring0db_images::agent::request(vm.net(), "cpu", CLIENT_TIMEOUT, 64 * 1024)
        .expect("the agent's reply");
    let lines: Vec<&str> = reply.lines().collect();
    assert_eq!(lines.first(), Some(&"ring0db-cpu 1"), "{reply}");
    assert!(
        lines.iter().any(|l| l.starts_with("cpu ")),
        "no cpu line: {reply}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("server ") && l.contains("(mariadbd)")),
        "no server line: {reply}"
    );
    assert_eq!(lines.last(), Some(&"end"), "{reply}");
}

#[test]
fn dbserver_guest_listens_for_sql_on_3306() {
    require_root();
    ring0db_images::cleanup::install_signal_handler().expect("signal handler");
    let image = linux_guest().dbserver_image();
    let vm = boot(
        &image,
        NetAttach::tap().expect("creating the tap namespace"),
    );
    vm.wait_for_line("ring0db-linux: serving on port 6379", BOOT_TIMEOUT)
        .expect("RESP port");
    vm.wait_for_line(SQL_READY, BOOT_TIMEOUT).expect("SQL port");
    // The server speaks first: a MySQL handshake packet (3-byte length, sequence 0,
    // protocol version 10).
    let mut stream = vm
        .net()
        .connect_port(SQL_GUEST_PORT, Duration::from_secs(10))
        .expect("connect to the SQL port inside the namespace");
    stream
        .set_read_timeout(Some(CLIENT_TIMEOUT))
        .expect("read timeout");
    let mut header = [0u8; 5];
    stream.read_exact(&mut header).expect("handshake packet");
    assert_eq!(header[3], 0, "sequence id of the greeting: {header:?}");
    assert_eq!(
        header[4], 10,
        "protocol version of the greeting: {header:?}"
    );
}
