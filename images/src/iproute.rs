//! The `ip` commands beneath the network namespaces: running `ip`, and deleting a namespace
//! with its tap device. Both [`crate::netns`] (creating and dropping namespaces) and
//! [`crate::cleanup`] (removing them on Ctrl-C and after crashed runs) stand on this module;
//! it knows neither of them.

use anyhow::{bail, Context, Result};
use std::process::Command;

/// Name of the tap device (unique per namespace, so fixed).
pub const TAP_NAME: &str = "r0tap0";
/// Prefix of every namespace we create: `ring0db-<pid>-<n>`.
pub const NETNS_PREFIX: &str = "ring0db-";

/// Deletes the tap device and the namespace `name`, ignoring errors (best effort).
pub(crate) fn delete_netns(name: &str) {
    let quiet = |args: &[&str]| {
        let _ = Command::new("ip").args(args).output();
    };
    quiet(&["-n", name, "link", "del", TAP_NAME]);
    quiet(&["netns", "delete", name]);
}

/// Runs `ip ARGS`; fails with its stderr when it exits unsuccessfully.
pub(crate) fn ip(args: &[&str]) -> Result<()> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .context("cannot run `ip` (install it: apt-get install iproute2)")?;
    if !out.status.success() {
        bail!(
            "ip {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}
