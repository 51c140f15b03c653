//! Builds ring0db's bootable images and boots them in the one shared virtual machine.
//!
//! Every image — the ring-0 unikernel, a Linux guest running `dbserver`, a Linux guest
//! running Debian's `redis-server` — boots in exactly the VM described by `images/vm.toml`
//! ([`VmSpec`]); images differ only in kernel, initrd and kernel command line ([`Image`]).
//!
//! Typical use (a test or the load generator):
//!
//! ```no_run
//! use ring0db_images::{build, Accel, Image, NetAttach, Netns, RunningVm, SerialOptions, VmSpec};
//! use std::time::Duration;
//! # fn main() -> anyhow::Result<()> {
//! let spec = VmSpec::load()?;
//! let accel = Accel::Auto.resolve()?;
//! let image = Image::unikernel(build::unikernel()?);
//! let net = NetAttach::Tap(Netns::create()?);
//! let vm = RunningVm::spawn(&spec, &image, net, &accel, SerialOptions::default())?;
//! vm.wait_for_line("listening", Duration::from_secs(30))?;
//! let stream = vm.connect(Duration::from_secs(5))?; // inside the netns when tap
//! # drop(stream); Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod accel;
pub mod agent;
pub mod build;
mod capture;
pub mod cleanup;
pub mod disk;
pub mod environment;
pub mod exit;
mod iproute;
pub mod netns;
pub mod profile;
pub mod qemu;
pub mod resp;
pub mod running;
pub mod storm;
pub mod tcp;
pub mod vm;

pub use accel::{Accel, AccelChoice, Accelerator};
pub use disk::{create_disk_file, Disk};
pub use exit::GuestExit;
pub use netns::{GuestNet, NetAttach, Netns};
pub use qemu::{qemu_args, CmdlineStyle, Image};
pub use running::{RunningVm, SerialOptions};
pub use vm::VmSpec;

use std::path::PathBuf;

/// Guest exit codes written by the unikernel to the `isa-debug-exit` port.
/// QEMU turns code `c` into process status `(c << 1) | 1`; see [`GuestExit`].
pub mod exit_code {
    use ring0db_contracts::ExitCode;

    /// The kernel (or its test) finished successfully.
    pub const SUCCESS: u8 = ExitCode::Success.code();
    /// A kernel test failed.
    pub const TEST_FAILED: u8 = ExitCode::TestFailed.code();
    /// The kernel panicked.
    pub const PANIC: u8 = ExitCode::Panic.code();
    /// A fatal CPU exception was reported.
    pub const FATAL_EXCEPTION: u8 = ExitCode::FatalException.code();
    /// A stack overflow hit a guard page.
    pub const STACK_OVERFLOW: u8 = ExitCode::StackOverflow.code();
    /// The kernel command line could not be parsed.
    pub const BAD_CMDLINE: u8 = ExitCode::BadCommandLine.code();

    /// Symbolic name of a known code, for messages.
    pub fn name(code: u8) -> Option<&'static str> {
        ExitCode::from_code(code).map(ExitCode::name)
    }
}

/// Root of the Cargo workspace (the parent of `images/`).
pub fn workspace_dir() -> PathBuf {
    images_dir()
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(images_dir)
}

/// The `images/` directory of the source tree.
pub fn images_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Where built images go: `images/out` (ignored by git).
pub fn out_dir() -> PathBuf {
    images_dir().join("out")
}

/// Where downloaded packages go: `images/cache` (ignored by git).
pub fn cache_dir() -> PathBuf {
    images_dir().join("cache")
}
