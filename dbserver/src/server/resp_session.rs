//! The RESP session: parse every complete request in the input buffer and execute it,
//! holding back when output piles up; a malformed request gets a protocol error and the
//! connection closes after the reply.

use super::conn::{Conn, Protocol};
use super::io::OUTPUT_HIGH_WATER_BYTES;
use super::session::Env;
use crate::commands::{Client, Ctx};
use crate::resp::Limits;
use crate::sys::Fd;
use alloc::format;
use alloc::vec::Vec;

/// Parse and execute every complete request in the input buffer. Returns true when
/// requests were held back because too much output is pending.
pub(super) fn run_requests(env: &mut Env<'_>, conn: &mut Conn) -> bool {
    let Conn {
        inbuf,
        start,
        end,
        out,
        out_pos,
        protocol,
        held_from,
        fd,
        ..
    } = conn;
    let Protocol::Resp { parser, client } = protocol else {
        return false;
    };
    let mut held_back = false;
    while *start < *end && !client.close_after_reply && client.blocked.is_none() {
        if out.len() - *out_pos > OUTPUT_HIGH_WATER_BYTES {
            held_back = true;
            break;
        }
        let limits = Limits {
            max_bulk_len: env.shared.config.max_bulk_len,
            unauthenticated: !client.authenticated,
        };
        let buf = &inbuf[*start..*end];
        match parser.parse(buf, &limits) {
            Ok(None) => {
                if buf.len() > env.shared.config.max_query_buffer {
                    protocol_error(
                        env,
                        out,
                        client,
                        "query buffer exceeds client-query-buffer-limit",
                    );
                }
                break;
            }
            Ok(Some(n)) => {
                let args = parser.args(buf);
                let before = out.len();
                if !args.is_empty() {
                    let mut ctx = Ctx {
                        shared: env.shared,
                        client,
                        sys: env.sys,
                        now_ms: env.now_ms,
                        connected_clients: env.connected,
                        out,
                    };
                    env.dispatcher.execute(&mut ctx, &args);
                }
                hold_for_log(env, held_from, *fd, before);
                *start += n;
            }
            Err(e) => {
                protocol_error(env, out, client, &format!("{e}"));
                break;
            }
        }
    }
    held_back
}

/// Once the log has records waiting for this round, every reply from then on (to the
/// writes, and to reads that may have seen them) waits for the log's commit.
fn hold_for_log(env: &mut Env<'_>, held_from: &mut Option<usize>, fd: Fd, before: usize) {
    if held_from.is_none() && env.shared.log.as_ref().is_some_and(|l| l.has_pending()) {
        *held_from = Some(before);
        env.held.push(fd);
    }
}

/// Reply `-ERR Protocol error: <msg>` and close once it is sent.
fn protocol_error(env: &mut Env<'_>, out: &mut Vec<u8>, client: &mut Client, msg: &str) {
    out.extend_from_slice(b"-ERR Protocol error: ");
    out.extend_from_slice(msg.as_bytes());
    out.extend_from_slice(b"\r\n");
    client.close_after_reply = true;
    env.shared.stats.protocol_errors += 1;
}
