//! Pub/sub registry: channel and pattern subscriptions by client id, and the messages
//! published for other connections (the event loop delivers the outbox after each round).

use crate::hash::{HashMap, HashSet};
use alloc::vec::Vec;

/// Subscriptions of all clients and undelivered messages.
#[derive(Default)]
pub struct PubSub {
    /// Channel → subscribed client ids.
    pub channels: HashMap<Vec<u8>, Vec<u64>>,
    /// `(pattern, client id)` for every pattern subscription.
    pub patterns: Vec<(Vec<u8>, u64)>,
    /// `(client id, encoded push)` waiting for delivery.
    pub outbox: Vec<(u64, Vec<u8>)>,
    /// Clients speaking RESP3 (their messages are framed as pushes).
    pub resp3_clients: HashSet<u64>,
}

impl PubSub {
    /// Subscribe `client` to `channel`; false when it already was.
    pub fn subscribe(&mut self, channel: &[u8], client: u64) -> bool {
        let ids = self.channels.entry_ref(channel).or_default();
        if ids.contains(&client) {
            return false;
        }
        ids.push(client);
        true
    }

    /// Unsubscribe `client` from `channel`; false when it was not subscribed.
    pub fn unsubscribe(&mut self, channel: &[u8], client: u64) -> bool {
        let Some(ids) = self.channels.get_mut(channel) else {
            return false;
        };
        let before = ids.len();
        ids.retain(|&id| id != client);
        let removed = ids.len() != before;
        if ids.is_empty() {
            self.channels.remove(channel);
        }
        removed
    }

    /// Subscribe `client` to `pattern`; false when it already was.
    pub fn psubscribe(&mut self, pattern: &[u8], client: u64) -> bool {
        if self
            .patterns
            .iter()
            .any(|(p, id)| *id == client && p == pattern)
        {
            return false;
        }
        self.patterns.push((pattern.to_vec(), client));
        true
    }

    /// Unsubscribe `client` from `pattern`; false when it was not subscribed.
    pub fn punsubscribe(&mut self, pattern: &[u8], client: u64) -> bool {
        let before = self.patterns.len();
        self.patterns
            .retain(|(p, id)| !(*id == client && p == pattern));
        self.patterns.len() != before
    }
}
