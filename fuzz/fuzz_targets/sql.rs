//! The SQL engine: parser, planner and executor. The input is a script of statements
//! separated by `;` that runs, as one session, against a small schema created first
//! (two tables with keys and an index, a few rows). Every result set is encoded as the
//! protocol sends it. Errors are answers; a panic or an overflow is a crash.
#![no_main]

use dbserver::sql::{EngineLimits, Value};
use libfuzzer_sys::fuzz_target;
use ring0db_fuzz::{drain, engine_with_schema};

/// Statements run per input at most (each may scan and join the tables).
const MAX_STATEMENTS: usize = 16;

fuzz_target!(|data: &[u8]| {
    let Ok(script) = core::str::from_utf8(data) else {
        return;
    };
    let (mut engine, mut session) = engine_with_schema(EngineLimits {
        // Bounded, so runaway growth is found as an error, not as an out-of-memory.
        max_data_bytes: Some(1 << 20),
        ..EngineLimits::default()
    });
    for statement in script.split(';').take(MAX_STATEMENTS) {
        if let Some(text) = statement.strip_prefix("PREPARE ") {
            // `PREPARE <sql>`: the prepared path with one parameter value per `?`,
            // cycling through the value types.
            if let Ok(prepared) = engine.prepare(&mut session, text) {
                let params: Vec<Value> = (0..prepared.params)
                    .map(|i| match i % 5 {
                        0 => Value::Int(i64::from(i) - 1),
                        1 => Value::Null,
                        2 => Value::Text(b"2".to_vec()),
                        3 => Value::Decimal {
                            mantissa: -125,
                            scale: 2,
                        },
                        _ => Value::Double(0.5),
                    })
                    .collect();
                if let Ok(outcome) = engine.execute_prepared(&mut session, &prepared, &params) {
                    drain(outcome);
                }
            }
            continue;
        }
        if let Ok(outcome) = engine.execute(&mut session, statement) {
            drain(outcome);
        }
    }
    engine.end_session(&mut session);
});
