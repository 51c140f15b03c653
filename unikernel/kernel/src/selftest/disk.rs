//! `test=disk-write` / `test=disk-verify`: the disk calls on the VM's virtio-blk disk,
//! through both paths the server uses, the direct calls (`crate::disk`) and the trap
//! (`int 0x80` with Linux's numbers).
//!
//! `disk-write` checks the errors (`ENOENT`, `EBADF`, `EINVAL`, `ENOSPC`, `ENOTTY`, reads
//! past the end), writes a pattern — [`CALL_REGION`] through the calls, [`TRAP_REGION`]
//! and the disk's last sector through the trap — flushes, reads it back through the other
//! path, prints `disk-selftest: written` and idles, so the host can kill QEMU.
//! `disk-verify` (the next boot, from the same disk file) reads it all back through both
//! paths. The byte at disk offset `o` is [`pattern_byte`]`(o)`; the host test checks the
//! file with the same function.
//!
//! `disk-eio` runs on a disk whose writes fail: `EIO`, and reads still work.
//!
//! `bench=disk` times a 4 KiB `pwrite` + `fdatasync`, and a `pwrite` alone, at the same
//! offset, call vs trap.

use alloc::vec;
use alloc::vec::Vec;
use core::ops::Range;

use crate::disk::{self, DISK_PATH, SECTOR_SIZE};
use crate::errno::Errno;
use crate::exit::ExitCode;
use crate::syscalls::{nr, trap, BLKGETSIZE64};

/// Written through the direct calls: 1 MiB, more than all request slots hold at once.
const CALL_REGION: Range<u64> = 0..1 << 20;
/// Written through the trap.
const TRAP_REGION: Range<u64> = (1 << 20)..(1 << 20) + (256 << 10);
/// Left untouched: must read back as zeros.
const UNTOUCHED: Range<u64> = (2 << 20)..(2 << 20) + 4096;

/// The byte the pattern puts at disk offset `offset` (never all zeros in a sector).
pub fn pattern_byte(offset: u64) -> u8 {
    let sector = offset / SECTOR_SIZE as u64;
    (sector.wrapping_mul(31) ^ (offset % SECTOR_SIZE as u64).wrapping_mul(7) ^ 0xa5) as u8
}

fn pattern(range: Range<u64>) -> Vec<u8> {
    range.map(pattern_byte).collect()
}

/// How long the self-test waits, interrupts on, for the disk's first interrupt when every
/// request had completed before the driver needed to halt.
const INTERRUPT_WAIT_NS: u64 = 2_000_000_000;

/// What went wrong, for the failure line.
struct Failure(alloc::string::String);

macro_rules! ensure {
    ($cond:expr, $($why:tt)*) => {
        if !$cond {
            return Err(Failure(alloc::format!($($why)*)));
        }
    };
}

pub fn write() -> ExitCode {
    report(write_checked().map(|()| {
        crate::console::write_fmt(format_args!("disk-selftest: written\n"));
        // Stay up until the host kills QEMU: what the test proves is that the flushed
        // data survives that.
        loop {
            crate::arch::cpu::wait_for_interrupt();
        }
    }))
}

pub fn verify() -> ExitCode {
    report(verify_checked().map(|()| {
        crate::console::write_fmt(format_args!("disk-selftest: verified\n"));
        ExitCode::Success
    }))
}

/// `test=disk-eio`, on a disk whose writes fail (the host's `Disk::FailingWrites`): every
/// write is `EIO` through both paths, a large one included (all its requests complete
/// before the error is returned), and the disk keeps serving reads and flushes.
pub fn write_errors() -> ExitCode {
    report(write_errors_checked().map(|()| {
        crate::console::write_fmt(format_args!("disk-selftest: failed writes are EIO\n"));
        ExitCode::Success
    }))
}

fn write_errors_checked() -> Result<(), Failure> {
    let fd = disk::open(DISK_PATH).map_err(|e| Failure(alloc::format!("open: {e:?}")))?;
    let data = pattern(CALL_REGION.clone());
    let written = disk::write(fd, &data, 0);
    ensure!(
        written == Err(Errno::EIO),
        "call pwrite of 1 MiB: {written:?}"
    );
    let written = trap_pwrite(fd, &data[..4096], 4096);
    ensure!(
        written == -i64::from(Errno::EIO.0),
        "trap pwrite: {written}"
    );
    let mut back = vec![0xffu8; data.len()];
    let read = disk::read(fd, &mut back, 0);
    ensure!(
        read == Ok(back.len()),
        "pread after failed writes: {read:?}"
    );
    ensure!(
        back.iter().all(|&b| b == 0),
        "a failed write changed the disk"
    );
    ensure!(disk::flush(fd) == Ok(()), "fdatasync after failed writes");
    let errors = disk::stats().errors;
    ensure!(errors > 0, "no device error counted");
    Ok(())
}

fn report(result: Result<ExitCode, Failure>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(Failure(why)) => {
            crate::console::write_fmt(format_args!("disk-selftest: FAIL: {why}\n"));
            ExitCode::TestFailed
        }
    }
}

fn write_checked() -> Result<(), Failure> {
    let fd = disk::open(DISK_PATH).map_err(|e| Failure(alloc::format!("open: {e:?}")))?;
    let size = disk::size(fd).map_err(|e| Failure(alloc::format!("size: {e:?}")))?;
    ensure!(trap_open("/dev/vda\0") == i64::from(fd), "trap open");
    ensure!(trap_size(fd) == Ok(size), "trap BLKGETSIZE64 disagrees");
    check_errors(fd, size)?;

    let data = pattern(CALL_REGION.clone());
    let written = disk::write(fd, &data, CALL_REGION.start);
    ensure!(written == Ok(data.len()), "call pwrite: {written:?}");
    let data = pattern(TRAP_REGION.clone());
    let written = trap_pwrite(fd, &data, TRAP_REGION.start);
    ensure!(written == data.len() as i64, "trap pwrite: {written}");
    let last = size - SECTOR_SIZE as u64..size;
    let data = pattern(last.clone());
    // Runs past the end: cut short to the last sector, as Linux does.
    let mut long = data.clone();
    long.resize(4 * SECTOR_SIZE, 0);
    let written = trap_pwrite(fd, &long, last.start);
    ensure!(
        written == SECTOR_SIZE as i64,
        "pwrite across the end: {written}"
    );
    ensure!(disk::flush(fd) == Ok(()), "fdatasync (call)");
    ensure!(trap_fdatasync(fd) == 0, "fdatasync (trap)");
    let flushes = disk::stats().flushes;
    ensure!(flushes >= 2, "{flushes} flushes counted");
    verify_checked()
}

fn verify_checked() -> Result<(), Failure> {
    let fd = disk::open(DISK_PATH).map_err(|e| Failure(alloc::format!("open: {e:?}")))?;
    let size = disk::size(fd).map_err(|e| Failure(alloc::format!("size: {e:?}")))?;
    let last = size - SECTOR_SIZE as u64..size;
    for range in [CALL_REGION, TRAP_REGION, last] {
        let want = pattern(range.clone());
        let mut got = vec![0u8; want.len()];
        let read = disk::read(fd, &mut got, range.start);
        ensure!(
            read == Ok(want.len()),
            "call pread at {}: {read:?}",
            range.start
        );
        ensure!(got == want, "call pread at {}: wrong bytes", range.start);
        got.fill(0);
        let read = trap_pread(fd, &mut got, range.start);
        ensure!(
            read == want.len() as i64,
            "trap pread at {}: {read}",
            range.start
        );
        ensure!(got == want, "trap pread at {}: wrong bytes", range.start);
    }
    let mut zeros = vec![0xffu8; (UNTOUCHED.end - UNTOUCHED.start) as usize];
    let read = disk::read(fd, &mut zeros, UNTOUCHED.start);
    ensure!(
        read == Ok(zeros.len()),
        "pread of untouched sectors: {read:?}"
    );
    ensure!(
        zeros.iter().all(|&b| b == 0),
        "untouched sectors are not zero"
    );
    let interrupt_taken = disk::await_first_interrupt(INTERRUPT_WAIT_NS);
    let stats = disk::stats();
    crate::console::write_fmt(format_args!(
        "disk-selftest: {} MiB disk, {} requests, {} bytes read, {} written, {} flushes, {} irqs, {} errors\n",
        size >> 20,
        stats.requests,
        stats.read_bytes,
        stats.written_bytes,
        stats.flushes,
        stats.irqs,
        stats.errors
    ));
    ensure!(
        interrupt_taken,
        "no disk interrupt was taken (waited {} ms with interrupts on)",
        INTERRUPT_WAIT_NS / 1_000_000
    );
    Ok(())
}

/// The errors Linux gives for the same mistakes, through both paths.
fn check_errors(fd: i32, size: u64) -> Result<(), Failure> {
    let errno = |e: Errno| -i64::from(e.0);
    let mut buf = vec![0u8; 2 * SECTOR_SIZE];
    ensure!(
        disk::open("/dev/vdb") == Err(Errno::ENOENT),
        "open of another path"
    );
    ensure!(
        trap_open("/dev/sda\0") == errno(Errno::ENOENT),
        "trap open of another path"
    );
    ensure!(
        disk::read(3, &mut buf, 0) == Err(Errno::EBADF),
        "pread of a socket fd"
    );
    ensure!(
        disk::read(fd, &mut buf, 100) == Err(Errno::EINVAL),
        "misaligned offset"
    );
    ensure!(
        disk::write(fd, &buf[..100], 0) == Err(Errno::EINVAL),
        "misaligned length"
    );
    ensure!(
        trap_pwrite(fd, &buf, 7) == errno(Errno::EINVAL),
        "trap misaligned offset"
    );
    ensure!(
        disk::write(fd, &buf, size) == Err(Errno::ENOSPC),
        "pwrite at the end"
    );
    ensure!(
        trap_pwrite(fd, &buf, size + 4096) == errno(Errno::ENOSPC),
        "trap pwrite past the end"
    );
    ensure!(disk::read(fd, &mut buf, size) == Ok(0), "pread at the end");
    ensure!(trap_pread(fd, &mut buf, size) == 0, "trap pread at the end");
    // SAFETY: IOCTL with an unknown request reads no address; thread context.
    let unknown = unsafe { trap(nr::IOCTL, fd as u64, 0x1234, 0, 0) };
    ensure!(unknown == errno(Errno::ENOTTY), "unknown ioctl: {unknown}");
    Ok(())
}

/// `bench=disk`: a 4 KiB `pwrite` + `fdatasync`, and a 4 KiB `pwrite` alone (the request
/// path without the host's flush), at one offset, call vs trap, interleaved rounds. Prints
/// `bench-disk,<variant>,<round>,<median cycles>,<median ns>` lines.
pub fn bench() -> ExitCode {
    const ROUNDS: u32 = 5;
    const WRITES_PER_ROUND: usize = 51;
    const VARIANTS: [(&str, bool, bool); 4] = [
        ("call-pwrite+fdatasync", false, true),
        ("trap-pwrite+fdatasync", true, true),
        ("call-pwrite", false, false),
        ("trap-pwrite", true, false),
    ];
    let Ok(fd) = disk::open(DISK_PATH) else {
        crate::console::write_fmt(format_args!("bench-disk: no disk\n"));
        return ExitCode::TestFailed;
    };
    let block = pattern(0..4096);
    crate::console::write_fmt(format_args!(
        "bench-disk,variant,round,median_cycles,median_ns\n"
    ));
    for round in 1..=ROUNDS {
        for (name, via_trap, sync) in VARIANTS {
            let mut samples = [0u64; WRITES_PER_ROUND];
            for sample in &mut samples {
                let start = crate::arch::cpu::rdtsc();
                let ok = match (via_trap, sync) {
                    (false, true) => disk::write(fd, &block, 0).is_ok() && disk::flush(fd).is_ok(),
                    (false, false) => disk::write(fd, &block, 0).is_ok(),
                    (true, true) => trap_pwrite(fd, &block, 0) == 4096 && trap_fdatasync(fd) == 0,
                    (true, false) => trap_pwrite(fd, &block, 0) == 4096,
                };
                if !ok {
                    crate::console::write_fmt(format_args!("bench-disk: {name} failed\n"));
                    return ExitCode::TestFailed;
                }
                *sample = crate::arch::cpu::rdtsc() - start;
            }
            samples.sort_unstable();
            let cycles = samples[WRITES_PER_ROUND / 2];
            let ns = crate::time::tsc::ticks_to_ns(cycles);
            crate::console::write_fmt(format_args!("bench-disk,{name},{round},{cycles},{ns}\n"));
        }
    }
    ExitCode::Success
}

fn trap_open(path_with_nul: &str) -> i64 {
    // SAFETY: the string ends with a NUL and lives for the call; thread context.
    unsafe { trap(nr::OPEN, path_with_nul.as_ptr() as u64, 2, 0, 0) }
}

fn trap_size(fd: i32) -> Result<u64, i64> {
    let mut size = 0u64;
    // SAFETY: `size` is a local aligned u64, exclusively borrowed for the call.
    let result = unsafe {
        trap(
            nr::IOCTL,
            fd as u64,
            BLKGETSIZE64,
            &mut size as *mut u64 as u64,
            0,
        )
    };
    if result == 0 {
        Ok(size)
    } else {
        Err(result)
    }
}

fn trap_pread(fd: i32, buf: &mut [u8], offset: u64) -> i64 {
    // SAFETY: `buf` is exclusively borrowed for the call; thread context.
    unsafe {
        trap(
            nr::PREAD64,
            fd as u64,
            buf.as_mut_ptr() as u64,
            buf.len() as u64,
            offset,
        )
    }
}

fn trap_pwrite(fd: i32, buf: &[u8], offset: u64) -> i64 {
    // SAFETY: `buf` is borrowed and not written during the call; thread context.
    unsafe {
        trap(
            nr::PWRITE64,
            fd as u64,
            buf.as_ptr() as u64,
            buf.len() as u64,
            offset,
        )
    }
}

fn trap_fdatasync(fd: i32) -> i64 {
    // SAFETY: FDATASYNC takes values only; thread context.
    unsafe { trap(nr::FDATASYNC, fd as u64, 0, 0, 0) }
}
