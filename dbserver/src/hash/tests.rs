//! Hash flooding, measured in key comparisons (deterministic, unlike time).
//!
//! The attack: with a hash key the attacker knows, as a fixed seed is (the old no_std
//! build keyed foldhash from addresses that are the same on every boot), they can search
//! offline for keys whose hashes agree in the low bits hashbrown uses to pick the bucket.
//! All such keys start probing at the same group: every insert and lookup walks the
//! cluster of those before it, comparing the key with each slot whose 7-bit tag (the top
//! bits of the hash) matches, so N keys cost Θ(N²) probes and Θ(N²/128) key comparisons.
//! The same keys under a key drawn from real entropy land in unrelated buckets.
//!
//! The test searches such keys for the real hasher ([`SeededState`], i.e. foldhash) keyed
//! with a known seed, then counts the key comparisons (calls of `Eq`) of N inserts and N
//! lookups into the map type the store uses, keyed (a) with that known seed and (b) as the
//! server keys it, from `Syscalls::random_seed` (getrandom(2) here).

use super::*;
use core::cell::Cell;
use core::hash::{Hash, Hasher};
use std::io::Write;
use std::vec::Vec;

std::thread_local! {
    static COMPARISONS: Cell<u64> = const { Cell::new(0) };
}

/// A store key that counts how often the map compares it.
struct Key(Vec<u8>);

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Exactly what the store's `Vec<u8>` keys feed the hasher.
        self.0.hash(state);
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        COMPARISONS.with(|c| c.set(c.get() + 1));
        self.0 == other.0
    }
}

impl Eq for Key {}

/// Keys inserted by the attack.
const N: usize = 2048;
/// Buckets of hashbrown's table holding N keys (7/8 load, a power of two).
const BUCKET_BITS: u32 = 12;
/// The seed the attacker knows.
const KNOWN_SEED: u64 = 0;

fn hash_of(state: &SeededState, key: &[u8]) -> u64 {
    // `[u8]` feeds the hasher exactly as `Vec<u8>` does (length, then bytes).
    state.hash_one(key)
}

/// N distinct keys whose hashes under `KNOWN_SEED` share their low `BUCKET_BITS` bits:
/// found by brute force over `key<i>`, about N · 2^BUCKET_BITS hash evaluations.
fn colliding_keys() -> Vec<Vec<u8>> {
    let known = SeededState::with_seed(KNOWN_SEED);
    let mask = (1u64 << BUCKET_BITS) - 1;
    let target = hash_of(&known, b"key0") & mask;
    let mut keys = Vec::with_capacity(N);
    let mut candidate = Vec::new();
    for i in 0u64.. {
        candidate.clear();
        write!(candidate, "key{i}").unwrap();
        if hash_of(&known, &candidate) & mask == target {
            keys.push(candidate.clone());
            if keys.len() == N {
                break;
            }
        }
    }
    keys
}

/// Key comparisons of inserting every key into an empty map with `state`, then looking
/// each up.
fn comparisons(state: SeededState, keys: &[Vec<u8>]) -> u64 {
    let mut map: hashbrown::HashMap<Key, usize, SeededState> =
        hashbrown::HashMap::with_hasher(state);
    COMPARISONS.with(|c| c.set(0));
    for (i, k) in keys.iter().enumerate() {
        assert!(map.insert(Key(k.clone()), i).is_none());
    }
    for (i, k) in keys.iter().enumerate() {
        assert_eq!(map.get(&Key(k.clone())), Some(&i));
    }
    COMPARISONS.with(Cell::get)
}

#[test]
fn keys_colliding_under_a_known_seed_cost_linear_time_under_a_random_seed() {
    let keys = colliding_keys();
    let half = &keys[..N / 2];
    let n = N as u64;

    let known = SeededState::with_seed(KNOWN_SEED);
    let (known_half, known_full) = (comparisons(known, half), comparisons(known, &keys));
    #[cfg(feature = "linux")]
    let seed = crate::sys::Syscalls::random_seed(&crate::sys::linux::LinuxSys::new().unwrap());
    #[cfg(not(feature = "linux"))]
    let seed = 0x5eed_u64.wrapping_mul(std::process::id().into());
    set_process_seed(seed);
    let seeded_half = comparisons(SeededState::default(), half);
    let seeded_full = comparisons(SeededState::default(), &keys);
    std::eprintln!(
        "keys colliding under a known seed, key comparisons for {} / {n} keys: \
         known seed {known_half} / {known_full}, random per-process seed \
         {seeded_half} / {seeded_full}",
        n / 2
    );
    // The attack works with the known seed: quadratic (expected about n²/128 for inserts
    // and lookups; the bound is half of that), and doubling the keys about quadruples it.
    assert!(
        known_full >= n * n / 256,
        "no flooding with the known seed: {known_full}"
    );
    assert!(
        known_full >= 3 * known_half,
        "not quadratic: {known_half} -> {known_full}"
    );
    // With the random seed it is linear: each lookup compares the key it finds, an
    // insert rarely any (a 7-bit tag false positive), and doubling the keys doubles it.
    assert!(seeded_full <= 2 * n, "more than linear: {seeded_full}");
    assert!(
        5 * seeded_half >= 2 * seeded_full,
        "not linear: {seeded_half} -> {seeded_full}"
    );
}

#[test]
fn maps_get_different_keys_and_the_process_seed_changes_them() {
    let a = SeededState::default();
    let b = SeededState::default();
    assert_ne!(hash_of(&a, b"same key"), hash_of(&b, b"same key"));
    // A given key hashes the same through one state (the map stays consistent).
    assert_eq!(hash_of(&a, b"k"), hash_of(&a, b"k"));
    // Different seeds, different hashes: the seed is really used.
    let bits = (hash_of(&SeededState::with_seed(1), b"k")
        ^ hash_of(&SeededState::with_seed(2), b"k"))
    .count_ones();
    assert!(bits > 8, "seeds 1 and 2 hash alike ({bits} bits differ)");
}

#[cfg(feature = "linux")]
#[test]
fn linux_random_seeds_differ() {
    use crate::sys::Syscalls;
    let sys = crate::sys::linux::LinuxSys::new().unwrap();
    assert_ne!(sys.random_seed(), sys.random_seed());
}
