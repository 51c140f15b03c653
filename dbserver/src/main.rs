//! `dbserver`: the ring0db key-value server as an ordinary Linux program.

use clap::Parser;
use dbserver::config::{
    parse_size, Config, DEFAULT_MAXCLIENTS, DEFAULT_MAX_BULK_LEN, DEFAULT_MAX_QUERY_BUFFER,
    DEFAULT_PORT,
};
use dbserver::sys::linux::LinuxSys;
use std::net::Ipv4Addr;
use std::process::ExitCode;

/// A Redis-protocol key-value server (the Linux build of the ring0db server).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    /// TCP port to listen on.
    #[arg(long, default_value_t = DEFAULT_PORT)]
    port: u16,
    /// IPv4 address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: Ipv4Addr,
    /// Most clients connected at once.
    #[arg(long, default_value_t = DEFAULT_MAXCLIENTS)]
    maxclients: usize,
    /// Memory limit for keys and values (bytes; suffixes k, kb, m, mb, g, gb); 0 = none.
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
}

fn size(text: &str) -> Result<usize, String> {
    parse_size(text).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = Config {
        port: cli.port,
        bind: cli.bind.octets(),
        maxclients: cli.maxclients,
        maxmemory: cli.maxmemory,
        requirepass: cli.requirepass,
        max_bulk_len: cli.max_bulk_len,
        max_query_buffer: cli.max_query_buffer,
    };
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
