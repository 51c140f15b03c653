//! Connection and server commands: PING ECHO QUIT AUTH HELLO CLIENT CONFIG COMMAND INFO
//! SELECT DBSIZE FLUSHALL/FLUSHDB.

use super::{eq_ignore_case, wrong_arity, Ctx, COMMANDS, NOT_INTEGER, SYNTAX_ERROR};
use crate::resp::{self, Args, OK};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

/// The Redis version we claim compatibility with (`INFO`, `HELLO`).
pub const REDIS_COMPAT_VERSION: &str = "7.0.0";
/// Our own version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The RESP versions spoken: 2 (the default) and 3 (chosen with `HELLO 3`).
const RESP_VERSIONS: [i64; 2] = [2, 3];

/// `PING [message]`.
pub fn ping(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    if args.len() <= 2 && super::pubsub::subscribed(ctx.client) && !ctx.client.resp3 {
        // In subscribed mode a RESP2 PING answers as a message: `[pong, message]`.
        resp::array_header(ctx.out, 2);
        resp::bulk(ctx.out, b"pong");
        resp::bulk(ctx.out, args.get(1));
        return;
    }
    match args.len() {
        1 => ctx.out.extend_from_slice(b"+PONG\r\n"),
        2 => resp::bulk(ctx.out, args.get(1)),
        _ => wrong_arity(ctx.out, "ping"),
    }
}

/// `ECHO message`.
pub fn echo(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    resp::bulk(ctx.out, args.get(1));
}

/// `QUIT`: `+OK`, then the connection closes.
pub fn quit(ctx: &mut Ctx<'_>, _args: &Args<'_>) {
    ctx.out.extend_from_slice(OK);
    ctx.client.close_after_reply = true;
}

/// `AUTH [username] password`.
pub fn auth(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let (user, pass) = match args.len() {
        2 => (&b"default"[..], args.get(1)),
        3 => (args.get(1), args.get(2)),
        _ => {
            ctx.out.extend_from_slice(SYNTAX_ERROR);
            return;
        }
    };
    if ctx.shared.config.requirepass.is_none() {
        ctx.out.extend_from_slice(
            b"-ERR AUTH <password> called without any password configured for the default user. \
              Are you sure your configuration is correct?\r\n",
        );
        return;
    }
    if check_password(ctx, user, pass) {
        ctx.out.extend_from_slice(OK);
    } else {
        ctx.out.extend_from_slice(
            b"-WRONGPASS invalid username-password pair or user is disabled.\r\n",
        );
    }
}

/// Authenticate the client if `user`/`pass` match; true on success.
fn check_password(ctx: &mut Ctx<'_>, user: &[u8], pass: &[u8]) -> bool {
    let ok = user == b"default"
        && ctx
            .shared
            .config
            .requirepass
            .as_deref()
            .is_none_or(|p| p.as_bytes() == pass);
    if ok {
        ctx.client.authenticated = true;
    }
    ok
}

/// `HELLO [protover [AUTH user pass] [SETNAME name]]`: RESP2 or RESP3.
pub fn hello(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let mut resp3 = ctx.client.resp3;
    if args.len() >= 2 {
        match resp::parse_i64(args.get(1)) {
            None => {
                ctx.out.extend_from_slice(
                    b"-ERR Protocol version is not an integer or out of range\r\n",
                );
                return;
            }
            Some(v) if RESP_VERSIONS.contains(&v) => resp3 = v == 3,
            Some(_) => {
                ctx.out
                    .extend_from_slice(b"-NOPROTO unsupported protocol version\r\n");
                return;
            }
        }
    }
    let mut i = 2;
    let mut name = None;
    while i < args.len() {
        if eq_ignore_case(args.get(i), "auth") && i + 2 < args.len() {
            if !check_password(ctx, args.get(i + 1), args.get(i + 2)) {
                ctx.out.extend_from_slice(
                    b"-WRONGPASS invalid username-password pair or user is disabled.\r\n",
                );
                return;
            }
            i += 3;
        } else if eq_ignore_case(args.get(i), "setname") && i + 1 < args.len() {
            name = Some(args.get(i + 1).to_vec());
            i += 2;
        } else {
            let mut msg = Vec::from(&b"ERR Syntax error in HELLO option '"[..]);
            msg.extend_from_slice(args.get(i));
            msg.push(b'\'');
            resp::error(ctx.out, &msg);
            return;
        }
    }
    if !ctx.client.authenticated {
        ctx.out.extend_from_slice(
            b"-NOAUTH HELLO must be called with the client already authenticated, otherwise the \
              HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and \
              select the RESP protocol version at the same time\r\n",
        );
        return;
    }
    if name.is_some() {
        ctx.client.name = name;
    }
    ctx.client.resp3 = resp3;
    super::pubsub::protocol_changed(ctx);
    let out = &mut *ctx.out;
    resp::array_header(out, 14);
    for (k, v) in [("server", "redis"), ("version", REDIS_COMPAT_VERSION)] {
        resp::bulk(out, k.as_bytes());
        resp::bulk(out, v.as_bytes());
    }
    resp::bulk(out, b"proto");
    resp::integer(out, if resp3 { 3 } else { 2 });
    resp::bulk(out, b"id");
    resp::integer(out, ctx.client.id as i64);
    for (k, v) in [("mode", "standalone"), ("role", "master")] {
        resp::bulk(out, k.as_bytes());
        resp::bulk(out, v.as_bytes());
    }
    resp::bulk(out, b"modules");
    resp::array_header(out, 0);
}

/// `CLIENT SETNAME|GETNAME|ID|SETINFO|INFO ...`.
pub fn client(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let sub = args.get(1);
    if eq_ignore_case(sub, "setname") && args.len() == 3 {
        let name = args.get(2);
        if name.iter().any(|&b| !(b'!'..=b'~').contains(&b)) {
            ctx.out.extend_from_slice(
                b"-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
            );
            return;
        }
        ctx.client.name = (!name.is_empty()).then(|| name.to_vec());
        ctx.out.extend_from_slice(OK);
    } else if eq_ignore_case(sub, "getname") && args.len() == 2 {
        resp::opt_bulk(ctx.out, ctx.client.name.as_deref());
    } else if eq_ignore_case(sub, "id") && args.len() == 2 {
        resp::integer(ctx.out, ctx.client.id as i64);
    } else if eq_ignore_case(sub, "setinfo") && args.len() == 4 {
        ctx.out.extend_from_slice(OK);
    } else {
        unknown_subcommand(ctx.out, sub, "CLIENT");
    }
}

/// Redis's reply to an unknown subcommand.
pub(crate) fn unknown_subcommand(out: &mut Vec<u8>, sub: &[u8], command: &str) {
    let mut msg = Vec::from(&b"ERR unknown subcommand '"[..]);
    msg.extend_from_slice(sub);
    msg.extend_from_slice(b"'. Try ");
    msg.extend_from_slice(command.as_bytes());
    msg.extend_from_slice(b" HELP.");
    resp::error(out, &msg);
}

/// `COMMAND`, `COMMAND COUNT`, `COMMAND DOCS`, `COMMAND INFO`: enough for `redis-cli`.
pub fn command(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let sub = args.get(1);
    if args.len() == 1 || eq_ignore_case(sub, "docs") {
        ctx.out.extend_from_slice(resp::EMPTY_ARRAY);
    } else if eq_ignore_case(sub, "count") {
        resp::integer(ctx.out, COMMANDS.len() as i64);
    } else if eq_ignore_case(sub, "info") {
        resp::array_header(ctx.out, args.len() - 2);
        for _ in args.iter_from(2) {
            ctx.out.extend_from_slice(resp::NULL_ARRAY);
        }
    } else {
        unknown_subcommand(ctx.out, sub, "COMMAND");
    }
}

/// `SELECT index`: only database 0 exists.
pub fn select(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    match resp::parse_i64(args.get(1)) {
        Some(0) => ctx.out.extend_from_slice(OK),
        Some(_) => ctx
            .out
            .extend_from_slice(b"-ERR DB index is out of range\r\n"),
        None => ctx.out.extend_from_slice(NOT_INTEGER),
    }
}

/// `DBSIZE`.
pub fn dbsize(ctx: &mut Ctx<'_>, _args: &Args<'_>) {
    resp::integer(ctx.out, ctx.shared.store.len() as i64);
}

/// `FLUSHALL [ASYNC|SYNC]` and `FLUSHDB [ASYNC|SYNC]`.
pub fn flushall(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let mode_ok = match args.len() {
        1 => true,
        2 => eq_ignore_case(args.get(1), "async") || eq_ignore_case(args.get(1), "sync"),
        _ => false,
    };
    if !mode_ok {
        ctx.out.extend_from_slice(SYNTAX_ERROR);
        return;
    }
    ctx.shared.store.flush();
    ctx.out.extend_from_slice(OK);
}

/// `FUNCTION FLUSH [ASYNC|SYNC]` and `FUNCTION LIST`: the server has no function
/// libraries (no scripting), so a flush has nothing to remove and the list is empty. Clients
/// and Redis's test suite flush functions between tests. `FUNCTION LOAD` and the rest are
/// refused as unknown subcommands.
pub fn function(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let sub = args.get(1);
    if eq_ignore_case(sub, "flush") {
        let mode_ok = match args.len() {
            2 => true,
            3 => eq_ignore_case(args.get(2), "async") || eq_ignore_case(args.get(2), "sync"),
            _ => false,
        };
        if mode_ok {
            ctx.out.extend_from_slice(OK);
        } else {
            ctx.out.extend_from_slice(SYNTAX_ERROR);
        }
    } else if eq_ignore_case(sub, "list") {
        ctx.out.extend_from_slice(resp::EMPTY_ARRAY);
    } else {
        unknown_subcommand(ctx.out, sub, "FUNCTION");
    }
}

/// `INFO [section...]`: server, clients, memory, stats, replication, cpu, platform,
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
