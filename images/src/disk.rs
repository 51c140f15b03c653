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
    /// An existing raw file behind QEMU's `blkdebug` driver, set to fail every write with
    /// `EIO` (reads and flushes work): the guest sees a disk whose writes fail.
    FailingWrites(PathBuf),
}

/// `blkdebug`'s rule for [`Disk::FailingWrites`]: from the first write on, every write
/// request fails with errno 5 (`iotype`: reads are left alone).
const FAILING_WRITES_RULES: &str =
    "[inject-error]\nevent = \"write_aio\"\niotype = \"write\"\nerrno = \"5\"\n";

/// What QEMU's `-drive file=` names for `disk`, and the run's own files behind it (removed
/// with the VM).
pub(crate) fn drive_file(disk: &Disk, disk_mib: u32) -> Result<(String, Option<FreshDisk>)> {
    match disk {
        Disk::Fresh => {
            let fresh = FreshDisk::create(disk_mib)?;
            Ok((fresh.path().to_string_lossy().into_owned(), Some(fresh)))
        }
        Disk::Existing(path) => {
            check_disk(path)?;
            Ok((path.to_string_lossy().into_owned(), None))
        }
        Disk::FailingWrites(path) => {
            check_disk(path)?;
            let run = FreshDisk::create_dir()?;
            let rules = run.dir.join("blkdebug.conf");
            std::fs::write(&rules, FAILING_WRITES_RULES)
                .with_context(|| format!("write {}", rules.display()))?;
            let file = format!("blkdebug:{}:{}", rules.display(), path.display());
            Ok((file, Some(run)))
        }
    }
}

fn check_disk(path: &Path) -> Result<()> {
    std::fs::File::open(path)
        .map(drop)
        .with_context(|| format!("cannot open the disk file {}", path.display()))
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
        let disk = Self::create_dir()?;
        create_disk_file(&disk.file, mib)?;
        Ok(disk)
    }

    /// The directory alone (its `disk.raw` not made yet).
    fn create_dir() -> Result<Self> {
        let n = DISK_COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("ring0db-disk-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("create {}", dir.display()))?;
        // Registered first, so Ctrl-C removes it even while it is being made.
        crate::cleanup::register_dir(&dir);
        Ok(FreshDisk {
            file: dir.join("disk.raw"),
            dir,
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.file
    }
}

impl Drop for FreshDisk {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        crate::cleanup::unregister_dir(&self.dir);
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
