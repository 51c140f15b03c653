//! Reading the log back: walk the live region group by group, verify every record, hand
//! the good ones to the caller, and find where the log ends (a clean end, or a torn or
//! corrupt tail to cut).

use super::format::{
    decode_group_header, decode_record, padded, Kind, Superblock, GROUP_HEADER_LEN,
};
use crate::sys::{Errno, SECTOR_SIZE};
use alloc::vec::Vec;

/// Bytes read from the disk at once while scanning.
const READ_CHUNK: usize = 1 << 20;

/// Reads `buf.len()` bytes at an absolute disk offset (both multiples of [`SECTOR_SIZE`]).
pub type ReadAt<'r> = &'r mut dyn FnMut(u64, &mut [u8]) -> Result<(), Errno>;

/// Where the log was found damaged, and how much was dropped there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Damage {
    /// Absolute disk offset of the first byte not kept.
    pub offset: u64,
    /// Bytes from there to the first all-zero sector (what the cut throws away).
    pub dropped_bytes: u64,
    /// What was wrong.
    pub reason: &'static str,
}

/// What a scan found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scanned {
    /// Records verified and handed to the caller.
    pub records: u64,
    /// Bytes of the region those records and their groups occupy.
    pub bytes: u64,
    /// Region offset where the next group is written (a sector boundary after the last
    /// good record: a sector holding an acknowledged record is never written again).
    pub end: u64,
    /// The chain value the next group header is checksummed from.
    pub chain: u32,
    /// The damaged tail cut off, if the log did not end cleanly.
    pub damage: Option<Damage>,
}

/// Scan the live region of `sb`, calling `apply` for every good record in order.
pub fn scan(
    read: ReadAt<'_>,
    sb: &Superblock,
    apply: &mut dyn FnMut(Kind, &[u8]),
) -> Result<Scanned, Errno> {
    let mut win = Window::new(read, sb);
    let mut s = Scanned {
        records: 0,
        bytes: 0,
        end: 0,
        chain: sb.chain_seed(),
        damage: None,
    };
    loop {
        let pos = s.end;
        if pos + SECTOR_SIZE as u64 > sb.region_len {
            return Ok(s);
        }
        let head = win.get(pos, GROUP_HEADER_LEN)?;
        let Some(group) = decode_group_header(head, s.chain) else {
            if s.damage.is_none() && !head.iter().all(|&b| b == 0) {
                let next = pos + SECTOR_SIZE as u64;
                s.damage = Some(win.damage(pos, next, "bad group header")?);
            }
            return Ok(s);
        };
        let body_start = pos + GROUP_HEADER_LEN as u64;
        if group.body_len as u64 > sb.region_len - body_start {
            let next = pos + SECTOR_SIZE as u64;
            s.damage = Some(win.damage(pos, next, "impossible group length")?);
            return Ok(s);
        }
        // A group read past an earlier cut: that damage was repaired, forget it.
        s.damage = None;
        let body = win.get(body_start, group.body_len)?.to_vec();
        let (mut at, mut chain) = (0, group.chain);
        while at < body.len() {
            let Some(record) = decode_record(&body[at..], chain) else {
                break;
            };
            apply(record.kind, record.payload);
            s.records += 1;
            at += record.len;
            chain = record.chain;
        }
        s.chain = chain;
        s.bytes = body_start + at as u64;
        s.end = padded(s.bytes as usize) as u64;
        if at < body.len() {
            let offset = body_start + at as u64;
            let group_end = padded(body_start as usize + body.len()) as u64;
            let reason = "bad record (CRC, length or kind)";
            s.damage = Some(win.damage(offset, group_end, reason)?);
        }
    }
}

/// A read-ahead window over the live region (offsets relative to its start).
struct Window<'r> {
    read: ReadAt<'r>,
    base: u64,
    len: u64,
    buf: Vec<u8>,
    buf_start: u64,
}

impl<'r> Window<'r> {
    fn new(read: ReadAt<'r>, sb: &Superblock) -> Self {
        Self {
            read,
            base: sb.region_start,
            len: sb.region_len,
            buf: Vec::new(),
            buf_start: 0,
        }
    }

    /// `n` bytes at region offset `pos` (the caller keeps `pos + n` inside the region).
    fn get(&mut self, pos: u64, n: usize) -> Result<&[u8], Errno> {
        let have =
            pos >= self.buf_start && pos + n as u64 <= self.buf_start + self.buf.len() as u64;
        if !have {
            let sector = SECTOR_SIZE as u64;
            let start = pos / sector * sector;
            let want = padded((pos - start) as usize + n).max(READ_CHUNK) as u64;
            let take = want.min(self.len - start);
            self.buf.clear();
            self.buf.resize(take as usize, 0);
            (self.read)(self.base + start, &mut self.buf)?;
            self.buf_start = start;
        }
        let from = (pos - self.buf_start) as usize;
        Ok(&self.buf[from..from + n])
    }

    /// The damage at region offset `pos`: bytes from there to the first all-zero sector
    /// at or after `next` (a sector boundary: what is known damaged ends there).
    fn damage(&mut self, pos: u64, mut next: u64, reason: &'static str) -> Result<Damage, Errno> {
        let sector = SECTOR_SIZE as u64;
        while next + sector <= self.len && !self.get(next, SECTOR_SIZE)?.iter().all(|&b| b == 0) {
            next += sector;
        }
        Ok(Damage {
            offset: self.base + pos,
            dropped_bytes: next.min(self.len) - pos,
            reason,
        })
    }
}
