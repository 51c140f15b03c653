//! Redis's compact-encoding thresholds (`hash-max-listpack-entries` and the like). The store
//! has one encoding per type, so these change nothing; `CONFIG SET` accepts them and
//! `CONFIG GET` reports what was set, as clients and Redis's test suite set them to steer
//! encodings they then (optionally) check.

/// One threshold: its Redis 7.0 name, its Redis 6 alias and its default.
pub struct EncodingHint {
    /// Redis 7.0 name.
    pub name: &'static str,
    /// Redis 6 name (`ziplist`), accepted by `CONFIG SET` as Redis 7.0 does.
    pub alias: &'static str,
    /// Redis 7.0's default.
    pub default: i64,
}

/// Every threshold, with Redis 7.0's defaults.
pub const ENCODING_HINTS: &[EncodingHint] = &[
    hint("hash-max-listpack-entries", "hash-max-ziplist-entries", 128),
    hint("hash-max-listpack-value", "hash-max-ziplist-value", 64),
    hint("list-max-listpack-size", "list-max-ziplist-size", -2),
    hint("list-compress-depth", "list-compress-depth", 0),
    hint("set-max-intset-entries", "set-max-intset-entries", 512),
    hint("zset-max-listpack-entries", "zset-max-ziplist-entries", 128),
    hint("zset-max-listpack-value", "zset-max-ziplist-value", 64),
];

const fn hint(name: &'static str, alias: &'static str, default: i64) -> EncodingHint {
    EncodingHint {
        name,
        alias,
        default,
    }
}

/// The thresholds' current values (only those changed are stored).
#[derive(Debug, Default)]
pub struct EncodingHints {
    changed: alloc::vec::Vec<(&'static str, i64)>,
}

impl EncodingHints {
    /// The value of threshold `name` (its default when never set; 0 for unknown names).
    pub fn get(&self, name: &str) -> i64 {
        self.changed
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, v)| v)
            .or_else(|| {
                ENCODING_HINTS
                    .iter()
                    .find(|h| h.name == name)
                    .map(|h| h.default)
            })
            .unwrap_or(0)
    }

    /// Remember `value` for threshold `name`.
    pub fn set(&mut self, name: &'static str, value: i64) {
        match self.changed.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.changed.push((name, value)),
        }
    }
}
