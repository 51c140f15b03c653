//! The MySQL protocol front-end with the real SQL engine behind it: packet framing, the
//! handshake and authentication, and the command phase (COM_QUERY, prepared statements,
//! streamed result sets), as the server's event loop drives a `MysqlConn`: input arrives
//! in chunks, consumed bytes are dropped, output is "sent" between calls, and a held-back
//! connection is called again once its output drained.
//!
//! The first input byte picks the mode:
//! - bits 0-3: chunk size (1 << n bytes, at most 4096);
//! - bit 4: a password is required (`pw`);
//! - bit 5: a tiny output high-water mark and `max_allowed_packet` (1024);
//! - bit 6: the harness logs in first (HandshakeResponse41 with the right scramble and
//!   database `fz`), so the rest of the input is command-phase bytes;
//! - bit 7: the rest is `[len][payload]...`, each payload framed by the harness as a
//!   packet with sequence id 0 (one command each).
#![no_main]

use dbserver::mysql::consts::{
    CLIENT_CONNECT_WITH_DB, CLIENT_LONG_PASSWORD, CLIENT_PLUGIN_AUTH,
    CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA, CLIENT_PROTOCOL_41, CLIENT_SECURE_CONNECTION,
};
use dbserver::mysql::handshake::{make_salt, native_scramble};
use dbserver::mysql::wire::{put_lenenc_bytes, put_nul_terminated, put_u24, put_u32};
use dbserver::mysql::{MysqlConn, ProtocolSettings, DEFAULT_MAX_ALLOWED_PACKET};
use dbserver::sql::EngineLimits;
use libfuzzer_sys::fuzz_target;
use ring0db_fuzz::{engine_with_schema, DATABASE};

const CONNECTION_ID: u32 = 7;
const SALT_SEED: u64 = 0x5eed;
const PASSWORD: &str = "pw";
/// Calls of `process` per input at most; more means the connection does not progress.
const MAX_ROUNDS: usize = 100_000;

fn packet(out: &mut Vec<u8>, seq: u8, payload: &[u8]) {
    put_u24(out, payload.len() as u32);
    out.push(seq);
    out.extend_from_slice(payload);
}

/// A HandshakeResponse41 as libmysqlclient sends it.
fn login(password: Option<&str>) -> Vec<u8> {
    let salt = make_salt(SALT_SEED, CONNECTION_ID);
    let scramble = password.map_or_else(Vec::new, |p| native_scramble(p.as_bytes(), &salt));
    let mut p = Vec::new();
    put_u32(
        &mut p,
        CLIENT_PROTOCOL_41
            | CLIENT_LONG_PASSWORD
            | CLIENT_SECURE_CONNECTION
            | CLIENT_PLUGIN_AUTH
            | CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA
            | CLIENT_CONNECT_WITH_DB,
    );
    put_u32(&mut p, 1 << 24);
    p.push(45);
    p.extend_from_slice(&[0; 23]);
    put_nul_terminated(&mut p, b"root");
    put_lenenc_bytes(&mut p, &scramble);
    put_nul_terminated(&mut p, DATABASE.as_bytes());
    put_nul_terminated(&mut p, b"mysql_native_password");
    let mut framed = Vec::new();
    packet(&mut framed, 1, &p);
    framed
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let chunk = 1usize << (mode & 0x0f).min(12);
    let password = (mode & 0x10 != 0).then_some(PASSWORD);
    let small = mode & 0x20 != 0;
    let settings = ProtocolSettings {
        password: password.map(String::from),
        max_allowed_packet: if small {
            1024
        } else {
            DEFAULT_MAX_ALLOWED_PACKET
        },
    };
    let high_water = if small { 64 } else { 64 * 1024 };
    let mut input = Vec::new();
    if mode & 0x40 != 0 {
        input.extend_from_slice(&login(password));
    }
    if mode & 0x80 != 0 {
        let mut rest = rest;
        while let Some((&len, tail)) = rest.split_first() {
            let (payload, tail) = tail.split_at(usize::from(len).min(tail.len()));
            packet(&mut input, 0, payload);
            rest = tail;
        }
    } else {
        input.extend_from_slice(rest);
    }

    let (mut engine, _) = engine_with_schema(EngineLimits {
        max_data_bytes: Some(1 << 20),
        ..EngineLimits::default()
    });
    let mut out = Vec::new();
    let mut conn = MysqlConn::new(CONNECTION_ID, SALT_SEED, &mut out);
    out.clear();
    // Bytes received and not yet consumed.
    let mut pending: Vec<u8> = Vec::new();
    let mut rounds = 0;
    'conn: for piece in input.chunks(chunk) {
        pending.extend_from_slice(piece);
        loop {
            rounds += 1;
            assert!(
                rounds < MAX_ROUNDS,
                "the connection stopped making progress"
            );
            let progress = conn.process(&pending, &mut engine, &settings, &mut out, high_water);
            assert!(progress.consumed <= pending.len());
            pending.drain(..progress.consumed);
            // The output is sent.
            out.clear();
            if progress.close {
                break 'conn;
            }
            if !progress.held_back {
                break;
            }
        }
    }
    conn.close(&mut engine);
});
