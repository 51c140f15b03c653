//! Redo records of committed transactions, for the durability log.
//!
//! Three calls serve the log, and nothing here knows about disks:
//! - **capture**: with [`Engine::set_redo_capture`] on, every commit that changed durable
//!   state (an autocommit statement, COMMIT, or the implicit commit of BEGIN, DDL or
//!   `SET autocommit=1`; and each DDL statement itself) leaves one payload in an outbox
//!   that [`Engine::take_committed`] drains. Rolled-back transactions and failed
//!   statements leave none.
//! - **apply**: [`Engine::apply_committed`] replays one payload (boot, before listening).
//! - **dump**: [`Engine::dump`] / [`DumpCursor`] produce payloads that rebuild the
//!   committed state from an empty engine (compaction).
//!
//! Payloads record effects, not SQL: the new row of every slot a commit changed (with
//! its generated AUTO_INCREMENT id and evaluated `NOW()`/`RAND()`), deletions by slot (the
//! engine's row id, the same in the replica because replay places rows in the same
//! slots), AUTO_INCREMENT counters, and DDL as table definitions. Replay therefore
//! evaluates nothing and gives the same tables, in the same scan order.
//!
//! When the log cannot take commits (disk full, I/O error) the server calls
//! [`Engine::refuse_durable_writes`]: from then on, until it is cleared, write statements
//! and DDL are refused before they run, and a COMMIT (explicit or implicit) of a
//! transaction holding changes rolls it back; all with MySQL error 1021 (`ER_DISK_FULL`).
//! Reads keep working.

mod apply;
mod codec;
mod dump;
mod recorder;

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

pub use dump::DumpCursor;
pub use recorder::Recorder;

use super::table::PlaceError;
use super::{errors, Engine, SqlError};

/// Bytes of payload a [`Engine::dump`] chunk aims at.
pub const DUMP_CHUNK_BYTES: usize = 64 * 1024;

/// Why a payload could not be applied.
#[derive(Debug, PartialEq, Eq)]
pub enum RedoError {
    /// The payload ends inside an operation.
    Truncated,
    /// The first byte is not a format this engine reads.
    Version(u8),
    /// An unknown tag where a `what` was expected.
    UnknownTag {
        what: &'static str,
        tag: u8,
    },
    /// A field that cannot be right.
    Malformed(&'static str),
    NoSuchDatabase(String),
    /// `db.table`.
    NoSuchTable(String),
    /// A row operation before any table was named.
    NoTarget,
    /// A row could not be placed in its slot.
    Place(PlaceError),
}

impl fmt::Display for RedoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated => write!(f, "redo payload truncated"),
            Self::Version(v) => write!(f, "redo payload format {v} unknown"),
            Self::UnknownTag { what, tag } => write!(f, "redo payload: unknown {what} tag {tag}"),
            Self::Malformed(why) => write!(f, "redo payload malformed: {why}"),
            Self::NoSuchDatabase(db) => write!(f, "redo payload names unknown database {db}"),
            Self::NoSuchTable(t) => write!(f, "redo payload names unknown table {t}"),
            Self::NoTarget => write!(f, "redo payload writes a row before naming its table"),
            Self::Place(e) => write!(f, "redo payload row cannot be placed: {e:?}"),
        }
    }
}

/// Committed payloads waiting for the log, and whether to make them.
#[derive(Debug, Default)]
pub struct Outbox {
    capture: bool,
    committed: Vec<Vec<u8>>,
    /// Set while the log refuses writes: the cause, for the 1021 message.
    refused: Option<String>,
}

impl Outbox {
    /// A recorder for one payload (recording nothing when capture is off).
    pub fn recorder(&self) -> Recorder {
        Recorder::new(self.capture)
    }

    /// Queue the recorder's payload, if it recorded anything.
    pub fn push(&mut self, rec: Recorder) {
        if let Some(p) = rec.finish() {
            self.committed.push(p);
        }
    }

    /// The 1021 error if durable writes are refused.
    pub fn check_writable(&self) -> Result<(), SqlError> {
        match &self.refused {
            Some(cause) => Err(errors::disk_full(cause)),
            None => Ok(()),
        }
    }
}

impl Engine {
    /// Turn capture of committed payloads on or off (off by default: without a log
    /// nothing drains the outbox).
    pub fn set_redo_capture(&mut self, on: bool) {
        self.redo.capture = on;
        if !on {
            self.redo.committed.clear();
        }
    }

    /// The payloads committed since the last call, oldest first.
    pub fn take_committed(&mut self) -> Vec<Vec<u8>> {
        core::mem::take(&mut self.redo.committed)
    }

    /// Replay one payload (boot, before the server listens; no session may be open).
    /// A bad payload gives an error; a truncated or undecodable one changes nothing.
    pub fn apply_committed(&mut self, payload: &[u8]) -> Result<(), RedoError> {
        apply::apply(&mut self.catalog, payload)
    }

    /// Every payload needed to rebuild the committed state, in chunks of about
    /// [`DUMP_CHUNK_BYTES`] (use [`DumpCursor`] to spread them over poll rounds).
    pub fn dump(&self, mut emit: impl FnMut(Vec<u8>)) {
        let mut cursor = DumpCursor::new();
        while let Some(chunk) = cursor.next_chunk(self, DUMP_CHUNK_BYTES) {
            emit(chunk);
        }
    }

    /// Refuse (`Some(cause)`) or allow again (`None`) durable writes: see [`self`].
    pub fn refuse_durable_writes(&mut self, cause: Option<String>) {
        self.redo.refused = cause;
    }

    /// The cause durable writes are refused for, if they are.
    pub fn durable_writes_refused(&self) -> Option<&str> {
        self.redo.refused.as_deref()
    }
}
