//! End to end: a tiny `loadgen compare` against real servers on loopback.
//!
//! Needs Debian's `redis-server` (package `redis-server`). The `linux-host` test also needs the
//! workspace's `dbserver` binary (found next to loadgen or built with
//! `cargo build --release -p dbserver`).

mod common;

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use loadgen::csv_out::{self, ResultRow};
use loadgen::report;

const REDIS_SERVER: &str = "/usr/bin/redis-server";

/// A throw-away redis-server on a free loopback port; killed on drop.
struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    fn start() -> Redis {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(REDIS_SERVER)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (apt-get install redis-server)");
        let redis = Redis { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        redis
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a tiny compare and returns the run directory's rows; asserts the outputs are valid.
fn tiny_compare(targets: &[String], out: &Path) -> Vec<ResultRow> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_loadgen"));
    if targets.iter().any(|t| t == "linux-host") {
        // Test the current dbserver source, not whatever binary lies next to loadgen.
        let dbserver = loadgen::targets::host::build_dbserver().expect("building dbserver");
        cmd.env(loadgen::targets::host::DBSERVER_ENV, dbserver);
    }
    let output = cmd
        .args(["compare", "--targets", &targets.join(",")])
        .args(["--workloads", "get:p4,set:p1", "--rounds", "2"])
        .args(["--duration", "0.5", "--warmup", "0.2", "--connections", "4"])
        .args(["--keyspace", "1000", "--value-size", "64"])
        .arg("--out-dir")
        .arg(out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "compare failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains("report: "), "{stdout}");

    let runs: Vec<_> = std::fs::read_dir(out).unwrap().flatten().collect();
    assert_eq!(runs.len(), 1, "one run directory");
    let dir = runs[0].path();
    let rows = csv_out::read_rows(&dir.join(report::RESULTS_CSV)).unwrap();

    // Interleaved: round 1 (each workload × each target), then round 2.
    let expected: Vec<(String, String)> = (0..2)
        .flat_map(|_| ["get:p4", "set:p1"])
        .flat_map(|w| targets.iter().map(move |t| (w.to_string(), t.clone())))
        .collect();
    let got: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r.workload.clone(), r.target.clone()))
        .collect();
    assert_eq!(got, expected);
    for r in &rows {
        assert!(r.ops > 0 && r.ops_per_s > 0.0, "{r:?}");
        assert_eq!(r.errors, 0, "{r:?}");
        assert!(r.p50_us.is_some() && r.p99_us >= r.p50_us, "{r:?}");
        assert_eq!(r.accelerator, "none");
        assert!(
            r.host_cpu_s.is_some(),
            "host CPU of a loopback server is known: {r:?}"
        );
        assert!(r.loadgen_cpu_s > 0.0);
    }

    let md = std::fs::read_to_string(dir.join(report::REPORT_MD)).unwrap();
    for t in targets {
        assert!(md.contains(&format!("| {t} |")), "report lacks {t}");
    }
    assert!(md.contains("## Environment") && md.contains("cpu: "));
    let mut labels: Vec<&str> = targets.iter().map(String::as_str).collect();
    labels.extend(["get:p4", "set:p1"]);
    common::assert_svg(&dir.join(report::THROUGHPUT_SVG), &labels);
    common::assert_svg(&dir.join(report::P99_SVG), &labels);
    let env = std::fs::read_to_string(dir.join(report::ENVIRONMENT_TXT)).unwrap();
    assert!(env.contains("command: ") && env.contains("rustc: "));
    rows
}

#[test]
fn compare_against_redis_server() {
    let redis = Redis::start();
    let out = tempfile::tempdir().unwrap();
    tiny_compare(&[format!("127.0.0.1:{}", redis.port)], out.path());
}

#[test]
fn compare_linux_host_and_redis_server() {
    let redis = Redis::start();
    let out = tempfile::tempdir().unwrap();
    tiny_compare(
        &[
            "linux-host".to_string(),
            format!("127.0.0.1:{}", redis.port),
        ],
        out.path(),
    );
}

/// The VM targets through ring0db-images (slow under TCG; run with `--ignored`), under QEMU
/// user networking (`--net user`): the Linux guest's CPU agent is reached through its
/// loopback forward, so its rows carry the guest's user/system split like tap runs do.
#[test]
#[ignore = "boots QEMU guests; run with cargo test -p loadgen -- --ignored"]
fn compare_vm_targets() {
    let out = tempfile::tempdir().unwrap();
    let targets: Vec<String> = ["unikernel", "linux-vm"]
        .iter()
        .map(|t| t.to_string())
        .collect();
    let output = Command::new(env!("CARGO_BIN_EXE_loadgen"))
        .args(["compare", "--net", "user", "--targets", &targets.join(",")])
        .args(["--workloads", "get:p4", "--rounds", "1"])
        .args([
            "--duration",
            "1",
            "--warmup",
            "0.5",
            "--connections",
            "2",
            "--keyspace",
            "100",
        ])
        .arg("--out-dir")
        .arg(out.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let dir = std::fs::read_dir(out.path())
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    let rows = csv_out::read_rows(&dir.join(report::RESULTS_CSV)).unwrap();
    assert_eq!(rows.len(), 2, "{stderr}");
    for r in &rows {
        assert!(r.ops > 0 && r.errors == 0, "{r:?}");
        assert!(r.accelerator == "tcg" || r.accelerator == "kvm", "{r:?}");
        assert!(!r.accel_reason.is_empty());
        assert!(r.host_cpu_s.is_some(), "QEMU's CPU time: {r:?}");
        assert!(
            r.user_cpu_s.is_some() && r.system_cpu_s.is_some(),
            "the guest's CPU split over user networking: {r:?}"
        );
    }
    let linux = rows.iter().find(|r| r.target == "linux-vm").unwrap();
    assert_eq!(
        linux.cpu_source.as_deref(),
        Some("guest-agent"),
        "{linux:?}"
    );
}
