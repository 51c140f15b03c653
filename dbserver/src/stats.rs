//! Counters and the text of `INFO`.

use alloc::vec;
use alloc::vec::Vec;

/// Server-wide counters.
#[derive(Clone, Debug)]
pub struct Stats {
    /// When the server started (ms, platform clock).
    pub start_ms: u64,
    /// Connections accepted (including rejected ones).
    pub total_connections_received: u64,
    /// Commands executed.
    pub total_commands_processed: u64,
    /// Connections refused because of `maxclients`.
    pub rejected_connections: u64,
    /// Error replies sent (command errors; protocol errors are counted separately).
    pub total_error_replies: u64,
    /// Requests naming an unknown command.
    pub unknown_commands: u64,
    /// Connections closed because of a protocol error or the query-buffer limit.
    pub protocol_errors: u64,
    /// Connections closed by the output-buffer limit (Redis's INFO field of that name).
    pub client_output_buffer_limit_disconnections: u64,
    /// Connections closed by the handshake or an idle timeout.
    pub timedout_clients: u64,
    /// Calls per entry of [`crate::commands::COMMANDS`].
    pub calls: Vec<u64>,
    /// Requests per command refused before running (arity, authentication, memory,
    /// subscribed context): Redis's `rejected_calls`.
    pub rejected_calls: Vec<u64>,
    /// Calls per command that ran and answered an error: Redis's `failed_calls`.
    pub failed_calls: Vec<u64>,
}

impl Stats {
    /// Zeroed counters for a server started at `start_ms`.
    pub fn new(start_ms: u64, commands: usize) -> Self {
        Self {
            start_ms,
            total_connections_received: 0,
            total_commands_processed: 0,
            rejected_connections: 0,
            total_error_replies: 0,
            unknown_commands: 0,
            protocol_errors: 0,
            client_output_buffer_limit_disconnections: 0,
            timedout_clients: 0,
            calls: vec![0; commands],
            rejected_calls: vec![0; commands],
            failed_calls: vec![0; commands],
        }
    }

    /// Count one call of command `index`.
    pub fn count_command(&mut self, index: usize) {
        self.total_commands_processed += 1;
        if let Some(c) = self.calls.get_mut(index) {
            *c += 1;
        }
    }

    /// Count one request for command `index` refused before it ran.
    pub fn count_rejected(&mut self, index: usize) {
        if let Some(c) = self.rejected_calls.get_mut(index) {
            *c += 1;
        }
    }

    /// Count one call of command `index` that answered an error.
    pub fn count_failed(&mut self, index: usize) {
        if let Some(c) = self.failed_calls.get_mut(index) {
            *c += 1;
        }
    }

    /// `CONFIG RESETSTAT`.
    pub fn reset(&mut self) {
        let start_ms = self.start_ms;
        *self = Self::new(start_ms, self.calls.len());
    }
}
