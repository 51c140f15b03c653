//! Targets: the servers loadgen drives, and how to reach them.
//!
//! A target is started (or attached to) once, then hands out connections through
//! [`Target::connect`], so a target living in a network namespace can create its sockets there.

pub mod durability;
pub mod host;
pub mod vm;

use std::io;
use std::net::{SocketAddr, TcpStream};

use thiserror::Error;

use crate::cpu::{self, CpuSample};
use crate::sql::conn::SqlAddr;

/// Accelerator name of targets that are not virtual machines.
pub const NO_ACCELERATOR: &str = "none";

/// A target that could not be named, started or reached.
#[derive(Debug, Error)]
pub enum TargetError {
    /// The name is neither a known target nor `HOST:PORT`.
    #[error("unknown target `{0}` (expected unikernel, unikernel-trap, linux-vm, redis-vm, mariadb-vm, linux-host, HOST:PORT or NAME=SQL-ADDRESS)")]
    Unknown(String),
    /// `HOST:PORT` that is not on loopback.
    #[error("target address {0} is not on loopback (127.0.0.0/8 or ::1); loadgen only talks to loopback")]
    NotLoopback(String),
    /// The target kind exists but cannot be started in this build.
    #[error("unimplemented target `{0}`: {1}")]
    Unimplemented(String, String),
    /// Starting the target failed.
    #[error("starting target `{name}`: {reason}")]
    Start {
        /// Target name.
        name: String,
        /// What went wrong.
        reason: String,
    },
    /// I/O while starting the target.
    #[error("starting target `{0}`: {1}")]
    Io(String, #[source] io::Error),
}

/// What a target name on the command line means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetSpec {
    /// A server already running on loopback.
    Addr(SocketAddr),
    /// The workspace's `dbserver` spawned on the host.
    LinuxHost,
    /// A VM booted through `ring0db-images`.
    Vm(vm::VmKind),
    /// `NAME=ADDRESS`: a MySQL-protocol server already running at a loopback `HOST:PORT` or a
    /// unix socket path, called NAME in the results (SQL workloads only).
    Sql(String, SqlAddr),
}

impl TargetSpec {
    /// Parses a target name or `HOST:PORT` (HOST must be loopback; `localhost` means 127.0.0.1).
    pub fn parse(name: &str) -> Result<Self, TargetError> {
        let name = name.trim();
        if name == "linux-host" {
            return Ok(TargetSpec::LinuxHost);
        }
        if let Some(kind) = vm::VmKind::from_name(name) {
            return Ok(TargetSpec::Vm(kind));
        }
        if let Some((label, addr)) = name.split_once('=') {
            let addr = SqlAddr::parse(addr).map_err(|_| TargetError::Unknown(name.to_string()))?;
            return Ok(TargetSpec::Sql(label.to_string(), addr));
        }
        let normalised = match name.strip_prefix("localhost:") {
            Some(port) => format!("127.0.0.1:{port}"),
            None => name.to_string(),
        };
        let addr: SocketAddr = normalised
            .parse()
            .map_err(|_| TargetError::Unknown(name.to_string()))?;
        if !addr.ip().is_loopback() {
            return Err(TargetError::NotLoopback(name.to_string()));
        }
        Ok(TargetSpec::Addr(addr))
    }

    /// The name used in CSV rows and reports.
    pub fn name(&self) -> String {
        match self {
            TargetSpec::Addr(addr) => addr.to_string(),
            TargetSpec::LinuxHost => "linux-host".to_string(),
            TargetSpec::Vm(kind) => kind.name().to_string(),
            TargetSpec::Sql(name, _) => name.clone(),
        }
    }
}

/// A running (or attached) server.
pub trait Target: Send + Sync {
    /// Name for CSV and report.
    fn name(&self) -> &str;
    /// Accelerator that runs it (`kvm`, `tcg`, or `none` for host targets, the default).
    fn accelerator(&self) -> &str {
        NO_ACCELERATOR
    }
    /// Why that accelerator was chosen.
    fn accel_reason(&self) -> &str {
        "host process (no VM)"
    }
    /// A new TCP connection to the server (made inside the target's namespace if it has one).
    fn connect(&self) -> io::Result<TcpStream>;
    /// Host process whose CPU time is charged to this target, if loadgen knows it.
    fn pid(&self) -> Option<u32>;
    /// A loopback address other host tools (redis-benchmark) can use, if there is one.
    fn loopback_addr(&self) -> Option<SocketAddr>;
    /// Where the server speaks the MySQL protocol, if it does.
    fn sql_addr(&self) -> Option<SqlAddr> {
        None
    }
    /// Whether the server speaks RESP (KV workloads).
    fn speaks_resp(&self) -> bool {
        true
    }
    /// The server's cumulative user/system CPU counters (see [`crate::cpu`]); by default
    /// those of its host process.
    fn cpu_sample(&self) -> Option<CpuSample> {
        self.pid().and_then(cpu::host_process_sample)
    }
}

/// Starts (or attaches to) the target `spec` describes.
pub fn start(spec: &TargetSpec) -> Result<Box<dyn Target>, TargetError> {
    match spec {
        TargetSpec::Addr(addr) => Ok(Box::new(host::AddrTarget::new(*addr))),
        TargetSpec::LinuxHost => Ok(Box::new(host::LinuxHost::spawn()?)),
        TargetSpec::Vm(kind) => vm::start(*kind),
        TargetSpec::Sql(name, addr) => Ok(Box::new(host::SqlTarget::new(name, addr.clone()))),
    }
}

/// Configures a fresh client socket: no Nagle delay, bounded blocking.
pub fn tune_stream(stream: &TcpStream, io_timeout: std::time::Duration) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(io_timeout))?;
    stream.set_write_timeout(Some(io_timeout))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_target_names() {
        assert_eq!(
            TargetSpec::parse("linux-host").unwrap(),
            TargetSpec::LinuxHost
        );
        assert_eq!(
            TargetSpec::parse("localhost:6379").unwrap(),
            TargetSpec::Addr("127.0.0.1:6379".parse().unwrap())
        );
        assert!(matches!(
            TargetSpec::parse("127.0.0.2:1"),
            Ok(TargetSpec::Addr(_))
        ));
        assert!(matches!(
            TargetSpec::parse("[::1]:1"),
            Ok(TargetSpec::Addr(_))
        ));
        assert!(matches!(
            TargetSpec::parse("10.0.0.1:6379"),
            Err(TargetError::NotLoopback(_))
        ));
        assert!(matches!(
            TargetSpec::parse("bogus"),
            Err(TargetError::Unknown(_))
        ));
        assert_eq!(TargetSpec::parse("linux-vm").unwrap().name(), "linux-vm");
        assert_eq!(
            TargetSpec::parse("mariadb-vm").unwrap().name(),
            "mariadb-vm"
        );
        assert_eq!(
            TargetSpec::parse("maria=/tmp/m.sock").unwrap(),
            TargetSpec::Sql("maria".into(), SqlAddr::Socket("/tmp/m.sock".into()))
        );
        assert!(TargetSpec::parse("maria=10.0.0.1:3306").is_err());
    }
}
