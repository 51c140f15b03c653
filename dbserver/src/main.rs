//! `dbserver`: the ring0db key-value server as an ordinary Linux program.

use clap::Parser;
use dbserver::config::{
    parse_output_buffer_limit, parse_size, Config, OutputBufferLimit,
    DEFAULT_HANDSHAKE_TIMEOUT_SECS, DEFAULT_MAXCLIENTS, DEFAULT_MAX_BULK_LEN,
    DEFAULT_MAX_QUERY_BUFFER, DEFAULT_OUTPUT_BUFFER_LIMIT, DEFAULT_PORT, DEFAULT_SQL_PORT,
    DEFAULT_TIMEOUT_SECS, DEFAULT_WAIT_TIMEOUT_SECS,
};
use dbserver::durability::Fsync;
use dbserver::mysql::DEFAULT_MAX_ALLOWED_PACKET;
use dbserver::sql::DEFAULT_MAX_NESTING_DEPTH;
use dbserver::sys::linux::LinuxSys;
use std::net::Ipv4Addr;
use std::process::ExitCode;

/// The ring0db server (Linux build): a Redis-protocol key-value store and a
/// MySQL-protocol SQL engine in one process.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    /// TCP port of the Redis protocol (0: any free port; the log names the port bound).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    port: u16,
    /// TCP port of the MySQL protocol, or `off` (0: any free port).
    #[arg(long, default_value_t = SqlPort(Some(DEFAULT_SQL_PORT)), value_parser = sql_port)]
    sql_port: SqlPort,
    /// Password for mysql_native_password (default: any user and password are accepted).
    #[arg(long)]
    sql_password: Option<String>,
    /// Largest MySQL packet accepted (bytes; suffixes allowed), like max_allowed_packet.
    #[arg(long, default_value_t = DEFAULT_MAX_ALLOWED_PACKET, value_parser = size)]
    max_allowed_packet: usize,
    /// Deepest nesting of a SQL statement (parentheses, sub-expressions) accepted.
    #[arg(long, default_value_t = DEFAULT_MAX_NESTING_DEPTH)]
    sql_max_nesting_depth: usize,
    /// IPv4 address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: Ipv4Addr,
    /// Most clients (Redis and MySQL protocol together) connected at once.
    #[arg(long, default_value_t = DEFAULT_MAXCLIENTS)]
    maxclients: usize,
    /// Memory limit for keys, values and SQL tables (bytes; suffixes k, kb, m, mb, g, gb);
    /// 0 = none.
    #[arg(long, default_value = "0", value_parser = size)]
    maxmemory: usize,
    /// Password clients must send with AUTH.
    #[arg(long)]
    requirepass: Option<String>,
    /// Longest bulk argument accepted (bytes; suffixes allowed).
    #[arg(long, default_value_t = DEFAULT_MAX_BULK_LEN, value_parser = size)]
    max_bulk_len: usize,
    /// Largest unparsed input buffered per client (bytes; suffixes allowed).
    #[arg(long, default_value_t = DEFAULT_MAX_QUERY_BUFFER, value_parser = size)]
    max_query_buffer: usize,
    /// Close an authenticated Redis-protocol client idle this many seconds (0 = never),
    /// like Redis's `timeout`.
    #[arg(long, default_value_t = DEFAULT_TIMEOUT_SECS)]
    timeout: u64,
    /// Close a MySQL-protocol session idle this many seconds (0 = never), like MySQL's
    /// wait_timeout.
    #[arg(long, default_value_t = DEFAULT_WAIT_TIMEOUT_SECS)]
    wait_timeout: u64,
    /// Seconds a new connection has to authenticate (MySQL) or complete a first request
    /// (Redis protocol; after AUTH with --requirepass), like MySQL's connect_timeout
    /// (0 = never).
    #[arg(long, default_value_t = DEFAULT_HANDSHAKE_TIMEOUT_SECS)]
    handshake_timeout: u64,
    /// "<hard> <soft> <soft-seconds>": close a client whose unsent replies pass <hard>
    /// bytes, or stay above <soft> for <soft-seconds> (0 bytes = no such limit), like
    /// Redis's client-output-buffer-limit normal.
    #[arg(long, default_value_t = DEFAULT_OUTPUT_BUFFER_LIMIT, value_parser = output_limit)]
    client_output_buffer_limit: OutputBufferLimit,
    /// yes: log every write to --disk and replay the log at start-up (Redis's appendonly).
    #[arg(long, default_value = "no", value_parser = yes_no, action = clap::ArgAction::Set)]
    appendonly: bool,
    /// When the log is flushed to the disk: always (before each reply), everysec, or no.
    #[arg(long, default_value_t = Fsync::Everysec, value_parser = fsync)]
    appendfsync: Fsync,
    /// The file or block device the log lives on (formatted if its first 1 KiB is zero).
    #[arg(long)]
    disk: Option<String>,
}

fn yes_no(text: &str) -> Result<bool, String> {
    match text.to_ascii_lowercase().as_str() {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err("expected yes or no".to_string()),
    }
}

fn fsync(text: &str) -> Result<Fsync, String> {
    Fsync::parse(text).ok_or_else(|| "expected always, everysec or no".to_string())
}

fn output_limit(text: &str) -> Result<OutputBufferLimit, String> {
    parse_output_buffer_limit(text).map_err(|e| e.to_string())
}

fn size(text: &str) -> Result<usize, String> {
    parse_size(text).map_err(|e| e.to_string())
}

/// `--sql-port`: a port number or `off`.
#[derive(Clone, Copy, Debug)]
struct SqlPort(Option<u16>);

impl std::fmt::Display for SqlPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(port) => write!(f, "{port}"),
            None => f.write_str("off"),
        }
    }
}

fn sql_port(text: &str) -> Result<SqlPort, String> {
    if text.eq_ignore_ascii_case("off") {
        return Ok(SqlPort(None));
    }
    text.parse()
        .map(|port| SqlPort(Some(port)))
        .map_err(|_| "expected a TCP port number (0-65535) or `off`".to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = Config {
        port: cli.port,
        sql_port: cli.sql_port.0,
        sql_password: cli.sql_password,
        max_allowed_packet: cli.max_allowed_packet,
        sql_max_nesting_depth: cli.sql_max_nesting_depth,
        bind: cli.bind.octets(),
        maxclients: cli.maxclients,
        maxmemory: cli.maxmemory,
        requirepass: cli.requirepass,
        max_bulk_len: cli.max_bulk_len,
        max_query_buffer: cli.max_query_buffer,
        timeout: cli.timeout,
        wait_timeout: cli.wait_timeout,
        handshake_timeout: cli.handshake_timeout,
        client_output_buffer_limit: cli.client_output_buffer_limit,
        appendonly: cli.appendonly,
        appendfsync: cli.appendfsync,
        disk: cli.disk,
    };
    if config.appendonly && config.disk.is_none() {
        eprintln!("dbserver: --appendonly yes needs --disk PATH (the file or device of the log)");
        return ExitCode::FAILURE;
    }
    let result = LinuxSys::new().and_then(|sys| dbserver::run(&sys, &config));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let os = std::io::Error::from_raw_os_error(e.0);
            eprintln!("dbserver: fatal: {os}");
            ExitCode::FAILURE
        }
    }
}
