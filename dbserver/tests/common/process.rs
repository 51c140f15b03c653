//! What the tests read about the server process from `/proc`, and this process's
//! descriptor limit (floods need more than the usual 1024).

/// Raise this process's descriptor limit (a server started afterwards inherits it) to
/// `needed`; fails when the hard limit is below it.
pub fn raise_descriptor_limit(needed: u64) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid rlimit for the call to fill.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    assert_eq!(rc, 0, "getrlimit");
    if limit.rlim_cur >= needed {
        return;
    }
    assert!(
        limit.rlim_max >= needed,
        "the hard descriptor limit {} is below the {needed} this test needs",
        limit.rlim_max
    );
    limit.rlim_cur = needed;
    // SAFETY: `limit` is a valid rlimit; raising the soft limit up to the hard one is allowed.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) };
    assert_eq!(rc, 0, "setrlimit");
}

/// Descriptors the process `pid` has open.
pub fn open_descriptors(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .expect("the server's /proc/PID/fd")
        .count()
}

/// A `kB` field of `/proc/PID/status` (`VmRSS`, `VmHWM`, ...).
fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    let prefix = format!("{field}:");
    status
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{field} in /proc/{pid}/status"))
}

/// Resident memory now.
pub fn resident_kib(pid: u32) -> u64 {
    status_kib(pid, "VmRSS")
}

/// The most resident memory the process ever had (its high-water mark).
pub fn peak_resident_kib(pid: u32) -> u64 {
    status_kib(pid, "VmHWM")
}
