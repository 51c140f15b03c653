//! Server configuration and the `64mb`-style size syntax shared by the command line and
//! `CONFIG SET`.

use crate::durability::Fsync;
use alloc::string::String;

/// Default TCP port (Redis's).
pub const DEFAULT_PORT: u16 = 6379;
/// Default TCP port of the MySQL-protocol listener (MySQL's).
pub const DEFAULT_SQL_PORT: u16 = 3306;
/// Default listen address.
pub const DEFAULT_BIND: [u8; 4] = [127, 0, 0, 1];
/// Default client limit (Redis's `maxclients`).
pub const DEFAULT_MAXCLIENTS: usize = 10_000;
/// Default longest bulk argument (Redis's `proto-max-bulk-len`, 512 MiB).
pub const DEFAULT_MAX_BULK_LEN: usize = 512 * 1024 * 1024;
/// Default largest unparsed input per client (Redis's `client-query-buffer-limit`, 1 GiB).
pub const DEFAULT_MAX_QUERY_BUFFER: usize = 1024 * 1024 * 1024;
/// Default idle timeout of an authenticated RESP client in seconds (Redis's `timeout`: off).
pub const DEFAULT_TIMEOUT_SECS: u64 = 0;
/// Default idle timeout of a MySQL-protocol session in seconds (MySQL's `wait_timeout`).
pub const DEFAULT_WAIT_TIMEOUT_SECS: u64 = 28_800;
/// Default time a new connection has to finish its handshake, in seconds (MySQL's
/// `connect_timeout`): the MySQL authentication, or a first complete RESP request (after a
/// successful `AUTH` when `requirepass` is set).
pub const DEFAULT_HANDSHAKE_TIMEOUT_SECS: u64 = 10;
/// Default output limit of a normal client: closed above 64 MiB of unsent replies at once,
/// or above 16 MiB for 60 s. Redis's default (`0 0 0`, none) trusts the host's virtual
/// memory; in ring 0 the heap is all the machine has, so a client that never reads must
/// not be able to pin it. 16 MiB is the server's backpressure mark (a client above it is
/// no longer read from), so the soft limit catches the client parked there.
pub const DEFAULT_OUTPUT_BUFFER_LIMIT: OutputBufferLimit = OutputBufferLimit {
    hard_bytes: 64 * 1024 * 1024,
    soft_bytes: 16 * 1024 * 1024,
    soft_seconds: 60,
};

/// Redis's `client-output-buffer-limit normal <hard> <soft> <soft-seconds>`, applied to
/// both protocols (RESP replies and MySQL result sets): a client whose unsent output passes
/// `hard_bytes`, or stays above `soft_bytes` for `soft_seconds`, is closed. 0 bytes = no
/// such limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputBufferLimit {
    pub hard_bytes: usize,
    pub soft_bytes: usize,
    pub soft_seconds: u64,
}

impl core::fmt::Display for OutputBufferLimit {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.hard_bytes, self.soft_bytes, self.soft_seconds
        )
    }
}

/// An output buffer limit that is not `<hard> <soft> <seconds>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidOutputBufferLimit;

impl core::fmt::Display for InvalidOutputBufferLimit {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(
            "expected `<hard> <soft> <soft-seconds>` (sizes like 64mb; spaces or commas \
             between), e.g. `64mb 16mb 60`",
        )
    }
}

/// Parse `<hard> <soft> <soft-seconds>` separated by spaces or commas (the kernel command
/// line has no spaces inside a value).
pub fn parse_output_buffer_limit(
    text: &str,
) -> Result<OutputBufferLimit, InvalidOutputBufferLimit> {
    let mut parts = text
        .split(|c: char| c == ',' || c.is_ascii_whitespace())
        .filter(|p| !p.is_empty());
    let hard = parts.next().ok_or(InvalidOutputBufferLimit)?;
    let soft = parts.next().ok_or(InvalidOutputBufferLimit)?;
    let seconds = parts.next().ok_or(InvalidOutputBufferLimit)?;
    if parts.next().is_some() {
        return Err(InvalidOutputBufferLimit);
    }
    Ok(OutputBufferLimit {
        hard_bytes: parse_size(hard).map_err(|_| InvalidOutputBufferLimit)?,
        soft_bytes: parse_size(soft).map_err(|_| InvalidOutputBufferLimit)?,
        soft_seconds: seconds.parse().map_err(|_| InvalidOutputBufferLimit)?,
    })
}

/// Everything the server can be told at start (and partly changed with `CONFIG SET`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// TCP port of the Redis-protocol listener (0: any free port, reported in the log).
    pub port: u16,
    /// TCP port of the MySQL-protocol listener (`None`: no SQL listener; 0: any free port).
    pub sql_port: Option<u16>,
    /// Password of `mysql_native_password` (`None`: any user and password are accepted).
    pub sql_password: Option<String>,
    /// Largest MySQL packet (statement) accepted (MySQL's `max_allowed_packet`).
    pub max_allowed_packet: usize,
    /// Deepest nesting of a SQL statement (parentheses, sub-expressions) accepted.
    pub sql_max_nesting_depth: usize,
    /// IPv4 address to listen on.
    pub bind: [u8; 4],
    /// Most clients (RESP and SQL together) connected at once; further connections get
    /// the protocol's error and are closed.
    pub maxclients: usize,
    /// Memory limit in bytes for keys, values and SQL table data (0: unlimited). Above it,
    /// commands that may grow the data set are refused (`-OOM`, MySQL error 1114).
    pub maxmemory: usize,
    /// Password clients must send with `AUTH` first (`None`: no authentication).
    pub requirepass: Option<String>,
    /// Longest bulk argument accepted.
    pub max_bulk_len: usize,
    /// Largest unparsed input buffered for one client.
    pub max_query_buffer: usize,
    /// Seconds an authenticated RESP client may go without a request before it is closed
    /// (Redis's `timeout`; 0: never). Blocked and subscribed clients are exempt.
    pub timeout: u64,
    /// Seconds a MySQL-protocol session may go without a statement (MySQL's
    /// `wait_timeout`; 0: never).
    pub wait_timeout: u64,
    /// Seconds from accept within which a connection must finish its handshake (MySQL's
    /// `connect_timeout`; 0: never): a slow client that never completes a request is
    /// closed even if it keeps trickling bytes.
    pub handshake_timeout: u64,
    /// Redis's `client-output-buffer-limit normal`, for both protocols.
    pub client_output_buffer_limit: OutputBufferLimit,
    /// Log every write to the disk and replay the log at start-up (Redis's `appendonly`).
    pub appendonly: bool,
    /// When the log is flushed to stable storage (Redis's `appendfsync`).
    pub appendfsync: Fsync,
    /// The disk (a file or block device) the log lives on (`None`: no disk;
    /// `appendonly` then is a start-up error).
    pub disk: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            port: DEFAULT_PORT,
            sql_port: Some(DEFAULT_SQL_PORT),
            sql_password: None,
            max_allowed_packet: crate::mysql::DEFAULT_MAX_ALLOWED_PACKET,
            sql_max_nesting_depth: crate::sql::DEFAULT_MAX_NESTING_DEPTH,
            bind: DEFAULT_BIND,
            maxclients: DEFAULT_MAXCLIENTS,
            maxmemory: 0,
            requirepass: None,
            max_bulk_len: DEFAULT_MAX_BULK_LEN,
            max_query_buffer: DEFAULT_MAX_QUERY_BUFFER,
            timeout: DEFAULT_TIMEOUT_SECS,
            wait_timeout: DEFAULT_WAIT_TIMEOUT_SECS,
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT_SECS,
            client_output_buffer_limit: DEFAULT_OUTPUT_BUFFER_LIMIT,
            appendonly: false,
            appendfsync: Fsync::Everysec,
            disk: None,
        }
    }
}

/// A size that is not a number with an optional unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidSize;

impl core::fmt::Display for InvalidSize {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("expected a byte count like 1048576, 64mb, 1gb or 512k")
    }
}

/// Parse a byte count the way `redis.conf` does: a number with an optional unit
/// `k`/`kb`/`m`/`mb`/`g`/`gb` (`k` = 1000, `kb` = 1024, ...; case-insensitive).
pub fn parse_size(text: &str) -> Result<usize, InvalidSize> {
    const UNITS: [(&str, u64); 7] = [
        ("kb", 1 << 10),
        ("mb", 1 << 20),
        ("gb", 1 << 30),
        ("k", 1_000),
        ("m", 1_000_000),
        ("g", 1_000_000_000),
        ("b", 1),
    ];
    let lower = text.trim().to_ascii_lowercase();
    let (digits, mult) = UNITS
        .iter()
        .find_map(|(suffix, mult)| lower.strip_suffix(suffix).map(|d| (d, *mult)))
        .unwrap_or((lower.as_str(), 1));
    let n: u64 = digits.parse().map_err(|_| InvalidSize)?;
    n.checked_mul(mult)
        .and_then(|v| usize::try_from(v).ok())
        .ok_or(InvalidSize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("123"), Ok(123));
        assert_eq!(parse_size("64mb"), Ok(64 << 20));
        assert_eq!(parse_size("64MB"), Ok(64 << 20));
        assert_eq!(parse_size("2k"), Ok(2000));
        assert_eq!(parse_size("1gb"), Ok(1 << 30));
        assert_eq!(parse_size("mb"), Err(InvalidSize));
        assert_eq!(parse_size("-1"), Err(InvalidSize));
        assert_eq!(parse_size("99999999999999999999gb"), Err(InvalidSize));
    }

    #[test]
    fn output_buffer_limits() {
        let want = OutputBufferLimit {
            hard_bytes: 64 << 20,
            soft_bytes: 16 << 20,
            soft_seconds: 60,
        };
        assert_eq!(parse_output_buffer_limit("64mb 16mb 60"), Ok(want));
        assert_eq!(parse_output_buffer_limit("64mb,16mb,60"), Ok(want));
        assert_eq!(parse_output_buffer_limit(&want.to_string()), Ok(want));
        assert_eq!(DEFAULT_OUTPUT_BUFFER_LIMIT, want);
        for bad in ["", "64mb", "64mb 16mb", "64mb 16mb 60 1", "x 1 1", "1 1 -1"] {
            assert_eq!(
                parse_output_buffer_limit(bad),
                Err(InvalidOutputBufferLimit),
                "{bad:?}"
            );
        }
    }
}
