//! The VM's one disk: a raw file behind `virtio-blk-pci` (`disk_model`, `disk_mib` in
//! `images/vm.toml`). Every boot gets one: a fresh sparse file per run, removed with the
//! VM, or an existing file the caller keeps, so a test can kill QEMU and boot again
//! from what the guest wrote.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// Which raw file backs the VM's disk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Disk {
    /// A new zero-filled sparse file of `disk_mib` MiB in a temporary directory of this
    /// run, removed when the [`crate::RunningVm`] is dropped.
    #[default]
    Fresh,
    /// An existing raw file, used as it is and kept (boot again from the same disk).
    Existing(PathBuf),
}

/// A disk file made for one run ([`Disk::Fresh`]); removes its directory on drop.
#[derive(Debug)]
pub(crate) struct FreshDisk {
    dir: PathBuf,
    file: PathBuf,
}

static DISK_COUNTER: AtomicU32 = AtomicU32::new(0);

impl FreshDisk {
    /// Creates `ring0db-disk-<pid>-<n>/disk.raw` of `mib` MiB under the system's
    /// temporary directory.
    pub(crate) fn create(mib: u32) -> Result<Self> {
        let n = DISK_COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("ring0db-disk-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("create {}", dir.display()))?;
        let file = dir.join("disk.raw");
        create_disk_file(&file, mib)?;
        Ok(FreshDisk { dir, file })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.file
    }
}

impl Drop for FreshDisk {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Creates (or truncates) `path` as a zero-filled sparse raw disk of `mib` MiB.
pub fn create_disk_file(path: &Path, mib: u32) -> Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("create disk {}", path.display()))?;
    file.set_len(u64::from(mib) << 20)
        .with_context(|| format!("size disk {} to {mib} MiB", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_disk_is_sparse_sized_and_removed() {
        let disk = FreshDisk::create(3).unwrap();
        let path = disk.path().to_owned();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 3 << 20);
        drop(disk);
        assert!(!path.exists());
    }
}
