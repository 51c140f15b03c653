//! The on-disk format: the superblock (two copies) and groups of checksummed records.
//! Pure encoding and decoding, no I/O; see the module documentation of
//! [`crate::durability`] for the layout.

use crate::sys::SECTOR_SIZE;
use alloc::vec::Vec;
use crc::{Crc, CRC_32_ISCSI};

/// CRC-32C (Castagnoli, the iSCSI polynomial).
const CRC32C: Crc<u32> = Crc::<u32>::new(&CRC_32_ISCSI);

/// First bytes of a superblock copy.
pub const SUPERBLOCK_MAGIC: [u8; 8] = *b"R0DBLOG\0";
/// The format version this code writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// Bytes of a superblock copy before its CRC.
const SUPERBLOCK_BODY: usize = 44;
/// Bytes at the start of the disk reserved for the superblock copies (sectors 0 and 1).
pub const HEADER_AREA: u64 = 4096;
/// First bytes of a group.
pub const GROUP_MAGIC: u32 = u32::from_le_bytes(*b"R0LG");
/// Bytes of a group header: magic, body length, record count, CRC.
pub const GROUP_HEADER_LEN: usize = 16;
/// Bytes of a record header: payload length, kind, three zero bytes, CRC.
pub const RECORD_HEADER_LEN: usize = 12;

/// What a record holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Redis commands, applied in order and atomically (one command, or an `EXEC`'s).
    Kv = 1,
    /// One committed SQL transaction, as the SQL engine encoded it.
    Sql = 2,
}

impl Kind {
    fn from_byte(b: u8) -> Option<Self> {
        match b {
            1 => Some(Self::Kv),
            2 => Some(Self::Sql),
            _ => None,
        }
    }
}

/// The superblock: which region of the disk holds the live log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Superblock {
    /// Incremented each time the live region changes (compaction); the higher valid copy wins.
    pub generation: u64,
    /// Byte offset of the live region (a multiple of [`SECTOR_SIZE`]).
    pub region_start: u64,
    /// Bytes in the live region (a multiple of [`SECTOR_SIZE`]).
    pub region_len: u64,
}

impl Superblock {
    /// The first layout of a disk of `disk_size` bytes: region A, the first half of what
    /// follows the header area (the second half is region B, for compaction). `None`
    /// when the disk is too small to hold a log.
    pub fn initial(disk_size: u64) -> Option<Self> {
        let sector = SECTOR_SIZE as u64;
        let half = disk_size.checked_sub(HEADER_AREA)? / 2 / sector * sector;
        (half >= 4 * sector).then_some(Self {
            generation: 1,
            region_start: HEADER_AREA,
            region_len: half,
        })
    }

    /// The chain value the region's first group header is checksummed from: records of
    /// another generation (stale data of an earlier log in the region) never verify.
    pub fn chain_seed(&self) -> u32 {
        CRC32C.checksum(&self.generation.to_le_bytes())
    }

    /// One sector holding this superblock.
    pub fn encode(&self) -> Vec<u8> {
        let mut s = alloc::vec![0u8; SECTOR_SIZE];
        s[..8].copy_from_slice(&SUPERBLOCK_MAGIC);
        s[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        s[12..20].copy_from_slice(&self.generation.to_le_bytes());
        s[20..28].copy_from_slice(&self.region_start.to_le_bytes());
        s[28..36].copy_from_slice(&self.region_len.to_le_bytes());
        let crc = CRC32C.checksum(&s[..SUPERBLOCK_BODY]);
        s[SUPERBLOCK_BODY..SUPERBLOCK_BODY + 4].copy_from_slice(&crc.to_le_bytes());
        s
    }

    /// Decode one copy; `None` when it is not a valid superblock of this version.
    pub fn decode(s: &[u8]) -> Option<Self> {
        let body = s.get(..SUPERBLOCK_BODY)?;
        let crc = le_u32(s, SUPERBLOCK_BODY)?;
        if body[..8] != SUPERBLOCK_MAGIC
            || le_u32(s, 8)? != FORMAT_VERSION
            || CRC32C.checksum(body) != crc
        {
            return None;
        }
        let sb = Self {
            generation: le_u64(s, 12)?,
            region_start: le_u64(s, 20)?,
            region_len: le_u64(s, 28)?,
        };
        let sector = SECTOR_SIZE as u64;
        let aligned =
            sb.region_start.is_multiple_of(sector) && sb.region_len.is_multiple_of(sector);
        (aligned && sb.region_start >= HEADER_AREA).then_some(sb)
    }
}

/// The newer of two superblock copies, whichever are valid.
pub fn newest(a: Option<Superblock>, b: Option<Superblock>) -> Option<Superblock> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.generation > a.generation { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// Builds one group: records appended in order, then sealed into the bytes of one write.
#[derive(Debug, Default)]
pub struct GroupBuilder {
    body: Vec<u8>,
    records: u32,
}

impl GroupBuilder {
    /// Append a record.
    pub fn push(&mut self, kind: Kind, payload: &[u8]) {
        self.body
            .extend_from_slice(&(payload.len() as u32).to_le_bytes());
        self.body
            .extend_from_slice(&[kind as u8, 0, 0, 0, 0, 0, 0, 0]);
        self.body.extend_from_slice(payload);
        self.records += 1;
    }

    /// Records appended since the last seal.
    pub fn records(&self) -> u32 {
        self.records
    }

    /// Bytes the group will take on disk once sealed (header, records, padding).
    pub fn sealed_len(&self) -> u64 {
        padded(GROUP_HEADER_LEN + self.body.len()) as u64
    }

    /// Bytes the group takes with `extra` more payload bytes in one more record.
    pub fn sealed_len_with(&self, extra: usize) -> u64 {
        padded(GROUP_HEADER_LEN + self.body.len() + RECORD_HEADER_LEN + extra) as u64
    }

    /// The group's bytes, a whole number of sectors, checksummed from `chain`; returns
    /// them with the chain value after the last record. Empties the builder.
    pub fn seal(&mut self, chain: u32) -> (Vec<u8>, u32) {
        let mut out = Vec::with_capacity(self.sealed_len() as usize);
        out.extend_from_slice(&GROUP_MAGIC.to_le_bytes());
        out.extend_from_slice(&(self.body.len() as u32).to_le_bytes());
        out.extend_from_slice(&self.records.to_le_bytes());
        let mut chain = crc_from(chain, &out[..12]);
        out.extend_from_slice(&chain.to_le_bytes());
        let body = core::mem::take(&mut self.body);
        let mut pos = 0;
        while pos + RECORD_HEADER_LEN <= body.len() {
            let len = le_u32(&body, pos).unwrap_or(0) as usize;
            let end = pos + RECORD_HEADER_LEN + len;
            let head = &body[pos..pos + 8];
            let crc = crc_from(crc_from(chain, head), &body[pos + RECORD_HEADER_LEN..end]);
            out.extend_from_slice(head);
            out.extend_from_slice(&crc.to_le_bytes());
            out.extend_from_slice(&body[pos + RECORD_HEADER_LEN..end]);
            chain = crc;
            pos = end;
        }
        out.resize(padded(out.len()), 0);
        self.records = 0;
        (out, chain)
    }
}

/// A verified group header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupHeader {
    pub body_len: usize,
    pub records: u32,
    /// The chain value the first record is checksummed from.
    pub chain: u32,
}

/// Decode and verify the group header at the start of `bytes` against `chain`.
pub fn decode_group_header(bytes: &[u8], chain: u32) -> Option<GroupHeader> {
    let head = bytes.get(..12)?;
    let crc = le_u32(bytes, 12)?;
    if le_u32(bytes, 0)? != GROUP_MAGIC || crc_from(chain, head) != crc {
        return None;
    }
    Some(GroupHeader {
        body_len: le_u32(bytes, 4)? as usize,
        records: le_u32(bytes, 8)?,
        chain: crc,
    })
}

/// A verified record: its kind, payload, bytes used and the chain value after it.
#[derive(Debug, PartialEq, Eq)]
pub struct Record<'a> {
    pub kind: Kind,
    pub payload: &'a [u8],
    pub len: usize,
    pub chain: u32,
}

/// Decode and verify the record at the start of `body` (the rest of its group's body)
/// against `chain`; `None` for an impossible length, a bad CRC or an unknown kind.
pub fn decode_record(body: &[u8], chain: u32) -> Option<Record<'_>> {
    let len = le_u32(body, 0)? as usize;
    let end = RECORD_HEADER_LEN.checked_add(len)?;
    let payload = body.get(RECORD_HEADER_LEN..end)?;
    let crc = crc_from(crc_from(chain, body.get(..8)?), payload);
    if crc != le_u32(body, 8)? || body[5..8] != [0, 0, 0] {
        return None;
    }
    Some(Record {
        kind: Kind::from_byte(body[4])?,
        payload,
        len: end,
        chain: crc,
    })
}

/// `n` rounded up to a whole number of sectors.
pub fn padded(n: usize) -> usize {
    n.div_ceil(SECTOR_SIZE) * SECTOR_SIZE
}

fn crc_from(chain: u32, bytes: &[u8]) -> u32 {
    let mut digest = CRC32C.digest_with_initial(chain);
    digest.update(bytes);
    digest.finalize()
}

fn le_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn le_u64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}
