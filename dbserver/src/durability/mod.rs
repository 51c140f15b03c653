//! Durability: an append-only log of checksummed records on a disk, written before
//! replies leave and replayed at start-up. It uses only the disk calls of
//! [`Syscalls`] (`disk_open`, `disk_size`, `pread`, `pwrite`, `fdatasync`), in whole
//! sectors, so the same code and on-disk format run on Linux (a file or `/dev/vda`) and
//! in the image (virtio-blk).
//!
//! # On-disk format (version 1, little-endian)
//!
//! - **Superblock**, two copies in sectors 0 and 1 (the first 4 KiB are reserved for
//!   them): `"R0DBLOG\0"`, version `u32`, generation `u64`, live region start `u64` and
//!   length `u64` (bytes, sector multiples), CRC-32C of the preceding 44 bytes. The valid
//!   copy with the higher generation wins, so a torn write of one copy loses nothing. A
//!   disk whose two first sectors are zero is formatted (region A: the first half of
//!   what follows the header area; region B, the second half, is for compaction); a
//!   disk holding something else is refused.
//! - **Groups**, from the start of the live region, each starting on a sector boundary:
//!   a 16-byte header (`"R0LG"`, body length `u32`, record count `u32`, CRC `u32`), the
//!   records, and zero padding to the next sector boundary. One poll round's records are
//!   one group, written with one `pwrite`; as the next group starts on the next sector,
//!   a sector holding an acknowledged record is never written again.
//! - **Records**: payload length `u32`, kind `u8` (1: Redis commands, 2: a committed SQL
//!   transaction), three zero bytes, CRC `u32`, payload. A KV payload is one or more
//!   commands (`argc: u32`, then `len: u32` + bytes per argument); all commands of an
//!   `EXEC` are one record, so a transaction is replayed whole or not at all.
//! - **Checksums are chained**: every CRC-32C (group header, record) starts from the
//!   previous one, the first from a CRC of the generation. Stale bytes (an older
//!   generation, or a tail cut at an earlier start-up and then written over) never
//!   verify, so the log ends exactly after the last record written in sequence.
//!
//! # Recovery
//! The live region is scanned before the server listens; every good record is applied
//! through the same command code. The scan stops at the first group header or record
//! that does not verify (a torn or corrupt tail: bad CRC, impossible length, zeroes);
//! the next group is written on the sector boundary after the last good record, and a
//! log line says how many records and bytes were kept and how many bytes were dropped
//! at which offset.

mod format;
mod kv;
mod log;
mod scan;

pub use format::{Kind, Superblock};
pub use kv::{decode_commands, encoded_len};
pub use log::{errno_text, Log, LogStats};
pub use scan::{Damage, Scanned};

use crate::sys::{Errno, Fd, Syscalls, SECTOR_SIZE};
use alloc::format;
use alloc::string::String;

/// When the log is flushed to stable storage (Redis's `appendfsync`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fsync {
    /// `fdatasync` after every group, before its replies are sent.
    Always,
    /// `fdatasync` at most once a second.
    #[default]
    Everysec,
    /// Never (the platform flushes when it likes).
    No,
}

impl Fsync {
    /// Parse `always`, `everysec` or `no` (case-insensitive).
    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "always" => Some(Self::Always),
            "everysec" => Some(Self::Everysec),
            "no" => Some(Self::No),
            _ => None,
        }
    }

    /// The setting's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Always => "always",
            Self::Everysec => "everysec",
            Self::No => "no",
        }
    }
}

impl core::fmt::Display for Fsync {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// Open the log's disk at `path`, formatting it if its superblock sectors are zero, and
/// replay every good record through `apply`. The error is the start-up error's text.
pub fn open(
    sys: &dyn Syscalls,
    path: &str,
    apply: &mut dyn FnMut(Kind, &[u8]),
) -> Result<Log, String> {
    let fail = |what: &str, e: Errno| format!("{what} of the disk {path}: {}", errno_text(e));
    let fd = sys.disk_open(path).map_err(|e| fail("open", e))?;
    let sb = match superblock(sys, fd, path) {
        Ok(sb) => sb,
        Err(e) => {
            let _ = sys.close(fd);
            return Err(e);
        }
    };
    let mut read = |offset: u64, buf: &mut [u8]| read_exact(sys, fd, buf, offset);
    let scanned = scan::scan(&mut read, &sb, apply).map_err(|e| fail("read", e))?;
    sys.log(&recovery_line(path, &sb, &scanned));
    Ok(Log::new(fd, sb, &scanned))
}

/// The start-up log line: what recovery kept and, for a damaged tail, what it dropped.
fn recovery_line(path: &str, sb: &Superblock, s: &Scanned) -> String {
    let mut line = format!(
        "dbserver: log {path}: generation {}, kept {} records ({} bytes) of a {}-byte region",
        sb.generation, s.records, s.bytes, sb.region_len
    );
    match s.damage {
        Some(d) => line.push_str(&format!(
            "; cut a damaged tail at offset {}: {}, dropped {} bytes\n",
            d.offset, d.reason, d.dropped_bytes
        )),
        None => line.push_str("; clean end\n"),
    }
    line
}

fn superblock(sys: &dyn Syscalls, fd: Fd, path: &str) -> Result<Superblock, String> {
    let size = sys
        .disk_size(fd)
        .map_err(|e| format!("size of the disk {path}: {}", errno_text(e)))?;
    let mut head = alloc::vec![0u8; 2 * SECTOR_SIZE];
    if size >= head.len() as u64 {
        read_exact(sys, fd, &mut head, 0)
            .map_err(|e| format!("read of the disk {path}: {}", errno_text(e)))?;
    }
    let (a, b) = head.split_at(SECTOR_SIZE);
    if let Some(sb) = format::newest(Superblock::decode(a), Superblock::decode(b)) {
        if sb.region_start + sb.region_len > size {
            return Err(format!(
                "the disk {path} ({size} bytes) is smaller than its log region"
            ));
        }
        return Ok(sb);
    }
    if head.iter().any(|&b| b != 0) {
        return Err(format!(
            "the disk {path} holds no valid ring0db log superblock and is not zeroed; \
             refusing to format it"
        ));
    }
    let sb = Superblock::initial(size).ok_or_else(|| {
        format!("the disk {path} ({size} bytes) is too small for a log (at least 8 KiB)")
    })?;
    let copy = sb.encode();
    for slot in 0..2u64 {
        log::write_all(sys, fd, &copy, slot * SECTOR_SIZE as u64)
            .and_then(|()| sys.fdatasync(fd))
            .map_err(|e| format!("format of the disk {path}: {}", errno_text(e)))?;
    }
    sys.log(&format!(
        "dbserver: formatted the log disk {path}: region of {} bytes at {}\n",
        sb.region_len, sb.region_start
    ));
    Ok(sb)
}

/// `pread` until `buf` is full (bytes past the end of the disk read as zero).
fn read_exact(sys: &dyn Syscalls, fd: Fd, buf: &mut [u8], mut offset: u64) -> Result<(), Errno> {
    let mut filled = 0;
    while filled < buf.len() {
        match sys.pread(fd, &mut buf[filled..], offset) {
            Ok(0) => {
                buf[filled..].fill(0);
                return Ok(());
            }
            Ok(n) => {
                filled += n;
                offset += n as u64;
            }
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
