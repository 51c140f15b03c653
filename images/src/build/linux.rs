//! The Linux guests: Debian's cloud kernel plus a busybox initrd running our static
//! `dbserver`, Debian's `redis-server` or Debian's `mariadbd`, configured from the kernel
//! command line exactly like the unikernel.

use super::mariadb;
use super::{copy_if_changed, nested_cargo, run};
use crate::netns::{CPU_AGENT_PORT, SQL_GUEST_PORT};
use crate::qemu::Image;
use anyhow::{bail, Context, Result};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Debian metapackage naming the current cloud kernel.
const KERNEL_METAPACKAGE: &str = "linux-image-cloud-amd64";
/// Modules the guest needs for its NIC (their dependencies are added automatically).
const NIC_MODULES: &[&str] = &["virtio_pci", "virtio_net"];
/// Where the initrd keeps its modules.
const INITRD_MODULE_DIR: &str = "lib/modules/ring0db";
/// Host target of the static dbserver build.
const LINUX_TARGET: &str = "x86_64-unknown-linux-gnu";

/// The built Linux guest: one kernel, three initrds.
#[derive(Debug, Clone)]
pub struct LinuxGuest {
    /// `images/out/linux/vmlinuz`.
    pub vmlinuz: PathBuf,
    /// `images/out/linux/initrd-dbserver.cpio.gz`: busybox + static `dbserver`.
    pub initrd_dbserver: PathBuf,
    /// `images/out/linux/initrd-redis.cpio.gz`: busybox + Debian's `redis-server`.
    pub initrd_redis: PathBuf,
    /// `images/out/linux/initrd-mariadb.cpio.gz`: busybox + Debian's `mariadbd` with a data
    /// directory initialised at build time (settings: `images/mariadb-vm.cnf`).
    pub initrd_mariadb: PathBuf,
    /// The Debian kernel package used, e.g. `linux-image-6.1.0-56-cloud-amd64`.
    pub kernel_package: String,
}

impl LinuxGuest {
    /// The Linux guest running our `dbserver` (target `linux-vm`).
    pub fn dbserver_image(&self) -> Image {
        Image::linux("linux", self.vmlinuz.clone(), self.initrd_dbserver.clone())
    }

    /// The Linux guest running Debian's `redis-server`.
    pub fn redis_image(&self) -> Image {
        Image::linux("redis", self.vmlinuz.clone(), self.initrd_redis.clone())
    }

    /// The Linux guest running Debian's `mariadbd` on port 3306 (target `mariadb-vm`).
    pub fn mariadb_image(&self) -> Image {
        Image::linux("mariadb", self.vmlinuz.clone(), self.initrd_mariadb.clone())
    }
}

/// Builds `images/out/linux/{vmlinuz, initrd-dbserver.cpio.gz, initrd-redis.cpio.gz,
/// initrd-mariadb.cpio.gz}`.
/// Downloads (kernel, busybox-static if the host has no static busybox) go to `images/cache`
/// with `apt-get download` and are unpacked with `dpkg-deb -x`, never installed. Initrds are
/// only rebuilt when an input changed.
pub fn linux_guest() -> Result<LinuxGuest> {
    let out = crate::out_dir().join("linux");
    std::fs::create_dir_all(&out)?;
    let kernel_package = resolve_kernel_package()?;
    let kernel_root = fetch_and_unpack(&kernel_package)?;
    let (vmlinuz_src, version) = find_vmlinuz(&kernel_root)?;
    let vmlinuz = out.join("vmlinuz");
    copy_if_changed(&vmlinuz_src, &vmlinuz)?;
    let modules = nic_modules(&kernel_root.join("lib/modules").join(&version))?;
    let busybox = static_busybox()?;

    let dbserver = build_static_dbserver()?;
    let mut files = base_files(&busybox, &modules);
    files.push(("bin/dbserver".into(), dbserver));
    let initrd_dbserver = out.join("initrd-dbserver.cpio.gz");
    let server =
        format!(r#"/bin/dbserver --port "$PORT" --sql-port {SQL_GUEST_PORT} --bind 0.0.0.0"#);
    let init = InitScript {
        ready_ports: format!("$PORT {SQL_GUEST_PORT}"),
        ..InitScript::new("dbserver", &server)
    };
    make_initrd(&initrd_dbserver, &files, &init.render(&modules))?;

    let mut files = base_files(&busybox, &modules);
    files.extend(redis_files()?);
    let initrd_redis = out.join("initrd-redis.cpio.gz");
    let server = r#"/usr/bin/redis-server --port "$PORT" --bind 0.0.0.0 --protected-mode no --save '' --appendonly no"#;
    let init = InitScript::new("redis-server", server);
    make_initrd(&initrd_redis, &files, &init.render(&modules))?;

    let mut files = base_files(&busybox, &modules);
    files.extend(mariadb::files(&out)?);
    let initrd_mariadb = out.join("initrd-mariadb.cpio.gz");
    let init = InitScript {
        setup: mariadb::GUEST_SETUP.into(),
        ready_ports: SQL_GUEST_PORT.to_string(),
        ..InitScript::new("mariadbd", mariadb::GUEST_SERVER_CMD)
    };
    make_initrd(&initrd_mariadb, &files, &init.render(&modules))?;

    Ok(LinuxGuest {
        vmlinuz,
        initrd_dbserver,
        initrd_redis,
        initrd_mariadb,
        kernel_package,
    })
}

/// A module to put in the initrd: its name and its `.ko` (possibly compressed) on disk.
struct Module {
    name: String,
    path: PathBuf,
}

/// (path inside the initrd, source file on the host).
pub(super) type FileList = Vec<(String, PathBuf)>;

fn base_files(busybox: &Path, modules: &[Module]) -> FileList {
    let mut files: FileList = vec![("bin/busybox".into(), busybox.to_path_buf())];
    for m in modules {
        files.push((format!("{INITRD_MODULE_DIR}/{}.ko", m.name), m.path.clone()));
    }
    files
}

/// The versioned package behind `linux-image-cloud-amd64` (e.g. `linux-image-6.1.0-56-cloud-amd64`).
fn resolve_kernel_package() -> Result<String> {
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
fn fetch_and_unpack(package: &str) -> Result<PathBuf> {
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
fn find_vmlinuz(root: &Path) -> Result<(PathBuf, String)> {
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
fn nic_modules(moddir: &Path) -> Result<Vec<Module>> {
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
fn read_module(path: &Path) -> Result<Vec<u8>> {
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

/// A statically linked busybox: the host's if it is static, else Debian's busybox-static.
fn static_busybox() -> Result<PathBuf> {
    for candidate in ["/bin/busybox", "/usr/bin/busybox"] {
        let path = Path::new(candidate);
        if path.is_file() && is_static(path) {
            return Ok(path.to_path_buf());
        }
    }
    let root = fetch_and_unpack("busybox-static")
        .context("no static busybox on the host and busybox-static could not be downloaded (apt-get install busybox-static)")?;
    let path = root.join("bin/busybox");
    if !path.is_file() {
        bail!("busybox-static package has no bin/busybox");
    }
    Ok(path)
}

fn is_static(path: &Path) -> bool {
    Command::new("ldd")
        .arg(path)
        .output()
        .map(|o| {
            !o.status.success()
                || String::from_utf8_lossy(&o.stdout).contains("not a dynamic executable")
        })
        .unwrap_or(false)
}

/// Builds `dbserver` statically for Linux into `target/linux-static`.
fn build_static_dbserver() -> Result<PathBuf> {
    let target_dir = crate::workspace_dir().join("target").join("linux-static");
    let mut cmd = nested_cargo(&target_dir);
    cmd.env("RUSTFLAGS", "-C target-feature=+crt-static");
    cmd.args([
        "build",
        "--release",
        "-p",
        "dbserver",
        "--bin",
        "dbserver",
        "--target",
        LINUX_TARGET,
    ]);
    run(
        cmd,
        "building the static dbserver (cargo build -p dbserver)",
    )?;
    Ok(target_dir
        .join(LINUX_TARGET)
        .join("release")
        .join("dbserver"))
}

/// The host's `redis-server` with every library `ldd` lists and the loader, at their paths.
fn redis_files() -> Result<FileList> {
    let redis = crate::running::find_program("redis-server")
        .context("redis-server not found on the host: install it: apt-get install redis-server")?;
    program_with_libraries(&redis, "usr/bin/redis-server")
}

/// `program` at `dest` in the initrd, plus every library `ldd` lists and the loader, at the
/// paths `ldd` names.
pub(super) fn program_with_libraries(program: &Path, dest: &str) -> Result<FileList> {
    let program = program.canonicalize()?;
    let mut files: FileList = vec![(dest.into(), program.clone())];
    let out = Command::new("ldd")
        .arg(&program)
        .output()
        .context("ldd is needed (apt-get install libc-bin)")?;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let path = match line.split_once("=>") {
            Some((_, rhs)) => rhs.split_whitespace().next(),
            None => line
                .split_whitespace()
                .next()
                .filter(|p| p.starts_with('/')),
        };
        if let Some(path) = path.filter(|p| p.starts_with('/')) {
            let src = Path::new(path)
                .canonicalize()
                .with_context(|| format!("library {path}"))?;
            files.push((path.trim_start_matches('/').to_owned(), src));
        }
    }
    if files.len() < 3 {
        bail!("ldd {} listed no libraries", program.display());
    }
    Ok(files)
}

/// The guest's `/init`: mount, load NIC modules, configure eth0 from the kernel command line
/// (`ring0db.ip= ring0db.gw= ring0db.port=`), run `setup`, run the server, print
/// `ring0db-linux: serving on port N` for each of `ready_ports` (and the CPU agent's port,
/// [`CPU_AGENT_PORT`]) once all of them are in LISTEN state, power off when the server exits.
struct InitScript {
    server_name: String,
    server_cmd: String,
    /// Shell lines run after the network is up, before the server starts.
    setup: String,
    /// Space-separated ports (shell words; `$PORT` is the command line's port).
    ready_ports: String,
}

impl InitScript {
    fn new(server_name: &str, server_cmd: &str) -> Self {
        InitScript {
            server_name: server_name.into(),
            server_cmd: server_cmd.into(),
            setup: String::new(),
            ready_ports: "$PORT".into(),
        }
    }

    fn render(&self, modules: &[Module]) -> String {
        let load_order: Vec<&str> = modules.iter().map(|m| m.name.as_str()).collect();
        let template = include_str!("linux_init.sh");
        template
            .replace("@SERVER_NAME@", &self.server_name)
            .replace("@SERVER_CMD@", &self.server_cmd)
            .replace("@SETUP@", &self.setup)
            .replace("@READY_PORTS@", &self.ready_ports)
            .replace("@AGENT_PORT@", &CPU_AGENT_PORT.to_string())
            .replace("@MODULE_DIR@", &format!("/{INITRD_MODULE_DIR}"))
            .replace("@MODULES@", &load_order.join(" "))
    }
}

/// Writes a gzip'd newc cpio with `files` and `/init`, unless the inputs are unchanged.
fn make_initrd(output: &Path, files: &FileList, init: &str) -> Result<()> {
    let fingerprint = fingerprint(files, init)?;
    let stamp = output.with_extension("gz.inputs");
    if output.exists()
        && std::fs::read_to_string(&stamp).ok().as_deref() == Some(fingerprint.as_str())
    {
        return Ok(());
    }
    // Per-process scratch names + rename: concurrent builders never see half-written files.
    let pid = std::process::id();
    let stage = output.with_extension(format!("gz.stage.{pid}"));
    let _ = std::fs::remove_dir_all(&stage);
    for dir in [
        "bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "tmp", "etc", "root",
    ] {
        std::fs::create_dir_all(stage.join(dir))?;
    }
    for (dest, src) in files {
        let dest = stage.join(dest);
        std::fs::create_dir_all(dest.parent().unwrap_or(&stage))?;
        if src.to_string_lossy().ends_with(".ko.xz") || src.to_string_lossy().ends_with(".ko.zst") {
            std::fs::write(&dest, read_module(src)?)?;
        } else {
            std::fs::copy(src, &dest).with_context(|| format!("copy {}", src.display()))?;
        }
    }
    write_executable(&stage.join("init"), init)?;
    // /dev/console for the kernel's initial console (needs root; /init also mounts devtmpfs).
    let _ = Command::new("mknod")
        .arg(stage.join("dev/console"))
        .args(["c", "5", "1"])
        .output();
    let tmp = output.with_extension(format!("gz.tmp.{pid}"));
    let script =
        "cd \"$1\" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -6 > \"$2\"";
    let mut cmd = Command::new("sh");
    cmd.args(["-c", script, "sh"]).arg(&stage).arg(&tmp);
    run(
        cmd,
        "packing the initrd (cpio + gzip; apt-get install cpio if missing)",
    )?;
    std::fs::rename(&tmp, output)?;
    let stamp_tmp = stamp.with_extension(format!("inputs.{pid}"));
    std::fs::write(&stamp_tmp, fingerprint)?;
    std::fs::rename(&stamp_tmp, &stamp)?;
    let _ = std::fs::remove_dir_all(&stage);
    Ok(())
}

fn fingerprint(files: &FileList, init: &str) -> Result<String> {
    let mut fp = String::new();
    for (dest, src) in files {
        let meta = std::fs::metadata(src).with_context(|| format!("missing {}", src.display()))?;
        let mtime = meta
            .modified()?
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let _ = writeln!(
            fp,
            "{dest} {} {} {}",
            src.display(),
            meta.len(),
            mtime.as_nanos()
        );
    }
    fp.push_str(init);
    Ok(fp)
}

fn write_executable(path: &Path, text: &str) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    Ok(())
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

    #[test]
    fn init_script_is_filled_in() {
        let m = vec![Module {
            name: "virtio".into(),
            path: "/x".into(),
        }];
        let s = InitScript::new("redis-server", "/usr/bin/redis-server").render(&m);
        assert!(s.starts_with("#!/bin/busybox sh"));
        assert!(!s.contains('@'), "unfilled placeholder in\n{s}");
        assert!(s.contains("serving on port"));
        // The server's port, then the CPU agent's: the guest reports ready once both listen.
        let ready = format!(r#"READY_PORTS="$PORT {CPU_AGENT_PORT}""#);
        assert!(s.contains(&ready), "{s}");
        let s = InitScript {
            setup: "mount -t tmpfs tmpfs /dev/shm".into(),
            ready_ports: "3306".into(),
            ..InitScript::new("mariadbd", "/usr/sbin/mariadbd")
        }
        .render(&m);
        assert!(!s.contains('@'), "unfilled placeholder in\n{s}");
        assert!(s.contains("\nmount -t tmpfs tmpfs /dev/shm\n"), "{s}");
        let ready = format!(r#"READY_PORTS="3306 {CPU_AGENT_PORT}""#);
        assert!(s.contains(&ready), "{s}");
    }
}
