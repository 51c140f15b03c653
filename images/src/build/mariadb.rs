//! The `mariadb-vm` guest's server: Debian's `mariadbd` with its libraries, error messages
//! and character sets, the settings of `images/mariadb-vm.cnf`, and a data directory
//! initialised on the host at image build (not at every boot).

use super::linux::{program_with_libraries, FileList};
use anyhow::{bail, Context, Result};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The guest's MariaDB settings (`images/mariadb-vm.cnf`).
const SETTINGS: &str = include_str!("../../mariadb-vm.cnf");
/// Where the settings file goes in the initrd.
const GUEST_CNF: &str = "etc/mysql/ring0db.cnf";
/// Where the initialised data directory goes in the initrd; `/init` moves it to the tmpfs.
const GUEST_SEED_DATADIR: &str = "var/lib/mysql";
/// Debian's share directory (error messages, character sets), same path in the guest.
const SHARE_DIR: &str = "usr/share/mysql";
/// The only message language the guest needs (`lc_messages=en_US`).
const MESSAGES: &str = "english/errmsg.sys";
/// The Debian package of `mariadbd` and `mariadb-install-db`.
const PACKAGE: &str = "mariadb-server";
/// Bound on `mariadb-install-db` and the bootstrap run (about 2 s each on a quiet host).
const INSTALL_TIMEOUT: Duration = Duration::from_secs(180);
/// How often a bounded child is polled.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// Shell lines of the guest's `/init` before the server starts: the seed data directory moved
/// onto a tmpfs (the default: data in RAM, as in ring0db's own engine) or, in durable mode
/// (`ring0db.datafs=DIR`, the VM's disk mounted on DIR by `/init`), onto the disk, where a
/// later boot from the same disk finds it again; and the `root` account `mariadbd
/// --user=root` looks up.
pub(super) const GUEST_SETUP: &str = "\
mkdir -p /dev/shm /run/mysqld
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
DATADIR=${DATAFS:-/dev/shm}/mysql
# On the disk, the copy must be durable before the server runs: a crash later must not
# find a half-written seed (sync writes it out; a no-op for the tmpfs).
[ -d \"$DATADIR\" ] || { mv /var/lib/mysql \"$DATADIR\" && sync; }
echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd
echo 'root:x:0:' > /etc/group";

/// The guest's server command.
pub(super) const GUEST_SERVER_CMD: &str =
    "/usr/sbin/mariadbd --defaults-file=/etc/mysql/ring0db.cnf --datadir=\"$DATADIR\"";

/// SQL run once with `mariadbd --bootstrap` after `mariadb-install-db` (one statement per
/// line, grant tables are not loaded in bootstrap mode): `root` may log in from any host
/// without a password; the build host's own name is not baked into the image.
const ACCOUNTS_SQL: &str = "\
DELETE FROM mysql.global_priv WHERE User='root' AND Host NOT IN ('localhost','127.0.0.1','::1');
DELETE FROM mysql.proxies_priv WHERE Host NOT IN ('localhost','127.0.0.1','::1');
INSERT INTO mysql.global_priv (Host, User, Priv) SELECT '%', User, Priv FROM mysql.global_priv WHERE Host='localhost' AND User='root';
";

/// The text of `images/mariadb-vm.cnf`, the `mariadb-vm` guest's MariaDB settings (for
/// reports).
pub fn mariadb_vm_settings() -> &'static str {
    SETTINGS
}

/// The files of the MariaDB initrd besides busybox and the modules.
pub(super) fn files(out: &Path) -> Result<FileList> {
    let mariadbd = program("mariadbd")?;
    let mut files = program_with_libraries(&mariadbd, "usr/sbin/mariadbd")?;
    let share = Path::new("/").join(SHARE_DIR);
    files.push((format!("{SHARE_DIR}/{MESSAGES}"), share.join(MESSAGES)));
    for entry in std::fs::read_dir(share.join("charsets"))
        .with_context(|| format!("{}/charsets (apt-get install {PACKAGE})", share.display()))?
    {
        let path = entry?.path();
        if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
            files.push((format!("{SHARE_DIR}/charsets/{name}"), path.clone()));
        }
    }
    files.push((GUEST_CNF.into(), crate::images_dir().join("mariadb-vm.cnf")));
    let datadir = initialised_datadir(out, &mariadbd)?;
    add_tree(&datadir, GUEST_SEED_DATADIR, &mut files)?;
    Ok(files)
}

/// `--key=value` for the `innodb_*` settings of the `[mariadbd]` section: they fix the
/// layout of the files `mariadb-install-db` creates (log file size, …).
fn install_options(settings: &str) -> Vec<String> {
    let mut section = "";
    let mut options = Vec::new();
    for line in settings.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name;
        } else if section == "mariadbd" && line.starts_with("innodb_") {
            match line.split_once('=') {
                Some((k, v)) => options.push(format!("--{}={}", k.trim(), v.trim())),
                None => options.push(format!("--{line}")),
            }
        }
    }
    options
}

/// `images/out/linux/mariadb-data`: initialised once per (mariadbd, settings) and reused, so
/// its files keep their times and the initrd is not repacked needlessly.
fn initialised_datadir(out: &Path, mariadbd: &Path) -> Result<PathBuf> {
    let datadir = out.join("mariadb-data");
    let stamp = out.join("mariadb-data.inputs");
    let install_db = program("mariadb-install-db")?;
    let options = install_options(SETTINGS);
    let mut inputs = String::new();
    for p in [mariadbd, install_db.as_path()] {
        let meta = std::fs::metadata(p).with_context(|| format!("{}", p.display()))?;
        let mtime = meta.modified()?.duration_since(std::time::UNIX_EPOCH)?;
        let _ = writeln!(
            inputs,
            "{} {} {}",
            p.display(),
            meta.len(),
            mtime.as_nanos()
        );
    }
    let _ = writeln!(inputs, "{}\n{ACCOUNTS_SQL}", options.join(" "));
    if datadir.is_dir() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(&inputs) {
        return Ok(datadir);
    }
    let tmp = out.join(format!("mariadb-data.tmp.{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let mut install = Command::new(&install_db);
    install
        .arg("--no-defaults")
        .arg("--user=root")
        .arg(format!("--datadir={}", tmp.display()))
        .arg("--auth-root-authentication-method=normal")
        .arg("--skip-test-db")
        .args(&options);
    run_bounded(install, "", "mariadb-install-db")?;
    let mut bootstrap = Command::new(mariadbd);
    bootstrap
        .arg("--no-defaults")
        .arg("--bootstrap")
        .arg("--user=root")
        .arg(format!("--datadir={}", tmp.display()))
        .args(&options);
    run_bounded(bootstrap, ACCOUNTS_SQL, "mariadbd --bootstrap (root@'%')")?;
    let _ = std::fs::remove_dir_all(&datadir);
    std::fs::rename(&tmp, &datadir)
        .with_context(|| format!("rename {} to {}", tmp.display(), datadir.display()))?;
    std::fs::write(&stamp, inputs)?;
    Ok(datadir)
}

/// Adds every file under `dir` as `dest/<relative path>`. Fails on an empty directory
/// (the file list cannot carry it).
fn add_tree(dir: &Path, dest: &str, files: &mut FileList) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("read {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    if entries.is_empty() {
        bail!(
            "{} is empty: an initrd file list cannot carry it",
            dir.display()
        );
    }
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let inner = format!("{dest}/{name}");
        if path.is_dir() {
            add_tree(&path, &inner, files)?;
        } else {
            files.push((inner, path));
        }
    }
    Ok(())
}

fn program(name: &str) -> Result<PathBuf> {
    let path = crate::running::find_program(name)
        .or_else(|| {
            ["/usr/sbin", "/usr/bin"]
                .iter()
                .map(|d| Path::new(d).join(name))
                .find(|p| p.is_file())
        })
        .with_context(|| format!("{name} not found on the host: apt-get install {PACKAGE}"))?;
    Ok(path)
}

/// Runs `cmd` with `stdin` as its input, killing it after [`INSTALL_TIMEOUT`].
fn run_bounded(mut cmd: Command, stdin: &str, what: &str) -> Result<()> {
    let dir = tempfile_dir()?;
    let log = dir.join(format!("mariadb-build.{}.log", std::process::id()));
    let log_file = std::fs::File::create(&log)?;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(log_file.try_clone()?)
        .stderr(log_file)
        .spawn()
        .with_context(|| format!("{what}: cannot start (apt-get install {PACKAGE})"))?;
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes())?;
    }
    let deadline = Instant::now() + INSTALL_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            bail!(
                "{what} did not finish within {INSTALL_TIMEOUT:?}; log: {}",
                log.display()
            );
        }
        std::thread::sleep(POLL_INTERVAL);
    };
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    if !status.success() {
        let tail: Vec<&str> = text.lines().rev().take(25).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        bail!("{what} failed ({status}):\n{}", tail.join("\n"));
    }
    let _ = std::fs::remove_file(&log);
    Ok(())
}

fn tempfile_dir() -> Result<PathBuf> {
    let dir = crate::out_dir().join("logs");
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_options_are_the_innodb_settings() {
        let opts = install_options(SETTINGS);
        assert!(
            opts.contains(&"--innodb_log_file_size=32M".to_string()),
            "{opts:?}"
        );
        assert!(
            opts.contains(&"--innodb_buffer_pool_size=192M".to_string()),
            "{opts:?}"
        );
        assert!(opts.iter().all(|o| o.starts_with("--innodb_")), "{opts:?}");
        let cnf = "[client]\ninnodb_x = 1\n[mariadbd]\ninnodb_y = 2 # c\nport = 1\n";
        assert_eq!(install_options(cnf), vec!["--innodb_y=2".to_string()]);
    }

    #[test]
    fn settings_promise_what_the_engine_promises() {
        let s = mariadb_vm_settings();
        for want in [
            "port                            = 3306",
            "bind-address                    = 0.0.0.0",
            "skip-log-bin",
            "skip-name-resolve",
            "innodb_flush_log_at_trx_commit  = 0",
            "innodb_doublewrite              = 0",
            "sync_binlog                     = 0",
            "datadir                         = /dev/shm/mysql",
        ] {
            assert!(s.contains(want), "missing {want:?}");
        }
        assert!(GUEST_SETUP.contains("DATADIR=${DATAFS:-/dev/shm}/mysql"));
        assert!(GUEST_SERVER_CMD.contains("--datadir=\"$DATADIR\""));
        assert!(GUEST_SERVER_CMD.contains(GUEST_CNF));
        assert!(!GUEST_SETUP.contains('@') && !GUEST_SERVER_CMD.contains('@'));
    }
}
