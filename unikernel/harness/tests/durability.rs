//! The durability log in ring 0: the real image in QEMU (tap in a namespace) with
//! `appendonly=yes`, its log on the VM's virtio-blk disk (`/dev/vda`), a raw file the test
//! keeps so that it can kill QEMU and boot again from what the guest wrote.
//! - SIGKILL of QEMU under a four-connection write load with `appendfsync=always` loses no
//!   acknowledged write, with the disk calls as function calls and through the trap;
//! - a damaged tail (a corrupt record, then zeroes) is cut at the last good record and the
//!   serial log says what was dropped;
//! - a disk too small for the load, and a disk whose writes fail, turn writes into
//!   `-MISCONF` while reads keep answering and the machine stays up.
//!
//! SQL commits in the same log: `durability_sql.rs`.

#[path = "../../../images/tests/acked_load/mod.rs"]
mod acked_load;
mod durability_vm;

use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use acked_load::{assert_every_group_flushed, check, int, must, Load};
use durability_vm::{assert_alive, boot, connect, TempDisk};
use ring0db_images::Disk;

/// Byte offset of the log region on a freshly formatted disk (after the superblocks).
const REGION_START: u64 = 4096;
/// Sector size of the log's disk I/O: each group starts on a sector boundary.
const SECTOR: u64 = 512;
/// Connections of the crash load.
const LOADERS: usize = 4;
/// Rounds (SET + INCR + LPUSH) the crash load completes before the kill.
const TARGET_ROUNDS: u64 = 1500;
/// Time the load may take to reach its target under TCG.
const LOAD_LIMIT: Duration = Duration::from_secs(180);

fn sigkill_under_load_loses_no_acknowledged_write(syscall: &str) {
    let disk = TempDisk::new(64 << 20);
    let (mut vm, recovery) = boot(syscall, Disk::Existing(disk.path()));
    assert!(recovery.contains("kept 0 records"), "{recovery}");
    let streams = (0..LOADERS).map(|_| connect(&vm)).collect();
    let load = Load::start(streams);
    load.wait_rounds(TARGET_ROUNDS, LOAD_LIMIT, || vm.vm.serial_log());
    assert_every_group_flushed(&mut connect(&vm));
    load.expect_death();
    vm.vm.kill(); // SIGKILL in the middle of the load.
    let acked = load.finish();
    drop(vm);
    let total: usize = acked.iter().map(|a| a.sets.len()).sum();
    assert!(total as u64 >= TARGET_ROUNDS, "{total} acknowledged SETs");
    eprintln!(
        "{syscall}: {total} acknowledged SETs (and as many INCRs and LPUSHes) before the kill"
    );

    let (vm, recovery) = boot(syscall, Disk::Existing(disk.path()));
    assert!(recovery.contains("clean end"), "{recovery}");
    check(&mut connect(&vm), &acked);
}

#[test]
fn sigkill_under_load_loses_no_acknowledged_write_with_calls() {
    sigkill_under_load_loses_no_acknowledged_write("syscall=call");
}

#[test]
fn sigkill_under_load_loses_no_acknowledged_write_through_the_trap() {
    sigkill_under_load_loses_no_acknowledged_write("syscall=trap");
}

/// Reads the sector at `offset` of the disk file, lets `f` change it, writes it back.
fn patch(path: &Path, offset: u64, f: impl FnOnce(&mut [u8])) {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .expect("open the disk file");
    let mut sector = vec![0u8; SECTOR as usize];
    file.seek(SeekFrom::Start(offset)).unwrap();
    file.read_exact(&mut sector).unwrap();
    f(&mut sector);
    file.seek(SeekFrom::Start(offset)).unwrap();
    file.write_all(&sector).unwrap();
}

/// Which of `key:0..n` the server holds.
fn present(s: &mut TcpStream, n: usize) -> Vec<usize> {
    (0..n)
        .filter(|i| must(s, &["GET", &format!("key:{i}")]) != "$-1")
        .collect()
}

#[test]
fn a_damaged_tail_is_cut_at_the_last_good_record_and_reported() {
    const KEYS: usize = 24;
    const FIRST_BAD: u64 = 16;
    let disk = TempDisk::new(1 << 20);
    let (mut vm, _) = boot("", Disk::Existing(disk.path()));
    let mut s = connect(&vm);
    // One at a time: each SET is its own group, one sector each.
    for i in 0..KEYS {
        assert_eq!(
            must(&mut s, &["SET", &format!("key:{i}"), &i.to_string()]),
            "+OK"
        );
    }
    vm.vm.kill();
    drop(vm);
    // Flip a payload byte of the 17th group and tear the last one (zeroes after its
    // header): everything from the 17th on is dropped.
    let bad = REGION_START + FIRST_BAD * SECTOR;
    patch(&disk.path(), bad, |s| s[30] ^= 0x20);
    patch(
        &disk.path(),
        REGION_START + (KEYS as u64 - 1) * SECTOR,
        |s| s[40..].fill(0),
    );

    let (mut vm, recovery) = boot("", Disk::Existing(disk.path()));
    assert!(
        recovery.contains(&format!("kept {FIRST_BAD} records")),
        "{recovery}"
    );
    assert!(
        recovery.contains(&format!("cut a damaged tail at offset {}", bad + 16)),
        "{recovery}"
    );
    let dropped = (KEYS as u64 - FIRST_BAD) * SECTOR - 16;
    assert!(
        recovery.contains(&format!("dropped {dropped} bytes")),
        "{recovery}"
    );
    let mut s = connect(&vm);
    assert_eq!(
        present(&mut s, KEYS),
        (0..FIRST_BAD as usize).collect::<Vec<_>>()
    );
    // The log goes on after the cut.
    assert_eq!(must(&mut s, &["SET", "after", "cut"]), "+OK");
    assert_alive(&mut vm);
}

#[test]
fn a_full_disk_refuses_writes_and_keeps_answering_reads() {
    // 64 KiB: two 30 KiB log regions after the 4 KiB of superblocks.
    let disk = TempDisk::new(64 << 10);
    let (mut vm, _) = boot("", Disk::Existing(disk.path()));
    let mut s = connect(&vm);
    let value = "x".repeat(1000);
    let mut acked = Vec::new();
    let refusal = loop {
        let key = format!("big:{}", acked.len());
        let reply = must(&mut s, &["SET", &key, &value]);
        if reply != "+OK" {
            break reply;
        }
        acked.push(key);
        assert!(acked.len() < 100, "a 64 KiB disk took {} KB", acked.len());
    };
    assert!(
        refusal.starts_with("-MISCONF Errors writing to the AOF file: No space left on device"),
        "{refusal}"
    );
    assert!(!acked.is_empty());
    assert_eq!(int(&must(&mut s, &["STRLEN", &acked[0]])), 1000);
    assert!(must(&mut s, &["INCR", "n"]).starts_with("-MISCONF"));
    assert_eq!(must(&mut s, &["GET", "n"]), "$-1");
    assert_alive(&mut vm);
    vm.vm.kill();
    drop(vm);

    // Every acknowledged write is back; the full log still refuses writes.
    let (mut vm, recovery) = boot("", Disk::Existing(disk.path()));
    assert!(
        recovery.contains(&format!("kept {} records", acked.len())),
        "{recovery}"
    );
    let mut s = connect(&vm);
    for key in &acked {
        assert_eq!(int(&must(&mut s, &["STRLEN", key])), 1000, "{key}");
    }
    assert!(must(&mut s, &["SET", "one", "more"]).starts_with("-MISCONF"));
    assert_alive(&mut vm);
}

#[test]
fn a_disk_whose_writes_fail_refuses_writes_and_keeps_answering_reads() {
    const KEYS: usize = 10;
    let disk = TempDisk::new(1 << 20);
    let (mut vm, _) = boot("", Disk::Existing(disk.path()));
    let mut s = connect(&vm);
    for i in 0..KEYS {
        assert_eq!(
            must(&mut s, &["SET", &format!("key:{i}"), &i.to_string()]),
            "+OK"
        );
    }
    vm.vm.kill();
    drop(vm);

    // The same disk behind QEMU's blkdebug, every write failing: recovery reads the log
    // back. The first write's record cannot be written: it is never acknowledged (its
    // connection is closed); from then on writes are refused with EIO, reads go on, the
    // machine stays up.
    let (mut vm, recovery) = boot("", Disk::FailingWrites(disk.path()));
    assert!(
        recovery.contains(&format!("kept {KEYS} records")),
        "{recovery}"
    );
    let mut s = connect(&vm);
    assert_eq!(acked_load::request(&mut s, &["SET", "one", "more"]), None);
    let mut s = connect(&vm);
    let refusal = must(&mut s, &["SET", "two", "more"]);
    assert!(
        refusal.starts_with("-MISCONF Errors writing to the AOF file: Input/output error"),
        "{refusal}\n{}",
        vm.vm.serial_log()
    );
    assert_eq!(must(&mut s, &["EXISTS", "two"]), ":0");
    // The guest logs the line before it answers, but the serial capture may lag the reply.
    vm.vm
        .wait_for_line(
            "the log refuses writes from now on: Input/output error",
            LOAD_LIMIT,
        )
        .expect("the guest logs why it refuses writes");
    assert!(must(&mut s, &["INCR", "key:1"]).starts_with("-MISCONF"));
    assert_eq!(present(&mut s, KEYS), (0..KEYS).collect::<Vec<_>>());
    assert_eq!(must(&mut s, &["GET", "key:1"]), "$1");
    assert_alive(&mut vm);
}
