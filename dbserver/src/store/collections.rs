//! The store's collection mutators (lists, sets, hashes, sorted sets) that keep the
//! memory accounting and delete a collection once it is empty.

use super::zset::{self, ZAddOptions, ZSet};
use super::{Store, Value, WrongType, ELEMENT_OVERHEAD_BYTES};
use crate::hash::{HashMap, HashSet};
use alloc::collections::VecDeque;
use alloc::vec::Vec;

impl Store {
    // ------------------------------------------------------------------ lists

    /// Push `items` at the front (`LPUSH`) or back (`RPUSH`); returns the new length.
    pub fn push<'a>(
        &mut self,
        key: &[u8],
        items: impl Iterator<Item = &'a [u8]>,
        front: bool,
        now_ms: u64,
    ) -> Result<usize, WrongType> {
        self.upsert(
            key,
            now_ms,
            || Value::List(VecDeque::new()),
            |v| match v {
                Value::List(l) => {
                    let mut added = 0usize;
                    for item in items {
                        added += item.len() + ELEMENT_OVERHEAD_BYTES;
                        if front {
                            l.push_front(item.to_vec());
                        } else {
                            l.push_back(item.to_vec());
                        }
                    }
                    (Ok(l.len()), added as isize)
                }
                _ => (Err(WrongType), 0),
            },
        )
    }

    /// Pop up to `count` elements from the front or back.
    pub fn pop(
        &mut self,
        key: &[u8],
        count: usize,
        front: bool,
        now_ms: u64,
    ) -> Result<Vec<Vec<u8>>, WrongType> {
        self.modify(key, now_ms, |v| match v {
            Value::List(l) => {
                let n = count.min(l.len());
                let popped: Vec<Vec<u8>> = if front {
                    l.drain(..n).collect()
                } else {
                    let mut tail: Vec<Vec<u8>> = l.drain(l.len() - n..).collect();
                    tail.reverse();
                    tail
                };
                let freed: usize = popped
                    .iter()
                    .map(|e| e.len() + ELEMENT_OVERHEAD_BYTES)
                    .sum();
                (Ok(popped), -(freed as isize))
            }
            _ => (Err(WrongType), 0),
        })
        .unwrap_or(Ok(Vec::new()))
    }

    // ------------------------------------------------------------------ sets

    /// Add members; returns how many were new.
    pub fn sadd<'a>(
        &mut self,
        key: &[u8],
        members: impl Iterator<Item = &'a [u8]>,
        now_ms: u64,
    ) -> Result<usize, WrongType> {
        self.upsert(
            key,
            now_ms,
            || Value::Set(HashSet::default()),
            |v| match v {
                Value::Set(s) => {
                    let (mut added, mut bytes) = (0usize, 0usize);
                    for m in members {
                        if !s.contains(m) {
                            s.insert(m.to_vec());
                            added += 1;
                            bytes += m.len() + ELEMENT_OVERHEAD_BYTES;
                        }
                    }
                    (Ok(added), bytes as isize)
                }
                _ => (Err(WrongType), 0),
            },
        )
    }

    /// Remove and return up to `count` arbitrary members.
    pub fn spop(
        &mut self,
        key: &[u8],
        count: usize,
        now_ms: u64,
    ) -> Result<Vec<Vec<u8>>, WrongType> {
        self.modify(key, now_ms, |v| match v {
            Value::Set(s) => {
                let n = count.min(s.len());
                let picked: Vec<Vec<u8>> = s.iter().take(n).cloned().collect();
                let mut freed = 0usize;
                for m in &picked {
                    s.remove(m);
                    freed += m.len() + ELEMENT_OVERHEAD_BYTES;
                }
                (Ok(picked), -(freed as isize))
            }
            _ => (Err(WrongType), 0),
        })
        .unwrap_or(Ok(Vec::new()))
    }

    // ------------------------------------------------------------------ hashes

    /// Set field/value pairs; returns how many fields were new.
    pub fn hset<'a>(
        &mut self,
        key: &[u8],
        pairs: impl Iterator<Item = (&'a [u8], &'a [u8])>,
        now_ms: u64,
    ) -> Result<usize, WrongType> {
        self.upsert(
            key,
            now_ms,
            || Value::Hash(HashMap::default()),
            |v| match v {
                Value::Hash(h) => {
                    let (mut added, mut delta) = (0usize, 0isize);
                    for (f, val) in pairs {
                        match h.get_mut(f) {
                            Some(old) => {
                                delta += val.len() as isize - old.len() as isize;
                                old.clear();
                                old.extend_from_slice(val);
                            }
                            None => {
                                h.insert(f.to_vec(), val.to_vec());
                                added += 1;
                                delta += (f.len() + val.len() + ELEMENT_OVERHEAD_BYTES) as isize;
                            }
                        }
                    }
                    (Ok(added), delta)
                }
                _ => (Err(WrongType), 0),
            },
        )
    }

    /// Delete fields; returns how many existed.
    pub fn hdel<'a>(
        &mut self,
        key: &[u8],
        fields: impl Iterator<Item = &'a [u8]>,
        now_ms: u64,
    ) -> Result<usize, WrongType> {
        self.modify(key, now_ms, |v| match v {
            Value::Hash(h) => {
                let (mut removed, mut freed) = (0usize, 0usize);
                for f in fields {
                    if let Some(old) = h.remove(f) {
                        removed += 1;
                        freed += f.len() + old.len() + ELEMENT_OVERHEAD_BYTES;
                    }
                }
                (Ok(removed), -(freed as isize))
            }
            _ => (Err(WrongType), 0),
        })
        .unwrap_or(Ok(0))
    }

    // ------------------------------------------------------------------ sorted sets

    /// `ZADD`: returns the number of added (or, with `CH`, changed) members, or with
    /// `INCR` the new score (`None` when a condition prevented the update).
    pub fn zadd<'a>(
        &mut self,
        key: &[u8],
        items: impl Iterator<Item = (f64, &'a [u8])>,
        opts: ZAddOptions,
        now_ms: u64,
    ) -> Result<zset::ZAddResult, WrongType> {
        self.upsert(
            key,
            now_ms,
            || Value::ZSet(ZSet::default()),
            |v| match v {
                Value::ZSet(z) => {
                    let before = z.accounted_bytes() as isize;
                    let r = z.add(items, opts);
                    (Ok(r), z.accounted_bytes() as isize - before)
                }
                _ => (Err(WrongType), 0),
            },
        )
    }

    /// Pop up to `count` members with the lowest scores.
    pub fn zpopmin(
        &mut self,
        key: &[u8],
        count: usize,
        now_ms: u64,
    ) -> Result<Vec<(Vec<u8>, f64)>, WrongType> {
        self.modify(key, now_ms, |v| match v {
            Value::ZSet(z) => {
                let before = z.accounted_bytes() as isize;
                let popped = z.pop_min(count);
                (Ok(popped), z.accounted_bytes() as isize - before)
            }
            _ => (Err(WrongType), 0),
        })
        .unwrap_or(Ok(Vec::new()))
    }
}
