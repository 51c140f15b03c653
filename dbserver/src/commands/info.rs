//! `INFO`: the server's sections (server, clients, memory, persistence, stats, replication, cpu, platform,
//! commandstats, keyspace) as Redis writes them.

use super::admin::{REDIS_COMPAT_VERSION, VERSION};
use super::{eq_ignore_case, Ctx, COMMANDS};
use crate::resp::{self, Args};
use alloc::string::String;
use core::fmt::Write;

/// `INFO [section...]`: server, clients, memory, persistence, stats, replication, cpu, platform,
/// commandstats, keyspace.
pub fn info(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let wanted = |section: &str| {
        (args.len() == 1 && section != "commandstats")
            || args.iter_from(1).any(|a| {
                eq_ignore_case(a, section)
                    || eq_ignore_case(a, "all")
                    || eq_ignore_case(a, "everything")
                    || (eq_ignore_case(a, "default") && section != "commandstats")
            })
    };
    let mut text = String::new();
    // Writing to a String cannot fail.
    let _ = write_info(ctx, &wanted, &mut text);
    resp::bulk(ctx.out, text.as_bytes());
}

fn write_info(ctx: &Ctx<'_>, wanted: &dyn Fn(&str) -> bool, w: &mut String) -> core::fmt::Result {
    /// Milliseconds per second and seconds per day.
    const MS_PER_SEC: u64 = 1000;
    const SECS_PER_DAY: u64 = 86_400;
    let (shared, stats) = (&*ctx.shared, &ctx.shared.stats);
    let uptime_s = ctx.now_ms.saturating_sub(stats.start_ms) / MS_PER_SEC;
    if wanted("server") {
        write!(
            w,
            "# Server\r\nredis_version:{REDIS_COMPAT_VERSION}\r\nserver_name:ring0db-dbserver\r\n"
        )?;
        write!(
            w,
            "ring0db_version:{VERSION}\r\nredis_mode:standalone\r\ntcp_port:{}\r\n",
            shared.config.port
        )?;
        write!(
            w,
            "uptime_in_seconds:{uptime_s}\r\nuptime_in_days:{}\r\n\r\n",
            uptime_s / SECS_PER_DAY
        )?;
    }
    if wanted("clients") {
        write!(
            w,
            "# Clients\r\nconnected_clients:{}\r\nmaxclients:{}\r\n",
            ctx.connected_clients, shared.config.maxclients
        )?;
        write!(
            w,
            "blocked_clients:{}\r\n\r\n",
            shared.store.blocked_clients
        )?;
    }
    if wanted("memory") {
        write!(
            w,
            "# Memory\r\nused_memory:{}\r\nmaxmemory:{}\r\n",
            shared.used_memory(),
            shared.config.maxmemory
        )?;
        write!(w, "maxmemory_policy:noeviction\r\n\r\n")?;
    }
    if wanted("persistence") {
        super::info_persistence::write_persistence(ctx, w)?;
    }
    if wanted("stats") {
        write!(
            w,
            "# Stats\r\ntotal_connections_received:{}\r\n",
            stats.total_connections_received
        )?;
        write!(
            w,
            "total_commands_processed:{}\r\n",
            stats.total_commands_processed
        )?;
        write!(
            w,
            "rejected_connections:{}\r\nexpired_keys:{}\r\n",
            stats.rejected_connections,
            shared.store.expired_keys()
        )?;
        write!(w, "total_error_replies:{}\r\n", stats.total_error_replies)?;
        write!(w, "unknown_commands:{}\r\n", stats.unknown_commands)?;
        write!(
            w,
            "client_output_buffer_limit_disconnections:{}\r\ntimedout_clients:{}\r\n",
            stats.client_output_buffer_limit_disconnections, stats.timedout_clients
        )?;
        write!(w, "protocol_errors:{}\r\n\r\n", stats.protocol_errors)?;
    }
    if wanted("replication") {
        // No replication: always a master without replicas, at offset 0.
        w.push_str("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n");
        w.push_str("master_repl_offset:0\r\n\r\n");
    }
    if wanted("cpu") {
        write_cpu(ctx, w)?;
    }
    if wanted("platform") {
        w.push_str("# Platform\r\n");
        let mut sink = |name: &str, value: u64| {
            let _ = write!(w, "{name}:{value}\r\n");
        };
        ctx.sys.platform_stats(&mut sink);
        w.push_str("\r\n");
    }
    if wanted("commandstats") {
        w.push_str("# Commandstats\r\n");
        let counts = stats
            .calls
            .iter()
            .zip(&stats.rejected_calls)
            .zip(&stats.failed_calls);
        for (cmd, ((calls, rejected), failed)) in COMMANDS.iter().zip(counts) {
            if calls + rejected + failed > 0 {
                write!(
                    w,
                    "cmdstat_{}:calls={calls},rejected_calls={rejected},failed_calls={failed}\r\n",
                    cmd.name
                )?;
            }
        }
        w.push_str("\r\n");
    }
    if wanted("keyspace") {
        w.push_str("# Keyspace\r\n");
        if !shared.store.is_empty() {
            write!(
                w,
                "db0:keys={},expires={},avg_ttl=0\r\n",
                shared.store.len(),
                shared.store.keys_with_expiry()
            )?;
        }
    }
    Ok(())
}

/// Redis's `cpu` section from the platform's accounting: `user_cpu_ns`/`system_cpu_ns`
/// (Linux, getrusage) or `user_cycles`/`system_cycles` over `tsc_hz` (the image's TSC
/// accounting). One thread, no children.
fn write_cpu(ctx: &Ctx<'_>, w: &mut String) -> core::fmt::Result {
    /// Nanoseconds per second.
    const NS_PER_SEC: f64 = 1e9;
    let (mut user_ns, mut sys_ns, mut user_cycles, mut sys_cycles, mut hz) =
        (None, None, None, None, None);
    ctx.sys.platform_stats(&mut |name: &str, value: u64| {
        let slot = match name {
            "user_cpu_ns" => &mut user_ns,
            "system_cpu_ns" => &mut sys_ns,
            "user_cycles" => &mut user_cycles,
            "system_cycles" => &mut sys_cycles,
            "tsc_hz" => &mut hz,
            _ => return,
        };
        *slot = Some(value as f64);
    });
    let seconds = |ns: Option<f64>, cycles: Option<f64>| match (ns, cycles, hz) {
        (Some(ns), _, _) => ns / NS_PER_SEC,
        (None, Some(c), Some(hz)) if hz > 0.0 => c / hz,
        _ => 0.0,
    };
    let (user, sys) = (seconds(user_ns, user_cycles), seconds(sys_ns, sys_cycles));
    write!(
        w,
        "# CPU\r\nused_cpu_sys:{sys:.6}\r\nused_cpu_user:{user:.6}\r\n"
    )?;
    w.push_str("used_cpu_sys_children:0.000000\r\nused_cpu_user_children:0.000000\r\n");
    write!(
        w,
        "used_cpu_sys_main_thread:{sys:.6}\r\nused_cpu_user_main_thread:{user:.6}\r\n\r\n"
    )
}
