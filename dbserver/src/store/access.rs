//! Typed in-place access for the commands that are not worth a store method each, whole
//! values (`*STORE`, `RENAME`, `COPY`), random keys and the store's PRNG.
//!
//! Accounting contract of the `*_mut` methods: the closure returns its result and the
//! change in accounted bytes of the value (use [`element_cost`] per element added or
//! removed); the key's own cost and the deletion of emptied collections are handled here.

use super::{
    Entry, Store, Ttl, Value, WrongType, ZSet, ELEMENT_OVERHEAD_BYTES, ENTRY_OVERHEAD_BYTES,
};
use crate::hash::{HashMap, HashSet};
use alloc::collections::VecDeque;
use alloc::vec::Vec;

/// Accounted bytes of one collection element of `bytes` bytes, as a signed delta.
pub fn element_cost(bytes: usize) -> isize {
    bytes.saturating_add(ELEMENT_OVERHEAD_BYTES) as isize
}

/// xorshift64* multiplier.
const PRNG_MULTIPLIER: u64 = 0x2545_f491_4f6c_dd1d;

impl Store {
    fn typed_mut<T, R>(
        &mut self,
        key: &[u8],
        now_ms: u64,
        create: Option<fn() -> Value>,
        project: fn(&mut Value) -> Option<&mut T>,
        f: impl FnOnce(&mut T) -> (R, isize),
    ) -> Result<Option<R>, WrongType> {
        self.expire_if_due(key, now_ms);
        if create.is_none() && !self.map.contains_key(key) {
            return Ok(None);
        }
        let make = || create.map_or_else(|| Value::Str(Vec::new()), |make| make());
        let value = self.get_mut_or_insert(key, now_ms, make);
        let Some(inner) = project(value) else {
            return Err(WrongType);
        };
        let (r, delta) = f(inner);
        self.adjust(delta);
        if self
            .map
            .get(key)
            .is_some_and(|e| e.value.is_empty_collection())
        {
            self.remove(key);
        }
        Ok(Some(r))
    }

    /// The string at `key` (created empty when `create`); `Ok(None)`: no such key.
    /// The accounting follows the string's length; an empty string created here stays.
    pub fn str_mut<R>(
        &mut self,
        key: &[u8],
        now_ms: u64,
        create: bool,
        f: impl FnOnce(&mut Vec<u8>) -> R,
    ) -> Result<Option<R>, WrongType> {
        let make: fn() -> Value = || Value::Str(Vec::new());
        self.typed_mut(
            key,
            now_ms,
            create.then_some(make),
            |v| match v {
                Value::Str(s) => Some(s),
                _ => None,
            },
            |s| {
                let before = s.len() as isize;
                let r = f(s);
                (r, s.len() as isize - before)
            },
        )
    }

    /// The list at `key` (created when `create`).
    pub fn list_mut<R>(
        &mut self,
        key: &[u8],
        now_ms: u64,
        create: bool,
        f: impl FnOnce(&mut VecDeque<Vec<u8>>) -> (R, isize),
    ) -> Result<Option<R>, WrongType> {
        let make: fn() -> Value = || Value::List(VecDeque::new());
        self.typed_mut(
            key,
            now_ms,
            create.then_some(make),
            |v| match v {
                Value::List(l) => Some(l),
                _ => None,
            },
            f,
        )
    }

    /// The set at `key` (created when `create`).
    pub fn set_mut<R>(
        &mut self,
        key: &[u8],
        now_ms: u64,
        create: bool,
        f: impl FnOnce(&mut HashSet<Vec<u8>>) -> (R, isize),
    ) -> Result<Option<R>, WrongType> {
        let make: fn() -> Value = || Value::Set(HashSet::default());
        self.typed_mut(
            key,
            now_ms,
            create.then_some(make),
            |v| match v {
                Value::Set(s) => Some(s),
                _ => None,
            },
            f,
        )
    }

    /// The hash at `key` (created when `create`).
    pub fn hash_mut<R>(
        &mut self,
        key: &[u8],
        now_ms: u64,
        create: bool,
        f: impl FnOnce(&mut HashMap<Vec<u8>, Vec<u8>>) -> (R, isize),
    ) -> Result<Option<R>, WrongType> {
        let make: fn() -> Value = || Value::Hash(HashMap::default());
        self.typed_mut(
            key,
            now_ms,
            create.then_some(make),
            |v| match v {
                Value::Hash(h) => Some(h),
                _ => None,
            },
            f,
        )
    }

    /// The sorted set at `key` (created when `create`); it accounts for itself.
    pub fn zset_mut<R>(
        &mut self,
        key: &[u8],
        now_ms: u64,
        create: bool,
        f: impl FnOnce(&mut ZSet) -> R,
    ) -> Result<Option<R>, WrongType> {
        let make: fn() -> Value = || Value::ZSet(ZSet::default());
        self.typed_mut(
            key,
            now_ms,
            create.then_some(make),
            |v| match v {
                Value::ZSet(z) => Some(z),
                _ => None,
            },
            |z| {
                let before = z.accounted_bytes() as isize;
                let r = f(z);
                (r, z.accounted_bytes() as isize - before)
            },
        )
    }

    /// Store `value` at `key`, replacing any value, with the time to live `ttl`
    /// (`Keep` keeps the old key's). An empty collection deletes the key instead.
    pub fn put(&mut self, key: &[u8], value: Value, ttl: Ttl, now_ms: u64) {
        let old_ttl = self.expire_at_ms(key, now_ms).flatten();
        self.touch(key);
        self.remove(key);
        if value.is_empty_collection() {
            return;
        }
        self.used_bytes = self
            .used_bytes
            .saturating_add(key.len() + ENTRY_OVERHEAD_BYTES + value.accounted_bytes());
        self.map.insert(
            key.to_vec(),
            Entry {
                value,
                expire_at_ms: None,
            },
        );
        let at = match ttl {
            Ttl::Clear => None,
            Ttl::Keep => old_ttl,
            Ttl::At(at) => Some(at),
        };
        self.set_expiry(key, at);
    }

    /// Remove `key` and return its value and deadline.
    pub fn take(&mut self, key: &[u8], now_ms: u64) -> Option<(Value, Option<u64>)> {
        self.expire_if_due(key, now_ms);
        let (k, entry) = self.map.remove_entry(key)?;
        self.touch(key);
        if let Some(at) = entry.expire_at_ms {
            self.expires.remove(&(at, k.clone()));
        }
        self.used_bytes = self
            .used_bytes
            .saturating_sub(k.len() + ENTRY_OVERHEAD_BYTES + entry.value.accounted_bytes());
        Some((entry.value, entry.expire_at_ms))
    }

    /// A live key chosen at random (expired keys met on the way are deleted).
    pub fn random_key(&mut self, now_ms: u64) -> Option<Vec<u8>> {
        /// Expired keys to step over before giving up (as Redis bounds its tries).
        const MAX_TRIES: usize = 100;
        for _ in 0..MAX_TRIES {
            let len = self.map.len();
            if len == 0 {
                return None;
            }
            let skip = self.random_below(len);
            let (key, at) = self
                .map
                .iter()
                .nth(skip)
                .map(|(k, e)| (k.clone(), e.expire_at_ms))?;
            if at.is_none_or(|at| at > now_ms) {
                return Some(key);
            }
            self.expire_if_due(&key, now_ms);
        }
        None
    }

    /// Seed the PRNG (zero is replaced: xorshift needs a non-zero state).
    pub fn seed(&mut self, seed: u64) {
        self.rng = seed | 1;
    }

    /// True once [`Store::seed`] ran.
    pub fn is_seeded(&self) -> bool {
        self.rng != 0
    }

    /// A pseudo-random number (xorshift64*).
    pub fn random(&mut self) -> u64 {
        if self.rng == 0 {
            self.rng = 1;
        }
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(PRNG_MULTIPLIER)
    }

    /// A pseudo-random number in `0..n` (`n > 0`; 0 when `n` is 0).
    pub fn random_below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.random() % n as u64) as usize
    }
}
