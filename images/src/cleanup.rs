//! Process-wide registry of QEMU processes and namespaces we created, so that they are
//! removed on Ctrl-C / SIGTERM too (normal and panic paths are covered by `Drop`).

use anyhow::{Context, Result};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Registry {
    pids: Vec<u32>,
    netns: Vec<String>,
    /// Directories of fresh disk files (`crate::disk`).
    dirs: Vec<std::path::PathBuf>,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    pids: Vec::new(),
    netns: Vec::new(),
    dirs: Vec::new(),
});
static HANDLER: Once = Once::new();
/// Set by the signal handler before it kills anything, so the program's own exit path
/// (which may see QEMU die) does not race the handler's exit status.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

fn registry() -> std::sync::MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn register_pid(pid: u32) {
    registry().pids.push(pid);
}

pub(crate) fn unregister_pid(pid: u32) {
    registry().pids.retain(|p| *p != pid);
}

pub(crate) fn register_netns(name: &str) {
    registry().netns.push(name.to_owned());
}

pub(crate) fn unregister_netns(name: &str) {
    registry().netns.retain(|n| n != name);
}

pub(crate) fn register_dir(dir: &std::path::Path) {
    registry().dirs.push(dir.to_owned());
}

pub(crate) fn unregister_dir(dir: &std::path::Path) {
    registry().dirs.retain(|d| d != dir);
}

/// Installs a SIGINT/SIGTERM/SIGHUP handler that runs [`cleanup_all`] and exits with status
/// 130. Idempotent. Programs with their own handler call [`cleanup_all`] from it instead.
pub fn install_signal_handler() -> Result<()> {
    let mut result = Ok(());
    HANDLER.call_once(|| {
        result = ctrlc::set_handler(|| {
            INTERRUPTED.store(true, Ordering::SeqCst);
            // Not eprintln!: it panics when stderr is a closed pipe, and cleanup must run.
            let _ = writeln!(
                std::io::stderr(),
                "ring0db: interrupted, stopping QEMU and removing network namespaces"
            );
            cleanup_all();
            std::process::exit(130);
        })
        .context("cannot install the Ctrl-C handler");
    });
    result
}

/// Exits with `code`, unless a Ctrl-C is being handled: then the handler finishes its
/// cleanup and exits with 130. Programs that install the handler exit through this.
pub fn exit(code: i32) -> ! {
    if INTERRUPTED.load(Ordering::SeqCst) {
        loop {
            std::thread::park();
        }
    }
    std::process::exit(code)
}

/// Kills every QEMU we started and deletes every namespace we created (still alive) and
/// every fresh disk file.
pub fn cleanup_all() {
    let (pids, names, dirs) = {
        let mut r = registry();
        (
            std::mem::take(&mut r.pids),
            std::mem::take(&mut r.netns),
            std::mem::take(&mut r.dirs),
        )
    };
    for &pid in &pids {
        // SAFETY: kill has no memory-safety preconditions; `pid` is a child we spawned and
        // have not reaped (it is unregistered before reaping), so it cannot be reused.
        unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    for &pid in &pids {
        while Instant::now() < deadline {
            let mut status = 0;
            // SAFETY: waitpid on our own child with a valid out-pointer.
            let rc = unsafe { libc::waitpid(pid as libc::pid_t, &mut status, libc::WNOHANG) };
            if rc != 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    for name in &names {
        crate::iproute::delete_netns(name);
    }
    for dir in &dirs {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Deletes `ring0db-<pid>-<n>` namespaces left behind by processes that no longer exist
/// (e.g. killed with SIGKILL). Returns the names removed.
pub fn remove_stale_netns() -> Result<Vec<String>> {
    let out = std::process::Command::new("ip")
        .args(["netns", "list"])
        .output()
        .context("cannot run `ip netns list`")?;
    let mut removed = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let name = line.split_whitespace().next().unwrap_or("");
        let Some(rest) = name.strip_prefix(crate::iproute::NETNS_PREFIX) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            crate::iproute::delete_netns(name);
            removed.push(name.to_owned());
        }
    }
    Ok(removed)
}
