//! Boots the real unikernel with its virtio-net NIC on a tap device inside a network
//! namespace created for the test, and pings it from inside that namespace, once with
//! the interrupt-driven idle loop (`net=irq`) and once busy-polling (`net=poll`). Also
//! checks that malformed network settings stop the boot with a clear message.
//!
//! The ping tests need root (network namespace + tap) and `ping` from Debian's
//! `iputils-ping` (`apt-get install -y iputils-ping`); CI runs them as root.

use std::time::Duration;

use ring0db_harness::{accelerator, boot, exit_code, image, BOOT_TIMEOUT};
use ring0db_images::{Image, NetAttach, Netns, RunningVm, SerialOptions, VmSpec};

/// How long `test=net-up` serves: boot + three pings fit easily even under TCG.
const SERVE_S: u64 = 20;
const PINGS: &str = "3";

#[test]
fn guest_answers_ping_with_interrupt_driven_idle() {
    let done = ping_guest("irq");
    assert!(
        nic_irqs(&done) > 0,
        "net=irq served pings without a single NIC interrupt: {done}"
    );
}

#[test]
fn guest_answers_ping_while_busy_polling() {
    let done = ping_guest("poll");
    assert_eq!(
        nic_irqs(&done),
        0,
        "net=poll must not take NIC interrupts: {done}"
    );
}

#[test]
fn malformed_network_settings_stop_the_boot() {
    for (cmdline, message) in [
        (
            "ip=300.1.2.3/24",
            "invalid value `300.1.2.3/24` for `ip=` on the kernel command line: expected an IPv4 address with a prefix length",
        ),
        (
            "ip=1.2.3.4",
            "invalid value `1.2.3.4` for `ip=` on the kernel command line: expected an IPv4 address with a prefix length",
        ),
        (
            "ip=10.0.0.2/24 mac=zz",
            "invalid value `zz` for `mac=` on the kernel command line: expected a unicast MAC address",
        ),
        (
            "ip=10.0.0.2/24 gw=10.9.9.1",
            "invalid value `10.9.9.1` for `gw=`",
        ),
        ("ip=10.0.0.2/24 net=fast", "invalid value `fast` for `net=`"),
    ] {
        let run = boot(cmdline).unwrap_or_else(|e| panic!("booting with `{cmdline}`: {e:#}"));
        assert!(
            run.code() == Some(exit_code::BAD_CMDLINE) && run.printed(message),
            "`{cmdline}`: expected exit {:#x} and {message:?}, got {}\n--- serial ---\n{}",
            exit_code::BAD_CMDLINE,
            run.exit,
            run.serial
        );
    }
}

#[test]
fn ip_without_a_nic_boots_without_network() {
    let run = boot("ip=10.0.0.2/24 test=boot").expect("booting without a NIC");
    assert!(
        run.code() == Some(exit_code::SUCCESS)
            && run.printed("net: no virtio-net device found; networking disabled"),
        "expected a clean boot that says there is no NIC, got {}\n--- serial ---\n{}",
        run.exit,
        run.serial
    );
}

/// Boots `test=net-up net=MODE` on a tap link, pings the guest three times from inside
/// the namespace, waits for the guest to finish serving and returns its summary line.
fn ping_guest(mode: &str) -> String {
    let netns = Netns::create().unwrap_or_else(|e| {
        panic!("{e:#}\n(the ping tests need root for a network namespace with a tap device; CI runs as root)")
    });
    let spec = VmSpec::load().expect("vm.toml");
    let accel = accelerator().expect("accelerator");
    let kernel = image().expect("building the unikernel");
    let image =
        Image::unikernel(kernel).with_append(&format!("test=net-up ttl={SERVE_S} net={mode}"));
    let mut vm = RunningVm::spawn(
        &spec,
        &image,
        NetAttach::Tap(netns),
        &accel,
        SerialOptions::default(),
    )
    .expect("starting QEMU");
    vm.wait_for_line("net-up: serving", BOOT_TIMEOUT)
        .unwrap_or_else(|e| panic!("net=mode {mode}: {e:#}"));
    let guest = ring0db_images::netns::TAP_GUEST_ADDR.to_string();
    let ping = vm
        .net()
        .netns()
        .expect("tap attachment has a namespace")
        .command("ping")
        .args(["-c", PINGS, "-i", "0.5", "-W", "5", &guest])
        .output()
        .expect("cannot run `ip netns exec ... ping` (install iproute2 and iputils-ping)");
    let stdout = String::from_utf8_lossy(&ping.stdout);
    let stderr = String::from_utf8_lossy(&ping.stderr);
    assert!(
        ping.status.success() && stdout.contains(&format!("{PINGS} received")),
        "net={mode}: ping {guest} failed ({}):\n{stdout}{stderr}\n--- serial ---\n{}",
        ping.status,
        vm.serial_log()
    );
    if let Some(rtt) = stdout.lines().find(|line| line.starts_with("rtt")) {
        eprintln!("net={mode}: {rtt}");
    }
    let exit = vm
        .wait_exit(Duration::from_secs(SERVE_S) + BOOT_TIMEOUT)
        .expect("guest did not stop after serving");
    let done = vm
        .wait_for_line("net-up: done", Duration::from_secs(5))
        .unwrap_or_else(|e| panic!("net={mode}: {e:#}"));
    assert_eq!(
        exit.guest_code(),
        Some(exit_code::SUCCESS),
        "net={mode}: guest exit {exit}\n--- serial ---\n{}",
        vm.serial_log()
    );
    done
}

/// Parses "N NIC irqs" from the guest's summary line.
fn nic_irqs(done: &str) -> u64 {
    done.split(", ")
        .find_map(|part| part.strip_suffix(" NIC irqs")?.parse().ok())
        .unwrap_or_else(|| panic!("no NIC irq count in {done:?}"))
}
