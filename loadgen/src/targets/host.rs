//! Host targets: any server already listening on loopback, and `linux-host`, the workspace's
//! `dbserver` binary spawned on 127.0.0.1.

use std::env;
use std::fs::{self, File};
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::{Target, TargetError};

/// How long a freshly spawned `dbserver` may take to accept connections.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(15);
/// Pause between readiness probes.
const PROBE_INTERVAL: Duration = Duration::from_millis(50);
/// Timeout of one connection attempt to a loopback server.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Environment variable that names the `dbserver` binary explicitly.
pub const DBSERVER_ENV: &str = "LOADGEN_DBSERVER";

/// A server someone else started, reached at a loopback address.
#[derive(Debug)]
pub struct AddrTarget {
    addr: SocketAddr,
    name: String,
}

impl AddrTarget {
    /// Attaches to `addr` (the caller has checked it is loopback).
    pub fn new(addr: SocketAddr) -> Self {
        Self {
            addr,
            name: addr.to_string(),
        }
    }
}

impl Target for AddrTarget {
    fn name(&self) -> &str {
        &self.name
    }
    fn connect(&self) -> io::Result<TcpStream> {
        TcpStream::connect_timeout(&self.addr, CONNECT_TIMEOUT)
    }
    fn pid(&self) -> Option<u32> {
        find_listener_pid(self.addr.port())
    }
    fn loopback_addr(&self) -> Option<SocketAddr> {
        Some(self.addr)
    }
}

/// The workspace's `dbserver` running as a host process on 127.0.0.1; killed on drop.
#[derive(Debug)]
pub struct LinuxHost {
    child: Child,
    addr: SocketAddr,
}

impl LinuxHost {
    /// Finds (or builds) `dbserver`, starts it on a free loopback port, waits until it accepts.
    pub fn spawn() -> Result<Self, TargetError> {
        let binary = find_or_build_dbserver()?;
        Self::spawn_binary(&binary)
    }

    /// Starts `binary` (a dbserver-compatible server) on a free loopback port.
    pub fn spawn_binary(binary: &Path) -> Result<Self, TargetError> {
        let port = free_loopback_port().map_err(io_err)?;
        let log_path = env::temp_dir().join(format!("loadgen-dbserver-{port}.log"));
        let log = File::create(&log_path).map_err(io_err)?;
        let child = Command::new(binary)
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(io_err)?)
            .stderr(log)
            .spawn()
            .map_err(|e| start_err(format!("running {}: {e}", binary.display())))?;
        let mut target = LinuxHost {
            child,
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        };
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if let Ok(Some(status)) = target.child.try_wait() {
                let log = fs::read_to_string(&log_path).unwrap_or_default();
                return Err(start_err(format!(
                    "{} exited with {status} before accepting connections; its output:\n{}",
                    binary.display(),
                    tail(&log, 20)
                )));
            }
            if TcpStream::connect_timeout(&target.addr, PROBE_INTERVAL).is_ok() {
                let _ = fs::remove_file(&log_path);
                return Ok(target);
            }
            if Instant::now() > deadline {
                // Drop kills the child.
                return Err(start_err(format!(
                    "{} did not accept connections on {} within {STARTUP_TIMEOUT:?}",
                    binary.display(),
                    target.addr
                )));
            }
            thread::sleep(PROBE_INTERVAL);
        }
    }
}

impl Drop for LinuxHost {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Target for LinuxHost {
    fn name(&self) -> &str {
        "linux-host"
    }
    fn connect(&self) -> io::Result<TcpStream> {
        TcpStream::connect_timeout(&self.addr, CONNECT_TIMEOUT)
    }
    fn pid(&self) -> Option<u32> {
        Some(self.child.id())
    }
    fn loopback_addr(&self) -> Option<SocketAddr> {
        Some(self.addr)
    }
}

fn start_err(reason: String) -> TargetError {
    TargetError::Start {
        name: "linux-host".to_string(),
        reason,
    }
}

fn io_err(e: io::Error) -> TargetError {
    TargetError::Io("linux-host".to_string(), e)
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// A loopback TCP port that was free a moment ago.
pub fn free_loopback_port() -> io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

/// `$LOADGEN_DBSERVER`, else `dbserver` next to this executable (same Cargo profile directory,
/// then `release/`), else `cargo build --release -p dbserver`.
pub fn find_or_build_dbserver() -> Result<PathBuf, TargetError> {
    if let Some(path) = env::var_os(DBSERVER_ENV) {
        return Ok(PathBuf::from(path));
    }
    if let Some(found) = find_next_to_exe() {
        return Ok(found);
    }
    build_dbserver()
}

fn find_next_to_exe() -> Option<PathBuf> {
    let exe = env::current_exe().ok()?;
    let dir = exe.parent()?;
    let profile_dir = if dir.ends_with("deps") {
        dir.parent()?
    } else {
        dir
    };
    let candidates = [
        profile_dir.join("dbserver"),
        profile_dir.parent()?.join("release").join("dbserver"),
    ];
    candidates.into_iter().find(|p| p.is_file())
}

/// Runs `cargo build --release -p dbserver` in this workspace and returns the binary.
pub fn build_dbserver() -> Result<PathBuf, TargetError> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let manifest = workspace.join("Cargo.toml");
    let mut cmd = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    // We may be running inside `cargo test`: do not inherit its jobserver or target override.
    for var in [
        "CARGO_MAKEFLAGS",
        "MAKEFLAGS",
        "MFLAGS",
        "CARGO_BUILD_TARGET",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd
        .args(["build", "--release", "-p", "dbserver", "--manifest-path"])
        .arg(&manifest)
        .stdout(Stdio::null())
        .status()
        .map_err(|e| start_err(format!("running cargo to build dbserver: {e}")))?;
    if !status.success() {
        return Err(start_err(format!(
            "`cargo build --release -p dbserver` failed: {status}"
        )));
    }
    let target_dir = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target"));
    let binary = target_dir.join("release").join("dbserver");
    if binary.is_file() {
        Ok(binary)
    } else {
        Err(start_err(format!(
            "built dbserver but found no {}",
            binary.display()
        )))
    }
}

/// The PID of the process listening on loopback TCP `port`, found through `/proc` (best effort:
/// only processes of this user are visible).
pub fn find_listener_pid(port: u16) -> Option<u32> {
    let inode = listening_inode(port)?;
    let needle = format!("socket:[{inode}]");
    for entry in fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(fds) = fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if fs::read_link(fd.path()).is_ok_and(|l| l.as_os_str() == needle.as_str()) {
                return Some(pid);
            }
        }
    }
    None
}

fn listening_inode(port: u16) -> Option<u64> {
    const TCP_LISTEN: &str = "0A";
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 10 || f[3] != TCP_LISTEN {
                continue;
            }
            let local_port = f[1]
                .rsplit(':')
                .next()
                .and_then(|p| u16::from_str_radix(p, 16).ok());
            if local_port == Some(port) {
                return f[9].parse().ok();
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_pid_of_our_own_listener() {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        assert_eq!(find_listener_pid(port), Some(std::process::id()));
    }
}
