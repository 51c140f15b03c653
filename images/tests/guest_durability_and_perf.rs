//! The Linux guests' two optional modes, on real QEMU (TCG) in a tap namespace:
//! - durable mode (`ring0db.datafs=/data`, what `loadgen --durability` boots the peers
//!   with): Redis's AOF and MariaDB's InnoDB live on ext4 on the VM's disk, and what a
//!   client was told is written survives SIGKILL of QEMU and a boot from the same disk;
//! - `ring0db.perf=HZ` with the perf initrd: the guest records itself and its agent hands
//!   `perf script` to the host, folded into kernel / user-space / idle stacks.

mod common;

use common::{cmd, require_root, spec_and_accel, BOOT_TIMEOUT};
use ring0db_images::disk::{create_disk_file, Disk};
use ring0db_images::netns::{SQL_GUEST_PORT, TAP_GUEST_ADDR};
use ring0db_images::{build, Image, NetAttach, RunningVm, SerialOptions};
use std::path::Path;
use std::time::Duration;

/// Size of the disk the durable tests boot from twice (MariaDB needs ~100 MiB).
const DISK_MIB: u32 = 512;

fn boot(image: &Image, disk: Disk) -> RunningVm {
    require_root();
    ring0db_images::cleanup::install_signal_handler().expect("signal handler");
    let (spec, accel) = spec_and_accel();
    let net = NetAttach::tap().expect("creating the tap namespace");
    let serial = SerialOptions {
        disk,
        ..SerialOptions::default()
    };
    RunningVm::spawn(&spec, image, net, &accel, serial).expect("spawn QEMU")
}

fn fresh_disk(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("disk.raw");
    create_disk_file(&path, DISK_MIB).expect("create the disk file");
    path
}

#[test]
fn redis_guest_aof_on_the_disk_survives_sigkill() {
    let dir = tempfile::tempdir().expect("temp dir");
    let disk = fresh_disk(dir.path());
    let image = build::linux_guest()
        .expect("building the Linux guest images")
        .redis_image()
        .with_append(
            "ring0db.datafs=/data ring0db.arg=--appendonly ring0db.arg=yes \
             ring0db.arg=--appendfsync ring0db.arg=always ring0db.arg=--dir ring0db.arg=/data",
        );
    let mut vm = boot(&image, Disk::Existing(disk.clone()));
    vm.wait_for_ping(BOOT_TIMEOUT).expect("redis answers PING");
    vm.wait_for_line("made an ext4 filesystem on /dev/vda", BOOT_TIMEOUT)
        .expect("the guest formats its disk");
    let mut s = vm.connect(Duration::from_secs(5)).expect("connect");
    for i in 0..50 {
        let (k, v) = (format!("k{i}"), format!("v{i}"));
        assert_eq!(cmd(&mut s, &["SET", &k, &v]), "+OK");
    }
    assert_eq!(cmd(&mut s, &["INCRBY", "counter", "7"]), ":7");
    drop(s);
    vm.kill();
    drop(vm);

    let mut vm = boot(&image, Disk::Existing(disk));
    vm.wait_for_ping(BOOT_TIMEOUT)
        .expect("redis answers PING again");
    vm.wait_for_line(
        "mounted the ext4 filesystem of /dev/vda on /data",
        BOOT_TIMEOUT,
    )
    .expect("the second boot finds the filesystem");
    let mut s = vm.connect(Duration::from_secs(5)).expect("connect");
    assert_eq!(cmd(&mut s, &["GET", "k0"]), "$v0");
    assert_eq!(cmd(&mut s, &["GET", "k49"]), "$v49");
    assert_eq!(cmd(&mut s, &["GET", "counter"]), "$7");
    assert_eq!(cmd(&mut s, &["DBSIZE"]), ":51");
}

/// `mariadb -u root -N -B -e SQL` inside the VM's namespace; the client's stdout.
fn mariadb(vm: &RunningVm, sql: &str) -> String {
    let ns = vm.net().netns().expect("tap namespace");
    let out = ns
        .command("mariadb")
        .args([
            "-h",
            &TAP_GUEST_ADDR.to_string(),
            "-P",
            &SQL_GUEST_PORT.to_string(),
        ])
        .args(["-u", "root", "--connect-timeout=30", "-N", "-B", "-e", sql])
        .output()
        .expect("run the mariadb client (apt-get install mariadb-client)");
    assert!(
        out.status.success(),
        "mariadb -e {sql:?}: {}\n--- serial ---\n{}",
        String::from_utf8_lossy(&out.stderr),
        vm.serial_log()
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn mariadb_guest_innodb_on_the_disk_survives_sigkill() {
    let dir = tempfile::tempdir().expect("temp dir");
    let disk = fresh_disk(dir.path());
    let image = build::linux_guest()
        .expect("building the Linux guest images")
        .mariadb_image()
        .with_append(
            "ring0db.datafs=/data ring0db.arg=--innodb-flush-log-at-trx-commit=1 \
             ring0db.arg=--innodb-doublewrite=1",
        );
    let ready = "ring0db-linux: serving on port 3306";
    let vm = boot(&image, Disk::Existing(disk.clone()));
    vm.wait_for_line(ready, BOOT_TIMEOUT)
        .expect("mariadbd listens");
    assert_eq!(
        mariadb(&vm, "SELECT @@datadir, @@innodb_flush_log_at_trx_commit"),
        "/data/mysql/\t1"
    );
    mariadb(
        &vm,
        "CREATE DATABASE d; CREATE TABLE d.t (id INT PRIMARY KEY, v INT) ENGINE=InnoDB; \
         INSERT INTO d.t VALUES (1, 10), (2, 20); \
         START TRANSACTION; INSERT INTO d.t VALUES (3, 30); COMMIT;",
    );
    let mut vm = vm;
    vm.kill();
    drop(vm);

    let vm = boot(&image, Disk::Existing(disk));
    vm.wait_for_line(ready, BOOT_TIMEOUT)
        .expect("mariadbd listens again");
    assert_eq!(
        mariadb(&vm, "SELECT GROUP_CONCAT(id, ':', v ORDER BY id) FROM d.t"),
        "1:10,2:20,3:30"
    );
}

#[test]
fn linux_guest_profiles_itself_with_perf() {
    let image = build::linux_guest_with_perf()
        .expect("building the Linux guest images with perf (apt-get install linux-perf)")
        .dbserver_image()
        .with_append(&ring0db_images::profile::linux::cmdline_word(1000));
    let mut vm = boot(&image, Disk::Fresh);
    vm.wait_for_ping(BOOT_TIMEOUT)
        .expect("dbserver answers PING");
    vm.wait_for_line("perf recording at 1000 Hz", BOOT_TIMEOUT)
        .expect("the guest starts perf");
    let mut s = vm.connect(Duration::from_secs(5)).expect("connect");
    for i in 0..2000 {
        let key = format!("key{}", i % 50);
        assert_eq!(cmd(&mut s, &["SET", &key, "value"]), "+OK");
    }
    let script = ring0db_images::profile::linux::capture(vm.net()).expect("perf script");
    let folded = ring0db_images::profile::linux::fold(&script).expect("fold");
    let text = folded.text();
    assert!(folded.total() > 0, "no samples:\n{script:.2000}");
    assert!(
        text.lines().any(|l| l.starts_with("kernel;dbserver;")),
        "no dbserver stack in the kernel:\n{text:.4000}"
    );
    assert!(
        text.lines().any(|l| l.contains("_[k]")),
        "kernel frames are not symbolised:\n{text:.4000}"
    );
    // A second request finds the recording stopped and says so.
    let err = ring0db_images::profile::linux::capture(vm.net()).unwrap_err();
    assert!(format!("{err:#}").contains("not recording"), "{err:#}");
}
