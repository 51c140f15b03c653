//! Keyed hashing for the maps whose keys clients choose (the keyspace, hash fields, set
//! and sorted-set members): hash-flooding resistance.
//!
//! A hash table with a hash function an attacker can evaluate is open to flooding: keys
//! chosen to share a bucket turn every insert and lookup into a scan of all of them, and
//! N keys cost O(N²). hashbrown's default hasher (foldhash) takes its key from stack and
//! code addresses in a `no_std` build, which are the same on every boot of the image.
//! Here the key comes from [`Syscalls::random_seed`](crate::sys::Syscalls::random_seed)
//! (getrandom(2) on Linux, RDSEED/RDRAND in the unikernel), set once per process with
//! [`set_process_seed`] before the maps are created; each map then gets its own key
//! derived from it, as std's `RandomState` does. The hash function is foldhash's, keyed
//! with that secret: the same speed as before.

use core::hash::BuildHasher;
use core::sync::atomic::{AtomicU64, Ordering};
use foldhash::fast::{FixedState, FoldHasher};

/// The per-process secret (0 until [`set_process_seed`]: unit tests, fuzzing).
static PROCESS_SEED: AtomicU64 = AtomicU64::new(0);
/// Maps created so far: each gets a different key.
static MAPS_CREATED: AtomicU64 = AtomicU64::new(0);

/// Key every map created from now on with `seed` (call once at start-up, with real
/// entropy).
pub fn set_process_seed(seed: u64) {
    PROCESS_SEED.store(seed, Ordering::Relaxed);
}

/// A `BuildHasher` with a secret key: foldhash keyed with 64 bits.
#[derive(Clone, Copy, Debug)]
pub struct SeededState(FixedState);

impl SeededState {
    /// A state with an explicit key (tests; deterministic).
    pub fn with_seed(seed: u64) -> Self {
        Self(FixedState::with_seed(seed))
    }
}

impl Default for SeededState {
    /// A new key derived from the process seed and a per-map counter.
    fn default() -> Self {
        let n = MAPS_CREATED.fetch_add(1, Ordering::Relaxed);
        Self::with_seed(mix(PROCESS_SEED.load(Ordering::Relaxed), n))
    }
}

impl BuildHasher for SeededState {
    type Hasher = FoldHasher;

    #[inline]
    fn build_hasher(&self) -> FoldHasher {
        self.0.build_hasher()
    }
}

/// hashbrown's map with a [`SeededState`]; create with `HashMap::default()`.
pub type HashMap<K, V> = hashbrown::HashMap<K, V, SeededState>;
/// hashbrown's set with a [`SeededState`]; create with `HashSet::default()`.
pub type HashSet<K> = hashbrown::HashSet<K, SeededState>;

/// SplitMix64's finaliser over `seed + n·γ`: distinct, unrelated keys per map.
fn mix(seed: u64, n: u64) -> u64 {
    let mut z = seed.wrapping_add(n.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests;
