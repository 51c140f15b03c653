//! Recipes that build the bootable images into `images/out`.

mod debian_kernel;
mod guest_perf;
mod linux;
mod mariadb;
mod unikernel;

pub use linux::{linux_guest, linux_guest_with_perf, LinuxGuest};
pub use mariadb::mariadb_vm_settings;
pub use unikernel::unikernel;

use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::Command;

/// A `cargo` command for a nested build: the same cargo as the caller, run at the workspace
/// root, without the caller's flags and jobserver (we may be running inside `cargo test`).
fn nested_cargo(target_dir: &Path) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(crate::workspace_dir())
        .env("CARGO_TARGET_DIR", target_dir);
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_MAKEFLAGS",
        "MAKEFLAGS",
        "MFLAGS",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Runs `cmd`, failing with `what` and the tail of its stderr if it fails.
fn run(mut cmd: Command, what: &str) -> Result<()> {
    let out = cmd
        .output()
        .with_context(|| format!("{what}: cannot start {:?}", cmd.get_program()))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(25).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        bail!("{what} failed ({}):\n{}", out.status, tail.join("\n"));
    }
    Ok(())
}

/// Copies `from` to `to` unless `to` already has the same size and is not older.
fn copy_if_changed(from: &Path, to: &Path) -> Result<()> {
    let src = std::fs::metadata(from).with_context(|| format!("missing {}", from.display()))?;
    if let Ok(dst) = std::fs::metadata(to) {
        if dst.len() == src.len() && dst.modified().ok() >= src.modified().ok() {
            return Ok(());
        }
    }
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // Copy + rename, so a VM booting from `to` at the same time never reads a partial file.
    let tmp = to.with_extension(format!("tmp.{}", std::process::id()));
    std::fs::copy(from, &tmp)
        .with_context(|| format!("copy {} to {}", from.display(), tmp.display()))?;
    std::fs::rename(&tmp, to)
        .with_context(|| format!("rename {} to {}", tmp.display(), to.display()))?;
    Ok(())
}
