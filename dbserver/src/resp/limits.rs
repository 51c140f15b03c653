//! What the RESP parser accepts: the named size limits, the per-connection [`Limits`], and
//! the [`ProtocolError`]s it answers with.

use core::fmt;

/// Longest inline request, and longest `*<n>` / `$<n>` header line (Redis: `PROTO_INLINE_MAX_SIZE`).
pub const INLINE_MAX_BYTES: usize = 64 * 1024;
/// Most arguments one multibulk request may announce (Redis: 1024 * 1024).
pub const MULTIBULK_MAX_ARGS: usize = 1024 * 1024;
/// Most arguments a client that still has to authenticate may announce (as Redis 7).
pub const UNAUTHENTICATED_MAX_ARGS: usize = 10;
/// Longest bulk argument a client that still has to authenticate may send (as Redis 7).
pub const UNAUTHENTICATED_MAX_BULK_BYTES: usize = 16 * 1024;
/// Limits the parser enforces on one connection.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Longest bulk argument accepted (`proto-max-bulk-len`).
    pub max_bulk_len: usize,
    /// The client has not authenticated yet although a password is required.
    pub unauthenticated: bool,
}

/// Why a request is not valid RESP. The server answers `-ERR Protocol error: <message>`
/// and closes the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtocolError {
    /// `*<n>` is not a number or too large.
    InvalidMultibulkLength,
    /// `$<n>` is not a number, negative or larger than the limit.
    InvalidBulkLength,
    /// A multibulk argument did not start with `$`; carries the byte found instead.
    ExpectedDollar(u8),
    /// No `\r\n` after a `*<n>` header within [`INLINE_MAX_BYTES`].
    TooBigMultibulkCount,
    /// No `\r\n` after a `$<n>` header within [`INLINE_MAX_BYTES`].
    TooBigBulkCount,
    /// An inline request longer than [`INLINE_MAX_BYTES`].
    TooBigInlineRequest,
    /// An inline request with an unterminated quote.
    UnbalancedQuotes,
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidMultibulkLength => f.write_str("invalid multibulk length"),
            Self::InvalidBulkLength => f.write_str("invalid bulk length"),
            Self::ExpectedDollar(b) => write!(f, "expected '$', got '{}'", printable(*b)),
            Self::TooBigMultibulkCount => f.write_str("too big mbulk count string"),
            Self::TooBigBulkCount => f.write_str("too big bulk count string"),
            Self::TooBigInlineRequest => f.write_str("too big inline request"),
            Self::UnbalancedQuotes => f.write_str("unbalanced quotes in request"),
        }
    }
}

/// A byte as a `char` that cannot break the reply line.
fn printable(b: u8) -> char {
    if b.is_ascii_graphic() || b == b' ' {
        b as char
    } else {
        '?'
    }
}
