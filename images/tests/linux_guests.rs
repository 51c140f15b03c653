//! The Linux guests boot in a tap namespace and serve the Redis protocol (real QEMU, TCG).

mod common;

use common::{boot_on_tap, cmd, linux_guest, BOOT_TIMEOUT};
use std::time::Duration;

fn set_get_roundtrip(vm: &ring0db_images::RunningVm) {
    let mut s = vm
        .connect(Duration::from_secs(5))
        .expect("connect inside the namespace");
    assert_eq!(cmd(&mut s, &["PING"]), "+PONG");
    assert_eq!(cmd(&mut s, &["SET", "ring0db:key", "hello"]), "+OK");
    assert_eq!(cmd(&mut s, &["GET", "ring0db:key"]), "$hello");
    assert_eq!(cmd(&mut s, &["GET", "ring0db:missing"]), "$-1");
}

#[test]
fn redis_guest_answers_ping_set_get_on_tap() {
    let vm = boot_on_tap(&linux_guest().redis_image());
    // PING can answer before /init has seen every port listen and printed its lines.
    vm.wait_for_line("ring0db-linux: serving on port 6379", BOOT_TIMEOUT)
        .expect("the guest reports its server port");
    assert_has_the_disk(&vm);
    set_get_roundtrip(&vm);
    // Clients as separate programs run inside the namespace through `Netns::command`.
    let ns = vm.net().netns().expect("tap namespace");
    let out = ns
        .command("redis-cli")
        .args(["-h", "172.31.77.2", "-p", "6379", "GET", "ring0db:key"])
        .output()
        .expect("run redis-cli inside the namespace (apt-get install redis-tools)");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "hello");
}

#[test]
fn dbserver_guest_answers_ping_set_get_on_tap() {
    let vm = boot_on_tap(&linux_guest().dbserver_image());
    // PING can answer before /init has seen every port listen and printed its lines.
    vm.wait_for_line("ring0db-linux: serving on port 6379", BOOT_TIMEOUT)
        .expect("the guest reports its server port");
    assert_has_the_disk(&vm);
    set_get_roundtrip(&vm);
}

/// The VM's virtio-blk disk is `/dev/vda` in the guest, with `disk_mib` of `vm.toml`.
fn assert_has_the_disk(vm: &ring0db_images::RunningVm) {
    let mib = ring0db_images::VmSpec::load().unwrap().disk_mib;
    let want = format!(
        "ring0db-linux: disk /dev/vda {} sectors",
        u64::from(mib) * 2048
    );
    // Printed before the server starts, so before the "serving" line the test waited for.
    let serial = vm.serial_log();
    assert!(serial.contains(&want), "missing {want:?} in\n{serial}");
}
