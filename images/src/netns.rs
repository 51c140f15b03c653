//! Guest networking: a tap device inside a network namespace we create (root), QEMU's user
//! networking with a loopback port forward (no root), or no NIC at all.

use crate::cleanup;
use crate::iproute::{delete_netns, ip};
pub use crate::iproute::{NETNS_PREFIX, TAP_NAME};
use anyhow::{bail, Context, Result};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpListener, TcpStream};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// TCP port the server listens on inside every guest.
pub const GUEST_PORT: u16 = 6379;
/// TCP port of the SQL (MySQL-protocol) server inside the guests that have one: `dbserver`'s
/// `--sql-port` in the Linux guest, MariaDB in `mariadb-vm`.
pub const SQL_GUEST_PORT: u16 = 3306;
/// TCP port of the CPU agent in every Linux guest (busybox `nc -ll -e`): each connection
/// gets `ring0db-cpu 1`, the guest's `cpu` line of `/proc/stat`, `server <the server's
/// /proc/PID/stat>` and `end`, then is closed. Reachable over tap, and under user networking
/// through [`NetAttach::UserWithSql`]'s third forward.
pub const CPU_AGENT_PORT: u16 = 7070;
/// Host side of the tap link (inside the namespace).
pub const TAP_HOST_ADDR: Ipv4Addr = Ipv4Addr::new(172, 31, 77, 1);
/// Guest address on the tap link.
pub const TAP_GUEST_ADDR: Ipv4Addr = Ipv4Addr::new(172, 31, 77, 2);
/// Prefix length of the tap link.
pub const TAP_PREFIX_LEN: u8 = 24;
/// Guest address under QEMU user networking (slirp).
pub const USER_GUEST_ADDR: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 15);
/// Gateway under QEMU user networking (slirp).
pub const USER_GATEWAY: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 2);

/// The guest's static addressing, appended to its kernel command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuestNet {
    /// Guest IPv4 address.
    pub guest: Ipv4Addr,
    /// Prefix length of the guest's network.
    pub prefix_len: u8,
    /// Default gateway.
    pub gateway: Ipv4Addr,
    /// Port the server listens on.
    pub port: u16,
}

impl GuestNet {
    /// Addressing on the tap link: 172.31.77.2/24 via 172.31.77.1, port 6379.
    pub fn tap_default() -> Self {
        GuestNet {
            guest: TAP_GUEST_ADDR,
            prefix_len: TAP_PREFIX_LEN,
            gateway: TAP_HOST_ADDR,
            port: GUEST_PORT,
        }
    }

    /// Addressing under QEMU user networking: 10.0.2.15/24 via 10.0.2.2, port 6379.
    pub fn user_default() -> Self {
        GuestNet {
            guest: USER_GUEST_ADDR,
            prefix_len: 24,
            gateway: USER_GATEWAY,
            port: GUEST_PORT,
        }
    }
}

/// How the VM's one NIC is attached.
#[derive(Debug)]
pub enum NetAttach {
    /// No NIC.
    None,
    /// QEMU user networking; the guest's port 6379 is forwarded from `127.0.0.1:host_port`.
    User {
        /// Loopback port on the host.
        host_port: u16,
    },
    /// QEMU user networking forwarding the guest's port 6379 from `127.0.0.1:host_port`, its
    /// SQL port [`SQL_GUEST_PORT`] from `127.0.0.1:sql_host_port` and the Linux guests' CPU
    /// agent [`CPU_AGENT_PORT`] from `127.0.0.1:agent_host_port`.
    UserWithSql {
        /// Loopback port on the host for the server port.
        host_port: u16,
        /// Loopback port on the host for the SQL port.
        sql_host_port: u16,
        /// Loopback port on the host for the CPU agent.
        agent_host_port: u16,
    },
    /// A tap device inside a network namespace we created; QEMU and clients run inside it.
    Tap(Netns),
}

impl NetAttach {
    /// User networking on a free loopback port.
    pub fn user() -> Result<Self> {
        Ok(NetAttach::User {
            host_port: free_loopback_port()?,
        })
    }

    /// User networking forwarding the server port, the SQL port and the CPU agent's port, on
    /// free loopback ports.
    pub fn user_with_sql() -> Result<Self> {
        Ok(NetAttach::UserWithSql {
            host_port: free_loopback_port()?,
            sql_host_port: free_loopback_port()?,
            agent_host_port: free_loopback_port()?,
        })
    }

    /// A fresh namespace with a tap device (needs root).
    pub fn tap() -> Result<Self> {
        Ok(NetAttach::Tap(Netns::create()?))
    }

    /// The addressing the guest must use, if it has a NIC.
    pub fn guest_net(&self) -> Option<GuestNet> {
        match self {
            NetAttach::None => None,
            NetAttach::User { .. } | NetAttach::UserWithSql { .. } => {
                Some(GuestNet::user_default())
            }
            NetAttach::Tap(_) => Some(GuestNet::tap_default()),
        }
    }

    /// QEMU's `-netdev` value (id `net0`), if there is a NIC.
    pub fn qemu_netdev(&self) -> Option<String> {
        match self {
            NetAttach::None => None,
            NetAttach::User { host_port } => Some(format!(
                "user,id=net0,hostfwd=tcp:127.0.0.1:{host_port}-:{GUEST_PORT}"
            )),
            NetAttach::UserWithSql {
                host_port,
                sql_host_port,
                agent_host_port,
            } => Some(format!(
                "user,id=net0,hostfwd=tcp:127.0.0.1:{host_port}-:{GUEST_PORT},\
                 hostfwd=tcp:127.0.0.1:{sql_host_port}-:{SQL_GUEST_PORT},\
                 hostfwd=tcp:127.0.0.1:{agent_host_port}-:{CPU_AGENT_PORT}"
            )),
            NetAttach::Tap(ns) => Some(format!(
                "tap,id=net0,ifname={},script=no,downscript=no",
                ns.tap()
            )),
        }
    }

    /// Where a client connects to reach the guest's server (from inside the namespace for tap).
    pub fn client_addr(&self) -> Option<SocketAddr> {
        match self {
            NetAttach::None => None,
            NetAttach::User { host_port } | NetAttach::UserWithSql { host_port, .. } => {
                Some(SocketAddr::from((Ipv4Addr::LOCALHOST, *host_port)))
            }
            NetAttach::Tap(_) => Some(SocketAddr::from((TAP_GUEST_ADDR, GUEST_PORT))),
        }
    }

    /// Where a client connects to reach the guest's SQL port (from inside the namespace for
    /// tap); `None` when it is not reachable (no NIC, or user networking without SQL).
    pub fn sql_client_addr(&self) -> Option<SocketAddr> {
        match self {
            NetAttach::None | NetAttach::User { .. } => None,
            NetAttach::UserWithSql { sql_host_port, .. } => {
                Some(SocketAddr::from((Ipv4Addr::LOCALHOST, *sql_host_port)))
            }
            NetAttach::Tap(_) => Some(SocketAddr::from((TAP_GUEST_ADDR, SQL_GUEST_PORT))),
        }
    }

    /// The namespace, for tap.
    pub fn netns(&self) -> Option<&Netns> {
        match self {
            NetAttach::Tap(ns) => Some(ns),
            _ => None,
        }
    }

    /// Opens a TCP connection to the guest's server (inside the namespace for tap).
    pub fn connect_tcp(&self, timeout: Duration) -> Result<TcpStream> {
        self.connect_port(GUEST_PORT, timeout)
    }

    /// Opens a TCP connection to the guest's `port` (inside the namespace for tap). User
    /// networking forwards only the server port, [`GUEST_PORT`], and with
    /// [`NetAttach::UserWithSql`] also [`SQL_GUEST_PORT`] and [`CPU_AGENT_PORT`].
    pub fn connect_port(&self, port: u16, timeout: Duration) -> Result<TcpStream> {
        match self {
            NetAttach::None => bail!("the VM has no network (NetAttach::None)"),
            NetAttach::Tap(ns) => ns.connect_tcp(SocketAddr::from((TAP_GUEST_ADDR, port)), timeout),
            NetAttach::User { host_port } => {
                if port != GUEST_PORT {
                    bail!("user networking forwards only guest port {GUEST_PORT}, not {port}");
                }
                let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, *host_port));
                TcpStream::connect_timeout(&addr, timeout)
                    .with_context(|| format!("connect to {addr}"))
            }
            NetAttach::UserWithSql {
                host_port,
                sql_host_port,
                agent_host_port,
            } => {
                let host_port = match port {
                    GUEST_PORT => *host_port,
                    SQL_GUEST_PORT => *sql_host_port,
                    CPU_AGENT_PORT => *agent_host_port,
                    _ => bail!(
                        "user networking forwards only guest ports {GUEST_PORT}, \
                         {SQL_GUEST_PORT} and {CPU_AGENT_PORT}, not {port}"
                    ),
                };
                let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, host_port));
                TcpStream::connect_timeout(&addr, timeout)
                    .with_context(|| format!("connect to {addr}"))
            }
        }
    }

    /// A shell command a human can run to talk to the server.
    pub fn connect_hint(&self) -> String {
        match self {
            NetAttach::None => "no network attached".into(),
            NetAttach::User { host_port } => format!("redis-cli -p {host_port}"),
            NetAttach::UserWithSql {
                host_port,
                sql_host_port,
                ..
            } => {
                format!("redis-cli -p {host_port}; mariadb -h 127.0.0.1 -P {sql_host_port} -u root")
            }
            NetAttach::Tap(ns) => format!(
                "ip netns exec {0} redis-cli -h {TAP_GUEST_ADDR} -p {GUEST_PORT}; \
                 ip netns exec {0} mariadb -h {TAP_GUEST_ADDR} -P {SQL_GUEST_PORT} -u root",
                ns.name()
            ),
        }
    }
}

/// A network namespace `ring0db-<pid>-<n>` holding a tap device with 172.31.77.1/24 and `lo` up.
/// Dropping it deletes the tap and the namespace; [`crate::cleanup`] also removes it on
/// Ctrl-C/SIGTERM.
#[derive(Debug)]
pub struct Netns {
    name: String,
}

static NETNS_COUNTER: AtomicU32 = AtomicU32::new(0);

impl Netns {
    /// Creates the namespace and its tap device. Needs root.
    pub fn create() -> Result<Self> {
        // SAFETY: geteuid has no preconditions and cannot fail.
        if unsafe { libc::geteuid() } != 0 {
            bail!("creating a network namespace with a tap device needs root: run as root or use --net user");
        }
        // Namespaces of processes killed with SIGKILL would otherwise pile up (and a reused
        // pid would collide with their names); only dead processes' namespaces are touched.
        let _ = cleanup::remove_stale_netns();
        let n = NETNS_COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!("{NETNS_PREFIX}{}-{n}", std::process::id());
        cleanup::register_netns(&name);
        // From here on, `ns` is dropped (and the namespace deleted) on any error.
        let ns = Netns { name };
        ip(&["netns", "add", &ns.name])?;
        ip(&[
            "-n", &ns.name, "tuntap", "add", "dev", TAP_NAME, "mode", "tap",
        ])?;
        let host = format!("{TAP_HOST_ADDR}/{TAP_PREFIX_LEN}");
        ip(&["-n", &ns.name, "addr", "add", &host, "dev", TAP_NAME])?;
        ip(&["-n", &ns.name, "link", "set", TAP_NAME, "up"])?;
        ip(&["-n", &ns.name, "link", "set", "lo", "up"])?;
        // Clients close first, so each client port stays in TIME_WAIT for 60 s. Two
        // connection storms of 12,000 connections within a minute used up Linux's
        // default range (32768-60999, even ports tried first), and every later `connect`
        // searched the whole range (a 2 s storm round took 55 s). The namespace's own
        // range, widened, holds two such storms (a third within the minute still stalls).
        ns.run_inside(|| std::fs::write("/proc/sys/net/ipv4/ip_local_port_range", "1024 65535"))?
            .context("widen the namespace's client port range")?;
        Ok(ns)
    }

    /// The namespace's name (for `ip netns exec NAME ...`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The tap device's name inside the namespace.
    pub fn tap(&self) -> &str {
        TAP_NAME
    }

    /// A command that runs `program` inside the namespace (`ip netns exec NAME program`).
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.name, program]);
        cmd
    }

    /// Connects to `addr` from inside the namespace. A helper thread enters the namespace and
    /// creates the socket there; the socket stays in that namespace when handed back.
    pub fn connect_tcp(&self, addr: SocketAddr, timeout: Duration) -> Result<TcpStream> {
        self.run_inside(move || {
            TcpStream::connect_timeout(&addr, timeout)
                .with_context(|| format!("connect to {addr} inside the namespace"))
        })?
    }

    /// Runs `job` on a short-lived helper thread that has entered the namespace, and returns
    /// its result. Sockets `job` creates (e.g. a client library's connection) stay in the
    /// namespace when handed back.
    pub fn run_inside<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        run_in_netns(&self.name, job)
    }
}

/// [`Netns::run_inside`] for the namespace called `name`.
pub fn run_in_netns<T: Send + 'static>(
    name: &str,
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    let path = format!("/var/run/netns/{name}");
    std::thread::spawn(move || {
        enter_netns(&path)?;
        Ok(job())
    })
    .join()
    .map_err(|_| anyhow::anyhow!("netns helper thread panicked"))?
}

fn enter_netns(path: &str) -> Result<()> {
    use std::os::fd::AsRawFd;
    let file = std::fs::File::open(path).with_context(|| format!("open {path}"))?;
    // SAFETY: `file` is an open namespace file descriptor for the duration of the call; setns
    // only changes the network namespace of this (short-lived helper) thread.
    let rc = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error()).with_context(|| format!("setns({path})"));
    }
    Ok(())
}

impl Drop for Netns {
    fn drop(&mut self) {
        delete_netns(&self.name);
        cleanup::unregister_netns(&self.name);
    }
}

/// A loopback port that is free right now.
pub fn free_loopback_port() -> Result<u16> {
    let l = TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0))
        .context("no free loopback port")?;
    Ok(l.local_addr()?.port())
}
