//! Connection deadlines without a scan of every connection: the handshake timeout, the
//! idle timeouts (`timeout`, `wait_timeout`) and the soft output-buffer limit.
//!
//! Each connection has at most one entry ("armed") in a min-heap of `(deadline, fd,
//! serial)`. Activity only moves a connection's real deadline later and costs nothing
//! here; when an entry comes due, the connection's real deadline is recomputed and either
//! the connection is closed or the entry is pushed again with the later time (a lazy timer
//! heap: O(log n) per timeout period per connection, O(1) per request). A deadline that
//! moves earlier (the soft output limit starting) pushes a new entry; the old one is
//! recognised as stale when it comes due, as it no longer matches the armed time.

use crate::sys::Fd;
use alloc::collections::BinaryHeap;
use core::cmp::Reverse;

/// Milliseconds per second.
const MS_PER_SEC: u64 = 1000;

/// Why a connection is closed by the server on its own initiative.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Eviction {
    /// The handshake (authentication, or a first request) did not finish in time.
    HandshakeTimeout,
    /// No request for longer than `timeout` / `wait_timeout`.
    IdleTimeout,
    /// Unsent output above the hard limit, or above the soft limit for too long.
    OutputBufferLimit,
}

impl Eviction {
    /// The reason as logged: `dbserver: closing client id=N: <reason>`.
    pub fn reason(self) -> &'static str {
        match self {
            Eviction::HandshakeTimeout => "handshake timeout",
            Eviction::IdleTimeout => "idle timeout",
            Eviction::OutputBufferLimit => "output buffer limit",
        }
    }
}

/// Seconds to milliseconds, saturating (a huge timeout is "never").
pub fn secs_to_ms(secs: u64) -> u64 {
    secs.saturating_mul(MS_PER_SEC)
}

/// Stale entries tolerated besides two per live connection before [`Deadlines::prune`]
/// rebuilds the heap.
const PRUNE_SLACK: usize = 1024;

/// One armed deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub at_ms: u64,
    pub fd: Fd,
    /// The connection's serial (its client id): a reused descriptor is another connection.
    pub serial: u64,
}

/// The min-heap of armed deadlines.
#[derive(Default)]
pub struct Deadlines {
    heap: BinaryHeap<Reverse<Entry>>,
}

impl Deadlines {
    /// Arm `entry`.
    pub fn push(&mut self, entry: Entry) {
        self.heap.push(Reverse(entry));
    }

    /// The earliest armed deadline (`u64::MAX`: none).
    pub fn next_ms(&self) -> u64 {
        self.heap.peek().map_or(u64::MAX, |Reverse(e)| e.at_ms)
    }

    /// Drop the entries of connections that are gone once they outnumber the live
    /// connections (`live` entries are kept) two to one: a connect/close storm leaves one
    /// stale entry per connection until its deadline, and this bounds them at amortised
    /// O(1) per close.
    pub fn prune(&mut self, live_conns: usize, live: impl FnMut(&Entry) -> bool) {
        if self.heap.len() > 2 * live_conns + PRUNE_SLACK {
            let mut live = live;
            self.heap.retain(|Reverse(e)| live(e));
        }
    }

    /// Entries held (live and stale).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Remove and return the earliest entry if it is due at `now_ms`.
    pub fn pop_due(&mut self, now_ms: u64) -> Option<Entry> {
        if self.next_ms() > now_ms {
            return None;
        }
        self.heap.pop().map(|Reverse(e)| e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_deadline_order_only_when_due() {
        let mut d = Deadlines::default();
        for (at_ms, fd) in [(300, 3), (100, 1), (200, 2)] {
            d.push(Entry {
                at_ms,
                fd,
                serial: fd as u64,
            });
        }
        assert_eq!(d.next_ms(), 100);
        assert_eq!(d.pop_due(99), None);
        assert_eq!(d.pop_due(250).map(|e| e.fd), Some(1));
        assert_eq!(d.pop_due(250).map(|e| e.fd), Some(2));
        assert_eq!(d.pop_due(250), None);
        assert_eq!(d.pop_due(u64::MAX).map(|e| e.at_ms), Some(300));
        assert_eq!(d.pop_due(u64::MAX), None);
        assert_eq!(d.next_ms(), u64::MAX);
    }

    #[test]
    fn prune_drops_stale_entries_only_when_they_pile_up() {
        let mut d = Deadlines::default();
        for fd in 0..(PRUNE_SLACK as Fd + 10) {
            d.push(Entry {
                at_ms: 1,
                fd,
                serial: 0,
            });
        }
        d.prune(PRUNE_SLACK, |_| false);
        assert_eq!(d.len(), PRUNE_SLACK + 10, "few enough: kept");
        d.prune(1, |e| e.fd < 3);
        assert_eq!(d.len(), 3);
    }

    #[test]
    fn huge_timeouts_saturate() {
        assert_eq!(secs_to_ms(u64::MAX), u64::MAX);
        assert_eq!(secs_to_ms(28_800), 28_800_000);
    }
}
