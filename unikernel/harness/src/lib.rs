//! Host-side harness for the ring0db unikernel: boots the real image in QEMU (the VM of
//! `images/vm.toml`) with a kernel command line, and collects what the guest printed
//! and how it exited. Used by this crate's tests and the `kernel-bench` program.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use ring0db_images::{
    build, Accel, AccelChoice, GuestExit, Image, NetAttach, RunningVm, SerialOptions, VmSpec,
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

/// Boots the image without a network with `cmdline` and waits for the guest to exit.
pub fn boot(cmdline: &str) -> Result<Boot> {
    let spec = VmSpec::load()?;
    let accel = accelerator()?;
    let image = Image::unikernel(image()?).with_append(cmdline);
    let started = Instant::now();
    let mut vm = RunningVm::spawn(
        &spec,
        &image,
        NetAttach::None,
        &accel,
        SerialOptions::default(),
    )
    .context("starting QEMU")?;
    let exit = vm.wait_exit(BOOT_TIMEOUT)?;
    let wall_time = started.elapsed();
    // The serial reader thread may still be draining the pipe after QEMU exited.
    std::thread::sleep(Duration::from_millis(20));
    Ok(Boot {
        exit,
        serial: vm.serial_log(),
        wall_time,
    })
}

/// Boots with `cmdline` and returns the time from QEMU start to the banner line.
pub fn time_to_banner(cmdline: &str) -> Result<Duration> {
    let spec = VmSpec::load()?;
    let accel = accelerator()?;
    let image = Image::unikernel(image()?).with_append(cmdline);
    let vm = RunningVm::spawn(
        &spec,
        &image,
        NetAttach::None,
        &accel,
        SerialOptions::default(),
    )?;
    vm.wait_for_line("ring0db ", BOOT_TIMEOUT)?;
    Ok(vm.started().elapsed())
}
