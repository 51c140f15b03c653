//! Time in the store: key expiry (lazy and active), the wall-clock offset and the
//! versions `WATCH` compares.

use super::{Entry, Store, ENTRY_OVERHEAD_BYTES, WALL_CLOCK_STEP_MS};

impl Store {
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
    pub(super) fn touch(&mut self, key: &[u8]) {
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

    pub(super) fn expire_if_due(&mut self, key: &[u8], now_ms: u64) {
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

    pub(super) fn set_expiry(&mut self, key: &[u8], at_ms: Option<u64>) {
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
}
