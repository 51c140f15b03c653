//! The VM's virtio-blk disk from inside the real image in QEMU: the kernel's disk calls
//! (direct and through the trap) write a pattern and flush it; QEMU is killed; the file
//! on the host holds the pattern, and the next boot from the same file reads it back.
//! The kernel side is `test=disk-write` / `test=disk-verify` (`selftest/disk.rs`), which
//! also checks the errors (ENOENT, EBADF, EINVAL, ENOSPC, ENOTTY, reads at the end); a
//! disk whose writes fail (QEMU's blkdebug) gives EIO (`test=disk-eio`).

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use ring0db_harness::{boot_with_disk, exit_code, spawn_with_disk, BOOT_TIMEOUT};
use ring0db_images::{create_disk_file, Disk, NetAttach};

const SECTOR: u64 = 512;
const DISK_MIB: u32 = 8;

/// The kernel selftest's pattern (`selftest/disk.rs`, `pattern_byte`).
fn pattern_byte(offset: u64) -> u8 {
    let sector = offset / SECTOR;
    (sector.wrapping_mul(31) ^ (offset % SECTOR).wrapping_mul(7) ^ 0xa5) as u8
}

/// A disk file of its own for one test, removed at the end.
struct TempDisk(PathBuf);

impl TempDisk {
    fn new(name: &str) -> TempDisk {
        let dir =
            std::env::temp_dir().join(format!("ring0db-disk-test-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("disk.raw");
        create_disk_file(&path, DISK_MIB).unwrap();
        TempDisk(path)
    }
}

impl Drop for TempDisk {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn read_at(path: &Path, offset: u64, len: usize) -> Vec<u8> {
    let mut file = std::fs::File::open(path).unwrap();
    file.seek(SeekFrom::Start(offset)).unwrap();
    let mut buf = vec![0; len];
    file.read_exact(&mut buf).unwrap();
    buf
}

fn assert_pattern(path: &Path, start: u64, len: usize) {
    let got = read_at(path, start, len);
    let bad = (0..len).find(|&i| got[i] != pattern_byte(start + i as u64));
    assert_eq!(
        bad, None,
        "disk file differs from the pattern at {start} + {bad:?}"
    );
}

#[test]
fn flushed_writes_survive_a_killed_qemu_and_read_back_through_calls_and_trap() {
    let disk = TempDisk::new("survive");
    let mut vm = spawn_with_disk(
        "test=disk-write",
        NetAttach::None,
        Disk::Existing(disk.0.clone()),
    )
    .unwrap();
    let line = vm.wait_for_line("disk-selftest: written", BOOT_TIMEOUT);
    let serial = vm.serial_log();
    line.unwrap_or_else(|e| panic!("disk-write did not finish: {e:#}\n{serial}"));
    assert!(serial.contains("disk: /dev/vda virtio-blk"), "{serial}");
    vm.kill();
    drop(vm);

    // The host sees what the guest wrote: the call region, the trap region, the last
    // sector, and zeros where nothing was written.
    assert_pattern(&disk.0, 0, 1 << 20);
    assert_pattern(&disk.0, 1 << 20, 256 << 10);
    let size = u64::from(DISK_MIB) << 20;
    assert_pattern(&disk.0, size - SECTOR, SECTOR as usize);
    assert!(read_at(&disk.0, 2 << 20, 4096).iter().all(|&b| b == 0));

    let run = boot_with_disk("test=disk-verify", Disk::Existing(disk.0.clone())).unwrap();
    assert!(
        run.code() == Some(exit_code::SUCCESS) && run.printed("disk-selftest: verified"),
        "disk-verify after the kill: exit {}\n{}",
        run.exit,
        run.serial
    );
}

#[test]
fn every_boot_gets_a_fresh_zeroed_disk_by_default() {
    // A fresh disk has no pattern: the verify step must notice.
    let run = ring0db_harness::boot("test=disk-verify").unwrap();
    assert!(
        run.code() == Some(exit_code::TEST_FAILED)
            && run.printed("disk: /dev/vda virtio-blk")
            && run.printed("disk-selftest: FAIL: call pread at 0: wrong bytes"),
        "exit {}\n{}",
        run.exit,
        run.serial
    );
}

#[test]
fn a_disk_whose_writes_fail_answers_eio_and_keeps_serving_reads() {
    let disk = TempDisk::new("eio");
    let run = boot_with_disk("test=disk-eio", Disk::FailingWrites(disk.0.clone())).unwrap();
    assert!(
        run.code() == Some(exit_code::SUCCESS)
            && run.printed("disk-selftest: failed writes are EIO")
            && run.printed("disk: pwrite of 1048576 bytes at 0 failed: device status 1"),
        "exit {}\n{}",
        run.exit,
        run.serial
    );
    assert!(read_at(&disk.0, 0, 1 << 20).iter().all(|&b| b == 0));
}
