//! Shared helpers for the integration tests (real QEMU, TCG).
#![allow(dead_code)]

use ring0db_images::{
    build, Accel, AccelChoice, Image, NetAttach, RunningVm, SerialOptions, VmSpec,
};
use std::net::TcpStream;
use std::sync::OnceLock;
use std::time::Duration;

/// Linux guest boot under TCG takes ~6-10 s here; leave generous headroom for a loaded CI box.
pub const BOOT_TIMEOUT: Duration = Duration::from_secs(120);

/// Fails the test with a clear message unless running as root (CI runs as root).
pub fn require_root() {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let euid = unsafe { libc::geteuid() };
    assert_eq!(
        euid, 0,
        "this test creates a network namespace with a tap device: run it as root"
    );
}

/// The Linux guest, built once per test binary (a no-op when the outputs are up to date).
pub fn linux_guest() -> &'static build::LinuxGuest {
    static GUEST: OnceLock<build::LinuxGuest> = OnceLock::new();
    GUEST.get_or_init(|| build::linux_guest().expect("building the Linux guest images"))
}

pub fn spec_and_accel() -> (VmSpec, AccelChoice) {
    let spec = VmSpec::load().expect("images/vm.toml");
    let accel = Accel::Auto.resolve().expect("accelerator");
    eprintln!("accelerator: {}", accel.reason);
    (spec, accel)
}

/// Boots `image` on a fresh tap namespace and waits until the server answers PING.
pub fn boot_on_tap(image: &Image) -> RunningVm {
    require_root();
    ring0db_images::cleanup::install_signal_handler().expect("signal handler");
    let (spec, accel) = spec_and_accel();
    let net = NetAttach::tap().expect("creating the tap namespace");
    let mut vm =
        RunningVm::spawn(&spec, image, net, &accel, SerialOptions::default()).expect("spawn QEMU");
    let t = vm.wait_for_ping(BOOT_TIMEOUT).expect("guest answers PING");
    eprintln!(
        "{}: QEMU start to first PONG: {:.2} s",
        image.name,
        t.as_secs_f64()
    );
    vm
}

/// One RESP command over `stream`, returning the first reply line.
pub fn cmd(stream: &mut TcpStream, args: &[&str]) -> String {
    ring0db_images::resp::command(stream, args).unwrap_or_else(|e| panic!("{args:?}: {e:#}"))
}

/// Names of the network namespaces that currently exist.
pub fn netns_list() -> Vec<String> {
    let out = std::process::Command::new("ip")
        .args(["netns", "list"])
        .output()
        .expect("ip netns list");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

/// True if a process with this pid exists (zombies count as gone).
pub fn process_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z'),
        Err(_) => false,
    }
}
