//! The sorted set: a member → score map plus a `(score, member)` ordered index.

use super::ELEMENT_OVERHEAD_BYTES;
use crate::hash::HashMap;
use alloc::collections::BTreeSet;
use alloc::vec::Vec;
use core::cmp::Ordering;

/// A score with a total order (scores are never NaN).
#[derive(Clone, Copy, Debug)]
struct Score(f64);

impl PartialEq for Score {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Score {}
impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Score {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// `ZADD` flags.
#[derive(Clone, Copy, Debug, Default)]
pub struct ZAddOptions {
    /// Only add new members.
    pub nx: bool,
    /// Only update existing members.
    pub xx: bool,
    /// Only update when the new score is greater.
    pub gt: bool,
    /// Only update when the new score is less.
    pub lt: bool,
    /// Count changed members too.
    pub ch: bool,
    /// Add to the score instead of setting it (one member only).
    pub incr: bool,
}

/// What `ZADD` reports.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ZAddResult {
    /// Members added (or changed, with `CH`).
    Count(usize),
    /// With `INCR`: the new score, or `None` when a condition blocked the update.
    Score(Option<f64>),
    /// With `INCR`: the sum was not a number.
    NaN,
}

/// A sorted set ordered by `(score, member)` like Redis.
#[derive(Clone, Default)]
pub struct ZSet {
    scores: HashMap<Vec<u8>, f64>,
    order: BTreeSet<(Score, Vec<u8>)>,
    bytes: usize,
}

impl ZSet {
    /// Number of members.
    pub fn len(&self) -> usize {
        self.scores.len()
    }

    /// True without members.
    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    /// The score of `member`.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        self.scores.get(member).copied()
    }

    /// Accounted bytes (members are stored twice).
    pub fn accounted_bytes(&self) -> usize {
        self.bytes
    }

    /// Members in rank order (`rev`: highest first), ranks `start..=stop` already clamped.
    pub fn range(
        &self,
        start: usize,
        stop: usize,
        rev: bool,
    ) -> impl Iterator<Item = (&[u8], f64)> + '_ {
        let take = stop.saturating_sub(start).saturating_add(1);
        let fwd = (!rev).then(|| self.order.iter().skip(start).take(take));
        let bwd = rev.then(|| self.order.iter().rev().skip(start).take(take));
        fwd.into_iter()
            .flatten()
            .chain(bwd.into_iter().flatten())
            .map(|(s, m)| (m.as_slice(), s.0))
    }

    /// Apply `ZADD` to `(score, member)` pairs.
    pub fn add<'a>(
        &mut self,
        items: impl Iterator<Item = (f64, &'a [u8])>,
        opts: ZAddOptions,
    ) -> ZAddResult {
        let (mut added, mut changed) = (0usize, 0usize);
        let mut last_score = None;
        for (score, member) in items {
            match self.scores.get(member).copied() {
                Some(old) => {
                    if opts.nx {
                        last_score = None;
                        continue;
                    }
                    let new = if opts.incr { old + score } else { score };
                    if new.is_nan() {
                        return ZAddResult::NaN;
                    }
                    if (opts.gt && new <= old) || (opts.lt && new >= old) {
                        last_score = None;
                        continue;
                    }
                    last_score = Some(new);
                    if new != old {
                        self.order.remove(&(Score(old), member.to_vec()));
                        self.order.insert((Score(new), member.to_vec()));
                        self.scores.insert(member.to_vec(), new);
                        changed += 1;
                    }
                }
                None => {
                    if opts.xx {
                        last_score = None;
                        continue;
                    }
                    self.scores.insert(member.to_vec(), score);
                    self.order.insert((Score(score), member.to_vec()));
                    self.bytes += 2 * member.len() + ELEMENT_OVERHEAD_BYTES;
                    added += 1;
                    last_score = Some(score);
                }
            }
        }
        if opts.incr {
            ZAddResult::Score(last_score)
        } else if opts.ch {
            ZAddResult::Count(added + changed)
        } else {
            ZAddResult::Count(added)
        }
    }

    /// Every member with its score in rank order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&[u8], f64)> + '_ {
        self.order.iter().map(|(s, m)| (m.as_slice(), s.0))
    }

    /// Members with a score of at least `min` in rank order (a seek, not a scan).
    pub fn iter_from_score(&self, min: f64) -> impl Iterator<Item = (&[u8], f64)> + '_ {
        self.order
            .range((Score(min), Vec::new())..)
            .map(|(s, m)| (m.as_slice(), s.0))
    }

    /// The 0-based rank of `member` (lowest score first).
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        let score = self.scores.get(member)?;
        Some(self.order.range(..(Score(*score), member.to_vec())).count())
    }

    /// Remove `member`; true when it was there.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        let Some(score) = self.scores.remove(member) else {
            return false;
        };
        self.order.remove(&(Score(score), member.to_vec()));
        self.bytes = self
            .bytes
            .saturating_sub(2 * member.len() + ELEMENT_OVERHEAD_BYTES);
        true
    }

    /// Remove and return up to `count` highest-scored members.
    pub fn pop_max(&mut self, count: usize) -> Vec<(Vec<u8>, f64)> {
        let mut out = Vec::new();
        while out.len() < count {
            let Some((score, member)) = self.order.pop_last() else {
                break;
            };
            self.scores.remove(&member);
            self.bytes = self
                .bytes
                .saturating_sub(2 * member.len() + ELEMENT_OVERHEAD_BYTES);
            out.push((member, score.0));
        }
        out
    }

    /// Remove and return up to `count` lowest-scored members.
    pub fn pop_min(&mut self, count: usize) -> Vec<(Vec<u8>, f64)> {
        let mut out = Vec::new();
        while out.len() < count {
            let Some((score, member)) = self.order.pop_first() else {
                break;
            };
            self.scores.remove(&member);
            self.bytes = self
                .bytes
                .saturating_sub(2 * member.len() + ELEMENT_OVERHEAD_BYTES);
            out.push((member, score.0));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn items<'a>(v: &'a [(f64, &'a str)]) -> impl Iterator<Item = (f64, &'a [u8])> + 'a {
        v.iter().map(|(s, m)| (*s, m.as_bytes()))
    }

    #[test]
    fn orders_by_score_then_member() {
        let mut z = ZSet::default();
        let r = z.add(
            items(&[(2.0, "b"), (1.0, "z"), (2.0, "a")]),
            ZAddOptions::default(),
        );
        assert_eq!(r, ZAddResult::Count(3));
        let got: Vec<_> = z.range(0, 2, false).map(|(m, _)| m.to_vec()).collect();
        assert_eq!(got, vec![b"z".to_vec(), b"a".to_vec(), b"b".to_vec()]);
        let rev: Vec<_> = z.range(0, 0, true).map(|(m, _)| m.to_vec()).collect();
        assert_eq!(rev, vec![b"b".to_vec()]);
        assert_eq!(z.pop_min(1), vec![(b"z".to_vec(), 1.0)]);
        assert_eq!(z.len(), 2);
    }

    #[test]
    fn flags() {
        let mut z = ZSet::default();
        z.add(items(&[(1.0, "a")]), ZAddOptions::default());
        let ch = ZAddOptions {
            ch: true,
            ..Default::default()
        };
        assert_eq!(
            z.add(items(&[(5.0, "a"), (1.0, "b")]), ch),
            ZAddResult::Count(2)
        );
        let nx = ZAddOptions {
            nx: true,
            ..Default::default()
        };
        assert_eq!(z.add(items(&[(9.0, "a")]), nx), ZAddResult::Count(0));
        assert_eq!(z.score(b"a"), Some(5.0));
        let incr = ZAddOptions {
            incr: true,
            ..Default::default()
        };
        assert_eq!(
            z.add(items(&[(2.5, "a")]), incr),
            ZAddResult::Score(Some(7.5))
        );
        let gt = ZAddOptions {
            gt: true,
            ch: true,
            ..Default::default()
        };
        assert_eq!(z.add(items(&[(1.0, "a")]), gt), ZAddResult::Count(0));
        z.add(items(&[(f64::INFINITY, "a")]), ZAddOptions::default());
        assert_eq!(
            z.add(items(&[(f64::NEG_INFINITY, "a")]), incr),
            ZAddResult::NaN
        );
        let xx = ZAddOptions {
            xx: true,
            ..Default::default()
        };
        assert_eq!(z.add(items(&[(1.0, "new")]), xx), ZAddResult::Count(0));
        assert_eq!(z.len(), 2);
    }
}
