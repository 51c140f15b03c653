//! The RESP parser and the command dispatcher behind it, as the server's event loop
//! drives them: requests arrive in chunks (the first input byte picks the chunk size),
//! every complete request runs against one keyspace, a protocol error ends the
//! connection, a parked blocking command is retried at its deadline. Any panic,
//! overflow or runaway allocation is a crash.
#![no_main]

use dbserver::commands::{
    blocked_deadline, client_closed, retry_blocked, Client, Ctx, Dispatcher, Shared, COMMANDS,
};
use dbserver::resp::{Limits, Parser};
use dbserver::sql::{Engine, EngineLimits};
use dbserver::stats::Stats;
use dbserver::store::Store;
use dbserver::Config;
use libfuzzer_sys::fuzz_target;
use ring0db_fuzz::NoSockets;

/// Small limits so the fuzzer reaches them: `proto-max-bulk-len`, query buffer.
const MAX_BULK_LEN: usize = 4096;
const MAX_QUERY_BUFFER: usize = 8192;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, input)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(mode & 0x3f) + 1;
    let config = Config {
        max_bulk_len: MAX_BULK_LEN,
        max_query_buffer: MAX_QUERY_BUFFER,
        // Bit 6: a password is required, so the unauthenticated limits apply first.
        requirepass: (mode & 0x40 != 0).then(|| "secret".into()),
        // Bit 7: a tiny maxmemory, so DENY_OOM commands are refused once data exists.
        maxmemory: if mode & 0x80 != 0 { 64 } else { 0 },
        ..Config::default()
    };
    let mut shared = Shared {
        store: Store::new(),
        config,
        stats: Stats::new(0, COMMANDS.len()),
        sql: Engine::new(EngineLimits::default()),
        // No durability log: the target fuzzes the parser and the commands.
        log: None,
    };
    let dispatcher = Dispatcher::default();
    let mut client = Client {
        id: 1,
        authenticated: mode & 0x40 == 0,
        ..Client::default()
    };
    let mut parser = Parser::default();
    let mut out = Vec::new();
    let mut now_ms = 1_000;
    // Bytes `start..end` of the input have arrived and are not yet processed.
    let (mut start, mut end) = (0, 0);
    'conn: while end < input.len() {
        end = (end + chunk).min(input.len());
        while start < end && !client.close_after_reply {
            let limits = Limits {
                max_bulk_len: shared.config.max_bulk_len,
                unauthenticated: !client.authenticated,
            };
            let buf = &input[start..end];
            match parser.parse(buf, &limits) {
                Ok(None) => {
                    if buf.len() > shared.config.max_query_buffer {
                        break 'conn;
                    }
                    break;
                }
                Ok(Some(n)) => {
                    assert!(n > 0 && n <= buf.len(), "consumed {n} of {}", buf.len());
                    let args = parser.args(buf);
                    if !args.is_empty() {
                        let before = out.len();
                        let mut ctx = Ctx {
                            shared: &mut shared,
                            client: &mut client,
                            sys: &NoSockets,
                            now_ms,
                            connected_clients: 1,
                            out: &mut out,
                        };
                        dispatcher.execute(&mut ctx, &args);
                        if client.blocked.is_some() {
                            // Parked (BLPOP on an empty list, ...): no other client can
                            // push, so only its deadline ends it, as the event loop would.
                            let Some(deadline) = blocked_deadline(&client) else {
                                break 'conn;
                            };
                            now_ms = now_ms.max(deadline);
                            let mut ctx = Ctx {
                                shared: &mut shared,
                                client: &mut client,
                                sys: &NoSockets,
                                now_ms,
                                connected_clients: 1,
                                out: &mut out,
                            };
                            assert!(retry_blocked(&dispatcher, &mut ctx), "still parked");
                        }
                        assert!(out.len() > before, "a request got no reply");
                    }
                    start += n;
                    // Time passes, so keys with a TTL expire.
                    now_ms += 7;
                    shared.store.expire_due(now_ms, 10);
                }
                Err(_) => break 'conn,
            }
        }
        if client.close_after_reply {
            break;
        }
        // The replies are "sent".
        out.clear();
    }
    // The connection goes away: a parked request and WATCHed keys are released.
    client_closed(&mut shared, &mut client);
    assert_eq!(
        shared.store.blocked_clients, 0,
        "a parked request outlived its client"
    );
    let _ = shared.used_memory();
});
