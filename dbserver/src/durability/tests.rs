//! The record codec, the superblock copies and the tail cut, on an in-memory disk.

use super::format::{GroupBuilder, Kind, Superblock, GROUP_HEADER_LEN, RECORD_HEADER_LEN};
use super::kv::{decode_commands, encode_command};
use super::scan::{scan, Scanned};
use crate::sys::{Errno, SECTOR_SIZE};
use alloc::vec;
use alloc::vec::Vec;

/// A disk of `size` zero bytes with the initial layout.
fn disk(size: usize) -> (Vec<u8>, Superblock) {
    (vec![0; size], Superblock::initial(size as u64).unwrap())
}

/// Append one group of `records` (payloads) at region offset `end`; returns the new end
/// and chain.
fn append(d: &mut [u8], sb: &Superblock, at: (u64, u32), records: &[&[u8]]) -> (u64, u32) {
    let mut g = GroupBuilder::default();
    for r in records {
        g.push(Kind::Kv, r);
    }
    let (bytes, chain) = g.seal(at.1);
    assert_eq!(bytes.len() % SECTOR_SIZE, 0);
    let start = (sb.region_start + at.0) as usize;
    d[start..start + bytes.len()].copy_from_slice(&bytes);
    (at.0 + bytes.len() as u64, chain)
}

fn scan_all(d: &[u8], sb: &Superblock) -> (Scanned, Vec<Vec<u8>>) {
    let mut read = |off: u64, buf: &mut [u8]| -> Result<(), Errno> {
        assert_eq!(off % SECTOR_SIZE as u64, 0);
        assert_eq!(buf.len() % SECTOR_SIZE, 0);
        let off = off as usize;
        buf.copy_from_slice(&d[off..off + buf.len()]);
        Ok(())
    };
    let mut got = Vec::new();
    let s = scan(&mut read, sb, &mut |kind, p| {
        assert_eq!(kind, Kind::Kv);
        got.push(p.to_vec());
    })
    .unwrap();
    (s, got)
}

#[test]
fn kv_payload_round_trips_and_rejects_garbage() {
    let mut p = Vec::new();
    encode_command(&mut p, &[b"SET", b"k", b""]);
    encode_command(&mut p, &[b"DEL", b"k"]);
    let cmds = decode_commands(&p).unwrap();
    assert_eq!(cmds.len(), 2);
    assert_eq!(cmds[0].0, b"SETk");
    assert_eq!(cmds[0].1, vec![(0, 3), (3, 4), (4, 4)]);
    assert!(decode_commands(&p[..p.len() - 1]).is_none());
    assert!(decode_commands(&[0, 0, 0, 0]).is_none());
    assert!(decode_commands(&[255, 255, 255, 255]).is_none());
}

#[test]
fn superblock_copies_survive_a_torn_one() {
    let sb = Superblock::initial(1 << 20).unwrap();
    let mut next = sb;
    next.generation += 1;
    let (a, b) = (sb.encode(), next.encode());
    assert_eq!(Superblock::decode(&a), Some(sb));
    let mut torn = b.clone();
    torn[20] ^= 1;
    assert_eq!(Superblock::decode(&torn), None);
    assert_eq!(
        super::format::newest(Superblock::decode(&a), None),
        Some(sb)
    );
    let both = super::format::newest(Superblock::decode(&a), Superblock::decode(&b));
    assert_eq!(both, Some(next));
    assert_eq!(Superblock::initial(4096), None);
}

#[test]
fn scan_reads_every_record_and_ends_cleanly() {
    let (mut d, sb) = disk(1 << 20);
    let mut at = (0, sb.chain_seed());
    at = append(&mut d, &sb, at, &[b"one", b"two"]);
    let big = vec![7u8; 3000];
    at = append(&mut d, &sb, at, &[&big]);
    let (s, got) = scan_all(&d, &sb);
    assert_eq!(got, vec![b"one".to_vec(), b"two".to_vec(), big.clone()]);
    assert_eq!((s.records, s.end, s.chain, s.damage), (3, at.0, at.1, None));
    assert_eq!(s.end % SECTOR_SIZE as u64, 0);
}

#[test]
fn a_torn_tail_is_cut_at_the_last_good_record() {
    let (mut d, sb) = disk(1 << 20);
    let at = append(&mut d, &sb, (0, sb.chain_seed()), &[b"kept"]);
    let payloads: Vec<Vec<u8>> = (0..40u8).map(|i| vec![i; 100]).collect();
    let refs: Vec<&[u8]> = payloads.iter().map(|p| &p[..]).collect();
    let end = append(&mut d, &sb, at, &refs);
    // The second group's last sectors never reached the disk.
    let zero_from = (sb.region_start + at.0) as usize + 2 * SECTOR_SIZE;
    d[zero_from..(sb.region_start + end.0) as usize].fill(0);
    let (s, got) = scan_all(&d, &sb);
    let per_record = RECORD_HEADER_LEN + 100;
    let whole = (2 * SECTOR_SIZE - GROUP_HEADER_LEN) / per_record;
    assert_eq!(got.len(), 1 + whole);
    assert_eq!(got[whole], payloads[whole - 1]);
    let damage = s.damage.unwrap();
    let cut = sb.region_start + at.0 + (GROUP_HEADER_LEN + whole * per_record) as u64;
    assert_eq!(damage.offset, cut);
    // What is dropped: the rest of the group as its header declares it.
    assert_eq!(
        damage.offset + damage.dropped_bytes,
        sb.region_start + end.0
    );
}

#[test]
fn a_corrupt_byte_keeps_everything_before_it_and_nothing_after() {
    let (mut d, sb) = disk(1 << 20);
    let mut at = (0, sb.chain_seed());
    for i in 0..5u8 {
        at = append(&mut d, &sb, at, &[&[i; 10]]);
    }
    // Flip a payload byte of the third group.
    let third = (sb.region_start as usize) + 2 * SECTOR_SIZE;
    d[third + GROUP_HEADER_LEN + RECORD_HEADER_LEN] ^= 0x40;
    let (s, got) = scan_all(&d, &sb);
    assert_eq!(got, vec![vec![0u8; 10], vec![1u8; 10]]);
    let damage = s.damage.unwrap();
    assert_eq!(damage.offset, (third + GROUP_HEADER_LEN) as u64);
    // The next write starts on the damaged group's second sector; the good record of the
    // header is kept in its sector, never rewritten.
    assert_eq!(s.end, 3 * SECTOR_SIZE as u64);
}

#[test]
fn bytes_cut_once_stay_cut_after_new_writes() {
    let (mut d, sb) = disk(1 << 20);
    let mut at = (0, sb.chain_seed());
    for i in 0..4u8 {
        at = append(&mut d, &sb, at, &[&[i; 10]]);
    }
    // The second group's header is corrupt: groups 2..4 are dropped.
    let second = sb.region_start as usize + SECTOR_SIZE;
    d[second] ^= 1;
    let (s, got) = scan_all(&d, &sb);
    assert_eq!(got.len(), 1);
    assert_eq!(s.damage.unwrap().dropped_bytes, 3 * SECTOR_SIZE as u64);
    // A restart writes one group where the damage began; the stale groups after it
    // (same generation, valid on their own) must not come back.
    let after = append(&mut d, &sb, (s.end, s.chain), &[b"new"]);
    let (s2, got2) = scan_all(&d, &sb);
    assert_eq!(got2, vec![vec![0u8; 10], b"new".to_vec()]);
    assert_eq!(s2.end, after.0);
    assert_eq!(s2.damage.map(|d| d.reason), Some("bad group header"));
}

#[test]
fn records_of_an_older_generation_do_not_verify() {
    let (mut d, sb) = disk(1 << 20);
    append(&mut d, &sb, (0, sb.chain_seed()), &[b"old"]);
    let mut newer = sb;
    newer.generation += 2;
    let (s, got) = scan_all(&d, &newer);
    assert!(got.is_empty());
    assert_eq!(s.damage.map(|d| d.offset), Some(sb.region_start));
}

#[test]
fn an_impossible_length_is_damage_not_a_panic() {
    let (mut d, sb) = disk(64 * 1024);
    let at = append(&mut d, &sb, (0, sb.chain_seed()), &[b"x"]);
    let mut g = GroupBuilder::default();
    g.push(Kind::Kv, b"y");
    let (mut bytes, _) = g.seal(at.1);
    // A body length past the region, with a header CRC that verifies.
    bytes[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    let start = (sb.region_start + at.0) as usize;
    d[start..start + bytes.len()].copy_from_slice(&bytes);
    let (s, got) = scan_all(&d, &sb);
    assert_eq!(got.len(), 1);
    assert!(s.damage.is_some());
}
