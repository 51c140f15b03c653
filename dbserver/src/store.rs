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
mod collections;
mod encoding_hints;
mod pubsub;
mod timing;
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
    /// Requests parked so far (orders parked clients: the oldest is served first).
    pub block_sequence: u64,
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
        // Only watched keys that exist change (as in Redis: a missing key stays missing).
        let map = &self.map;
        for (key, (_, version)) in self.watched.iter_mut() {
            if map.contains_key(key) {
                *version += 1;
            }
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

    fn adjust(&mut self, delta: isize) {
        self.used_bytes = self.used_bytes.saturating_add_signed(delta);
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
mod tests;
