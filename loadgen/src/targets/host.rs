//! Host targets: any server already listening on loopback, and `linux-host`, the workspace's
//! `dbserver` binary spawned on 127.0.0.1.

use std::env;
use std::fs;
use std::io::{self, BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use super::{Target, TargetError};
use crate::sql::conn::SqlAddr;

/// How long a freshly spawned `dbserver` may take to report its listening ports.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(15);
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

/// A MySQL-protocol server someone else started (loopback TCP or a unix socket).
#[derive(Debug)]
pub struct SqlTarget {
    name: String,
    addr: SqlAddr,
}

impl SqlTarget {
    /// Attaches to `addr` under the name `name`.
    pub fn new(name: &str, addr: SqlAddr) -> Self {
        Self {
            name: name.to_string(),
            addr,
        }
    }
}

impl Target for SqlTarget {
    fn name(&self) -> &str {
        &self.name
    }
    fn connect(&self) -> io::Result<TcpStream> {
        Err(io::Error::other(format!(
            "{} is a MySQL-protocol target (no RESP)",
            self.name
        )))
    }
    fn pid(&self) -> Option<u32> {
        match &self.addr {
            SqlAddr::Tcp(a) => find_listener_pid(a.port()),
            SqlAddr::Socket(path) => find_unix_listener_pid(path),
            SqlAddr::InNetns { .. } => None,
        }
    }
    fn loopback_addr(&self) -> Option<SocketAddr> {
        None
    }
    fn sql_addr(&self) -> Option<SqlAddr> {
        Some(self.addr.clone())
    }
    fn speaks_resp(&self) -> bool {
        false
    }
}

/// The workspace's `dbserver` running as a host process on 127.0.0.1; killed on drop.
#[derive(Debug)]
pub struct LinuxHost {
    child: Child,
    addr: SocketAddr,
    sql_addr: SocketAddr,
    /// With `--durability`: the directory of the file dbserver's log lives on (removed on drop).
    _disk_dir: Option<tempfile::TempDir>,
}

impl LinuxHost {
    /// Finds (or builds) `dbserver`, starts it on ports the kernel picks, waits until it listens.
    pub fn spawn() -> Result<Self, TargetError> {
        let binary = find_or_build_dbserver()?;
        Self::spawn_binary(&binary)
    }

    /// Starts `binary` (a dbserver-compatible server) with `--port 0 --sql-port 0` and reads
    /// the ports it bound from its log: no port is chosen first and bound later, so
    /// concurrent servers can never meet on one port.
    pub fn spawn_binary(binary: &Path) -> Result<Self, TargetError> {
        let durability = super::durability::current();
        let mut disk_args = Vec::new();
        let disk_dir = if durability == super::durability::Durability::Off {
            None
        } else {
            let dir = tempfile::Builder::new()
                .prefix("loadgen-disk.")
                .tempdir()
                .map_err(io_err)?;
            let disk = dir.path().join("disk.img");
            fs::File::create(&disk)
                .and_then(|f| f.set_len(u64::from(super::durability::DISK_MIB) << 20))
                .map_err(io_err)?;
            disk_args = durability.dbserver_args(&disk.display().to_string());
            Some(dir)
        };
        let mut child = Command::new(binary)
            .args(["--bind", "127.0.0.1", "--port", "0", "--sql-port", "0"])
            .args(&disk_args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| start_err(format!("running {}: {e}", binary.display())))?;
        let stderr = child.stderr.take().expect("stderr is piped");
        let (lines_tx, lines) = mpsc::channel();
        // Keeps reading for the server's whole life, so it never blocks on a full pipe.
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = lines_tx.send(line);
            }
        });
        let mut log = Vec::new();
        let mut resp_port = None;
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(port) = listening_port(&line, "RESP") {
                        resp_port = Some(port);
                    } else if let (Some(port), Some(sql_port)) =
                        (resp_port, listening_port(&line, "MySQL"))
                    {
                        return Ok(LinuxHost {
                            child,
                            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
                            sql_addr: SocketAddr::from((Ipv4Addr::LOCALHOST, sql_port)),
                            _disk_dir: disk_dir,
                        });
                    }
                    log.push(line);
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let status = child.wait().map_err(io_err)?;
                    return Err(start_err(format!(
                        "{} exited with {status} before listening; its output:\n{}",
                        binary.display(),
                        tail(&log, 20)
                    )));
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(start_err(format!(
                        "{} did not report its listening ports within {STARTUP_TIMEOUT:?}; its output:\n{}",
                        binary.display(),
                        tail(&log, 20)
                    )));
                }
            }
        }
    }

    /// The MySQL-protocol address of the server.
    pub fn sql_addr(&self) -> SocketAddr {
        self.sql_addr
    }
}

/// The port in dbserver's `dbserver: listening on 127.0.0.1:PORT (PROTOCOL)` log line.
fn listening_port(line: &str, protocol: &str) -> Option<u16> {
    let rest = line.strip_prefix("dbserver: listening on ")?;
    let addr = rest.strip_suffix(&format!(" ({protocol})"))?;
    addr.rsplit_once(':')?.1.parse().ok()
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
    fn sql_addr(&self) -> Option<SqlAddr> {
        Some(SqlAddr::Tcp(self.sql_addr))
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

fn tail(lines: &[String], count: usize) -> String {
    lines[lines.len().saturating_sub(count)..].join("\n")
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
    owner_of_socket(listening_inode(port)?)
}

/// The PID of the process listening on the unix socket `path` (through `/proc/net/unix`).
pub fn find_unix_listener_pid(path: &Path) -> Option<u32> {
    /// `/proc/net/unix` state of a listening socket (`SS_UNCONNECTED` with `__SO_ACCEPTCON`).
    const ACCEPTCON_FLAGS: &str = "00010000";
    let text = fs::read_to_string("/proc/net/unix").ok()?;
    let wanted = path.to_str()?;
    let inode = text.lines().skip(1).find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        (f.len() >= 8 && f[3] == ACCEPTCON_FLAGS && f[7] == wanted)
            .then(|| f[6].parse::<u64>().ok())
            .flatten()
    })?;
    owner_of_socket(inode)
}

fn owner_of_socket(inode: u64) -> Option<u32> {
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
    fn reads_the_port_from_the_log_line() {
        let line = "dbserver: listening on 127.0.0.1:41234 (MySQL)";
        assert_eq!(listening_port(line, "MySQL"), Some(41234));
        assert_eq!(listening_port(line, "RESP"), None);
        assert_eq!(
            listening_port("dbserver: listening on x (RESP)", "RESP"),
            None
        );
    }

    #[test]
    fn finds_the_pid_of_our_own_listener() {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        assert_eq!(find_listener_pid(port), Some(std::process::id()));
    }
}
