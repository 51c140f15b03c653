//! Debian's `perf` in the Linux guests, for flame graphs of `linux-vm`, `redis-vm` and
//! `mariadb-vm` beside the unikernel's own profiler.
//!
//! The guest's `/init` starts `perf record -a -g` at `ring0db.perf=HZ` (software
//! `cpu-clock` events: TCG has no PMU) once the server listens, and its agent port answers a
//! `perf` request by stopping the recording and streaming `perf script` (symbols resolved in
//! the guest, against its own kernel's `/proc/kallsyms` and the server binary).
//! [`crate::profile::linux`] is the host side.

use super::linux::{program_with_libraries, FileList};
use anyhow::{Context, Result};
use std::path::Path;

/// Where the initrd keeps `perf` (off `PATH`; the init script calls it by this path).
pub(super) const GUEST_PERF: &str = "/usr/lib/ring0db/perf";

/// The host's `perf` (Debian's `linux-perf`, same 6.1 series as the guest kernel) with its
/// libraries.
pub(super) fn files() -> Result<FileList> {
    let perf = ["/usr/bin/perf", "/usr/sbin/perf"]
        .into_iter()
        .map(Path::new)
        .find(|p| p.is_file())
        .context("perf not found on the host: install it: apt-get install linux-perf")?;
    program_with_libraries(perf, GUEST_PERF.trim_start_matches('/'))
}
