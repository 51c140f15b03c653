//! The durability log of `dbserver` in the Linux guest (`linux-vm`), on the VM's
//! virtio-blk disk (`/dev/vda`, a raw file the test keeps), real QEMU (TCG) in a tap
//! namespace: SIGKILL of QEMU under a four-connection write load with
//! `--appendfsync always` loses no acknowledged write after a boot from the same disk (the
//! same load and checks as the unikernel's, `unikernel/harness/tests/durability.rs`);
//! committed SQL transactions survive, an open one does not.

mod acked_load;
mod common;
mod durable_sql_scenario;

use acked_load::{assert_every_group_flushed, check, Load};
use common::{linux_guest, require_root, spec_and_accel, BOOT_TIMEOUT};
use ring0db_images::disk::{create_disk_file, Disk};
use ring0db_images::netns::{SQL_GUEST_PORT, TAP_GUEST_ADDR};
use ring0db_images::{Image, NetAttach, RunningVm, SerialOptions};
use std::time::Duration;

/// Connections of the load.
const LOADERS: usize = 4;
/// Rounds (SET + INCR + LPUSH) the load completes before the kill.
const TARGET_ROUNDS: u64 = 1500;
/// Time the load may take to reach its target under TCG.
const LOAD_LIMIT: Duration = Duration::from_secs(300);
/// How long one connection attempt may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a SQL reply may take under TCG.
const SQL_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// `dbserver` in the Linux guest with its log on `/dev/vda`, flushed before every reply.
fn durable_dbserver() -> Image {
    linux_guest().dbserver_image().with_append(
        "ring0db.arg=--appendonly ring0db.arg=yes ring0db.arg=--appendfsync \
         ring0db.arg=always ring0db.arg=--disk ring0db.arg=/dev/vda",
    )
}

/// Boots `image` on `disk` in a tap namespace, waits for PING and returns the VM with
/// the log's recovery line.
fn boot(image: &Image, disk: Disk) -> (RunningVm, String) {
    require_root();
    ring0db_images::cleanup::install_signal_handler().expect("signal handler");
    let (spec, accel) = spec_and_accel();
    let net = NetAttach::tap().expect("creating the tap namespace");
    let serial = SerialOptions {
        disk,
        ..SerialOptions::default()
    };
    let mut vm = RunningVm::spawn(&spec, image, net, &accel, serial).expect("spawn QEMU");
    vm.wait_for_ping(BOOT_TIMEOUT)
        .unwrap_or_else(|e| panic!("dbserver answers PING: {e:#}"));
    let recovery = vm
        .wait_for_line("dbserver: log /dev/vda", BOOT_TIMEOUT)
        .unwrap_or_else(|e| panic!("no recovery line: {e:#}\n{}", vm.serial_log()));
    (vm, recovery)
}

#[test]
fn dbserver_guest_loses_no_acknowledged_write_to_sigkill() {
    let dir = tempfile::tempdir().expect("temp dir");
    let disk = dir.path().join("disk.raw");
    create_disk_file(&disk, 64).expect("create the disk file");
    let image = durable_dbserver();

    let (mut vm, recovery) = boot(&image, Disk::Existing(disk.clone()));
    assert!(recovery.contains("kept 0 records"), "{recovery}");
    let streams = (0..LOADERS)
        .map(|_| vm.connect(CONNECT_TIMEOUT).expect("connect"))
        .collect();
    let load = Load::start(streams);
    load.wait_rounds(TARGET_ROUNDS, LOAD_LIMIT, || vm.serial_log());
    assert_every_group_flushed(&mut vm.connect(CONNECT_TIMEOUT).expect("connect"));
    load.expect_death();
    vm.kill(); // SIGKILL in the middle of the load.
    let acked = load.finish();
    drop(vm);
    let total: usize = acked.iter().map(|a| a.sets.len()).sum();
    assert!(total as u64 >= TARGET_ROUNDS, "{total} acknowledged SETs");
    eprintln!("{total} acknowledged SETs (and as many INCRs and LPUSHes) before the kill");

    let (vm, recovery) = boot(&image, Disk::Existing(disk));
    assert!(recovery.contains("clean end"), "{recovery}");
    check(&mut vm.connect(CONNECT_TIMEOUT).expect("connect"), &acked);
}

/// A `mysql` crate connection to the guest's SQL port, made inside the VM's namespace.
fn sql(vm: &RunningVm, database: Option<&str>) -> mysql::Conn {
    let netns = vm.net().netns().expect("tap namespace");
    let opts = mysql::OptsBuilder::new()
        .user(Some("root"))
        .db_name(database)
        .ip_or_hostname(Some(TAP_GUEST_ADDR.to_string()))
        .tcp_port(SQL_GUEST_PORT)
        .read_timeout(Some(SQL_READ_TIMEOUT))
        .prefer_socket(false);
    netns
        .run_inside(move || mysql::Conn::new(opts))
        .expect("enter the namespace")
        .expect("connect to the SQL port")
}

#[test]
fn dbserver_guest_keeps_committed_sql_transactions_across_sigkill() {
    let dir = tempfile::tempdir().expect("temp dir");
    let disk = dir.path().join("disk.raw");
    create_disk_file(&disk, 16).expect("create the disk file");
    let image = durable_dbserver();

    let (mut vm, _) = boot(&image, Disk::Existing(disk.clone()));
    let (c, open) = durable_sql_scenario::write_before_crash(|db| sql(&vm, db));
    vm.kill();
    drop((c, open, vm));

    let (vm, recovery) = boot(&image, Disk::Existing(disk));
    assert!(recovery.contains("clean end"), "{recovery}");
    durable_sql_scenario::check_after_reboot(&mut sql(&vm, Some("d")));
}
