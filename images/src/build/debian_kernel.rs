//! The Debian cloud kernel of the Linux guests: which package is current, fetching and
//! unpacking it (from apt's cache or with `apt-get download`), its `vmlinuz`, and the NIC
//! modules with their dependencies for the initrd.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

use super::run;

/// Debian metapackage naming the current cloud kernel.
const KERNEL_METAPACKAGE: &str = "linux-image-cloud-amd64";
/// Modules the guest needs for its NIC (their dependencies are added automatically).
/// The virtual hardware's drivers: the NIC and the disk (`/dev/vda`) of `images/vm.toml`.
const NIC_MODULES: &[&str] = &["virtio_pci", "virtio_net", "virtio_blk"];
/// A module to put in the initrd: its name and its `.ko` (possibly compressed) on disk.
pub(super) struct Module {
    pub(super) name: String,
    pub(super) path: PathBuf,
}

/// The versioned package behind `linux-image-cloud-amd64` (e.g. `linux-image-6.1.0-56-cloud-amd64`).
pub(super) fn resolve_kernel_package() -> Result<String> {
    let out = Command::new("apt-cache")
        .args(["depends", KERNEL_METAPACKAGE])
        .output();
    if let Ok(out) = out {
        let text = String::from_utf8_lossy(&out.stdout);
        let dep = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("Depends:"))
            .map(|d| d.trim().trim_start_matches('<').trim_end_matches('>'))
            .find(|d| d.starts_with("linux-image-"));
        if let Some(dep) = dep {
            return Ok(dep.to_owned());
        }
    }
    // Offline: reuse a previously downloaded kernel package.
    let cached = cached_debs()?
        .into_iter()
        .filter_map(|p| {
            p.file_name()?
                .to_str()?
                .split('_')
                .next()
                .map(str::to_owned)
        })
        .find(|n| n.starts_with("linux-image-") && n.ends_with("-cloud-amd64"));
    cached.with_context(|| {
        format!("cannot resolve the kernel package {KERNEL_METAPACKAGE}: run apt-get update (needs the Debian archive)")
    })
}

fn cached_debs() -> Result<Vec<PathBuf>> {
    let dir = crate::cache_dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("create {}", dir.display()))?;
    let mut debs = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "deb") {
            debs.push(path);
        }
    }
    Ok(debs)
}

/// Downloads `package` into `images/cache` (unless cached) and unpacks it; returns the root.
pub(super) fn fetch_and_unpack(package: &str) -> Result<PathBuf> {
    let cache = crate::cache_dir();
    let root = cache.join(format!("{package}.root"));
    if root.join(".unpacked").exists() {
        return Ok(root);
    }
    let find = || {
        cached_debs().map(|debs| {
            debs.into_iter().find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&format!("{package}_")))
            })
        })
    };
    let deb = match find()? {
        Some(deb) => deb,
        None => {
            let mut cmd = Command::new("apt-get");
            cmd.args(["download", package]).current_dir(&cache);
            run(
                cmd,
                &format!(
                    "apt-get download {package} (check the Debian mirror; try apt-get update)"
                ),
            )?;
            find()?.with_context(|| {
                format!(
                    "apt-get download {package} left no .deb in {}",
                    cache.display()
                )
            })?
        }
    };
    let tmp = cache.join(format!("{package}.root.tmp.{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let mut cmd = Command::new("dpkg-deb");
    cmd.arg("-x").arg(&deb).arg(&tmp);
    run(cmd, &format!("unpacking {} (dpkg-deb -x)", deb.display()))?;
    std::fs::write(tmp.join(".unpacked"), package)?;
    if std::fs::rename(&tmp, &root).is_err() {
        // Another process unpacked it first.
        let _ = std::fs::remove_dir_all(&tmp);
        if !root.join(".unpacked").exists() {
            bail!("cannot move {} to {}", tmp.display(), root.display());
        }
    }
    Ok(root)
}

/// `boot/vmlinuz-VERSION` inside the unpacked kernel package, and VERSION.
pub(super) fn find_vmlinuz(root: &Path) -> Result<(PathBuf, String)> {
    for entry in std::fs::read_dir(root.join("boot")).context("kernel package has no /boot")? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if let Some(version) = name.strip_prefix("vmlinuz-") {
            return Ok((path.clone(), version.to_owned()));
        }
    }
    bail!("no vmlinuz-* in {}/boot", root.display())
}

/// The NIC modules and their dependencies, dependencies first. Built-in modules are skipped.
pub(super) fn nic_modules(moddir: &Path) -> Result<Vec<Module>> {
    let builtin = std::fs::read_to_string(moddir.join("modules.builtin")).unwrap_or_default();
    let builtin: Vec<String> = builtin
        .lines()
        .filter_map(|l| module_name(Path::new(l)))
        .collect();
    let mut index = Vec::new();
    index_modules(&moddir.join("kernel"), &mut index)?;
    let mut ordered: Vec<Module> = Vec::new();
    for name in NIC_MODULES {
        add_module(name, &index, &builtin, &mut ordered, 0)?;
    }
    Ok(ordered)
}

fn add_module(
    name: &str,
    index: &[Module],
    builtin: &[String],
    out: &mut Vec<Module>,
    depth: u32,
) -> Result<()> {
    if depth > 32 {
        bail!("module dependency loop at {name}");
    }
    if out.iter().any(|m| m.name == name) || builtin.iter().any(|b| b == name) {
        return Ok(());
    }
    let module = index
        .iter()
        .find(|m| m.name == name)
        .with_context(|| format!("kernel module {name} is neither built in nor in the package"))?;
    for dep in module_depends(&module.path)? {
        add_module(&dep, index, builtin, out, depth + 1)?;
    }
    out.push(Module {
        name: name.to_owned(),
        path: module.path.clone(),
    });
    Ok(())
}

fn index_modules(dir: &Path, out: &mut Vec<Module>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("read {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            index_modules(&path, out)?;
        } else if let Some(name) = module_name(&path) {
            out.push(Module { name, path });
        }
    }
    Ok(())
}

/// `drivers/net/virtio_net.ko.xz` → `virtio_net` (dashes normalised to underscores).
fn module_name(path: &Path) -> Option<String> {
    let file = path.file_name()?.to_str()?;
    let stem = [".ko", ".ko.xz", ".ko.zst", ".ko.gz"]
        .iter()
        .find_map(|ext| file.strip_suffix(ext))?;
    Some(stem.replace('-', "_"))
}

/// The `depends=` entry of a module's `.modinfo` section.
fn module_depends(path: &Path) -> Result<Vec<String>> {
    let bytes = read_module(path)?;
    let key = b"depends=";
    let deps = bytes
        .windows(key.len())
        .position(|w| w == key)
        .filter(|&i| i == 0 || bytes[i - 1] == 0)
        .map(|i| {
            let rest = &bytes[i + key.len()..];
            let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
            String::from_utf8_lossy(&rest[..end]).into_owned()
        })
        .unwrap_or_default();
    Ok(deps
        .split(',')
        .filter(|d| !d.is_empty())
        .map(|d| d.replace('-', "_"))
        .collect())
}

/// A module's ELF bytes, decompressed when needed (busybox insmod wants plain `.ko`).
pub(super) fn read_module(path: &Path) -> Result<Vec<u8>> {
    let name = path.to_string_lossy();
    let tool = if name.ends_with(".xz") {
        Some("xz")
    } else if name.ends_with(".zst") {
        Some("zstd")
    } else if name.ends_with(".gz") {
        Some("gzip")
    } else {
        None
    };
    match tool {
        None => std::fs::read(path).with_context(|| format!("read {}", path.display())),
        Some(tool) => {
            let out = Command::new(tool)
                .arg("-dc")
                .arg(path)
                .output()
                .with_context(|| {
                    format!("{tool} is needed to decompress {name}: apt-get install {tool}")
                })?;
            if !out.status.success() {
                bail!("{tool} -dc {name} failed");
            }
            Ok(out.stdout)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names_are_normalised() {
        assert_eq!(
            module_name(Path::new("kernel/drivers/net/virtio_net.ko")).as_deref(),
            Some("virtio_net")
        );
        assert_eq!(
            module_name(Path::new("a/virtio-rng.ko.xz")).as_deref(),
            Some("virtio_rng")
        );
        assert_eq!(module_name(Path::new("a/readme.txt")), None);
    }
}
