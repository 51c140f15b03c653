//! What the durability tests of the image share (`durability.rs`, `durability_sql.rs`): a
//! disk file kept between boots, booting the image with the log on it, connecting.
#![allow(dead_code)]

use std::net::TcpStream;
use std::path::PathBuf;

use ring0db_harness::{spawn_with_disk, NetVm, BOOT_TIMEOUT};
use ring0db_images::netns::GUEST_PORT;
use ring0db_images::{Disk, NetAttach};

/// A raw disk file of `bytes` in a directory of its own, removed at the end.
pub struct TempDisk(tempfile::TempDir);

impl TempDisk {
    pub fn new(bytes: u64) -> TempDisk {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = std::fs::File::create(dir.path().join("disk.raw")).expect("create disk");
        file.set_len(bytes).expect("size the disk");
        TempDisk(dir)
    }

    pub fn path(&self) -> PathBuf {
        self.0.path().join("disk.raw")
    }
}

/// Boots the image with the log on `disk` (`appendonly=yes appendfsync=always` plus
/// `extra`), waits until the server accepts connections and returns it with its recovery
/// line.
pub fn boot(extra: &str, disk: Disk) -> (NetVm, String) {
    let cmdline = format!("appendonly=yes appendfsync=always {extra}");
    let net = NetAttach::tap().expect("creating the tap namespace (run as root)");
    let vm = NetVm {
        vm: spawn_with_disk(&cmdline, net, disk).expect("starting QEMU"),
    };
    let recovery = vm
        .vm
        .wait_for_line("dbserver: log /dev/vda", BOOT_TIMEOUT)
        .unwrap_or_else(|e| panic!("no recovery line: {e:#}\n{}", vm.vm.serial_log()));
    drop(
        vm.connect(GUEST_PORT)
            .expect("the server accepts connections"),
    );
    (vm, recovery)
}

pub fn connect(vm: &NetVm) -> TcpStream {
    vm.connect(GUEST_PORT).expect("connect to the server")
}

/// The machine is still up and printed no panic.
pub fn assert_alive(vm: &mut NetVm) {
    let serial = vm.vm.serial_log();
    assert!(
        vm.vm.try_exit().expect("QEMU status").is_none(),
        "the VM stopped\n{serial}"
    );
    assert!(!serial.to_lowercase().contains("panic"), "{serial}");
}
