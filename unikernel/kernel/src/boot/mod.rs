//! Boot information. The PVH start info is read once ([`pvh`]) and normalised into
//! `hermit-entry`'s [`BootInfo`] with a flattened device tree ([`boot_info`]); every
//! other part of the kernel reads memory, command line and modules only from there.

pub mod boot_info;
pub mod cmdline;
pub mod pvh;

pub use boot_info::{command_line, memory_regions, normalise};
pub use cmdline::CommandLine;
