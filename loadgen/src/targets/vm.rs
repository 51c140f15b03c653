//! VM targets (`unikernel`, `unikernel-trap`, `linux-vm`, `redis-vm`, `mariadb-vm`), built, booted and torn
//! down through the `ring0db-images` crate. All knowledge of that crate lives in this module.
//!
//! Network: as root, a tap device inside a network namespace that `ring0db-images` creates for
//! this VM (QEMU and every client socket live inside it; it is deleted with the VM). Otherwise,
//! or if the namespace cannot be created, QEMU user networking forwarding a loopback port.
//! Every VM is booted with the accelerator `--accel` asks for (`auto` by default: KVM only with
//! vmx/svm, else TCG), and reports the choice and its reason.

use std::sync::OnceLock;

use super::{Target, TargetError};

/// The VM targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VmKind {
    /// The ring-0 unikernel, system calls as function calls.
    Unikernel,
    /// The same unikernel with trap-based system-call dispatch (`syscall=trap`).
    UnikernelTrap,
    /// `dbserver` as a Linux program in a Linux guest.
    LinuxVm,
    /// Debian's redis-server in the Linux guest.
    RedisVm,
    /// Debian's mariadbd in the Linux guest (MySQL protocol only).
    MariadbVm,
}

impl VmKind {
    /// All VM targets.
    pub const ALL: [VmKind; 5] = [
        VmKind::Unikernel,
        VmKind::UnikernelTrap,
        VmKind::LinuxVm,
        VmKind::RedisVm,
        VmKind::MariadbVm,
    ];

    /// The target name.
    pub fn name(self) -> &'static str {
        match self {
            VmKind::Unikernel => "unikernel",
            VmKind::UnikernelTrap => "unikernel-trap",
            VmKind::LinuxVm => "linux-vm",
            VmKind::RedisVm => "redis-vm",
            VmKind::MariadbVm => "mariadb-vm",
        }
    }

    /// Whether this is the unikernel (CPU split from its TSC accounting).
    pub fn is_unikernel(self) -> bool {
        matches!(self, VmKind::Unikernel | VmKind::UnikernelTrap)
    }

    /// The kind named `name`, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

static ACCEL_REQUEST: OnceLock<String> = OnceLock::new();

/// Sets the accelerator request (`auto`, `tcg`, `kvm`) for every VM booted later; first call wins.
pub fn set_accel_request(request: &str) {
    let _ = ACCEL_REQUEST.set(request.to_string());
}

fn accel_request() -> &'static str {
    ACCEL_REQUEST.get().map_or("auto", String::as_str)
}

/// How VM targets are attached to the network (`--net`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetRequest {
    /// Tap inside a namespace when that works (root), else QEMU user networking.
    Auto,
    /// Tap inside a namespace only.
    Tap,
    /// QEMU user networking forwarding loopback ports only.
    User,
}

static NET_REQUEST: OnceLock<NetRequest> = OnceLock::new();

/// Sets the network request (`auto`, `tap`, `user`) for every VM booted later; first call wins.
pub fn set_net_request(request: &str) -> anyhow::Result<()> {
    let net = match request {
        "auto" => NetRequest::Auto,
        "tap" => NetRequest::Tap,
        "user" => NetRequest::User,
        other => anyhow::bail!("--net must be auto, tap or user, not {other:?}"),
    };
    let _ = NET_REQUEST.set(net);
    Ok(())
}

fn net_request() -> NetRequest {
    NET_REQUEST.get().copied().unwrap_or(NetRequest::Auto)
}

/// `--profile`: the sampling rate (0 = off) and where flame graphs go.
static PROFILE_HZ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
static PROFILE_DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
/// File names of the flame graphs and folded stacks written so far.
static PROFILES_WRITTEN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Profiles every unikernel VM booted later at `hz` (0: none), writing a flame graph into
/// `dir` when the VM is torn down; the first directory set stays.
pub fn set_profile(hz: u32, dir: &std::path::Path) {
    let _ = PROFILE_DIR.set(dir.to_path_buf());
    PROFILE_HZ.store(hz, std::sync::atomic::Ordering::Relaxed);
}

fn profile_request() -> Option<(u32, &'static std::path::Path)> {
    let hz = PROFILE_HZ.load(std::sync::atomic::Ordering::Relaxed);
    let dir = PROFILE_DIR.get()?;
    (hz != 0).then_some((hz, dir.as_path()))
}

/// The file names (in the `set_profile` directory) of every flame graph written.
pub fn profiles_written() -> Vec<String> {
    PROFILES_WRITTEN
        .lock()
        .map(|names| names.clone())
        .unwrap_or_default()
}

/// Boots a VM target and waits until its server answers `PING`. The first call installs
/// the Ctrl-C handler that stops every QEMU and removes every namespace loadgen created.
pub fn start(kind: VmKind) -> Result<Box<dyn Target>, TargetError> {
    imp::start(kind)
}

/// Exits with `code`, unless a Ctrl-C is being handled: then its cleanup finishes and the
/// process exits with 130.
pub fn exit(code: i32) -> ! {
    imp::exit(code)
}

#[cfg(not(feature = "vm"))]
mod imp {
    use super::*;

    pub(super) fn start(kind: VmKind) -> Result<Box<dyn Target>, TargetError> {
        let _ = (accel_request(), net_request());
        Err(TargetError::Unimplemented(
            kind.name().to_string(),
            "loadgen was built without the `vm` feature (ring0db-images)".to_string(),
        ))
    }

    pub(super) fn exit(code: i32) -> ! {
        std::process::exit(code)
    }
}

#[cfg(feature = "vm")]
mod imp {
    use std::io;
    use std::net::{Ipv4Addr, SocketAddr, TcpStream};
    use std::time::Duration;

    use ring0db_images::netns::CPU_AGENT_PORT;
    use ring0db_images::profile::ProfileRequest;
    use ring0db_images::{build, Accel, Image, NetAttach, RunningVm, SerialOptions, VmSpec};

    use super::*;
    use crate::cpu::{self, CpuSample};
    use crate::sql::conn::{self as sql_conn, SqlAddr};

    /// What a Linux guest's `/init` prints once every port (the CPU agent's last) listens.
    const LINUX_READY_PREFIX: &str = "ring0db-linux: serving on port ";
    /// Longest CPU agent reply accepted.
    const MAX_AGENT_REPLY: u64 = 64 * 1024;

    /// How long a guest may take from QEMU start to its first `+PONG` (TCG, Linux guests).
    const BOOT_TIMEOUT: Duration = Duration::from_secs(300);
    /// Timeout of one connection attempt to the guest.
    const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
    /// Kernel command-line word that selects trap-based system-call dispatch.
    const TRAP_DISPATCH: &str = "syscall=trap";

    /// A booted guest; dropping it kills QEMU and removes its namespace.
    struct VmTarget {
        kind: VmKind,
        accelerator: String,
        reason: String,
        vm: RunningVm,
        /// `--profile`: read the samples out before QEMU is killed.
        profile: Option<Profile>,
    }

    /// How a VM target is profiled.
    enum Profile {
        /// The unikernel's own sampler, read through QMP.
        Unikernel(ProfileRequest),
        /// Debian's perf inside a Linux guest, read through its agent.
        LinuxPerf { hz: u32 },
    }

    /// Unikernel VMs profiled so far (numbers the flame graphs).
    static PROFILED_VMS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

    impl Drop for VmTarget {
        /// Runs before `vm` is dropped (which kills QEMU): reads the profile out and writes
        /// `<target>-<n>.svg` and `.folded`.
        fn drop(&mut self) {
            let (Some(profile), Some(dir)) = (&self.profile, PROFILE_DIR.get()) else {
                return;
            };
            let n = PROFILED_VMS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            let name = format!("{}-{n}", self.kind.name());
            let result = match profile {
                Profile::Unikernel(request) => {
                    let title = format!("{} (ring0db unikernel, {} Hz)", name, request.hz);
                    build::unikernel().and_then(|elf| {
                        let capture = ring0db_images::profile::capture(&request.socket, &elf, dir)?;
                        ring0db_images::profile::write_flamegraph(
                            &capture, &elf, dir, &name, &title,
                        )
                        .map(|report| report.summary())
                    })
                }
                Profile::LinuxPerf { hz } => {
                    use ring0db_images::profile::linux;
                    let title = format!("{name} (Linux guest, perf at {hz} Hz)");
                    linux::capture(self.vm.net())
                        .and_then(|script| linux::fold(&script))
                        .and_then(|folded| linux::write_flamegraph(folded, dir, &name, &title))
                        .map(|report| report.summary())
                }
            };
            match result {
                Ok(summary) => {
                    eprintln!("  {summary}");
                    if let Ok(mut names) = PROFILES_WRITTEN.lock() {
                        names.push(format!("{name}.svg"));
                        names.push(format!("{name}.folded"));
                    }
                }
                Err(e) => eprintln!("  profile of {name} failed: {e:#}"),
            }
        }
    }

    pub(super) fn start(kind: VmKind) -> Result<Box<dyn Target>, TargetError> {
        let fail = |what: &str, e: anyhow::Error| TargetError::Start {
            name: kind.name().to_string(),
            reason: format!("{what}: {e:#}"),
        };
        ring0db_images::cleanup::install_signal_handler()
            .map_err(|e| fail("installing the Ctrl-C handler", e))?;
        let spec = VmSpec::load().map_err(|e| fail("loading images/vm.toml", e))?;
        let request: Accel = accel_request().parse().map_err(|e| fail("--accel", e))?;
        let accel = request
            .resolve()
            .map_err(|e| fail("choosing the accelerator", e))?;
        let mut spec = spec;
        if super::super::durability::current() != super::super::durability::Durability::Off {
            spec.disk_mib = spec.disk_mib.max(super::super::durability::DISK_MIB);
        }
        let linux_perf = profile_request().is_some() && !kind.is_unikernel();
        let mut image = image(kind, linux_perf).map_err(|e| fail("building the image", e))?;
        let profile = match profile_request() {
            Some((hz, _)) if kind.is_unikernel() => {
                let request = ProfileRequest::new(hz);
                spec.extra_args.extend(request.qemu_args());
                image = image.with_append(&request.cmdline_word());
                Some(Profile::Unikernel(request))
            }
            Some((hz, _)) => {
                image = image.with_append(&ring0db_images::profile::linux::cmdline_word(hz));
                Some(Profile::LinuxPerf { hz })
            }
            None => None,
        };
        sql_conn::set_netns_runner(|name, job| {
            ring0db_images::netns::run_in_netns(name, job).map_err(|e| format!("{e:#}"))
        });
        let net = network().map_err(|e| fail("attaching the network", e))?;
        let mut vm = RunningVm::spawn(&spec, &image, net, &accel, SerialOptions::default())
            .map_err(|e| fail("starting QEMU", e))?;
        if !kind.is_unikernel() {
            vm.wait_for_line(
                &format!("{LINUX_READY_PREFIX}{CPU_AGENT_PORT}"),
                BOOT_TIMEOUT,
            )
            .map_err(|e| fail("waiting for the guest's ports", e))?;
        }
        let boot = if kind == VmKind::MariadbVm {
            vm.started().elapsed()
        } else {
            vm.wait_for_ping(BOOT_TIMEOUT)
                .map_err(|e| fail("waiting for the server", e))?
        };
        eprintln!(
            "  {} up after {:.1} s (QEMU pid {}, {}; serial log {})",
            kind.name(),
            boot.as_secs_f64(),
            vm.pid(),
            vm.net().connect_hint(),
            vm.serial_log_path().display()
        );
        Ok(Box::new(VmTarget {
            kind,
            accelerator: accel.accel.qemu_name().to_string(),
            reason: accel.reason.clone(),
            vm,
            profile,
        }))
    }

    /// The image of `kind`, with the command-line words of `--durability` appended; a
    /// Linux guest `with_perf` gets Debian's perf in its initrd (`--profile`).
    fn image(kind: VmKind, with_perf: bool) -> anyhow::Result<Image> {
        let durability = super::super::durability::current();
        let guest = || {
            if with_perf {
                build::linux_guest_with_perf()
            } else {
                build::linux_guest()
            }
        };
        Ok(match kind {
            VmKind::Unikernel => {
                Image::unikernel(build::unikernel()?).with_append(&durability.unikernel_cmdline())
            }
            VmKind::UnikernelTrap => Image::unikernel(build::unikernel()?)
                .with_append(TRAP_DISPATCH)
                .with_append(&durability.unikernel_cmdline()),
            VmKind::LinuxVm => guest()?
                .dbserver_image()
                .with_append(&durability.linux_vm_cmdline()),
            VmKind::RedisVm => guest()?
                .redis_image()
                .with_append(&durability.redis_vm_cmdline()),
            VmKind::MariadbVm => guest()?
                .mariadb_image()
                .with_append(&durability.mariadb_vm_cmdline()),
        })
    }

    pub(super) fn exit(code: i32) -> ! {
        ring0db_images::cleanup::exit(code)
    }

    /// What `--net` asks for. `auto`: tap inside a fresh namespace when possible (root), else
    /// user networking on loopback forwarding the server, SQL and CPU agent ports.
    fn network() -> anyhow::Result<NetAttach> {
        match net_request() {
            NetRequest::Tap => NetAttach::tap(),
            NetRequest::User => NetAttach::user_with_sql(),
            NetRequest::Auto => Ok(match NetAttach::tap() {
                Ok(net) => net,
                Err(tap_err) => match NetAttach::user_with_sql() {
                    Ok(net) => {
                        eprintln!("  tap network unavailable ({tap_err:#}); using QEMU user networking on loopback");
                        net
                    }
                    Err(_) => NetAttach::None,
                },
            }),
        }
    }

    impl Target for VmTarget {
        fn name(&self) -> &str {
            self.kind.name()
        }
        fn accelerator(&self) -> &str {
            &self.accelerator
        }
        fn accel_reason(&self) -> &str {
            &self.reason
        }
        fn connect(&self) -> io::Result<TcpStream> {
            self.vm
                .connect(CONNECT_TIMEOUT)
                .map_err(|e| io::Error::other(format!("{e:#}")))
        }
        fn pid(&self) -> Option<u32> {
            Some(self.vm.pid())
        }
        fn loopback_addr(&self) -> Option<SocketAddr> {
            match self.vm.net() {
                NetAttach::User { host_port } | NetAttach::UserWithSql { host_port, .. } => {
                    Some(SocketAddr::from((Ipv4Addr::LOCALHOST, *host_port)))
                }
                _ => None,
            }
        }
        fn speaks_resp(&self) -> bool {
            self.kind != VmKind::MariadbVm
        }
        fn sql_addr(&self) -> Option<SqlAddr> {
            if self.kind == VmKind::RedisVm {
                return None;
            }
            let net = self.vm.net();
            let addr = net.sql_client_addr()?;
            Some(match net.netns() {
                Some(ns) => SqlAddr::InNetns {
                    addr,
                    netns: ns.name().to_string(),
                },
                None => SqlAddr::Tcp(addr),
            })
        }
        fn cpu_sample(&self) -> Option<CpuSample> {
            if self.kind.is_unikernel() {
                let info = crate::bench::fetch_info(self).ok()?;
                return cpu::parse_unikernel_info(&info);
            }
            // Over tap the agent is on the guest's address; under user networking it is
            // forwarded from a loopback port (`NetAttach::UserWithSql`).
            let reply = ring0db_images::agent::request(
                self.vm.net(),
                "cpu",
                CONNECT_TIMEOUT,
                MAX_AGENT_REPLY,
            )
            .ok()?;
            cpu::parse_agent_reply(&reply)
        }
    }
}
