//! Errors a user hits say what is wrong and how to fix it (no root needed).

mod common;

use common::{linux_guest, spec_and_accel};
use ring0db_images::{GuestExit, NetAttach, RunningVm, SerialOptions};
use std::time::Duration;

#[test]
fn missing_qemu_says_how_to_install_it() {
    let (mut spec, accel) = spec_and_accel();
    spec.set("qemu=qemu-system-x86_64-not-installed").unwrap();
    let image = linux_guest().redis_image();
    let err = RunningVm::spawn(
        &spec,
        &image,
        NetAttach::None,
        &accel,
        SerialOptions::default(),
    )
    .err()
    .expect("spawn must fail");
    assert!(
        format!("{err:#}").contains("apt-get install qemu-system-x86"),
        "{err:#}"
    );
}

#[test]
fn forwarded_port_in_use_is_explained() {
    let (spec, accel) = spec_and_accel();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let host_port = busy.local_addr().unwrap().port();
    let image = linux_guest().redis_image();
    let mut vm = RunningVm::spawn(
        &spec,
        &image,
        NetAttach::User { host_port },
        &accel,
        SerialOptions::default(),
    )
    .expect("QEMU starts and then fails");
    let err = vm
        .wait_for_line("serving", Duration::from_secs(30))
        .unwrap_err();
    assert!(format!("{err:#}").contains("port is in use"), "{err:#}");
    assert_eq!(
        vm.wait_exit(Duration::from_secs(5)).unwrap(),
        GuestExit::Qemu(1)
    );
}

#[test]
fn user_networking_needs_no_root() {
    let (spec, accel) = spec_and_accel();
    let net = NetAttach::user().unwrap();
    let hint = net.connect_hint();
    assert!(hint.starts_with("redis-cli -p "), "{hint}");
    let mut vm = RunningVm::spawn(
        &spec,
        &linux_guest().redis_image(),
        net,
        &accel,
        SerialOptions::default(),
    )
    .expect("spawn QEMU");
    vm.wait_for_ping(common::BOOT_TIMEOUT)
        .expect("PONG through the loopback forward");
    let line = vm
        .wait_for_line("ring0db-linux: eth0", Duration::from_secs(1))
        .unwrap();
    assert!(line.contains("10.0.2.15/24 gw 10.0.2.2"), "{line}");
}
