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
    /// `profile=HZ`: the sampling profiler's rate.
    pub profile_hz: Option<u32>,
}

impl KernelConfig {
    /// Reads `log=`, `test=`, `bench=` and `profile=`.
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
            profile_hz: crate::profile::rate_from_command_line(cmdline)?,
        })
    }
}
