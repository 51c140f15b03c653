//! A `log` backend printing `[  12.345678 LEVEL target] message` lines to the console.

use log::{LevelFilter, Log, Metadata, Record};

struct SerialLogger;

static LOGGER: SerialLogger = SerialLogger;

/// Installs the logger at `level`.
pub fn init(level: LevelFilter) {
    // A second call only fails with SetLoggerError, which leaves the first logger.
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(level);
}

/// Changes the level (the command line is parsed after the first messages).
pub fn set_level(level: LevelFilter) {
    log::set_max_level(level);
}

impl Log for SerialLogger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let us = crate::time::uptime_ns() / 1_000;
        super::write_fmt(format_args!(
            "[{:>5}.{:06} {:<5} {}] {}\n",
            us / 1_000_000,
            us % 1_000_000,
            record.level(),
            record.target().trim_start_matches("ring0db_kernel::"),
            record.args()
        ));
    }

    fn flush(&self) {}
}
