//! The appliance's command-line keys (the kernel's own are in `ring0db_kernel::api`).

use alloc::string::ToString;

use dbserver::config::{parse_output_buffer_limit, parse_size};
use dbserver::durability::Fsync;
use dbserver::Config;
use ring0db_kernel::api::{BadValue, CommandLine};

/// The disk the durability log lives on (`appendonly=yes`).
pub const IMAGE_DISK: &str = "/dev/vda";

/// Keys the appliance reads.
pub const KEYS: &[&str] = &[
    "port",
    "sqlport",
    "sqlpassword",
    "maxallowedpacket",
    "sqlmaxdepth",
    "maxclients",
    "maxmemory",
    "requirepass",
    "timeout",
    "waittimeout",
    "handshaketimeout",
    "clientoutputbufferlimit",
    "appendonly",
    "appendfsync",
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
        let max_allowed_packet = match cmdline.get("maxallowedpacket") {
            None => defaults.max_allowed_packet,
            Some(text) => parse_size(text).map_err(|_| {
                cmdline.bad("maxallowedpacket", text, "a size like 64mb or 1048576")
            })?,
        };
        // `sqlport=0` (or `off`) disables the MySQL listener: nobody could learn a port the
        // kernel chose.
        let sql_port = match cmdline.get("sqlport") {
            None => defaults.sql_port,
            Some("off") => None,
            Some(text) => match text.parse::<u16>() {
                Ok(0) => None,
                Ok(port) => Some(port),
                Err(_) => {
                    return Err(cmdline.bad("sqlport", text, "a TCP port number, or 0/off"));
                }
            },
        };
        let client_output_buffer_limit = match cmdline.get("clientoutputbufferlimit") {
            None => defaults.client_output_buffer_limit,
            Some(text) => parse_output_buffer_limit(text).map_err(|_| {
                cmdline.bad(
                    "clientoutputbufferlimit",
                    text,
                    "<hard>,<soft>,<soft-seconds> like 64mb,16mb,60",
                )
            })?,
        };
        let appendonly = cmdline.choice("appendonly", &["yes", "no"])? == Some("yes");
        let appendfsync = match cmdline.choice("appendfsync", &["always", "everysec", "no"])? {
            Some(text) => Fsync::parse(text).unwrap_or_default(),
            None => defaults.appendfsync,
        };
        let server_config = Config {
            port: cmdline.parse_or("port", defaults.port, "a TCP port number (1-65535)")?,
            sql_port,
            sql_password: cmdline.get("sqlpassword").map(|p| p.to_string()),
            max_allowed_packet,
            sql_max_nesting_depth: cmdline.parse_or(
                "sqlmaxdepth",
                defaults.sql_max_nesting_depth,
                "a nesting depth (number)",
            )?,
            bind: [0, 0, 0, 0],
            maxclients: cmdline.parse_or(
                "maxclients",
                defaults.maxclients,
                "a number of clients",
            )?,
            maxmemory,
            requirepass: cmdline.get("requirepass").map(|p| p.to_string()),
            timeout: cmdline.parse_or("timeout", defaults.timeout, "seconds (0: never)")?,
            wait_timeout: cmdline.parse_or(
                "waittimeout",
                defaults.wait_timeout,
                "seconds (0: never)",
            )?,
            handshake_timeout: cmdline.parse_or(
                "handshaketimeout",
                defaults.handshake_timeout,
                "seconds (0: never)",
            )?,
            client_output_buffer_limit,
            appendonly,
            appendfsync,
            // The VM's one virtio-blk disk, the same path as in the Linux guests.
            disk: appendonly.then(|| IMAGE_DISK.to_string()),
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
