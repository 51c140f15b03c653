//! The dispatcher: finds a request's command and runs it after the checks every command
//! goes through (arity, authentication, subscribed mode, `maxmemory`, `MULTI` queueing).

use super::args::wrong_arity;
use super::table::{COMMANDS, DENY_OOM, NO_AUTH, PUBSUB_OK, TX_CONTROL};
use super::{logging, multi, pubsub, reply_shapes, Ctx};
use crate::resp::{self, Args};
use alloc::vec::Vec;
use hashbrown::HashMap;

/// Longest command name looked up (longer names are unknown).
const MAX_NAME_LEN: usize = 16;

/// Finds commands by name.
pub struct Dispatcher {
    by_name: HashMap<&'static [u8], usize>,
    /// By command index: the command changes the data set (is logged).
    writes: Vec<bool>,
}

impl Default for Dispatcher {
    fn default() -> Self {
        let by_name = COMMANDS
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.as_bytes(), i))
            .collect();
        let writes = COMMANDS
            .iter()
            .map(|c| logging::is_write(c.name.as_bytes()))
            .collect();
        Self { by_name, writes }
    }
}

impl Dispatcher {
    /// Run one request (`args` non-empty) and append its reply to `ctx.out`.
    pub fn execute(&self, ctx: &mut Ctx<'_>, args: &Args<'_>) {
        let before = ctx.out.len();
        self.dispatch(ctx, args);
        if !ctx.client.in_exec {
            logging::seal(ctx);
        }
        if ctx.client.resp3 {
            if let Some(command) = self.lookup(args.get(0)).and_then(|i| COMMANDS.get(i)) {
                let shape = reply_shapes::shape(command.name, args);
                resp::resp3::rewrite(ctx.out, before, shape);
            } else {
                resp::resp3::rewrite(ctx.out, before, resp::resp3::Shape::Plain);
            }
        }
        if ctx.out.get(before) == Some(&b'-') {
            ctx.shared.stats.total_error_replies += 1;
        }
    }

    fn dispatch(&self, ctx: &mut Ctx<'_>, args: &Args<'_>) {
        let name = args.get(0);
        let Some(index) = self.lookup(name) else {
            multi::fail(ctx);
            unknown_command(ctx.out, args);
            log_unknown_command(ctx, name);
            return;
        };
        let Some(command) = COMMANDS.get(index) else {
            return;
        };
        let argc = args.len();
        let arity_ok = match usize::try_from(command.arity) {
            Ok(exact) => argc == exact,
            Err(_) => argc >= command.arity.unsigned_abs() as usize,
        };
        if !arity_ok {
            multi::fail(ctx);
            wrong_arity(ctx.out, command.name);
            ctx.shared.stats.count_rejected(index);
            return;
        }
        if !ctx.client.authenticated && command.flags & NO_AUTH == 0 {
            multi::fail(ctx);
            ctx.out
                .extend_from_slice(b"-NOAUTH Authentication required.\r\n");
            ctx.shared.stats.count_rejected(index);
            return;
        }
        if command.flags & PUBSUB_OK == 0 && pubsub::subscribed(ctx.client) {
            pubsub::not_allowed(ctx.out, command.name);
            ctx.shared.stats.count_rejected(index);
            return;
        }
        let maxmemory = ctx.shared.config.maxmemory;
        if command.flags & DENY_OOM != 0 && maxmemory != 0 && ctx.shared.used_memory() > maxmemory {
            multi::fail(ctx);
            ctx.out
                .extend_from_slice(b"-OOM command not allowed when used memory > 'maxmemory'.\r\n");
            ctx.shared.stats.count_rejected(index);
            return;
        }
        let before = ctx.out.len();
        if command.flags & TX_CONTROL != 0 && command.name == "exec" {
            let writes = match ctx.shared.log {
                Some(_) => multi::queued_write_bytes(ctx.client, logging::is_write),
                None => 0,
            };
            if writes > 0 && logging::refuse(ctx, writes) {
                multi::discard_queued(ctx);
            } else {
                multi::exec(self, ctx);
            }
        } else if ctx.client.multi.is_some() && command.flags & TX_CONTROL == 0 {
            multi::queue(ctx, args);
            return;
        } else if !self.is_write(index) || ctx.shared.log.is_none() {
            (command.handler)(ctx, args);
        } else if logging::refuse(ctx, logging::payload_bytes(args)) {
            ctx.shared.stats.count_rejected(index);
            return;
        } else {
            (command.handler)(ctx, args);
            logging::record(ctx, command.name, args, before);
        }
        ctx.shared.stats.count_command(index);
        if ctx.out.get(before) == Some(&b'-') {
            ctx.shared.stats.count_failed(index);
        }
    }

    fn is_write(&self, index: usize) -> bool {
        self.writes.get(index).copied().unwrap_or(false)
    }

    fn lookup(&self, name: &[u8]) -> Option<usize> {
        let mut lower = [0u8; MAX_NAME_LEN];
        let dst = lower.get_mut(..name.len())?;
        for (d, s) in dst.iter_mut().zip(name) {
            *d = s.to_ascii_lowercase();
        }
        self.by_name.get(&*dst).copied()
    }
}

/// Redis's reply to an unknown command: the name and up to 128 bytes of arguments.
fn unknown_command(out: &mut Vec<u8>, args: &Args<'_>) {
    /// Redis quotes at most this many bytes of the name and of the arguments.
    const QUOTE_MAX: usize = 128;
    let mut msg = Vec::new();
    msg.extend_from_slice(b"ERR unknown command '");
    let name = args.get(0);
    msg.extend_from_slice(&name[..name.len().min(QUOTE_MAX)]);
    msg.extend_from_slice(b"', with args beginning with: ");
    let mut quoted = 0;
    for arg in args.iter_from(1) {
        if quoted >= QUOTE_MAX {
            break;
        }
        let take = arg.len().min(QUOTE_MAX - quoted);
        msg.push(b'\'');
        msg.extend_from_slice(&arg[..take]);
        msg.extend_from_slice(b"' ");
        quoted += take + 3;
    }
    resp::error(out, &msg);
}

/// Log the first few unknown command names (to see what clients expect), never more.
fn log_unknown_command(ctx: &mut Ctx<'_>, name: &[u8]) {
    /// Unknown commands logged per server run.
    const LOG_LIMIT: u64 = 16;
    /// Bytes of the name logged.
    const NAME_MAX: usize = 64;
    let stats = &mut ctx.shared.stats;
    stats.unknown_commands += 1;
    if stats.unknown_commands > LOG_LIMIT {
        return;
    }
    let shown: alloc::string::String = name
        .iter()
        .take(NAME_MAX)
        .map(|&b| if b.is_ascii_graphic() { b as char } else { '?' })
        .collect();
    ctx.sys
        .log(&alloc::format!("dbserver: unknown command '{shown}'\n"));
}
