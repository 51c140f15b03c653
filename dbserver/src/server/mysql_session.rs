//! The MySQL session: buffered packets go to the protocol front-end, which runs them on the
//! SQL engine within what the keyspace leaves of `maxmemory`.

use super::conn::{Conn, Protocol};
use super::io::OUTPUT_HIGH_WATER_BYTES;
use super::session::Env;
use crate::sql::EngineLimits;

/// Log bytes a SQL statement's commit is assumed to need when deciding whether the log
/// can take it (a commit bigger than what is left still fails at the write, which closes
/// the connection without acknowledging it).
const SQL_COMMIT_RESERVE_BYTES: usize = 64 * 1024;

/// Feed buffered MySQL packets to the protocol front-end. Returns true when work was held
/// back until the output drains.
pub(super) fn run_mysql(env: &mut Env<'_>, conn: &mut Conn) -> bool {
    let Conn {
        inbuf,
        start,
        end,
        out,
        protocol,
        closing,
        held_from,
        fd,
        ..
    } = conn;
    let Protocol::Mysql(mysql) = protocol else {
        return false;
    };
    if *closing {
        return false;
    }
    // The SQL tables may use what the keyspace leaves of `maxmemory`.
    let config = &env.shared.config;
    let max_data_bytes = (config.maxmemory != 0).then(|| {
        config
            .maxmemory
            .saturating_sub(env.shared.store.used_bytes())
    });
    env.shared.sql.set_limits(EngineLimits {
        max_nesting_depth: config.sql_max_nesting_depth,
        max_data_bytes,
    });
    // The log refuses what it cannot take: the engine answers 1021 before a write runs.
    if let Some(log) = &env.shared.log {
        let refusal = log.refusal(SQL_COMMIT_RESERVE_BYTES);
        env.shared.sql.refuse_durable_writes(refusal);
    }
    let before = out.len();
    let progress = mysql.process(
        &inbuf[*start..*end],
        &mut env.shared.sql,
        env.sql_settings,
        out,
        OUTPUT_HIGH_WATER_BYTES,
    );
    *start = (*start + progress.consumed).min(*end);
    if progress.close {
        *closing = true;
    }
    // Committed transactions go to the log; the replies wait for its commit.
    if let Some(log) = env.shared.log.as_mut() {
        for payload in env.shared.sql.take_committed() {
            log.push_sql(&payload);
        }
        if held_from.is_none() && log.has_pending() {
            *held_from = Some(before);
            env.held.push(*fd);
        }
    }
    progress.held_back
}
