//! The one description of the virtual machine every image boots in (`images/vm.toml`).

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Environment variable naming an alternative VM description file.
pub const VM_CONFIG_ENV: &str = "RING0DB_VM_CONFIG";

/// The shipped description, used when `images/vm.toml` is not on disk (installed binary).
const DEFAULT_VM_TOML: &str = include_str!("../vm.toml");

/// The virtual hardware shared by all images. Field names are the keys of `vm.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VmSpec {
    /// QEMU binary, looked up in `PATH` when not absolute.
    pub qemu: String,
    /// Machine type (`-machine`), e.g. `pc`.
    pub machine: String,
    /// Firmware image (`-bios`); empty means QEMU's default.
    pub firmware: String,
    /// CPU model (`-cpu`).
    pub cpu: String,
    /// Number of vCPUs (`-smp`).
    pub vcpus: u32,
    /// Guest memory in MiB (`-m`).
    pub memory_mib: u32,
    /// NIC device model, e.g. `virtio-net-pci`.
    pub nic_model: String,
    /// virtio-net receive queue size.
    pub nic_rx_queue_size: u32,
    /// virtio-net transmit queue size.
    pub nic_tx_queue_size: u32,
    /// Guest MAC address.
    pub nic_mac: String,
    /// Offer virtio's `EVENT_IDX` notification feature. Off: QEMU 7.2's virtio-net can
    /// stall a Linux guest's receive path for good under load with it (fixed upstream in
    /// "virtio-net: fix network stall under load"), and the unikernel does not use it.
    pub nic_event_idx: bool,
    /// Disk device model, e.g. `virtio-blk-pci` (the guest sees `/dev/vda`).
    pub disk_model: String,
    /// Size in MiB of the fresh raw disk file made for each boot (see [`crate::Disk`]).
    pub disk_mib: u32,
    /// I/O port of the `isa-debug-exit` device.
    pub debug_exit_iobase: u16,
    /// Width of the `isa-debug-exit` port.
    pub debug_exit_iosize: u16,
    /// Extra QEMU arguments appended verbatim.
    #[serde(default)]
    pub extra_args: Vec<String>,
}

impl VmSpec {
    /// Loads the VM description: the file named by `RING0DB_VM_CONFIG` if set, otherwise
    /// `images/vm.toml` of the source tree (or its built-in copy when that file is absent).
    pub fn load() -> Result<Self> {
        match std::env::var_os(VM_CONFIG_ENV) {
            Some(path) => Self::load_from(Path::new(&path))
                .with_context(|| format!("{VM_CONFIG_ENV} points at an unusable file")),
            None => {
                let path = Self::default_path();
                if path.exists() {
                    Self::load_from(&path)
                } else {
                    Self::parse(DEFAULT_VM_TOML).context("built-in vm.toml")
                }
            }
        }
    }

    /// Path of the shipped description, `images/vm.toml`.
    pub fn default_path() -> PathBuf {
        crate::images_dir().join("vm.toml")
    }

    /// Loads a description from `path`.
    pub fn load_from(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read VM description {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("invalid VM description {}", path.display()))
    }

    /// Parses TOML text with the keys of `vm.toml`.
    pub fn parse(text: &str) -> Result<Self> {
        Ok(toml::from_str(text)?)
    }

    /// Applies one `key=value` override (the CLI's `--vm memory_mib=1024`). The value is read
    /// as a TOML value (`1024`, `"pc"`, `["-s"]`); a bare word is taken as a string.
    pub fn set(&mut self, assignment: &str) -> Result<()> {
        let Some((key, value)) = assignment.split_once('=') else {
            bail!("VM override {assignment:?} is not key=value (e.g. --vm memory_mib=1024)");
        };
        let key = key.trim();
        let value = value.trim();
        let mut table = toml::Table::try_from(&*self)?;
        if !table.contains_key(key) {
            let keys: Vec<&str> = table.keys().map(String::as_str).collect();
            bail!("unknown VM key {key:?}; known keys: {}", keys.join(", "));
        }
        let parsed: toml::Value = format!("v = {value}")
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(value.to_owned()));
        table.insert(key.to_owned(), parsed);
        *self = table
            .try_into()
            .with_context(|| format!("bad value for VM key {key:?}: {value:?}"))?;
        Ok(())
    }

    /// Applies several `key=value` overrides in order.
    pub fn set_all<S: AsRef<str>>(&mut self, assignments: &[S]) -> Result<()> {
        assignments.iter().try_for_each(|a| self.set(a.as_ref()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_description_matches_the_brief() {
        let spec = VmSpec::parse(DEFAULT_VM_TOML).unwrap();
        assert_eq!(spec.machine, "pc");
        assert_eq!(spec.firmware, "/usr/share/qemu/qboot.rom");
        assert_eq!(spec.cpu, "max");
        assert_eq!(spec.vcpus, 1);
        assert_eq!(spec.memory_mib, 512);
        assert_eq!(spec.nic_model, "virtio-net-pci");
        assert_eq!(spec.debug_exit_iobase, 0xf4);
        assert_eq!(spec.disk_model, "virtio-blk-pci");
        assert_eq!(spec.disk_mib, 64);
    }

    #[test]
    fn overrides_change_one_key() {
        let mut spec = VmSpec::parse(DEFAULT_VM_TOML).unwrap();
        let before = spec.clone();
        spec.set("memory_mib=1024").unwrap();
        spec.set("cpu=qemu64").unwrap();
        assert_eq!(spec.memory_mib, 1024);
        assert_eq!(spec.cpu, "qemu64");
        assert_eq!(spec.machine, before.machine);
        assert!(spec.set("no_such_key=1").is_err());
        assert!(spec.set("memory_mib=lots").is_err());
        assert!(spec.set("memory_mib").is_err());
    }
}
