//! Connection and server commands: PING ECHO QUIT AUTH HELLO CLIENT COMMAND SELECT DBSIZE
//! FLUSHALL/FLUSHDB FUNCTION (CONFIG is in `config`, INFO in `info`).

use super::{eq_ignore_case, wrong_arity, Ctx, COMMANDS, NOT_INTEGER, SYNTAX_ERROR};
use crate::resp::{self, Args, OK};
use alloc::vec::Vec;

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
