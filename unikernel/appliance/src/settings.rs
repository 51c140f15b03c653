//! The appliance's command-line keys (the kernel's own are in `ring0db_kernel::boot`).

use alloc::string::ToString;

use dbserver::config::parse_size;
use dbserver::Config;
use ring0db_kernel::boot::cmdline::{BadValue, CommandLine};

/// Keys the appliance reads.
pub const KEYS: &[&str] = &[
    "port",
    "maxclients",
    "maxmemory",
    "requirepass",
    "syscall",
    "server",
];

/// How the server's system calls reach the kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyscallPath {
    /// Plain function calls (`syscall=call`, the default).
    Call,
    /// Through the IST-delivered trap vector (`syscall=trap`).
    Trap,
}

impl SyscallPath {
    pub fn describe(self) -> &'static str {
        match self {
            SyscallPath::Call => "direct function calls (syscall=call)",
            SyscallPath::Trap => "traps through int 0x80 on IST6 (syscall=trap)",
        }
    }
}

/// Everything the appliance takes from the command line.
pub struct Settings {
    pub server: bool,
    pub syscall_path: SyscallPath,
    pub server_config: Config,
}

impl Settings {
    pub fn from_command_line(cmdline: &CommandLine) -> Result<Settings, BadValue> {
        let defaults = Config::default();
        let maxmemory = match cmdline.get("maxmemory") {
            None => defaults.maxmemory,
            Some(text) => parse_size(text)
                .map_err(|_| cmdline.bad("maxmemory", text, "a size like 64mb or 1048576"))?,
        };
        let server_config = Config {
            port: cmdline.parse_or("port", defaults.port, "a TCP port number (1-65535)")?,
            bind: [0, 0, 0, 0],
            maxclients: cmdline.parse_or(
                "maxclients",
                defaults.maxclients,
                "a number of clients",
            )?,
            maxmemory,
            requirepass: cmdline.get("requirepass").map(|p| p.to_string()),
            ..defaults
        };
        let syscall_path = match cmdline.choice("syscall", &["call", "trap"])? {
            Some("trap") => SyscallPath::Trap,
            _ => SyscallPath::Call,
        };
        let server = cmdline.choice("server", &["on", "off"])? != Some("off");
        Ok(Settings {
            server,
            syscall_path,
            server_config,
        })
    }
}
