//! Server configuration and the `64mb`-style size syntax shared by the command line and
//! `CONFIG SET`.

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
}
