//! "Kernel Mode Linux, Table 2 reproduced": the Wisconsin run's total/user/system CPU per
//! target beside KML's published figures, the stacked user/system chart, the null-call
//! table of `kernel-bench null-call`, and the CPU split of every workload.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use crate::csv_out::ResultRow;
use crate::sql::WISCONSIN;
use crate::summary::median;

/// The stacked user/system chart.
pub const KML_SVG: &str = "kml_cpu_split.svg";
/// The null-call measurements copied into a run directory.
pub const NULL_CALL_CSV: &str = "null-call.csv";
/// Where `kernel-bench` writes, relative to the results root.
const KERNEL_DIR: &str = "kernel";
/// KML's Table 2 (sql-bench Wisconsin, loop count 10,000): total, user, system seconds.
pub const KML_LINUX: (f64, f64, f64) = (753.86, 611.78, 142.08);
/// The same with MySQL in kernel mode.
pub const KML_KERNEL_MODE: (f64, f64, f64) = (728.61, 605.95, 122.66);
/// A VM row whose guest-measured busy time exceeds its QEMU process's host CPU time by
/// more than this factor was descheduled on the host while the guest clock ran on (under
/// TCG a vCPU cannot execute more guest time than the host gave it). Its user and system
/// seconds are scaled by host CPU ÷ guest busy (preemption hits both alike) and the round
/// is counted as preempted.
pub const PREEMPTED_BUSY_FACTOR: f64 = 1.15;
/// Target the changes are relative to, and the table's row order.
const BASELINE: &str = "linux-vm";
const ORDER: [(&str, &str); 4] = [
    ("linux-vm", "Linux guest (dbserver)"),
    ("unikernel", "unikernel (call)"),
    ("unikernel-trap", "unikernel (trap)"),
    ("mariadb-vm", "MariaDB in the Linux guest"),
];

/// One target's Wisconsin CPU, medians over rounds.
#[derive(Debug, Clone, PartialEq)]
pub struct KmlRow {
    /// Target name.
    pub target: String,
    /// Row label.
    pub label: String,
    /// Rounds with a CPU split.
    pub rounds: usize,
    /// Rounds whose split was scaled down because the VM was descheduled
    /// ([`PREEMPTED_BUSY_FACTOR`]).
    pub preempted: usize,
    /// Statements of one run (the fixed work).
    pub statements: u64,
    /// Median user seconds.
    pub user_s: f64,
    /// Median system seconds.
    pub system_s: f64,
    /// Median of guest busy time ÷ QEMU's host CPU time (VMs): above 1, the guest clock ran
    /// while the host did not run the VM.
    pub busy_per_host_cpu: Option<f64>,
}

impl KmlRow {
    /// user + system.
    pub fn total_s(&self) -> f64 {
        self.user_s + self.system_s
    }
}

/// Whether the guest's clock ran on while the host did not run the VM (see
/// [`PREEMPTED_BUSY_FACTOR`]).
pub fn preempted(r: &ResultRow) -> bool {
    r.guest_busy_s
        .zip(r.host_cpu_s)
        .is_some_and(|(busy, host)| busy > host * PREEMPTED_BUSY_FACTOR)
}

/// host CPU ÷ guest busy for a preempted row ([`PREEMPTED_BUSY_FACTOR`]), else 1.
pub fn descheduling_scale(r: &ResultRow) -> f64 {
    match (preempted(r), r.guest_busy_s, r.host_cpu_s) {
        (true, Some(busy), Some(host)) if busy > 0.0 => host / busy,
        _ => 1.0,
    }
}

/// The Wisconsin rows' CPU per target: the KML order first, then the rest as they appear.
pub fn kml_rows(rows: &[ResultRow]) -> Vec<KmlRow> {
    let wisconsin: Vec<&ResultRow> = rows
        .iter()
        .filter(|r| r.workload == WISCONSIN && r.user_cpu_s.is_some() && r.errors == 0)
        .collect();
    let mut targets: Vec<&str> = ORDER
        .iter()
        .map(|(t, _)| *t)
        .filter(|t| wisconsin.iter().any(|r| r.target == *t))
        .collect();
    for r in &wisconsin {
        if !targets.contains(&r.target.as_str()) {
            targets.push(&r.target);
        }
    }
    targets
        .into_iter()
        .map(|t| {
            let mine: Vec<&&ResultRow> = wisconsin.iter().filter(|r| r.target == t).collect();
            let values = |f: fn(&ResultRow) -> Option<f64>| -> Vec<f64> {
                mine.iter().filter_map(|r| f(r)).collect()
            };
            let scaled = |f: fn(&ResultRow) -> Option<f64>| -> Vec<f64> {
                mine.iter()
                    .filter_map(|r| Some(f(r)? * descheduling_scale(r)))
                    .collect()
            };
            KmlRow {
                target: t.to_string(),
                label: ORDER
                    .iter()
                    .find(|(name, _)| *name == t)
                    .map_or(t, |(_, label)| label)
                    .to_string(),
                rounds: mine.len(),
                preempted: mine.iter().filter(|r| preempted(r)).count(),
                statements: mine.first().and_then(|r| r.sql_queries).unwrap_or(0),
                user_s: median(&scaled(|r| r.user_cpu_s)).unwrap_or(0.0),
                system_s: median(&scaled(|r| r.system_cpu_s)).unwrap_or(0.0),
                busy_per_host_cpu: median(&values(|r| {
                    let host = r.host_cpu_s.filter(|h| *h > 0.0)?;
                    Some(r.guest_busy_s? / host)
                })),
            }
        })
        .collect()
}

fn change(value: f64, base: f64) -> String {
    if base > 0.0 {
        format!("{:+.1}%", (value / base - 1.0) * 100.0)
    } else {
        "–".to_string()
    }
}

/// The Markdown section (empty when the rows hold no Wisconsin run with a CPU split).
pub fn section(rows: &[ResultRow], null_call_csv: Option<&str>) -> String {
    let kml = kml_rows(rows);
    let mut md = String::new();
    if !kml.is_empty() {
        let _ = writeln!(md, "## Kernel Mode Linux, Table 2 reproduced\n");
        let _ = writeln!(
            md,
            "CPU seconds the server used for the same fixed work: the Wisconsin query list \
             (sql-bench's `test-wisconsin`, loading excluded), median over rounds. user = \
             server code, system = kernel (Linux guests: the guest's system + irq + softirq \
             time from `/proc/stat`, read by the guest's CPU agent; unikernel: TSC cycles inside \
             kernel calls and traps minus the idle halts in `poll_wait`, plus interrupt \
             handlers). Changes are against \
             the Linux guest, as KML's are against Linux. KML used a loop count of 10,000 on \
             real hardware; ours is small and runs under the accelerator in the environment \
             section, so compare the *changes*, not the seconds. Under TCG the guests' clocks \
             run on while the host deschedules QEMU (the machine is shared): in a round whose \
             guest busy time exceeds QEMU's host CPU time by more than {:.0}%, user and system \
             are scaled by host CPU ÷ guest busy and the round is counted as preempted; the \
             last column is the median of that ratio before scaling.\n",
            (PREEMPTED_BUSY_FACTOR - 1.0) * 100.0
        );
        md.push_str(&kml_table(&kml));
        let _ = writeln!(md, "\n![user vs system CPU per target]({KML_SVG})\n");
    }
    if let Some(text) = null_call_csv {
        md.push_str(&null_call_table(text));
    }
    md.push_str(&split_table(rows));
    md
}

fn kml_table(kml: &[KmlRow]) -> String {
    let base = kml.iter().find(|r| r.target == BASELINE).unwrap_or(&kml[0]);
    let mut t = String::new();
    let _ = writeln!(
        t,
        "| | statements | total CPU s | user s | system s | total vs {0} | user vs {0} | system vs {0} | guest busy ÷ QEMU host CPU |",
        base.label
    );
    t.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    let (lt, lu, ls) = KML_LINUX;
    let (kt, ku, ks) = KML_KERNEL_MODE;
    let _ = writeln!(
        t,
        "| KML paper: Linux | | {lt:.2} | {lu:.2} | {ls:.2} | | | | |"
    );
    let _ = writeln!(
        t,
        "| KML paper: MySQL in kernel mode | | {kt:.2} | {ku:.2} | {ks:.2} | {} | {} | {} | |",
        change(kt, lt),
        change(ku, lu),
        change(ks, ls)
    );
    for r in kml {
        let _ = writeln!(
            t,
            "| {} (`{}`, {} rounds{}) | {} | {:.3} | {:.3} | {:.3} | {} | {} | {} | {} |",
            r.label,
            r.target,
            r.rounds,
            match r.preempted {
                0 => String::new(),
                n => format!(", {n} preempted, scaled"),
            },
            r.statements,
            r.total_s(),
            r.user_s,
            r.system_s,
            change(r.total_s(), base.total_s()),
            change(r.user_s, base.user_s),
            change(r.system_s, base.system_s),
            r.busy_per_host_cpu
                .map_or("–".to_string(), |v| format!("{v:.2}"))
        );
    }
    t
}

/// Median cycles and ns per path of a `kernel-bench null-call` CSV, as a Markdown table.
pub fn null_call_table(csv_text: &str) -> String {
    let mut lines = csv_text.lines();
    let Some(header) = lines.next() else {
        return String::new();
    };
    let col = |name: &str| header.split(',').position(|c| c == name);
    let (Some(path_i), Some(cyc_i), Some(ns_i)) =
        (col("path"), col("cycles_per_call"), col("ns_per_call"))
    else {
        return String::new();
    };
    let mut paths: Vec<(String, Vec<f64>, Vec<f64>)> = Vec::new();
    for line in lines {
        // The accelerator reason may hold commas: count columns from the end.
        let f: Vec<&str> = line.split(',').collect();
        let from_end = |i: usize| f.get(f.len().wrapping_sub(header.split(',').count() - i));
        let (Some(path), Some(cyc), Some(ns)) = (from_end(path_i), from_end(cyc_i), from_end(ns_i))
        else {
            continue;
        };
        let entry = match paths.iter_mut().find(|(p, _, _)| p == path) {
            Some(e) => e,
            None => {
                paths.push((path.to_string(), Vec::new(), Vec::new()));
                paths.last_mut().expect("just pushed")
            }
        };
        entry.1.extend(cyc.parse::<f64>().ok());
        entry.2.extend(ns.parse::<f64>().ok());
    }
    if paths.is_empty() {
        return String::new();
    }
    let base_ns = paths.first().and_then(|(_, _, ns)| median(ns));
    let mut t = String::from(
        "## Null system call (`kernel-bench null-call`)\n\nMedian over rounds of the newest \
         `bench-results/kernel/` measurement: KML's \"system calls as function calls\" next to \
         the trap and a host system call.\n\n| path | guest cycles | ns | × function call (ns) |\n|---|---:|---:|---:|\n",
    );
    for (path, cyc, ns) in &paths {
        let ns_m = median(ns);
        let _ = writeln!(
            t,
            "| {path} | {} | {} | {} |",
            median(cyc).map_or("–".into(), |v| format!("{v:.0}")),
            ns_m.map_or("–".into(), |v| format!("{v:.1}")),
            ns_m.zip(base_ns)
                .map_or("–".into(), |(v, b)| format!("{:.1}×", v / b))
        );
    }
    t.push('\n');
    t
}

/// Per workload and target: median user and system CPU µs per operation.
fn split_table(rows: &[ResultRow]) -> String {
    let with_split: Vec<&ResultRow> = rows
        .iter()
        .filter(|r| r.user_cpu_s.is_some() && r.ops > 0)
        .collect();
    if with_split.is_empty() {
        return String::new();
    }
    let mut t = String::from(
        "## Where the CPU goes, every workload\n\nMedian over rounds of the server's user and \
         system CPU per operation in the measured window (`user_cpu_s`, `system_cpu_s` in the \
         CSV; source `guest-agent`, `tsc` or `host-proc`), and the share of the busy time they \
         cover.\n\n| workload | target | source | user µs/op | system µs/op | system share | (user+system) / busy |\n|---|---|---|---:|---:|---:|---:|\n",
    );
    let mut keys: Vec<(&str, &str)> = Vec::new();
    for r in &with_split {
        if !keys.contains(&(r.workload.as_str(), r.target.as_str())) {
            keys.push((&r.workload, &r.target));
        }
    }
    for (w, target) in keys {
        let mine: Vec<&&ResultRow> = with_split
            .iter()
            .filter(|r| r.workload == w && r.target == target)
            .collect();
        let per_op = |f: fn(&ResultRow) -> Option<f64>| {
            let v: Vec<f64> = mine
                .iter()
                .filter_map(|r| f(r).map(|x| x * 1e6 / r.ops as f64))
                .collect();
            median(&v)
        };
        let user = per_op(|r| r.user_cpu_s);
        let system = per_op(|r| r.system_cpu_s);
        let covered: Vec<f64> = mine
            .iter()
            .filter_map(|r| {
                let busy = r.guest_busy_s.filter(|b| *b > 0.0)?;
                Some((r.user_cpu_s? + r.system_cpu_s?) / busy)
            })
            .collect();
        let fmt = |v: Option<f64>| v.map_or("–".into(), |x| format!("{x:.1}"));
        let share = user
            .zip(system)
            .filter(|(u, s)| u + s > 0.0)
            .map_or("–".into(), |(u, s)| {
                format!("{:.0}%", s / (u + s) * 100.0)
            });
        let _ = writeln!(
            t,
            "| {w} | {target} | {} | {} | {} | {share} | {} |",
            mine[0].cpu_source.as_deref().unwrap_or("–"),
            fmt(user),
            fmt(system),
            median(&covered).map_or("–".into(), |c| format!("{:.0}%", c * 100.0))
        );
    }
    t.push('\n');
    t
}

/// The newest `null-call*.csv` in `root/kernel`, else in the workspace's
/// `bench-results/kernel`.
pub fn newest_null_call_csv(root: &Path) -> Option<PathBuf> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("bench-results");
    [root.join(KERNEL_DIR), workspace.join(KERNEL_DIR)]
        .iter()
        .find_map(|dir| {
            fs::read_dir(dir)
                .ok()?
                .flatten()
                .filter(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    name.starts_with("null-call") && name.ends_with(".csv")
                })
                .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
                .max()
                .map(|(_, p)| p)
        })
}

/// Copies the newest null-call CSV into the run directory, so its report renders from the
/// directory alone (best effort: no table without one).
pub fn copy_null_call_table(root: &Path, dir: &Path) {
    if let Some(src) = newest_null_call_csv(root) {
        let _ = fs::copy(src, dir.join(NULL_CALL_CSV));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_call_medians_and_ratio() {
        let csv = "utc_time,accel_reason,path,round,cycles_per_call,ns_per_call\n\
                   t,tcg: a, b,function-call,1,30,10.0\n\
                   t,tcg: a, b,function-call,2,40,12.0\n\
                   t,tcg: a, b,trap-int0x80,1,1000,240.0\n\
                   t,tcg: a, b,host-getppid-syscall,1,,100.0\n";
        let t = null_call_table(csv);
        assert!(t.contains("| function-call | 35 | 11.0 | 1.0× |"), "{t}");
        assert!(t.contains("| trap-int0x80 | 1000 | 240.0 | 21.8× |"), "{t}");
        assert!(
            t.contains("| host-getppid-syscall | – | 100.0 | 9.1× |"),
            "{t}"
        );
    }

    #[test]
    fn published_changes() {
        assert_eq!(change(KML_KERNEL_MODE.0, KML_LINUX.0), "-3.3%");
        assert_eq!(change(KML_KERNEL_MODE.1, KML_LINUX.1), "-1.0%");
        assert_eq!(change(KML_KERNEL_MODE.2, KML_LINUX.2), "-13.7%");
    }
}
