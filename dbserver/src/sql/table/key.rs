//! Index keys of rows, and the bytes rows and index entries are charged for.

use alloc::string::String;
use alloc::vec::Vec;
use core::mem::size_of;

use super::{IndexDef, Key, SlotId, INDEX_ENTRY_OVERHEAD_BYTES};
use crate::sql::value::{heap_bytes, KeyAtom};
use crate::sql::Value;

pub(super) fn distinct_keys(def: &IndexDef, rows: &[Option<&[Value]>; 2]) -> Vec<Key> {
    let mut keys: Vec<Key> = Vec::with_capacity(2);
    for row in rows.iter().flatten() {
        let k = key_of(def, row);
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    keys
}

/// The key of a row in an index.
pub fn key_of(def: &IndexDef, row: &[Value]) -> Key {
    def.columns
        .iter()
        .map(|c| row.get(*c).map_or(KeyAtom::Null, KeyAtom::exact))
        .collect()
}

/// Whether `row`'s key in index `def` is `key` (re-check of an index hit).
pub fn key_matches(def: &IndexDef, key: &Key, row: &[Value]) -> bool {
    key.len() == def.columns.len()
        && key
            .iter()
            .zip(&def.columns)
            .all(|(atom, c)| row.get(*c).is_some_and(|v| atom.matches_exact(v)))
}

/// The entry text of a duplicate-key error: the key's values joined by '-'.
pub(super) fn entry_text(def: &IndexDef, row: &[Value]) -> String {
    let mut out = String::new();
    for (i, c) in def.columns.iter().enumerate() {
        if i > 0 {
            out.push('-');
        }
        if let Some(v) = row.get(*c) {
            out.push_str(&v.display());
        }
    }
    out
}

pub(super) fn row_bytes(row: &[Value]) -> usize {
    core::mem::size_of_val(row) + row.iter().map(heap_bytes).sum::<usize>()
}

pub(super) fn entry_bytes(key: &Key) -> usize {
    INDEX_ENTRY_OVERHEAD_BYTES
        + size_of::<(Key, SlotId)>()
        + key.len() * size_of::<KeyAtom>()
        + key.iter().map(KeyAtom::heap_bytes).sum::<usize>()
}
