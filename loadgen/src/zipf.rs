//! Key-choice distributions: uniform and Zipfian (Gray et al., "Quickly generating
//! billion-record synthetic databases", SIGMOD '94 — the generator YCSB uses).
//!
//! Rank 0 is the hottest key. Keys are not scrambled: the server hashes key names, so hot keys
//! sitting at low ids do not cluster in its table.

use thiserror::Error;

/// A parameter that makes a distribution meaningless.
#[derive(Debug, Error, PartialEq)]
pub enum DistError {
    /// The key space is empty.
    #[error("key space must hold at least one key")]
    EmptyKeyspace,
    /// Gray's closed form needs 0 < theta < 1.
    #[error("zipfian theta must be in (0, 1), got {0}")]
    BadTheta(f64),
}

/// A tiny, fast, seedable PRNG (SplitMix64); one per connection thread, no locking.
#[derive(Debug, Clone)]
pub struct FastRng(u64);

impl FastRng {
    /// A generator whose stream is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform float in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A uniform integer in [0, n); `n` must be non-zero.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
}

/// Gray et al.'s Zipfian generator over ranks `0..items`.
#[derive(Debug, Clone)]
pub struct Zipfian {
    items: u64,
    theta: f64,
    alpha: f64,
    zetan: f64,
    eta: f64,
    half_pow_theta: f64,
}

impl Zipfian {
    /// Precomputes the normalisation constant; O(items), done once per workload.
    pub fn new(items: u64, theta: f64) -> Result<Self, DistError> {
        if items == 0 {
            return Err(DistError::EmptyKeyspace);
        }
        if !(theta > 0.0 && theta < 1.0) {
            return Err(DistError::BadTheta(theta));
        }
        let zetan = zeta(items, theta);
        let zeta2 = zeta(2.min(items), theta);
        let eta = if items <= 2 {
            0.0
        } else {
            (1.0 - (2.0 / items as f64).powf(1.0 - theta)) / (1.0 - zeta2 / zetan)
        };
        Ok(Self {
            items,
            theta,
            alpha: 1.0 / (1.0 - theta),
            zetan,
            eta,
            half_pow_theta: 0.5f64.powf(theta),
        })
    }

    /// The probability of rank `rank` (for tests and documentation).
    pub fn probability(&self, rank: u64) -> f64 {
        1.0 / ((rank + 1) as f64).powf(self.theta) / self.zetan
    }

    /// Draws one rank.
    pub fn sample(&self, rng: &mut FastRng) -> u64 {
        let u = rng.next_f64();
        let uz = u * self.zetan;
        if uz < 1.0 {
            return 0;
        }
        if self.items > 1 && uz < 1.0 + self.half_pow_theta {
            return 1;
        }
        let rank = (self.items as f64 * (self.eta * u - self.eta + 1.0).powf(self.alpha)) as u64;
        rank.min(self.items - 1)
    }
}

fn zeta(n: u64, theta: f64) -> f64 {
    (1..=n).map(|i| 1.0 / (i as f64).powf(theta)).sum()
}

/// How keys are chosen from the key space.
#[derive(Debug, Clone)]
pub enum KeyChooser {
    /// Every key equally likely.
    Uniform {
        /// Number of keys.
        keyspace: u64,
    },
    /// Zipfian skew.
    Zipf(Zipfian),
}

impl KeyChooser {
    /// Draws a key id in `0..keyspace`.
    pub fn next_key(&self, rng: &mut FastRng) -> u64 {
        match self {
            KeyChooser::Uniform { keyspace } => rng.below(*keyspace),
            KeyChooser::Zipf(z) => z.sample(rng),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zipfian_matches_its_distribution() {
        let items = 1000;
        let z = Zipfian::new(items, 0.99).unwrap();
        let mut rng = FastRng::new(42);
        let draws = 400_000;
        let mut counts = vec![0u64; items as usize];
        for _ in 0..draws {
            let r = z.sample(&mut rng);
            assert!(r < items);
            counts[r as usize] += 1;
        }
        // Ranks 0 and 1 are drawn exactly; beyond that Gray's closed form is an approximation
        // (known to over-weight the next few ranks by up to ~20%).
        for (rank, tolerance) in [(0u64, 0.05), (1, 0.05), (2, 0.25), (3, 0.25), (10, 0.25)] {
            let expected = z.probability(rank) * draws as f64;
            let got = counts[rank as usize] as f64;
            assert!(
                (got - expected).abs() / expected < tolerance,
                "rank {rank}: got {got}, expected {expected}"
            );
        }
        // Frequencies fall with rank.
        assert!(counts[0] > counts[1] && counts[1] > counts[2] && counts[2] > counts[10]);
        assert!(counts[10] > counts[500]);
        // Skew: the top 10% of ranks take well over half of the draws.
        let head: u64 = counts[..100].iter().sum();
        assert!(head as f64 / draws as f64 > 0.6, "head share {head}");
        // And every part of the tail still gets traffic.
        assert!(counts[900..].iter().sum::<u64>() > 0);
    }

    #[test]
    fn uniform_covers_the_keyspace_evenly() {
        let chooser = KeyChooser::Uniform { keyspace: 10 };
        let mut rng = FastRng::new(7);
        let mut counts = [0u32; 10];
        for _ in 0..100_000 {
            counts[chooser.next_key(&mut rng) as usize] += 1;
        }
        for c in counts {
            assert!((9_000..11_000).contains(&c), "count {c}");
        }
    }

    #[test]
    fn rejects_bad_parameters() {
        assert_eq!(Zipfian::new(0, 0.5).unwrap_err(), DistError::EmptyKeyspace);
        assert_eq!(Zipfian::new(10, 1.0).unwrap_err(), DistError::BadTheta(1.0));
        let tiny = Zipfian::new(1, 0.99).unwrap();
        assert_eq!(tiny.sample(&mut FastRng::new(1)), 0);
    }
}
