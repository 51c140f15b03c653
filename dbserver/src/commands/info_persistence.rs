//! `INFO persistence`: the durability log's state, with Redis's AOF field names where
//! they exist.

use super::Ctx;
use alloc::string::String;
use core::fmt::Write;

/// Write the `# Persistence` section.
pub(super) fn write_persistence(ctx: &Ctx<'_>, w: &mut String) -> core::fmt::Result {
    let config = &ctx.shared.config;
    write!(w, "# Persistence\r\nloading:0\r\n")?;
    let Some(log) = &ctx.shared.log else {
        return write!(w, "aof_enabled:0\r\naof_rewrite_in_progress:0\r\n\r\n");
    };
    let status = if log.failure().is_some() { "err" } else { "ok" };
    write!(
        w,
        "aof_enabled:1\r\naof_rewrite_in_progress:0\r\naof_last_write_status:{status}\r\n"
    )?;
    write!(
        w,
        "aof_last_write_error:{}\r\naof_appendfsync:{}\r\n",
        log.failure().unwrap_or(""),
        config.appendfsync
    )?;
    write!(
        w,
        "aof_current_size:{}\r\naof_region_size:{}\r\n",
        log.size(),
        log.capacity()
    )?;
    let s = log.stats;
    write!(
        w,
        "aof_records:{}\r\naof_writes:{}\r\naof_fsyncs:{}\r\naof_replayed_records:{}\r\naof_refused_writes:{}\r\n\r\n",
        s.records, s.writes, s.fsyncs, s.replayed, s.refused
    )
}
