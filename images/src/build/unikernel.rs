//! The unikernel image: the appliance crate built for `x86_64-unknown-none`.

use super::{copy_if_changed, nested_cargo, run};
use anyhow::Result;
use std::path::PathBuf;

/// Cargo package of the appliance image.
const APPLIANCE_PACKAGE: &str = "ring0db-appliance";
/// The appliance's binary name.
const APPLIANCE_BIN: &str = "ring0db";
/// The ring-0 target.
const KERNEL_TARGET: &str = "x86_64-unknown-none";

/// Builds the unikernel (`cargo build --release -p ring0db-appliance --target
/// x86_64-unknown-none` into `target/unikernel`, its own target dir so this works from inside
/// `cargo test`) and copies the ELF to `images/out/ring0db.elf`, which it returns.
pub fn unikernel() -> Result<PathBuf> {
    let target_dir = crate::workspace_dir().join("target").join("unikernel");
    let mut cmd = nested_cargo(&target_dir);
    cmd.args([
        "build",
        "--release",
        "-p",
        APPLIANCE_PACKAGE,
        "--target",
        KERNEL_TARGET,
    ]);
    run(
        cmd,
        "building the unikernel (cargo build -p ring0db-appliance)",
    )?;
    let elf = target_dir
        .join(KERNEL_TARGET)
        .join("release")
        .join(APPLIANCE_BIN);
    let out = crate::out_dir().join("ring0db.elf");
    copy_if_changed(&elf, &out)?;
    Ok(out)
}
