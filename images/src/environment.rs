//! The run environment every result records: the workspace commit, UTC timestamps, run ids,
//! the host's CPU, kernel, QEMU and rustc, and the command line. Shared by `loadgen` (its
//! `environment.txt`) and the harness's `kernel-bench` (its CSV columns).

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

/// The workspace commit as a short hash, with `-dirty` when tracked files differ from it
/// (`unknown` outside a git checkout).
///
/// Only reads (`git rev-parse`, `git diff-index`); never writes the index or refs.
pub fn git_commit() -> String {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let git = |args: &[&str]| {
        let mut cmd = Command::new("git");
        cmd.arg("-C").arg(&workspace).args(args);
        cmd
    };
    let Some(hash) = command_line_output(&mut git(&["rev-parse", "--short", "HEAD"])) else {
        return "unknown".to_string();
    };
    let clean = git(&["diff-index", "--quiet", "HEAD", "--"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if clean {
        hash
    } else {
        format!("{hash}-dirty")
    }
}

/// Now as `(YYYY-MM-DDTHH:MM:SSZ, YYYY-MM-DDTHH-MM-SSZ)` — RFC 3339 and a file-name-safe form.
pub fn utc_now() -> (String, String) {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (y, mo, d, h, mi, s) = civil_from_unix(secs);
    (
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z"),
        format!("{y:04}-{mo:02}-{d:02}T{h:02}-{mi:02}-{s:02}Z"),
    )
}

/// A run id such as `2026-11-22T10-40-00Z-abc1234`.
pub fn new_run_id(commit: &str) -> String {
    format!("{}-{commit}", utc_now().1)
}

/// Converts Unix seconds to (year, month, day, hour, minute, second) in UTC
/// (Howard Hinnant's `civil_from_days`).
pub fn civil_from_unix(secs: u64) -> (i64, u32, u32, u32, u32, u32) {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
    )
}

/// The machine part of `environment.txt`: `cpu`, `cores`, `kernel`, `qemu`, `rustc` and
/// `git_commit` lines.
pub fn describe_machine(commit: &str) -> String {
    let mut out = String::new();
    let cpu = cpu_model();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
        .map_or_else(|_| "unknown".to_string(), |s| s.trim().to_string());
    let qemu = qemu_version();
    let rustc = command_line_output(Command::new("rustc").arg("--version"))
        .unwrap_or_else(|| "not found".to_string());
    let _ = writeln!(out, "cpu: {cpu}");
    let _ = writeln!(out, "cores: {cores}");
    let _ = writeln!(out, "kernel: {kernel}");
    let _ = writeln!(out, "qemu: {qemu}");
    let _ = writeln!(out, "rustc: {rustc}");
    let _ = writeln!(out, "git_commit: {commit}");
    out
}

/// The host CPU's model name from `/proc/cpuinfo`.
pub fn cpu_model() -> String {
    fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
            })
        })
        .unwrap_or_else(|| "unknown".to_string())
}

/// The first line of `qemu-system-x86_64 --version`.
pub fn qemu_version() -> String {
    command_line_output(Command::new("qemu-system-x86_64").arg("--version"))
        .unwrap_or_else(|| "not found".to_string())
}

/// This process's command line, shell-quoted where needed.
pub fn command_line() -> String {
    std::env::args()
        .map(|a| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@".contains(c))
            {
                a
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn command_line_output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .next()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_unix(0), (1970, 1, 1, 0, 0, 0));
        // 2026-11-22T10:40:00Z
        assert_eq!(
            civil_from_unix(1_795_305_600 + 10 * 3600 + 40 * 60),
            (2026, 11, 22, 10, 40, 0)
        );
        // Leap day.
        assert_eq!(civil_from_unix(951_782_400), (2000, 2, 29, 0, 0, 0));
    }
}
