//! The host side of the Linux guests' profile: Debian's `perf` records inside the guest
//! (`ring0db.perf=HZ`, software `cpu-clock` events, frame-pointer call chains), the guest's
//! agent streams `perf script` on request ([`crate::agent`]), and this module folds it with
//! `inferno`'s perf collapser and draws the flame graph with the same root frames as the
//! unikernel's (`kernel`, `server`, `kernel;[idle]`), so the two read side by side.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use super::fold::{Folded, Side};
use crate::netns::NetAttach;

/// How long the agent may take to stop perf and start streaming (TCG: `perf script` of a
/// minute at 100 Hz takes a few seconds in the guest).
const AGENT_TIMEOUT: Duration = Duration::from_secs(120);
/// Largest `perf script` output accepted.
const MAX_SCRIPT_BYTES: u64 = 512 << 20;
/// Frames of the idle loop (the comm of the idle task is `swapper`).
const IDLE_FRAMES: [&str; 4] = [
    "default_idle",
    "cpuidle_idle_call",
    "do_idle",
    "native_safe_halt",
];
/// The suffix `inferno` gives kernel frames (`annotate_kernel`).
const KERNEL_SUFFIX: &str = "_[k]";

/// The kernel command-line word that makes a Linux guest record itself at `hz`.
pub fn cmdline_word(hz: u32) -> String {
    format!("ring0db.perf={hz}")
}

/// Stops the guest's recording and returns `perf script`'s output.
pub fn capture(net: &NetAttach) -> Result<String> {
    let script = crate::agent::request(net, "perf", AGENT_TIMEOUT, MAX_SCRIPT_BYTES)?;
    if let Some(reason) = script.strip_prefix("ring0db-perf: ") {
        bail!("the guest did not record: {}", reason.trim());
    }
    Ok(script)
}

/// What [`write_flamegraph`] wrote and found.
#[derive(Debug, Clone)]
pub struct LinuxReport {
    /// The folded stacks.
    pub folded_path: PathBuf,
    /// The flame graph.
    pub svg_path: PathBuf,
    /// The stacks and the split per side.
    pub folded: Folded,
}

impl LinuxReport {
    /// One line for the terminal: counts, the split per side, the hottest leaf.
    pub fn summary(&self) -> String {
        let f = &self.folded;
        let hottest = f.hottest_text();
        format!(
            "perf profile: {} samples: kernel {:.1}%, user space {:.1}%, idle {:.1}%{hottest}; {}",
            f.total(),
            f.percent(f.kernel),
            f.percent(f.server),
            f.percent(f.idle),
            self.svg_path.display()
        )
    }
}

/// Folds `perf script` output: every stack under the root of its side, the process name
/// (comm) kept as the first frame.
pub fn fold(script: &str) -> Result<Folded> {
    use inferno::collapse::Collapse;
    let mut options = inferno::collapse::perf::Options::default();
    options.annotate_kernel = true;
    options.nthreads = 1;
    let mut collapsed = Vec::new();
    inferno::collapse::perf::Folder::from(options)
        .collapse(script.as_bytes(), &mut collapsed)
        .context("fold perf script output")?;
    let mut folded = Folded::default();
    for line in String::from_utf8_lossy(&collapsed).lines() {
        let Some((stack, count)) = line.rsplit_once(' ') else {
            continue;
        };
        let count: u64 = count.parse().context("a folded stack's count")?;
        let side = side_of(stack);
        match side {
            Side::Kernel => folded.kernel += count,
            Side::Server => folded.server += count,
            Side::Idle => folded.idle += count,
        }
        *folded
            .stacks
            .entry(format!("{};{stack}", side.root()))
            .or_default() += count;
    }
    Ok(folded)
}

/// Idle when the idle task ran or an idle-loop frame is on the stack; else the leaf
/// decides: a kernel frame charges the kernel, anything else user space.
fn side_of(stack: &str) -> Side {
    let mut frames = stack.split(';');
    let comm = frames.next().unwrap_or("");
    let frames: Vec<&str> = frames.collect();
    let idle_frame = |f: &&str| {
        let name = f.strip_suffix(KERNEL_SUFFIX).unwrap_or(f);
        IDLE_FRAMES.contains(&name)
    };
    if comm == "swapper" || frames.iter().any(idle_frame) {
        return Side::Idle;
    }
    match frames.last() {
        Some(leaf) if leaf.ends_with(KERNEL_SUFFIX) => Side::Kernel,
        Some(_) => Side::Server,
        None => Side::Kernel,
    }
}

/// Writes `<out_dir>/<name>.folded` and `<out_dir>/<name>.svg` titled `title`.
pub fn write_flamegraph(
    folded: Folded,
    out_dir: &Path,
    name: &str,
    title: &str,
) -> Result<LinuxReport> {
    let (folded_path, svg_path) = super::write_folded_and_svg(&folded, out_dir, name, title)?;
    Ok(LinuxReport {
        folded_path,
        svg_path,
        folded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three samples as the guest's agent prints them (`perf script -F
    /// comm,tid,time,event,ip,sym,dso`, no period, so each sample counts one): dbserver in the
    /// kernel under a syscall, dbserver in user space, and the idle task.
    const SCRIPT: &str = "\
dbserver   123   100.000001: cpu-clock:
\tffffffff81000001 tcp_sendmsg+0x1 ([kernel.kallsyms])
\tffffffff81000002 __sys_sendto+0x2 ([kernel.kallsyms])
\t          401001 dbserver::server::io::flush+0x11 (/bin/dbserver)
\t          401002 main+0x12 (/bin/dbserver)

dbserver   123   100.010001: cpu-clock:
\t          401003 dbserver::resp::parse+0x13 (/bin/dbserver)
\t          401002 main+0x12 (/bin/dbserver)

swapper     0   100.020001: cpu-clock:
\tffffffff81000003 default_idle+0x3 ([kernel.kallsyms])
\tffffffff81000004 do_idle+0x4 ([kernel.kallsyms])

";

    #[test]
    fn perf_script_is_folded_per_side() {
        let folded = fold(SCRIPT).unwrap();
        assert_eq!((folded.kernel, folded.server, folded.idle), (1, 1, 1));
        let text = folded.text();
        assert!(
            text.contains("kernel;dbserver;main;dbserver::server::io::flush;__sys_sendto_[k];tcp_sendmsg_[k] 1"),
            "{text}"
        );
        assert!(
            text.contains("server;dbserver;main;dbserver::resp::parse 1"),
            "{text}"
        );
        assert!(text.contains("kernel;[idle];swapper;"), "{text}");
    }
}
