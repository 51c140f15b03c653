//! The keyspace: typed values, expiry (lazy on access plus an ordered index for active
//! expiry) and the memory accounting `maxmemory` is checked against.
//!
//! Every operation takes the current time in milliseconds, so tests drive the clock.
//! Memory accounting: each key costs its bytes plus [`ENTRY_OVERHEAD_BYTES`]; each element of
//! a collection its bytes plus [`ELEMENT_OVERHEAD_BYTES`].

use crate::hash::{HashMap, HashSet};
use alloc::collections::{BTreeSet, VecDeque};
use alloc::vec::Vec;
use hashbrown::hash_map::EntryRef;

mod access;
mod encoding_hints;
mod pubsub;
mod zset;
pub use access::element_cost;
pub use encoding_hints::{EncodingHint, EncodingHints, ENCODING_HINTS};
pub use pubsub::PubSub;
pub use zset::{ZAddOptions, ZAddResult, ZSet};

/// Accounted cost of a key besides its bytes (table slot, entry header).
pub const ENTRY_OVERHEAD_BYTES: usize = 64;
/// Accounted cost of one collection element besides its bytes.
pub const ELEMENT_OVERHEAD_BYTES: usize = 32;

/// A change of the wall clock's offset to the monotonic clock, in ms, taken for the clock
/// being set rather than measurement jitter.
pub const WALL_CLOCK_STEP_MS: u64 = 1000;

/// A value of the wrong type for the operation (`-WRONGTYPE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WrongType;

/// A stored value.
#[derive(Clone)]
pub enum Value {
    /// A binary-safe string.
    Str(Vec<u8>),
    /// A list.
    List(VecDeque<Vec<u8>>),
    /// An unordered set.
    Set(HashSet<Vec<u8>>),
    /// A field → value map.
    Hash(HashMap<Vec<u8>, Vec<u8>>),
    /// A sorted set.
    ZSet(ZSet),
}

impl Value {
    /// Redis's name of the type (`TYPE`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Hash(_) => "hash",
            Value::ZSet(_) => "zset",
        }
    }

    /// Accounted size of the value.
    fn accounted_bytes(&self) -> usize {
        match self {
            Value::Str(s) => s.len(),
            Value::List(l) => l.iter().map(|e| e.len() + ELEMENT_OVERHEAD_BYTES).sum(),
            Value::Set(s) => s.iter().map(|e| e.len() + ELEMENT_OVERHEAD_BYTES).sum(),
            Value::Hash(h) => h
                .iter()
                .map(|(f, v)| f.len() + v.len() + ELEMENT_OVERHEAD_BYTES)
                .sum(),
            Value::ZSet(z) => z.accounted_bytes(),
        }
    }

    /// True for a collection without elements (such keys are deleted).
    fn is_empty_collection(&self) -> bool {
        match self {
            Value::Str(_) => false,
            Value::List(l) => l.is_empty(),
            Value::Set(s) => s.is_empty(),
            Value::Hash(h) => h.is_empty(),
            Value::ZSet(z) => z.is_empty(),
        }
    }
}

/// What a write does to the key's time to live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ttl {
    /// Remove any expiry.
    Clear,
    /// Keep the existing expiry.
    Keep,
    /// Expire at this absolute time (ms).
    At(u64),
}

struct Entry {
    value: Value,
    expire_at_ms: Option<u64>,
}

/// The keyspace of database 0.
#[derive(Default)]
pub struct Store {
    map: HashMap<Vec<u8>, Entry>,
    /// `(deadline_ms, key)` for every key with an expiry.
    expires: BTreeSet<(u64, Vec<u8>)>,
    used_bytes: usize,
    expired_keys: u64,
    /// State of the PRNG (SPOP, SRANDMEMBER, RANDOMKEY...); 0 until seeded.
    rng: u64,
    /// Keys some client `WATCH`es: `(watchers, version)`; the version changes with every
    /// write to the key (including its deletion or expiry).
    watched: HashMap<Vec<u8>, (usize, u64)>,
    /// Unix time minus monotonic time, in ms, as first measured (see
    /// [`Store::wall_offset_ms`]).
    wall_offset_ms: Option<i64>,
    /// Clients parked by a blocking command (the event loop retries them while any).
    pub blocked_clients: usize,
    /// Pub/sub subscriptions and messages to deliver (kept here, with the other state
    /// shared by all clients).
    pub pubsub: PubSub,
    /// Compact-encoding thresholds set by `CONFIG SET` (remembered, no effect).
    pub encoding_hints: EncodingHints,
}

impl Store {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of keys (some may be expired but not yet collected).
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when there are no keys.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Accounted bytes of all keys and values.
    pub fn used_bytes(&self) -> usize {
        self.used_bytes
    }

    /// Keys removed because their time to live passed.
    pub fn expired_keys(&self) -> u64 {
        self.expired_keys
    }

    /// Number of keys with an expiry.
    pub fn keys_with_expiry(&self) -> usize {
        self.expires.len()
    }

    /// Every key with its expiry deadline (expired keys included).
    pub fn keys(&self) -> impl Iterator<Item = (&[u8], Option<u64>)> + '_ {
        self.map.iter().map(|(k, e)| (k.as_slice(), e.expire_at_ms))
    }

    /// Remove everything.
    pub fn flush(&mut self) {
        for (_, version) in self.watched.values_mut() {
            *version += 1;
        }
        self.map.clear();
        self.expires.clear();
        self.used_bytes = 0;
    }

    /// The live value at `key`, deleting it first if it has expired.
    pub fn get(&mut self, key: &[u8], now_ms: u64) -> Option<&Value> {
        self.expire_if_due(key, now_ms);
        self.map.get(key).map(|e| &e.value)
    }

    /// The value at `key` without expiring it: for reading keys a prior [`Store::get`] in
    /// the same command already checked (several at once).
    pub fn peek(&self, key: &[u8]) -> Option<&Value> {
        self.map.get(key).map(|e| &e.value)
    }

    /// Accounted bytes of `key` and its value, `None` without the key.
    pub fn accounted_key_bytes(&mut self, key: &[u8], now_ms: u64) -> Option<usize> {
        let value = self.get(key, now_ms)?;
        Some(key.len() + ENTRY_OVERHEAD_BYTES + value.accounted_bytes())
    }

    /// Whether `key` exists.
    pub fn exists(&mut self, key: &[u8], now_ms: u64) -> bool {
        self.get(key, now_ms).is_some()
    }

    /// Delete `key`; true when it existed.
    pub fn delete(&mut self, key: &[u8], now_ms: u64) -> bool {
        self.expire_if_due(key, now_ms);
        self.remove(key)
    }

    /// Set a string value.
    pub fn set_str(&mut self, key: &[u8], value: &[u8], ttl: Ttl, now_ms: u64) {
        self.expire_if_due(key, now_ms);
        self.touch(key);
        match self.map.get_mut(key) {
            Some(entry) => {
                let old = entry.value.accounted_bytes();
                match &mut entry.value {
                    Value::Str(s) => {
                        // Reuse the allocation: the common SET-over-SET case allocates nothing.
                        s.clear();
                        s.extend_from_slice(value);
                    }
                    other => *other = Value::Str(value.to_vec()),
                }
                self.used_bytes = self.used_bytes.saturating_sub(old) + value.len();
            }
            None => {
                self.used_bytes += key.len() + ENTRY_OVERHEAD_BYTES + value.len();
                self.map.insert(
                    key.to_vec(),
                    Entry {
                        value: Value::Str(value.to_vec()),
                        expire_at_ms: None,
                    },
                );
            }
        }
        match ttl {
            Ttl::Keep => {}
            Ttl::Clear => self.set_expiry(key, None),
            Ttl::At(at) => self.set_expiry(key, Some(at)),
        }
    }

    /// Append to a string (creating it); returns the new length.
    pub fn append(&mut self, key: &[u8], tail: &[u8], now_ms: u64) -> Result<usize, WrongType> {
        match self.get_mut_or_insert(key, now_ms, || Value::Str(Vec::new())) {
            Value::Str(s) => {
                s.extend_from_slice(tail);
                let len = s.len();
                self.used_bytes += tail.len();
                Ok(len)
            }
            _ => Err(WrongType),
        }
    }

    /// Set `key`'s expiry (`None`: persist). Returns false when the key does not exist.
    pub fn expire(&mut self, key: &[u8], at_ms: Option<u64>, now_ms: u64) -> bool {
        if !self.exists(key, now_ms) {
            return false;
        }
        self.set_expiry(key, at_ms);
        true
    }

    /// `None`: no such key; `Some(None)`: no expiry; `Some(Some(ms))`: time left.
    pub fn ttl_ms(&mut self, key: &[u8], now_ms: u64) -> Option<Option<u64>> {
        self.expire_if_due(key, now_ms);
        self.map
            .get(key)
            .map(|e| e.expire_at_ms.map(|at| at.saturating_sub(now_ms)))
    }

    /// `None`: no such key; `Some(None)`: no expiry; `Some(Some(at))`: the monotonic
    /// deadline in ms.
    pub fn expire_at_ms(&mut self, key: &[u8], now_ms: u64) -> Option<Option<u64>> {
        self.expire_if_due(key, now_ms);
        self.map.get(key).map(|e| e.expire_at_ms)
    }

    /// The existing value at `key` for a write, or a new one made by `create`.
    /// The key's own cost is accounted here; the caller accounts for what it adds to the value.
    fn get_mut_or_insert(
        &mut self,
        key: &[u8],
        now_ms: u64,
        create: impl FnOnce() -> Value,
    ) -> &mut Value {
        self.expire_if_due(key, now_ms);
        self.touch(key);
        let used = &mut self.used_bytes;
        match self.map.entry_ref(key) {
            EntryRef::Occupied(o) => &mut o.into_mut().value,
            EntryRef::Vacant(v) => {
                *used += key.len() + ENTRY_OVERHEAD_BYTES;
                &mut v
                    .insert(Entry {
                        value: create(),
                        expire_at_ms: None,
                    })
                    .value
            }
        }
    }

    /// Run `f` on the existing live value at `key` (for writes that never create it), then
    /// delete the key if `f` emptied a collection. `f` returns its result and the change
    /// in accounted bytes.
    fn modify<R>(
        &mut self,
        key: &[u8],
        now_ms: u64,
        f: impl FnOnce(&mut Value) -> (R, isize),
    ) -> Option<R> {
        self.expire_if_due(key, now_ms);
        self.touch(key);
        let entry = self.map.get_mut(key)?;
        let (r, delta) = f(&mut entry.value);
        let empty = entry.value.is_empty_collection();
        self.adjust(delta);
        if empty {
            self.remove(key);
        }
        Some(r)
    }

    /// Like [`Store::modify`] but creating the value with `create` if missing; a value of
    /// the wrong type is left alone by `f` (it returns an error).
    fn upsert<R>(
        &mut self,
        key: &[u8],
        now_ms: u64,
        create: impl FnOnce() -> Value,
        f: impl FnOnce(&mut Value) -> (R, isize),
    ) -> R {
        let (r, delta) = f(self.get_mut_or_insert(key, now_ms, create));
        self.adjust(delta);
        // A wrong-type error on a fresh key cannot happen; an empty fresh collection can
        // (e.g. nothing added): remove it.
        if self
            .map
            .get(key)
            .is_some_and(|e| e.value.is_empty_collection())
        {
            self.remove(key);
        }
        r
    }

    /// The offset from monotonic deadlines to Unix times, given one measurement of it.
    /// The first measurement is kept, so conversions both ways agree to the millisecond
    /// (measurements jitter by the time between reading the two clocks); a measurement
    /// more than [`WALL_CLOCK_STEP_MS`] away replaces it (the wall clock was set).
    pub fn wall_offset_ms(&mut self, measured: i64) -> i64 {
        match self.wall_offset_ms {
            Some(kept) if kept.abs_diff(measured) <= WALL_CLOCK_STEP_MS => kept,
            _ => {
                self.wall_offset_ms = Some(measured);
                measured
            }
        }
    }

    /// Record a write to `key` for `WATCH` (one branch when nothing is watched).
    fn touch(&mut self, key: &[u8]) {
        if !self.watched.is_empty() {
            if let Some((_, version)) = self.watched.get_mut(key) {
                *version += 1;
            }
        }
    }

    /// Start watching `key`; returns its version.
    pub fn watch(&mut self, key: &[u8]) -> u64 {
        let (watchers, version) = self.watched.entry_ref(key).or_insert((0, 0));
        *watchers += 1;
        *version
    }

    /// The version of a watched key.
    pub fn watch_version(&self, key: &[u8]) -> u64 {
        self.watched.get(key).map_or(u64::MAX, |(_, v)| *v)
    }

    /// Stop one watch of `key`.
    pub fn unwatch(&mut self, key: &[u8]) {
        if let Some((watchers, _)) = self.watched.get_mut(key) {
            *watchers -= 1;
            if *watchers == 0 {
                self.watched.remove(key);
            }
        }
    }

    fn adjust(&mut self, delta: isize) {
        self.used_bytes = self.used_bytes.saturating_add_signed(delta);
    }

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

    // ------------------------------------------------------------------ expiry

    /// Delete keys whose deadline passed, at most `budget` of them; returns how many.
    pub fn expire_due(&mut self, now_ms: u64, budget: usize) -> usize {
        let mut removed = 0;
        while removed < budget {
            match self.expires.first() {
                Some((at, _)) if *at <= now_ms => {}
                _ => break,
            }
            let Some((_, key)) = self.expires.pop_first() else {
                break;
            };
            self.touch(&key);
            if let Some(entry) = self.map.remove(&key) {
                self.used_bytes = self.used_bytes.saturating_sub(
                    key.len() + ENTRY_OVERHEAD_BYTES + entry.value.accounted_bytes(),
                );
                self.expired_keys += 1;
            }
            removed += 1;
        }
        removed
    }

    fn expire_if_due(&mut self, key: &[u8], now_ms: u64) {
        if self.expires.is_empty() {
            // Fast path: no key has a time to live, so none can be due (saves a lookup).
            return;
        }
        let due = matches!(self.map.get(key), Some(Entry { expire_at_ms: Some(at), .. }) if *at <= now_ms);
        if due {
            self.remove(key);
            self.expired_keys += 1;
        }
    }

    fn set_expiry(&mut self, key: &[u8], at_ms: Option<u64>) {
        self.touch(key);
        let Some(entry) = self.map.get_mut(key) else {
            return;
        };
        if entry.expire_at_ms == at_ms {
            return;
        }
        if let Some(old) = entry.expire_at_ms {
            self.expires.remove(&(old, key.to_vec()));
        }
        entry.expire_at_ms = at_ms;
        if let Some(at) = at_ms {
            self.expires.insert((at, key.to_vec()));
        }
    }

    fn remove(&mut self, key: &[u8]) -> bool {
        let Some((k, entry)) = self.map.remove_entry(key) else {
            return false;
        };
        self.touch(key);
        if let Some(at) = entry.expire_at_ms {
            self.expires.remove(&(at, k.clone()));
        }
        self.used_bytes = self
            .used_bytes
            .saturating_sub(k.len() + ENTRY_OVERHEAD_BYTES + entry.value.accounted_bytes());
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_accounting() {
        let mut s = Store::new();
        s.set_str(b"k", b"hello", Ttl::Clear, 0);
        assert_eq!(s.used_bytes(), 1 + ENTRY_OVERHEAD_BYTES + 5);
        s.set_str(b"k", b"hi", Ttl::Clear, 0);
        assert_eq!(s.used_bytes(), 1 + ENTRY_OVERHEAD_BYTES + 2);
        assert_eq!(s.append(b"k", b"!!", 0), Ok(4));
        assert_eq!(s.used_bytes(), 1 + ENTRY_OVERHEAD_BYTES + 4);
        assert!(s.delete(b"k", 0));
        assert_eq!(s.used_bytes(), 0);
    }

    #[test]
    fn lazy_and_active_expiry() {
        let mut s = Store::new();
        s.set_str(b"a", b"1", Ttl::At(100), 0);
        s.set_str(b"b", b"2", Ttl::At(200), 0);
        assert_eq!(s.ttl_ms(b"a", 40), Some(Some(60)));
        assert!(s.get(b"a", 99).is_some());
        assert!(s.get(b"a", 100).is_none());
        assert_eq!(s.len(), 1);
        assert_eq!(s.expire_due(150, 10), 0);
        assert_eq!(s.expire_due(250, 10), 1);
        assert!(s.is_empty());
        assert_eq!(s.used_bytes(), 0);
        assert_eq!(s.keys_with_expiry(), 0);
        assert_eq!(s.expired_keys(), 2);
    }

    #[test]
    fn overwrite_clears_or_keeps_ttl() {
        let mut s = Store::new();
        s.set_str(b"a", b"1", Ttl::At(100), 0);
        s.set_str(b"a", b"2", Ttl::Keep, 0);
        assert_eq!(s.ttl_ms(b"a", 0), Some(Some(100)));
        s.set_str(b"a", b"3", Ttl::Clear, 0);
        assert_eq!(s.ttl_ms(b"a", 0), Some(None));
        assert_eq!(s.keys_with_expiry(), 0);
    }

    #[test]
    fn collections_are_deleted_when_empty_and_accounted() {
        let mut s = Store::new();
        let items: [&[u8]; 3] = [b"a", b"bb", b"ccc"];
        assert_eq!(s.push(b"l", items.iter().copied(), false, 0), Ok(3));
        assert_eq!(
            s.pop(b"l", 2, false, 0),
            Ok(alloc::vec![b"ccc".to_vec(), b"bb".to_vec()])
        );
        assert_eq!(s.pop(b"l", 5, true, 0), Ok(alloc::vec![b"a".to_vec()]));
        assert!(!s.exists(b"l", 0));
        assert_eq!(s.used_bytes(), 0);
        assert_eq!(s.sadd(b"s", items.iter().copied(), 0), Ok(3));
        assert_eq!(s.spop(b"s", 3, 0).map(|v| v.len()), Ok(3));
        assert_eq!(s.used_bytes(), 0);
        assert_eq!(s.hset(b"h", [(&b"f"[..], &b"v"[..])].into_iter(), 0), Ok(1));
        assert_eq!(s.hdel(b"h", [&b"f"[..]].into_iter(), 0), Ok(1));
        assert!(s.is_empty());
        assert_eq!(s.used_bytes(), 0);
        assert_eq!(s.push(b"l", items.iter().copied(), false, 0), Ok(3));
        assert_eq!(s.sadd(b"l", items.iter().copied(), 0), Err(WrongType));
    }
}
