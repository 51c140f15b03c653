//! The kernel's own command-line settings.

use log::LevelFilter;

use crate::boot::cmdline::{BadValue, CommandLine};
use crate::selftest::{BENCHMARKS, TESTS};

/// Settings read from the kernel command line.
#[derive(Clone, Copy, Debug)]
pub struct KernelConfig {
    pub log_level: LevelFilter,
    pub test: Option<&'static str>,
    pub bench: Option<&'static str>,
}

impl KernelConfig {
    /// Reads `log=`, `test=` and `bench=`.
    pub fn from_command_line(cmdline: &CommandLine) -> Result<KernelConfig, BadValue> {
        let log_level =
            match cmdline.choice("log", &["off", "error", "warn", "info", "debug", "trace"])? {
                None | Some("info") => LevelFilter::Info,
                Some("off") => LevelFilter::Off,
                Some("error") => LevelFilter::Error,
                Some("warn") => LevelFilter::Warn,
                Some("debug") => LevelFilter::Debug,
                Some(_) => LevelFilter::Trace,
            };
        Ok(KernelConfig {
            log_level,
            test: cmdline.choice("test", TESTS)?,
            bench: cmdline.choice("bench", BENCHMARKS)?,
        })
    }
}
