//! The disk calls: `open` of `/dev/vda`, its size, `pread`, `pwrite` and `fdatasync`
//! on the VM's one virtio-blk disk, with Linux's errno values, so the durability log
//! reads and writes the same bytes the same way on Linux and in the image.
//!
//! Errors, as Linux answers them for a raw block device opened with `O_DIRECT`:
//! - `open` of any other path: `ENOENT`; no disk in the VM: `ENODEV`;
//! - a descriptor other than [`DISK_FD`]: `EBADF`;
//! - an offset or length that is not a multiple of [`SECTOR_SIZE`]: `EINVAL`;
//! - a write starting at or past the end: `ENOSPC` (one that runs past it is cut short);
//! - a read starting at or past the end: 0 bytes (one that runs past it is cut short);
//! - a request the device fails: `EIO`; a write to a read-only disk: `EPERM`.

use core::sync::atomic::Ordering;

use spin::Mutex;

use crate::drivers::virtio_blk::{self, VirtioBlk};
use crate::errno::Errno;

pub use crate::drivers::virtio_blk::SECTOR_SIZE;

/// The one path [`open`] knows: the VM's disk, named as Linux names it.
pub const DISK_PATH: &str = "/dev/vda";
/// The descriptor [`open`] returns, far above any socket descriptor, so the two can
/// never be confused.
pub const DISK_FD: i32 = 0x4000_0000;

static DISK: Mutex<Option<VirtioBlk>> = Mutex::new(None);

/// Counters of the disk since boot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DiskStats {
    /// Size of the disk in bytes (0: no disk).
    pub size_bytes: u64,
    /// Requests completed (reads, writes and flushes).
    pub requests: u64,
    pub read_bytes: u64,
    pub written_bytes: u64,
    pub flushes: u64,
    pub irqs: u64,
    /// TSC cycles spent waiting for the device, and the part of them halted (idle).
    pub wait_cycles: u64,
    pub halted_cycles: u64,
    /// Requests that failed.
    pub errors: u64,
}

/// Brings up the disk if the VM has one. A disk that fails to come up is reported and
/// left out (the calls answer `ENODEV`): the network server still runs without it.
pub fn init() {
    let mut disk = match virtio_blk::probe() {
        Ok(Some(disk)) => disk,
        Ok(None) => {
            log::info!("disk: no virtio-blk device; the disk calls answer ENODEV");
            return;
        }
        Err(error) => {
            log::error!("disk: virtio-blk failed to come up: {error}");
            return;
        }
    };
    let irq = match disk.route_interrupt() {
        Ok(Some(line)) => Some(line),
        Ok(None) => None,
        Err(error) => {
            log::warn!("disk: {error}; waiting for the disk by polling");
            None
        }
    };
    log::info!(
        "disk: {DISK_PATH} virtio-blk at {}: {} MiB, flush {}, {}, IRQ {}, {} requests of {} KiB in flight",
        disk.location(),
        disk.capacity_bytes() >> 20,
        if disk.flush_supported() { "yes" } else { "no" },
        if disk.read_only() { "read-only" } else { "read-write" },
        irq.map_or(-1, i32::from),
        virtio_blk::MAX_IN_FLIGHT,
        virtio_blk::REQUEST_BYTES / 1024,
    );
    *DISK.lock() = Some(disk);
}

/// `open(path, O_RDWR)`: the disk's descriptor for [`DISK_PATH`]. Opening it again
/// returns the same descriptor (there is nothing to close).
pub fn open(path: &str) -> Result<i32, Errno> {
    if path != DISK_PATH {
        return Err(Errno::ENOENT);
    }
    match DISK.lock().as_ref() {
        Some(_) => Ok(DISK_FD),
        None => Err(Errno::ENODEV),
    }
}

/// The disk's size in bytes (`ioctl(BLKGETSIZE64)`).
pub fn size(fd: i32) -> Result<u64, Errno> {
    with_disk(fd, |disk| Ok(disk.capacity_bytes()))
}

/// `pread(2)`: reads into `buf` from byte `offset`; fewer bytes at the end of the disk.
pub fn read(fd: i32, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
    with_disk(fd, |disk| {
        let len = clamp(offset, buf.len(), disk.capacity_bytes(), Direction::Read)?;
        if len == 0 {
            return Ok(0);
        }
        disk.read(offset / SECTOR_SIZE as u64, &mut buf[..len])
            .map_err(|error| failed("pread", len, offset, error))?;
        Ok(len)
    })
}

/// `pwrite(2)`: writes `buf` at byte `offset`; fewer bytes at the end of the disk.
/// Durable after [`flush`].
pub fn write(fd: i32, buf: &[u8], offset: u64) -> Result<usize, Errno> {
    with_disk(fd, |disk| {
        if disk.read_only() {
            return Err(Errno::EPERM);
        }
        let len = clamp(offset, buf.len(), disk.capacity_bytes(), Direction::Write)?;
        if len == 0 {
            return Ok(0);
        }
        disk.write(offset / SECTOR_SIZE as u64, &buf[..len])
            .map_err(|error| failed("pwrite", len, offset, error))?;
        Ok(len)
    })
}

/// `fdatasync(2)`: returns when every write before it is on stable storage.
pub fn flush(fd: i32) -> Result<(), Errno> {
    with_disk(fd, |disk| {
        disk.flush()
            .map_err(|error| failed("fdatasync", 0, 0, error))
    })
}

/// Logs a failed call once (not once per request) and gives its errno.
fn failed(call: &str, len: usize, offset: u64, error: virtio_blk::IoError) -> Errno {
    log::error!("disk: {call} of {len} bytes at {offset} failed: {error}; answering EIO");
    Errno::EIO
}

/// Counters since boot.
pub fn stats() -> DiskStats {
    let load = |counter: &core::sync::atomic::AtomicU64| counter.load(Ordering::Relaxed);
    DiskStats {
        size_bytes: DISK.lock().as_ref().map_or(0, VirtioBlk::capacity_bytes),
        requests: load(&virtio_blk::REQUESTS),
        read_bytes: load(&virtio_blk::READ_BYTES),
        written_bytes: load(&virtio_blk::WRITTEN_BYTES),
        flushes: load(&virtio_blk::FLUSHES),
        irqs: load(&virtio_blk::IRQS),
        wait_cycles: load(&virtio_blk::WAIT_CYCLES),
        halted_cycles: load(&virtio_blk::HALTED_CYCLES),
        errors: load(&virtio_blk::ERRORS),
    }
}

/// Halts with interrupts on until the disk has taken at least one interrupt, or
/// `timeout_ns` passed; whether it has. For the self-test: when the device completes each
/// request before the driver looks (a fast host), the driver never halts, so the
/// completion interrupt it raised is still pending behind masked interrupts; this lets it
/// in, and a line that is not delivered at all still fails.
pub fn await_first_interrupt(timeout_ns: u64) -> bool {
    let deadline = crate::time::now_ns().saturating_add(timeout_ns);
    loop {
        if virtio_blk::IRQS.load(Ordering::Relaxed) > 0 {
            return true;
        }
        let now = crate::time::now_ns();
        if now >= deadline {
            return false;
        }
        crate::time::timer::set_deadline_in((deadline - now).min(AWAIT_SLICE_NS));
        crate::arch::cpu::wait_for_interrupt();
    }
}

/// Longest single halt of [`await_first_interrupt`] (a timer interrupt ends each one).
const AWAIT_SLICE_NS: u64 = 10_000_000;

/// TSC cycles halted waiting for the disk: idle time, like `poll_wait`'s halts.
pub fn halted_cycles() -> u64 {
    virtio_blk::HALTED_CYCLES.load(Ordering::Relaxed)
}

fn with_disk<T>(
    fd: i32,
    call: impl FnOnce(&mut VirtioBlk) -> Result<T, Errno>,
) -> Result<T, Errno> {
    if fd != DISK_FD {
        return Err(Errno::EBADF);
    }
    match DISK.lock().as_mut() {
        Some(disk) => call(disk),
        None => Err(Errno::EBADF),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Read,
    Write,
}

/// How many of `len` bytes at `offset` the request moves on a disk of `capacity` bytes,
/// or the errno Linux answers.
fn clamp(offset: u64, len: usize, capacity: u64, direction: Direction) -> Result<usize, Errno> {
    let sector = SECTOR_SIZE as u64;
    if !offset.is_multiple_of(sector) || !(len as u64).is_multiple_of(sector) {
        return Err(Errno::EINVAL);
    }
    if len == 0 {
        return Ok(0);
    }
    if offset >= capacity {
        return match direction {
            Direction::Read => Ok(0),
            Direction::Write => Err(Errno::ENOSPC),
        };
    }
    Ok((len as u64).min(capacity - offset) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;

    #[test]
    fn aligned_requests_inside_the_disk_move_everything() {
        assert_eq!(clamp(0, 4096, MIB, Direction::Write), Ok(4096));
        assert_eq!(clamp(MIB - 512, 512, MIB, Direction::Read), Ok(512));
        assert_eq!(clamp(512, 0, MIB, Direction::Write), Ok(0));
    }

    #[test]
    fn misaligned_offsets_and_lengths_are_einval() {
        assert_eq!(clamp(1, 512, MIB, Direction::Read), Err(Errno::EINVAL));
        assert_eq!(clamp(0, 100, MIB, Direction::Write), Err(Errno::EINVAL));
        // Even past the end: alignment is checked first, as Linux does for O_DIRECT.
        assert_eq!(
            clamp(MIB + 3, 512, MIB, Direction::Write),
            Err(Errno::EINVAL)
        );
    }

    #[test]
    fn the_end_of_the_disk_cuts_short_then_reads_nothing_and_refuses_writes() {
        assert_eq!(clamp(MIB - 512, 4096, MIB, Direction::Write), Ok(512));
        assert_eq!(clamp(MIB - 1024, 4096, MIB, Direction::Read), Ok(1024));
        assert_eq!(clamp(MIB, 512, MIB, Direction::Read), Ok(0));
        assert_eq!(clamp(MIB, 512, MIB, Direction::Write), Err(Errno::ENOSPC));
        assert_eq!(
            clamp(u64::MAX - 511, 512, MIB, Direction::Write),
            Err(Errno::ENOSPC)
        );
    }
}
