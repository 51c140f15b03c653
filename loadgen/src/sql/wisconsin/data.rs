//! The Wisconsin benchmark's relations (Bitton, DeWitt, Turbyfill 1983), generated from a
//! seed: `unique1` a random permutation of 0..n-1, `unique2` sequential, the other integer
//! attributes `unique1 mod N`, `odd`/`even` from `hundred`, `stringu1`/`stringu2` from
//! `unique1`/`unique2` by the 7-letter construction, `string4` cycling four values; strings
//! padded with `x` to sql-bench's `char(16)`.

use crate::zipf::FastRng;

/// Width of the string columns in sql-bench's schema (`char(16)`).
pub const STRING_WIDTH: usize = 16;
/// Significant letters of `stringu1`/`stringu2`.
const UNIQUE_LETTERS: usize = 7;
/// Letters of the base-26 construction.
const ALPHABET: u32 = 26;
/// The four values `string4` cycles through, by tuple position.
const STRING4: [&str; 4] = ["AAAA", "HHHH", "OOOO", "VVVV"];

/// One tuple of a Wisconsin relation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tuple {
    /// Random permutation of 0..n-1 (candidate key).
    pub unique1: u32,
    /// Sequential 0..n-1 (the load order).
    pub unique2: u32,
    /// unique1 mod 2.
    pub two: u32,
    /// unique1 mod 4.
    pub four: u32,
    /// unique1 mod 10.
    pub ten: u32,
    /// unique1 mod 20.
    pub twenty: u32,
    /// unique1 mod 100.
    pub hundred: u32,
    /// unique1 mod 1000.
    pub thousand: u32,
    /// unique1 mod 2000.
    pub twothousand: u32,
    /// unique1 mod 5000.
    pub fivethous: u32,
    /// unique1 mod 10000.
    pub tenthous: u32,
    /// hundred * 2 + 1.
    pub odd: u32,
    /// hundred * 2.
    pub even: u32,
    /// From unique1.
    pub stringu1: String,
    /// From unique2.
    pub stringu2: String,
    /// AAAA, HHHH, OOOO, VVVV by position.
    pub string4: String,
}

/// The 7-letter string of `value` (base 26, most significant first, `A` = 0) padded with
/// `x` to [`STRING_WIDTH`].
pub fn unique_string(value: u32) -> String {
    let mut letters = [b'A'; UNIQUE_LETTERS];
    let mut rest = value;
    for slot in letters.iter_mut().rev() {
        *slot = b'A' + (rest % ALPHABET) as u8;
        rest /= ALPHABET;
    }
    let mut s: String = letters.iter().map(|&b| b as char).collect();
    s.extend(std::iter::repeat_n('x', STRING_WIDTH - UNIQUE_LETTERS));
    s
}

fn padded(s: &str) -> String {
    format!("{s:x<STRING_WIDTH$}")
}

/// A relation of `n` tuples; `unique1` is shuffled with a generator seeded by `seed`.
pub fn relation(n: u32, seed: u64) -> Vec<Tuple> {
    let mut perm: Vec<u32> = (0..n).collect();
    let mut rng = FastRng::new(seed);
    for i in (1..perm.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        perm.swap(i, j);
    }
    perm.into_iter()
        .enumerate()
        .map(|(pos, u1)| {
            let hundred = u1 % 100;
            Tuple {
                unique1: u1,
                unique2: pos as u32,
                two: u1 % 2,
                four: u1 % 4,
                ten: u1 % 10,
                twenty: u1 % 20,
                hundred,
                thousand: u1 % 1000,
                twothousand: u1 % 2000,
                fivethous: u1 % 5000,
                tenthous: u1 % 10000,
                odd: hundred * 2 + 1,
                even: hundred * 2,
                stringu1: unique_string(u1),
                stringu2: unique_string(pos as u32),
                string4: padded(STRING4[pos % STRING4.len()]),
            }
        })
        .collect()
}

impl Tuple {
    /// The `VALUES (…)` list of sql-bench's single-row INSERT, in schema order.
    pub fn values_sql(&self) -> String {
        format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},'{}','{}','{}'",
            self.unique1,
            self.unique2,
            self.two,
            self.four,
            self.ten,
            self.twenty,
            self.hundred,
            self.thousand,
            self.twothousand,
            self.fivethous,
            self.tenthous,
            self.odd,
            self.even,
            self.stringu1,
            self.stringu2,
            self.string4
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distributions_follow_the_definitions() {
        let n = 10_000;
        let rows = relation(n, 7);
        assert_eq!(rows.len(), n as usize);
        let mut seen = vec![false; n as usize];
        for (pos, t) in rows.iter().enumerate() {
            assert!(!seen[t.unique1 as usize], "unique1 {} twice", t.unique1);
            seen[t.unique1 as usize] = true;
            assert_eq!(t.unique2, pos as u32);
            let u = t.unique1;
            assert_eq!(
                [
                    t.two,
                    t.four,
                    t.ten,
                    t.twenty,
                    t.hundred,
                    t.thousand,
                    t.twothousand,
                    t.fivethous,
                    t.tenthous
                ],
                [
                    u % 2,
                    u % 4,
                    u % 10,
                    u % 20,
                    u % 100,
                    u % 1000,
                    u % 2000,
                    u % 5000,
                    u % 10000
                ]
            );
            assert_eq!((t.odd, t.even), (t.hundred * 2 + 1, t.hundred * 2));
            assert_eq!(t.stringu1, unique_string(u));
            assert_eq!(t.stringu2, unique_string(pos as u32));
            assert_eq!(&t.string4[..4], STRING4[pos % 4]);
            assert!([&t.stringu1, &t.stringu2, &t.string4]
                .iter()
                .all(|s| s.len() == STRING_WIDTH));
        }
        assert!(seen.iter().all(|&s| s), "unique1 is a permutation");
        // Really shuffled, and each value of `two`/`ten`/`hundred` equally frequent.
        assert!(rows.iter().filter(|t| t.unique1 == t.unique2).count() < 10);
        for (m, f) in [(2, 0u32), (10, 1), (100, 2)] {
            let count = |v| {
                rows.iter()
                    .filter(|t| [t.two, t.ten, t.hundred][f as usize] == v)
                    .count()
            };
            assert!((0..m).all(|v| count(v) == (n / m) as usize));
        }
        assert_eq!(relation(n, 7), rows, "deterministic for a seed");
        assert_ne!(relation(n, 8)[..50], rows[..50]);
    }

    #[test]
    fn unique_strings_are_base_26() {
        assert_eq!(unique_string(0), "AAAAAAAxxxxxxxxx");
        assert_eq!(unique_string(1), "AAAAAABxxxxxxxxx");
        assert_eq!(unique_string(26), "AAAAABAxxxxxxxxx");
        assert_eq!(unique_string(9999), "AAAAOUPxxxxxxxxx");
    }
}
