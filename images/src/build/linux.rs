//! The Linux guests: Debian's cloud kernel plus a busybox initrd running our static
//! `dbserver`, Debian's `redis-server` or Debian's `mariadbd`, configured from the kernel
//! command line exactly like the unikernel.

use super::debian_kernel::{
    fetch_and_unpack, find_vmlinuz, nic_modules, read_module, resolve_kernel_package, Module,
};
use super::{copy_if_changed, nested_cargo, run};
use super::{guest_perf, mariadb};
use crate::netns::{CPU_AGENT_PORT, SQL_GUEST_PORT};
use crate::qemu::Image;
use anyhow::{bail, Context, Result};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

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
    build_linux_guest(false)
}

/// [`linux_guest`] with Debian's `perf` in every initrd (`initrd-*-perf.cpio.gz`): the
/// guests sample themselves when booted with `ring0db.perf=HZ` (see
/// [`crate::profile::linux`]). Separate initrds because perf and its libraries add ~35 MB
/// of RAM to a guest, which the measured runs should not pay.
pub fn linux_guest_with_perf() -> Result<LinuxGuest> {
    build_linux_guest(true)
}

fn build_linux_guest(with_perf: bool) -> Result<LinuxGuest> {
    let out = crate::out_dir().join("linux");
    std::fs::create_dir_all(&out)?;
    let kernel_package = resolve_kernel_package()?;
    let kernel_root = fetch_and_unpack(&kernel_package)?;
    let (vmlinuz_src, version) = find_vmlinuz(&kernel_root)?;
    let vmlinuz = out.join("vmlinuz");
    copy_if_changed(&vmlinuz_src, &vmlinuz)?;
    let modules = nic_modules(&kernel_root.join("lib/modules").join(&version))?;
    let busybox = static_busybox()?;
    let perf = if with_perf {
        guest_perf::files()?
    } else {
        FileList::new()
    };
    let suffix = if with_perf { "-perf" } else { "" };
    let base_files = |modules: &[Module]| {
        let mut files = base_files(&busybox, modules);
        files.extend(perf.iter().cloned());
        files
    };

    let dbserver = build_static_dbserver()?;
    let mut files = base_files(&modules);
    files.push(("bin/dbserver".into(), dbserver));
    let initrd_dbserver = out.join(format!("initrd-dbserver{suffix}.cpio.gz"));
    let server =
        format!(r#"/bin/dbserver --port "$PORT" --sql-port {SQL_GUEST_PORT} --bind 0.0.0.0"#);
    let init = InitScript {
        ready_ports: format!("$PORT {SQL_GUEST_PORT}"),
        ..InitScript::new("dbserver", &server)
    };
    make_initrd(&initrd_dbserver, &files, &init.render(&modules))?;

    let mut files = base_files(&modules);
    files.extend(redis_files()?);
    files.extend(mke2fs_files()?);
    let initrd_redis = out.join(format!("initrd-redis{suffix}.cpio.gz"));
    let server = r#"/usr/bin/redis-server --port "$PORT" --bind 0.0.0.0 --protected-mode no --save '' --appendonly no"#;
    let init = InitScript::new("redis-server", server);
    make_initrd(&initrd_redis, &files, &init.render(&modules))?;

    let mut files = base_files(&modules);
    files.extend(mariadb::files(&out)?);
    files.extend(mke2fs_files()?);
    let initrd_mariadb = out.join(format!("initrd-mariadb{suffix}.cpio.gz"));
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

/// (path inside the initrd, source file on the host).
pub(super) type FileList = Vec<(String, PathBuf)>;

fn base_files(busybox: &Path, modules: &[Module]) -> FileList {
    let mut files: FileList = vec![("bin/busybox".into(), busybox.to_path_buf())];
    for m in modules {
        files.push((format!("{INITRD_MODULE_DIR}/{}.ko", m.name), m.path.clone()));
    }
    files
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

/// Where the initrd keeps e2fsprogs' `mke2fs`: off `PATH`, where busybox's applets (whose
/// `mke2fs` makes only ext2) would shadow it.
const GUEST_MKE2FS: &str = "/usr/lib/ring0db/mke2fs";

/// The host's `mke2fs` (e2fsprogs) for the durable mode of the Redis and MariaDB guests
/// (`ring0db.datafs=DIR`: ext4 on the VM's disk); busybox's makes only ext2.
fn mke2fs_files() -> Result<FileList> {
    let mke2fs = ["/sbin/mke2fs", "/usr/sbin/mke2fs"]
        .into_iter()
        .map(Path::new)
        .find(|p| p.is_file())
        .context("mke2fs not found on the host: install it: apt-get install e2fsprogs")?;
    program_with_libraries(mke2fs, GUEST_MKE2FS.trim_start_matches('/'))
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
            .replace("@MKE2FS@", GUEST_MKE2FS)
            .replace("@PERF@", guest_perf::GUEST_PERF)
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
