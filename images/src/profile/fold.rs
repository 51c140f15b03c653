//! Folding samples into flame-graph stacks (`root;outer;...;leaf count`, the format of
//! Brendan Gregg's `stackcollapse` tools that `inferno` reads), with a root frame per side:
//! `kernel` (ring0db_kernel, smoltcp, the NIC driver, the appliance's kernel calls) or
//! `server` (the `dbserver` crate), and `[idle]` under `kernel` for idle samples.

use std::collections::BTreeMap;

use super::samples::Sample;

/// Crates whose frames are the kernel's.
const KERNEL_CRATES: &[&str] = &[
    "ring0db_kernel",
    // The appliance binary's crate: its kernel-call glue between server and kernel.
    "ring0db",
    "smoltcp",
    "virtio_drivers",
    "talc",
    "hermit_entry",
];
/// The server's crate.
const SERVER_CRATE: &str = "dbserver";

/// Which side a sample is charged to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    /// Kernel code: the network stack, drivers, interrupt handlers, kernel calls.
    Kernel,
    /// The `dbserver` crate.
    Server,
    /// The CPU was idling (halted or spinning with nothing to do).
    Idle,
}

impl Side {
    /// The root frame of this side's stacks.
    pub fn root(self) -> &'static str {
        match self {
            Side::Kernel => "kernel",
            Side::Server => "server",
            Side::Idle => "kernel;[idle]",
        }
    }
}

/// Folded stacks and the count of samples per side.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Folded {
    /// Folded stack -> samples.
    pub stacks: BTreeMap<String, u64>,
    /// Samples charged to the kernel (idle excluded).
    pub kernel: u64,
    /// Samples charged to the server.
    pub server: u64,
    /// Idle samples.
    pub idle: u64,
    /// Samples the kernel itself marked as kernel work (in a kernel call or a handler),
    /// idle excluded: a cross-check of the symbol-based split.
    pub kernel_marked: u64,
}

impl Folded {
    /// All samples.
    pub fn total(&self) -> u64 {
        self.kernel + self.server + self.idle
    }

    /// `part` as a percentage of all samples.
    pub fn percent(&self, part: u64) -> f64 {
        100.0 * part as f64 / self.total().max(1) as f64
    }

    /// The folded text, one stack per line.
    pub fn text(&self) -> String {
        self.stacks
            .iter()
            .map(|(stack, count)| format!("{stack} {count}\n"))
            .collect()
    }

    /// `; hottest leaf NAME (P%)` for a summary line, or nothing without samples.
    pub fn hottest_text(&self) -> String {
        self.hottest_leaf()
            .map(|(leaf, n)| format!("; hottest leaf {leaf} ({:.1}%)", self.percent(n)))
            .unwrap_or_default()
    }

    /// The leaf function hit most often while not idle, with its count.
    pub fn hottest_leaf(&self) -> Option<(String, u64)> {
        let mut leaves: BTreeMap<&str, u64> = BTreeMap::new();
        let idle_root = format!("{};", Side::Idle.root());
        for (stack, count) in self
            .stacks
            .iter()
            .filter(|(s, _)| !s.starts_with(&idle_root))
        {
            let leaf = stack.rsplit(';').next().unwrap_or(stack);
            *leaves.entry(leaf).or_default() += count;
        }
        leaves
            .into_iter()
            .max_by_key(|(_, count)| *count)
            .map(|(leaf, count)| (leaf.to_string(), count))
    }
}

/// The crate a demangled function name belongs to (`<T as Trait>::f` counts as `T`'s).
fn crate_of(name: &str) -> &str {
    let name = name.trim_start_matches('<').trim_start_matches('&');
    name.split("::").next().unwrap_or(name)
}

/// The side of a stack given innermost first: the first frame that belongs to the
/// server or the kernel decides (library frames are charged to their caller).
fn side_of<'a>(innermost_first: impl Iterator<Item = &'a String>) -> Side {
    for name in innermost_first {
        let krate = crate_of(name);
        if krate == SERVER_CRATE {
            return Side::Server;
        }
        if KERNEL_CRATES.contains(&krate) {
            return Side::Kernel;
        }
    }
    Side::Kernel
}

/// Folds `samples`, naming addresses with `functions(address)` (outermost first). The
/// interrupted RIP is looked up as is, return addresses one byte back (inside the call).
pub fn fold(samples: &[Sample], mut functions: impl FnMut(u64) -> Vec<String>) -> Folded {
    let mut folded = Folded::default();
    for sample in samples {
        // Outermost first: the deepest caller, ..., the first caller, then the RIP.
        let mut frames: Vec<String> = Vec::new();
        for &return_address in sample.callers.iter().rev() {
            frames.extend(functions(return_address.saturating_sub(1)));
        }
        frames.extend(functions(sample.rip));
        let side = if sample.idle() {
            Side::Idle
        } else {
            side_of(frames.iter().rev())
        };
        if side != Side::Idle && sample.kernel_marked() {
            folded.kernel_marked += 1;
        }
        match side {
            Side::Kernel => folded.kernel += 1,
            Side::Server => folded.server += 1,
            Side::Idle => folded.idle += 1,
        }
        let stack = std::iter::once(side.root().to_string())
            .chain(frames)
            .collect::<Vec<_>>()
            .join(";");
        *folded.stacks.entry(stack).or_default() += 1;
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::samples::FLAG_IDLE;

    /// A fixed symbol table: return address 0x200 is in the appliance's main, 0x300 in
    /// the server; RIPs 0x100 (inlined smoltcp call), 0x300 (a library) and 0x400.
    fn names(address: u64) -> Vec<String> {
        let names: &[&str] = match address {
            0x100 => &["ring0db_kernel::net::poll", "smoltcp::iface::poll"],
            0x1ff => &["ring0db::main"],
            0x2ff => &["dbserver::resp::handle"],
            0x300 => &["<hashbrown::map::HashMap<K,V> as x>::get"],
            0x400 => &["ring0db_kernel::arch::cpu::wait_for_interrupt"],
            _ => panic!("no symbol at {address:#x}"),
        };
        names.iter().map(|n| n.to_string()).collect()
    }

    fn sample(rip: u64, flags: u64, callers: &[u64]) -> Sample {
        Sample {
            rip,
            flags,
            callers: callers.to_vec(),
        }
    }

    #[test]
    fn folds_outermost_first_with_return_addresses_looked_up_inside_the_call() {
        let folded = fold(
            &[
                sample(0x100, 0, &[0x200]),
                sample(0x100, 0, &[0x200]),
                sample(0x300, 0, &[0x200]),
            ],
            names,
        );
        assert_eq!(
            folded
                .stacks
                .get("kernel;ring0db::main;ring0db_kernel::net::poll;smoltcp::iface::poll"),
            Some(&2)
        );
        assert_eq!((folded.kernel, folded.server, folded.idle), (3, 0, 0));
        assert_eq!(
            folded.hottest_leaf(),
            Some(("smoltcp::iface::poll".to_string(), 2))
        );
    }

    #[test]
    fn library_frames_are_charged_to_the_server_or_kernel_frame_that_called_them() {
        let folded = fold(
            &[sample(0x300, 0, &[0x300]), sample(0x400, FLAG_IDLE, &[])],
            names,
        );
        assert_eq!(
            folded
                .stacks
                .get("server;dbserver::resp::handle;<hashbrown::map::HashMap<K,V> as x>::get"),
            Some(&1)
        );
        assert_eq!((folded.kernel, folded.server, folded.idle), (0, 1, 1));
        assert_eq!(folded.kernel_marked, 0);
        assert_eq!(folded.percent(folded.server), 50.0);
        assert!(folded
            .text()
            .contains("kernel;[idle];ring0db_kernel::arch::cpu::wait_for_interrupt 1\n"));
    }
}
