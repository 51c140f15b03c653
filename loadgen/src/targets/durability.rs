//! `--durability`: how every target is started when a run measures durable writes.
//!
//! `off` (the default) keeps every server's data in memory. `always` and `everysec` start each
//! server with its own durability at that strength, on the VM's one disk (`/dev/vda`, the
//! same `virtio-blk` disk in every image) or, for `linux-host`, on a file:
//!
//! | target | `always` | `everysec` |
//! |---|---|---|
//! | unikernel, unikernel-trap, linux-vm, linux-host | dbserver's log, `appendfsync=always` (a reply leaves after its record is flushed; one flush per poll round) | `appendfsync=everysec` |
//! | redis-vm | Redis's AOF on ext4 on `/dev/vda`, `appendfsync always` | `appendfsync everysec` |
//! | mariadb-vm | InnoDB on ext4 on `/dev/vda`, `innodb_flush_log_at_trx_commit=1`, doublewrite on | `=2` (written at commit, flushed once a second) |
//!
//! The setting is recorded in every CSV row (`durability`) and in the report.

use std::sync::OnceLock;

/// Size of the disk (MiB, a sparse file) every target of a durable run gets: each VM's
/// `disk_mib` is raised to it, and `linux-host` logs to a file of this size. MariaDB alone
/// needs ~100 MiB before any table (redo log, system and temporary tablespaces).
pub const DISK_MIB: u32 = 1024;

/// Where the Linux guests mount the disk's filesystem in durable mode (`ring0db.datafs=`).
const GUEST_DATA_DIR: &str = "/data";
/// The VM's disk as the Linux guests name it; the unikernel answers to the same path.
const GUEST_DISK: &str = "/dev/vda";

/// How durable the servers of a run are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// Data in memory only (every server's default here).
    #[default]
    Off,
    /// Every acknowledged write is on the disk (fsync/flush before the reply).
    Always,
    /// Written at once, flushed about once a second: a crash loses at most ~1 s.
    Everysec,
}

impl Durability {
    /// Parses `off`, `always` or `everysec`.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        match text {
            "off" => Ok(Durability::Off),
            "always" => Ok(Durability::Always),
            "everysec" => Ok(Durability::Everysec),
            other => anyhow::bail!("--durability must be off, always or everysec, not {other:?}"),
        }
    }

    /// The name used on the command line, in the CSV and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Durability::Off => "off",
            Durability::Always => "always",
            Durability::Everysec => "everysec",
        }
    }

    /// `dbserver`'s arguments for this setting, its log on `disk` (the Linux binary: on the
    /// host and in `linux-vm`). Empty when off.
    pub fn dbserver_args(self, disk: &str) -> Vec<String> {
        match self {
            Durability::Off => Vec::new(),
            _ => [
                "--appendonly",
                "yes",
                "--appendfsync",
                self.name(),
                "--disk",
                disk,
            ]
            .map(String::from)
            .to_vec(),
        }
    }

    /// Words appended to the unikernel's command line (its disk is the VM's `/dev/vda`).
    pub fn unikernel_cmdline(self) -> String {
        match self {
            Durability::Off => String::new(),
            _ => format!("appendonly=yes appendfsync={}", self.name()),
        }
    }

    /// Words appended to the `linux-vm` guest's command line: dbserver on the raw disk.
    pub fn linux_vm_cmdline(self) -> String {
        guest_args(&self.dbserver_args(GUEST_DISK))
    }

    /// Words appended to the `redis-vm` guest's command line: the AOF in a filesystem on the
    /// disk (later `--appendonly`/`--dir` override the image's `--appendonly no`).
    pub fn redis_vm_cmdline(self) -> String {
        if self == Durability::Off {
            return String::new();
        }
        let args = [
            "--appendonly",
            "yes",
            "--appendfsync",
            self.name(),
            "--dir",
            GUEST_DATA_DIR,
        ];
        format!(
            "ring0db.datafs={GUEST_DATA_DIR} {}",
            guest_args(&args.map(String::from))
        )
    }

    /// Words appended to the `mariadb-vm` guest's command line: InnoDB's files in a
    /// filesystem on the disk, flushed at every commit (`always`) or once a second.
    pub fn mariadb_vm_cmdline(self) -> String {
        let flush_at_commit = match self {
            Durability::Off => return String::new(),
            Durability::Always => 1,
            Durability::Everysec => 2,
        };
        let args = [
            format!("--innodb-flush-log-at-trx-commit={flush_at_commit}"),
            "--innodb-doublewrite=1".to_string(),
        ];
        format!("ring0db.datafs={GUEST_DATA_DIR} {}", guest_args(&args))
    }
}

/// `ring0db.arg=WORD` for each word: the Linux guests' `/init` passes them to the server.
fn guest_args(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("ring0db.arg={w}"))
        .collect::<Vec<_>>()
        .join(" ")
}

static DURABILITY: OnceLock<Durability> = OnceLock::new();

/// Sets the durability of every target started later; the first call wins.
pub fn set(durability: Durability) {
    let _ = DURABILITY.set(durability);
}

/// The durability targets are started with.
pub fn current() -> Durability {
    DURABILITY.get().copied().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_changes_nothing() {
        let off = Durability::parse("off").unwrap();
        assert!(off.dbserver_args("/x").is_empty());
        assert_eq!(off.unikernel_cmdline(), "");
        assert_eq!(off.linux_vm_cmdline(), "");
        assert_eq!(off.redis_vm_cmdline(), "");
        assert_eq!(off.mariadb_vm_cmdline(), "");
    }

    #[test]
    fn every_target_gets_its_own_durability() {
        let always = Durability::parse("always").unwrap();
        assert_eq!(
            always.dbserver_args("/tmp/d").join(" "),
            "--appendonly yes --appendfsync always --disk /tmp/d"
        );
        assert_eq!(
            always.unikernel_cmdline(),
            "appendonly=yes appendfsync=always"
        );
        assert!(always
            .linux_vm_cmdline()
            .ends_with("ring0db.arg=--disk ring0db.arg=/dev/vda"));
        let redis = Durability::Everysec.redis_vm_cmdline();
        assert!(redis.starts_with("ring0db.datafs=/data "), "{redis}");
        assert!(redis.contains("ring0db.arg=--appendfsync ring0db.arg=everysec"));
        assert!(Durability::Everysec
            .mariadb_vm_cmdline()
            .contains("ring0db.arg=--innodb-flush-log-at-trx-commit=2"));
        assert!(Durability::parse("sometimes").is_err());
    }
}
