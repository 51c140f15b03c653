//! The MySQL session: buffered packets go to the protocol front-end, which runs them on the
//! SQL engine within what the keyspace leaves of `maxmemory`.

use super::conn::{Conn, Protocol};
use super::io::OUTPUT_HIGH_WATER_BYTES;
use super::session::Env;
use crate::sql::EngineLimits;

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
    progress.held_back
}
