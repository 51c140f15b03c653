//! The log writer: collects the records of a poll round into one group, writes it with
//! one `pwrite` (and, with `appendfsync always`, one `fdatasync`), and refuses writes
//! the log cannot take.

use super::format::{GroupBuilder, Kind, Superblock};
use super::kv;
use super::scan::Scanned;
use super::Fsync;
use crate::sys::{Errno, Fd, Syscalls};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// Milliseconds between two `fdatasync` calls with `appendfsync everysec`.
const EVERYSEC_INTERVAL_MS: u64 = 1000;
/// Bytes a logged command may take beyond its arguments (an absolute expiry added,
/// a rewritten name): reserved when checking that a write fits in the log.
const REWRITE_SLACK_BYTES: usize = 64;

/// Counters for `INFO persistence`.
#[derive(Clone, Copy, Debug, Default)]
pub struct LogStats {
    /// Records written since start-up.
    pub records: u64,
    /// Groups (`pwrite` calls that succeeded) since start-up.
    pub writes: u64,
    /// `fdatasync` calls that succeeded since start-up.
    pub fsyncs: u64,
    /// Records replayed at start-up.
    pub replayed: u64,
    /// Writes refused because the log could not take them.
    pub refused: u64,
}

/// The open log on its disk.
pub struct Log {
    fd: Fd,
    sb: Superblock,
    /// Region offset of the next group.
    end: u64,
    chain: u32,
    group: GroupBuilder,
    /// The KV record being built (the commands of one request, or of one `EXEC`).
    kv: Vec<u8>,
    /// Why the log cannot take writes (sticky: the memory may hold what the disk lacks).
    failure: Option<String>,
    /// Written since the last `fdatasync`.
    unsynced: bool,
    next_fsync_ms: u64,
    pub stats: LogStats,
}

impl Log {
    /// A log on `fd` whose live region `sb` was scanned (`scanned` says where it ends).
    pub fn new(fd: Fd, sb: Superblock, scanned: &Scanned) -> Self {
        Self {
            fd,
            sb,
            end: scanned.end,
            chain: scanned.chain,
            group: GroupBuilder::default(),
            kv: Vec::new(),
            failure: None,
            unsynced: false,
            next_fsync_ms: 0,
            stats: LogStats {
                replayed: scanned.records,
                ..LogStats::default()
            },
        }
    }

    /// Add one command to the KV record of the running request.
    pub fn push_command(&mut self, args: &[&[u8]]) {
        kv::encode_command(&mut self.kv, args);
    }

    /// The running request (or `EXEC`) is over: its commands become one record.
    pub fn seal_request(&mut self) {
        if !self.kv.is_empty() {
            self.group.push(Kind::Kv, &self.kv);
            self.kv.clear();
        }
    }

    /// Add a committed SQL transaction (the SQL engine's encoding) as one record.
    pub fn push_sql(&mut self, payload: &[u8]) {
        self.group.push(Kind::Sql, payload);
    }

    /// Records wait to be written.
    pub fn has_pending(&self) -> bool {
        self.group.records() > 0 || !self.kv.is_empty()
    }

    /// Why a write whose record takes about `payload_bytes` cannot be taken now, if so.
    pub fn refusal(&self, payload_bytes: usize) -> Option<String> {
        if let Some(f) = &self.failure {
            return Some(f.clone());
        }
        let need = self
            .group
            .sealed_len_with(self.kv.len() + payload_bytes + REWRITE_SLACK_BYTES);
        (self.end + need > self.sb.region_len).then(|| self.full_text())
    }

    fn full_text(&self) -> String {
        format!(
            "No space left on device (the log region of {} bytes is full)",
            self.sb.region_len
        )
    }

    /// The cause of the last failed write (`None`: the log takes writes).
    pub fn failure(&self) -> Option<&str> {
        self.failure.as_deref()
    }

    /// Bytes of the live region in use.
    pub fn size(&self) -> u64 {
        self.end
    }

    /// Bytes of the live region.
    pub fn capacity(&self) -> u64 {
        self.sb.region_len
    }

    /// Write the pending group (one `pwrite`; with `always` also one `fdatasync`); true
    /// when it is written (and flushed, with `always`). On failure the log refuses writes
    /// from then on and [`Log::failure`] names the cause.
    pub fn commit(&mut self, sys: &dyn Syscalls, policy: Fsync, now_ms: u64) -> bool {
        self.seal_request();
        let records = self.group.records();
        if records == 0 {
            return true;
        }
        if self.failure.is_some() {
            self.group = GroupBuilder::default();
            return false;
        }
        if self.end + self.group.sealed_len() > self.sb.region_len {
            self.group = GroupBuilder::default();
            self.failure = Some(self.full_text());
            return false;
        }
        let (bytes, chain) = self.group.seal(self.chain);
        if let Err(e) = write_all(sys, self.fd, &bytes, self.sb.region_start + self.end) {
            return self.fail(sys, "write", e);
        }
        self.end += bytes.len() as u64;
        self.chain = chain;
        self.stats.records += u64::from(records);
        self.stats.writes += 1;
        self.unsynced = true;
        policy != Fsync::Always || self.sync(sys, now_ms)
    }

    /// `appendfsync everysec`: `fdatasync` if something was written and a second passed.
    pub fn tick(&mut self, sys: &dyn Syscalls, policy: Fsync, now_ms: u64) {
        if policy == Fsync::Everysec && self.unsynced && now_ms >= self.next_fsync_ms {
            self.sync(sys, now_ms);
        }
    }

    /// When [`Log::tick`] next has work (`u64::MAX`: none).
    pub fn next_tick_ms(&self, policy: Fsync) -> u64 {
        if policy == Fsync::Everysec && self.unsynced {
            self.next_fsync_ms
        } else {
            u64::MAX
        }
    }

    /// `fdatasync`; false (and the log failed) if it did not succeed.
    fn sync(&mut self, sys: &dyn Syscalls, now_ms: u64) -> bool {
        self.next_fsync_ms = now_ms + EVERYSEC_INTERVAL_MS;
        match sys.fdatasync(self.fd) {
            Ok(()) => {
                self.unsynced = false;
                self.stats.fsyncs += 1;
                true
            }
            Err(e) => self.fail(sys, "fdatasync", e),
        }
    }

    /// Remember why the log failed; returns false.
    fn fail(&mut self, sys: &dyn Syscalls, call: &str, e: Errno) -> bool {
        let cause = format!("{} ({call} of the log failed)", errno_text(e));
        sys.log(&format!(
            "dbserver: the log refuses writes from now on: {cause}\n"
        ));
        self.failure = Some(cause);
        false
    }
}

/// `pwrite` until every byte is written.
pub fn write_all(
    sys: &dyn Syscalls,
    fd: Fd,
    mut bytes: &[u8],
    mut offset: u64,
) -> Result<(), Errno> {
    while !bytes.is_empty() {
        match sys.pwrite(fd, bytes, offset) {
            Ok(0) => return Err(ENOSPC),
            Ok(n) => {
                let n = n.min(bytes.len());
                bytes = &bytes[n..];
                offset += n as u64;
            }
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// `EIO`: an I/O error on the disk.
pub const EIO: Errno = Errno(5);
/// `ENOSPC`: no space left on the device.
pub const ENOSPC: Errno = Errno(28);

/// Redis's wording of the disk errors the log meets.
pub fn errno_text(e: Errno) -> String {
    match e {
        EIO => String::from("Input/output error"),
        ENOSPC => String::from("No space left on device"),
        Errno::EINVAL => String::from("Invalid argument"),
        Errno::ENOSYS => String::from("Function not implemented (no disk on this platform)"),
        Errno(n) => format!("errno {n}"),
    }
}
