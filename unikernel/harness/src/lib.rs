//! Host-side harness for the ring0db unikernel: boots the real image in QEMU (the VM of
//! `images/vm.toml`) with a kernel command line, and collects what the guest printed
//! and how it exited. Used by this crate's tests and the `kernel-bench` program.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use ring0db_images::{
    build, Accel, AccelChoice, Disk, GuestExit, Image, NetAttach, RunningVm, SerialOptions, VmSpec,
};

pub use ring0db_images::exit_code;

/// How long a test boot may take before the harness gives up (TCG on a loaded 2-core
/// machine is slow; a healthy boot takes well under a second).
pub const BOOT_TIMEOUT: Duration = Duration::from_secs(120);

/// What one boot of the image produced.
#[derive(Debug)]
pub struct Boot {
    pub exit: GuestExit,
    pub serial: String,
    /// QEMU start to exit.
    pub wall_time: Duration,
}

impl Boot {
    /// The guest's exit code (`isa-debug-exit`), if it wrote one.
    pub fn code(&self) -> Option<u8> {
        self.exit.guest_code()
    }

    /// Whether the serial output contains `needle`.
    pub fn printed(&self, needle: &str) -> bool {
        self.serial.contains(needle)
    }
}

/// Builds the unikernel once per process and returns its path.
pub fn image() -> Result<PathBuf> {
    static IMAGE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    IMAGE
        .get_or_init(|| build::unikernel().map_err(|e| format!("{e:#}")))
        .clone()
        .map_err(|e| anyhow::anyhow!(e))
}

/// The accelerator choice for this machine (`auto`), resolved once.
pub fn accelerator() -> Result<AccelChoice> {
    Accel::Auto.resolve()
}

/// Starts the image in the VM of `images/vm.toml` with `cmdline`, attached by `net`.
fn spawn(cmdline: &str, net: NetAttach) -> Result<RunningVm> {
    spawn_with_disk(cmdline, net, Disk::Fresh)
}

/// Starts the image with `cmdline`, attached by `net`, on `disk`.
pub fn spawn_with_disk(cmdline: &str, net: NetAttach, disk: Disk) -> Result<RunningVm> {
    let spec = VmSpec::load()?;
    let accel = accelerator()?;
    let image = Image::unikernel(image()?).with_append(cmdline);
    let options = SerialOptions {
        disk,
        ..SerialOptions::default()
    };
    RunningVm::spawn(&spec, &image, net, &accel, options).context("starting QEMU")
}

/// Boots the image without a network with `cmdline` and waits for the guest to exit.
pub fn boot(cmdline: &str) -> Result<Boot> {
    boot_with_disk(cmdline, Disk::Fresh)
}

/// Boots the image without a network on `disk` with `cmdline` and waits for the guest
/// to exit.
pub fn boot_with_disk(cmdline: &str, disk: Disk) -> Result<Boot> {
    let started = Instant::now();
    let mut vm = spawn_with_disk(cmdline, NetAttach::None, disk)?;
    let exit = vm.wait_exit(BOOT_TIMEOUT)?;
    let wall_time = started.elapsed();
    // `wait_exit` joined the serial reader: the log is complete.
    Ok(Boot {
        exit,
        serial: vm.serial_log(),
        wall_time,
    })
}

/// Boots with `cmdline` and returns the time from QEMU start to the banner line.
pub fn time_to_banner(cmdline: &str) -> Result<Duration> {
    let vm = spawn(cmdline, NetAttach::None)?;
    vm.wait_for_line("ring0db ", BOOT_TIMEOUT)?;
    Ok(vm.started().elapsed())
}

/// How a networked test VM is attached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Network {
    /// A tap device in a network namespace created for this VM (needs root).
    Tap,
    /// QEMU user-mode networking, guest port 6379 forwarded from 127.0.0.1.
    User,
}

/// A booted image with a network, torn down (QEMU, namespace, tap) on drop.
pub struct NetVm {
    pub vm: RunningVm,
}

/// How long to keep trying the first connection (ARP, guest start-up under TCG).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(60);

impl NetVm {
    /// Boots the image attached by `network` with `cmdline` (the tooling appends the
    /// addressing) and waits for the banner.
    pub fn boot(network: Network, cmdline: &str) -> Result<NetVm> {
        let net = match network {
            Network::Tap => NetAttach::tap()?,
            Network::User => NetAttach::user()?,
        };
        let vm = spawn(cmdline, net)?;
        vm.wait_for_line("ring0db ", BOOT_TIMEOUT)?;
        Ok(NetVm { vm })
    }

    /// Connects to the guest's `port`, retrying until it answers or [`CONNECT_TIMEOUT`].
    /// With user networking only the forwarded port (6379) is reachable.
    pub fn connect(&self, port: u16) -> Result<std::net::TcpStream> {
        let deadline = Instant::now() + CONNECT_TIMEOUT;
        loop {
            let attempt = self.vm.net().connect_port(port, Duration::from_secs(5));
            match attempt {
                Ok(stream) => return Ok(stream),
                Err(error) if Instant::now() >= deadline => {
                    return Err(error.context(format!(
                        "connecting to guest port {port}\n--- serial ---\n{}",
                        self.vm.serial_log()
                    )))
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// Reads the kernel's status line from the built-in status service on `port`.
    pub fn status(&self, port: u16) -> Result<std::collections::HashMap<String, u64>> {
        use std::io::Read;
        let mut stream = self.connect(port)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        let mut line = String::new();
        stream
            .read_to_string(&mut line)
            .context("reading the status line")?;
        let fields = line
            .split_whitespace()
            .filter_map(|word| word.split_once('='))
            .filter_map(|(k, v)| Some((k.to_string(), v.parse().ok()?)))
            .collect::<std::collections::HashMap<_, _>>();
        anyhow::ensure!(
            line.starts_with("ring0db-status"),
            "unexpected status reply {line:?}"
        );
        Ok(fields)
    }
}
