//! Where a server's CPU time goes: user (server code) vs system (kernel), sampled at the
//! edges of a measured window.
//!
//! * **Linux guests** (`linux-vm`, `redis-vm`, `mariadb-vm`): the guest's CPU agent (port
//!   7070, see `images/README.md`) answers with the guest-wide `cpu` line of `/proc/stat`
//!   and the server's `/proc/<pid>/stat`. user = guest user + nice, system = guest system +
//!   irq + softirq (the guest runs nothing but the server, so its whole kernel works for the
//!   server; that is also what the unikernel counts); busy = every non-idle field. The
//!   server process's own utime/stime are kept beside it.
//! * **Unikernel**: `INFO`'s `system_cycles` (TSC cycles inside kernel calls and traps,
//!   minus the idle halts in `poll_wait`, plus the interrupt handlers outside calls or
//!   during the halts), `user_cycles` (busy − system), `busy_cycles`,
//!   divided by `tsc_hz`.
//! * **Host processes** (`linux-host`, `HOST:PORT`): the process's utime/stime from `/proc`.

use std::fs;

/// `USER_HZ`: the unit of `/proc/stat` and `/proc/<pid>/stat` times (fixed by the Linux ABI).
pub const USER_HZ: f64 = 100.0;
/// First line of a CPU agent reply.
pub const AGENT_MAGIC: &str = "ring0db-cpu 1";

/// How a sample was obtained (the `cpu_source` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CpuSource {
    /// The Linux guest's CPU agent.
    GuestAgent,
    /// The unikernel's TSC accounting through `INFO`.
    Tsc,
    /// `/proc/<pid>/stat` of a host process.
    HostProcess,
}

impl CpuSource {
    /// The column value.
    pub fn name(self) -> &'static str {
        match self {
            CpuSource::GuestAgent => "guest-agent",
            CpuSource::Tsc => "tsc",
            CpuSource::HostProcess => "host-proc",
        }
    }
}

/// Cumulative CPU counters at one moment, in seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct CpuSample {
    /// Where the numbers come from.
    pub source: CpuSource,
    /// User time (see the module doc for each source).
    pub user_s: f64,
    /// System time.
    pub system_s: f64,
    /// Busy time of the whole (guest) machine; `None` for host processes.
    pub busy_s: Option<f64>,
    /// Interrupt time (Linux guests: irq + softirq, part of `system_s`).
    pub irq_s: Option<f64>,
    /// The server process's own utime/stime (Linux guests and host processes).
    pub server_user_s: Option<f64>,
    /// See `server_user_s`.
    pub server_system_s: Option<f64>,
    /// Unikernel: kernel calls so far and what accounting one costs, in cycles.
    pub accounting: Option<Accounting>,
}

/// The unikernel's accounting counters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Accounting {
    /// Kernel calls so far.
    pub calls: u64,
    /// Cycles the accounting adds to each call.
    pub cycles_per_call: u64,
    /// TSC frequency.
    pub tsc_hz: u64,
}

/// The CPU used inside a window: the difference of two samples.
#[derive(Debug, Clone, PartialEq)]
pub struct CpuSplit {
    /// Where the numbers come from.
    pub source: CpuSource,
    /// User seconds.
    pub user_s: f64,
    /// System seconds.
    pub system_s: f64,
    /// Busy seconds of the (guest) machine.
    pub busy_s: Option<f64>,
    /// Interrupt seconds (Linux guests).
    pub irq_s: Option<f64>,
    /// The server process's utime.
    pub server_user_s: Option<f64>,
    /// The server process's stime.
    pub server_system_s: Option<f64>,
    /// Unikernel: share of the busy time the accounting itself cost.
    pub accounting_overhead: Option<f64>,
}

/// The split between `before` and `after` (`None` if they come from different sources).
pub fn split(before: &CpuSample, after: &CpuSample) -> Option<CpuSplit> {
    if before.source != after.source {
        return None;
    }
    let d = |a: f64, b: f64| (a - b).max(0.0);
    let dopt = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| d(a, b));
    let busy_s = dopt(after.busy_s, before.busy_s);
    let accounting_overhead = after
        .accounting
        .zip(before.accounting)
        .zip(busy_s)
        .filter(|(_, busy)| *busy > 0.0)
        .map(|((a, b), busy)| {
            let cycles = a.calls.saturating_sub(b.calls) as f64 * a.cycles_per_call as f64;
            cycles / a.tsc_hz.max(1) as f64 / busy
        });
    Some(CpuSplit {
        source: after.source,
        user_s: d(after.user_s, before.user_s),
        system_s: d(after.system_s, before.system_s),
        busy_s,
        irq_s: dopt(after.irq_s, before.irq_s),
        server_user_s: dopt(after.server_user_s, before.server_user_s),
        server_system_s: dopt(after.server_system_s, before.server_system_s),
        accounting_overhead,
    })
}

/// utime and stime (seconds) of a `/proc/<pid>/stat` line.
pub fn parse_pid_stat(stat: &str) -> Option<(f64, f64)> {
    // The command name (field 2) may contain spaces and parentheses; fields after the last
    // `)` start with field 3 (state), so utime (14) and stime (15) are at indices 11 and 12.
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((utime as f64 / USER_HZ, stime as f64 / USER_HZ))
}

/// A host process's sample.
pub fn host_process_sample(pid: u32) -> Option<CpuSample> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (user, system) = parse_pid_stat(&text)?;
    Some(CpuSample {
        source: CpuSource::HostProcess,
        user_s: user,
        system_s: system,
        busy_s: None,
        irq_s: None,
        server_user_s: Some(user),
        server_system_s: Some(system),
        accounting: None,
    })
}

/// Parses a CPU agent reply (`ring0db-cpu 1`, `cpu ...`, `server <pid stat>`, `end`).
pub fn parse_agent_reply(text: &str) -> Option<CpuSample> {
    let mut lines = text.lines();
    if lines.next()?.trim() != AGENT_MAGIC {
        return None;
    }
    let mut cpu = None;
    let mut server = None;
    let mut complete = false;
    for line in lines {
        if let Some(rest) = line.strip_prefix("cpu ") {
            let v: Vec<u64> = rest
                .split_whitespace()
                .map(|f| f.parse().ok())
                .collect::<Option<_>>()?;
            cpu = Some(v);
        } else if let Some(rest) = line.strip_prefix("server ") {
            server = parse_pid_stat(rest);
        } else if line.trim() == "end" {
            complete = true;
        }
    }
    // /proc/stat "cpu": user nice system idle iowait irq softirq steal [guest guest_nice];
    // guest time is already included in user.
    let cpu = cpu?;
    let field = |i: usize| cpu.get(i).copied().unwrap_or(0) as f64 / USER_HZ;
    if !complete || cpu.len() < 7 {
        return None;
    }
    let (user, nice, system, idle, iowait, irq, softirq, steal) = (
        field(0),
        field(1),
        field(2),
        field(3),
        field(4),
        field(5),
        field(6),
        field(7),
    );
    let _ = (idle, iowait);
    Some(CpuSample {
        source: CpuSource::GuestAgent,
        user_s: user + nice,
        system_s: system + irq + softirq,
        busy_s: Some(user + nice + system + irq + softirq + steal),
        irq_s: Some(irq + softirq),
        server_user_s: server.map(|s| s.0),
        server_system_s: server.map(|s| s.1),
        accounting: None,
    })
}

/// Parses the unikernel's `INFO` reply (`None` without its accounting fields).
pub fn parse_unikernel_info(info: &str) -> Option<CpuSample> {
    let field = |name: &str| -> Option<u64> {
        info.lines().find_map(|line| {
            let (k, v) = line.trim().split_once(':')?;
            (k == name).then(|| v.trim().parse().ok()).flatten()
        })
    };
    let hz = field("tsc_hz").filter(|hz| *hz > 0)? as f64;
    let secs = |cycles: u64| cycles as f64 / hz;
    Some(CpuSample {
        source: CpuSource::Tsc,
        user_s: secs(field("user_cycles")?),
        system_s: secs(field("system_cycles")?),
        busy_s: Some(secs(field("busy_cycles")?)),
        irq_s: None,
        server_user_s: None,
        server_system_s: None,
        accounting: Some(Accounting {
            calls: field("kernel_calls_total")?,
            cycles_per_call: field("accounting_cycles_per_call")?,
            tsc_hz: hz as u64,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_reply_splits_guest_time() {
        let reply = "ring0db-cpu 1\ncpu  100 10 50 1000 5 3 7 0 0 0\n\
                     server 42 (mariadbd) S 1 42 42 0 -1 4194560 1 0 0 0 80 30 0 0 20 0 9\nend\n";
        let s = parse_agent_reply(reply).unwrap();
        assert!((s.user_s - 1.10).abs() < 1e-9);
        assert!((s.system_s - 0.60).abs() < 1e-9);
        assert!((s.busy_s.unwrap() - 1.70).abs() < 1e-9);
        assert_eq!(s.server_user_s, Some(0.8));
        assert_eq!(s.server_system_s, Some(0.3));
        // Truncated or foreign replies are rejected.
        assert_eq!(
            parse_agent_reply("ring0db-cpu 1\ncpu  1 2 3 4 5 6 7\n"),
            None
        );
        assert_eq!(parse_agent_reply("hello\n"), None);
    }

    #[test]
    fn unikernel_info_and_overhead() {
        let info = |user: u64, system: u64, calls: u64| {
            format!(
                "# Platform\r\ntsc_hz:1000\r\nbusy_cycles:{}\r\nuser_cycles:{user}\r\n\
                 system_cycles:{system}\r\nkernel_calls_total:{calls}\r\naccounting_cycles_per_call:2\r\n",
                user + system
            )
        };
        let a = parse_unikernel_info(&info(100, 50, 10)).unwrap();
        let b = parse_unikernel_info(&info(700, 350, 60)).unwrap();
        let s = split(&a, &b).unwrap();
        assert!((s.user_s - 0.6).abs() < 1e-9 && (s.system_s - 0.3).abs() < 1e-9);
        assert!((s.busy_s.unwrap() - 0.9).abs() < 1e-9);
        // 50 calls × 2 cycles = 100 cycles of 900 busy.
        assert!((s.accounting_overhead.unwrap() - 100.0 / 900.0).abs() < 1e-9);
        assert_eq!(parse_unikernel_info("# Server\r\n"), None);
    }

    #[test]
    fn own_process_sample() {
        let s = host_process_sample(std::process::id()).unwrap();
        assert_eq!(s.source, CpuSource::HostProcess);
        assert!(s.user_s >= 0.0 && s.system_s >= 0.0 && s.busy_s.is_none());
    }
}
