//! Random picks for SPOP, SRANDMEMBER, HRANDFIELD, ZRANDMEMBER and RANDOMKEY: the store's
//! PRNG, seeded from the platform's entropy source on first use.

use super::{int_arg, Ctx, Replied};
use crate::resp::Args;
use alloc::vec::Vec;

/// Most elements a negative count (picks with repetition) may ask for: the reply is
/// built in memory, so an absurd count is refused rather than allowed to exhaust it.
const MAX_REPEATED_PICKS: u64 = 1 << 24;
/// The reply to a count out of range.
const OUT_OF_RANGE: &[u8] =
    b"-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n";

/// Seed the store's PRNG from the platform if nothing did yet.
pub(crate) fn ensure_seeded(ctx: &mut Ctx<'_>) {
    if !ctx.shared.store.is_seeded() {
        let seed = ctx.sys.random_seed();
        ctx.shared.store.seed(seed);
    }
}

/// The count argument of the random commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RandomCount {
    /// No count: one element, replied as a bulk string.
    One,
    /// A non-negative count: distinct elements.
    Distinct(usize),
    /// A negative count: elements that may repeat.
    Repeat(usize),
}

/// Parse the optional count at index 2.
pub(crate) fn random_count_arg(ctx: &mut Ctx<'_>, args: &Args<'_>) -> Result<RandomCount, Replied> {
    if args.len() < 3 {
        return Ok(RandomCount::One);
    }
    let n = int_arg(ctx.out, args, 2).ok_or(Replied)?;
    if n >= 0 {
        return Ok(RandomCount::Distinct(
            usize::try_from(n).unwrap_or(usize::MAX),
        ));
    }
    let abs = n.unsigned_abs();
    if n == i64::MIN || abs > MAX_REPEATED_PICKS {
        ctx.out.extend_from_slice(OUT_OF_RANGE);
        return Err(Replied);
    }
    Ok(RandomCount::Repeat(abs as usize))
}

/// Indexes into a collection of `len` elements for `count`, from the PRNG state `seed`.
pub(crate) fn sample(seed: u64, len: usize, count: RandomCount) -> Vec<usize> {
    let mut rng = Xorshift(seed | 1);
    if len == 0 {
        return Vec::new();
    }
    match count {
        RandomCount::One => alloc::vec![rng.below(len)],
        RandomCount::Repeat(n) => (0..n).map(|_| rng.below(len)).collect(),
        RandomCount::Distinct(n) if n >= len => (0..len).collect(),
        RandomCount::Distinct(n) => {
            // A partial Fisher-Yates shuffle of the indexes.
            let mut all: Vec<usize> = (0..len).collect();
            for i in 0..n {
                let j = i + rng.below(len - i);
                all.swap(i, j);
            }
            all.truncate(n);
            all
        }
    }
}

/// A small PRNG (xorshift64) for one command's picks.
struct Xorshift(u64);

impl Xorshift {
    fn below(&mut self, n: usize) -> usize {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x % n as u64) as usize
    }
}
