//! Connection-level tests: a scripted client against [`MysqlConn`].

use super::consts::*;
use super::handshake::native_scramble;
use super::packet::{read_frame, write_packet, MAX_PAYLOAD};
use super::wire::{put_lenenc_bytes, put_nul_terminated, put_u32, put_u64, Reader};
use super::*;
use crate::sql::Engine;
use alloc::string::{String, ToString};
use alloc::vec;

/// Output high-water mark used by most tests.
const HIGH_WATER: usize = 1 << 20;

fn frame(seq: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut s = seq;
    write_packet(&mut out, &mut s, |p| p.extend_from_slice(payload));
    out
}

/// Split a server's output into (sequence id, payload).
fn packets(mut out: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut v = Vec::new();
    while !out.is_empty() {
        let seq = out[3];
        let f = read_frame(out, seq, usize::MAX).unwrap().unwrap();
        v.push((seq, f.payload.into_owned()));
        out = &out[f.consumed..];
    }
    v
}

fn err_code(payload: &[u8]) -> Option<u16> {
    (payload.first() == Some(&0xFF)).then(|| u16::from_le_bytes([payload[1], payload[2]]))
}

struct Client {
    conn: MysqlConn,
    engine: Engine,
    settings: ProtocolSettings,
    salt: Vec<u8>,
}

impl Client {
    fn new(password: Option<&str>) -> (Self, Vec<u8>) {
        let mut out = Vec::new();
        let conn = MysqlConn::new(7, 0x1234_5678, &mut out);
        let p = packets(&out);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].0, 0);
        let hs = &p[0].1;
        let mut r = Reader::new(hs);
        r.u8().unwrap();
        r.nul_terminated().unwrap();
        r.u32().unwrap();
        let mut salt = r.bytes(8).unwrap().to_vec();
        r.bytes(1 + 2 + 1 + 2 + 2 + 1 + 10).unwrap();
        salt.extend_from_slice(r.nul_terminated().unwrap());
        assert_eq!(salt.len(), 20);
        let settings = ProtocolSettings {
            password: password.map(str::to_string),
            ..ProtocolSettings::default()
        };
        let c = Self {
            conn,
            engine: Engine::default(),
            settings,
            salt,
        };
        (c, out)
    }

    fn feed(&mut self, input: &[u8]) -> (Progress, Vec<u8>) {
        let mut out = Vec::new();
        let p = self.conn.process(
            input,
            &mut self.engine,
            &self.settings,
            &mut out,
            HIGH_WATER,
        );
        (p, out)
    }

    /// Send `input` whole; expect it consumed and return the reply packets.
    fn send(&mut self, input: &[u8]) -> (Progress, Vec<(u8, Vec<u8>)>) {
        let (p, out) = self.feed(input);
        assert_eq!(p.consumed, input.len());
        (p, packets(&out))
    }

    fn login(password: Option<&str>) -> Self {
        let (mut c, _) = Self::new(password);
        let scramble = native_scramble(password.unwrap_or("").as_bytes(), &c.salt);
        let resp = handshake_response(b"root", &scramble, None, b"mysql_native_password");
        let (p, r) = c.send(&frame(1, &resp));
        assert!(!p.close);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].0, 2);
        assert_eq!(r[0].1[0], 0, "OK expected: {:?}", r[0].1);
        c
    }

    fn command(&mut self, cmd: u8, body: &[u8]) -> Vec<(u8, Vec<u8>)> {
        let mut payload = vec![cmd];
        payload.extend_from_slice(body);
        let (p, r) = self.send(&frame(0, &payload));
        assert!(!p.close);
        assert!(!p.held_back);
        r
    }

    fn query(&mut self, sql: &str) -> Vec<(u8, Vec<u8>)> {
        self.command(COM_QUERY, sql.as_bytes())
    }
}

fn client_caps() -> u32 {
    CLIENT_PROTOCOL_41
        | CLIENT_LONG_PASSWORD
        | CLIENT_SECURE_CONNECTION
        | CLIENT_PLUGIN_AUTH
        | CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA
        | CLIENT_CONNECT_WITH_DB
        | CLIENT_CONNECT_ATTRS
        | CLIENT_TRANSACTIONS
}

fn handshake_response(user: &[u8], auth: &[u8], db: Option<&[u8]>, plugin: &[u8]) -> Vec<u8> {
    let mut caps = client_caps();
    if db.is_none() {
        caps &= !CLIENT_CONNECT_WITH_DB;
    }
    let mut p = Vec::new();
    put_u32(&mut p, caps);
    put_u32(&mut p, 1 << 24);
    p.push(45);
    p.extend_from_slice(&[0; 23]);
    put_nul_terminated(&mut p, user);
    put_lenenc_bytes(&mut p, auth);
    if let Some(db) = db {
        put_nul_terminated(&mut p, db);
    }
    put_nul_terminated(&mut p, plugin);
    let mut attrs = Vec::new();
    put_lenenc_bytes(&mut attrs, b"_client_name");
    put_lenenc_bytes(&mut attrs, b"test");
    put_lenenc_bytes(&mut p, &attrs);
    p
}

#[test]
fn handshake_correct_password() {
    let mut c = Client::login(Some("s3cret"));
    let r = c.command(COM_PING, b"");
    assert_eq!(r, vec![(1, vec![0, 0, 0, 2, 0, 0, 0])]);
}

#[test]
fn handshake_wrong_password() {
    let (mut c, _) = Client::new(Some("s3cret"));
    let scramble = native_scramble(b"wrong", &c.salt);
    let resp = handshake_response(b"bob", &scramble, None, b"mysql_native_password");
    let (p, r) = c.send(&frame(1, &resp));
    assert!(p.close);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].0, 2);
    assert_eq!(err_code(&r[0].1), Some(1045));
    assert_eq!(
        &r[0].1[3..],
        b"#28000Access denied for user 'bob'@'localhost' (using password: YES)"
    );
    // No password at all.
    let (mut c, _) = Client::new(Some("s3cret"));
    let resp = handshake_response(b"bob", b"", None, b"mysql_native_password");
    let (p, r) = c.send(&frame(1, &resp));
    assert!(p.close);
    assert!(r[0].1.ends_with(b"(using password: NO)"));
}

#[test]
fn any_password_without_configured_one() {
    let (mut c, _) = Client::new(None);
    let resp = handshake_response(b"x", b"whatever", None, b"caching_sha2_password");
    let (p, r) = c.send(&frame(1, &resp));
    assert!(!p.close);
    assert_eq!(r[0].1[0], 0);
}

#[test]
fn auth_switch() {
    let (mut c, _) = Client::new(Some("pw"));
    let resp = handshake_response(b"root", &[1; 32], None, b"caching_sha2_password");
    let (p, r) = c.send(&frame(1, &resp));
    assert!(!p.close);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].0, 2);
    let mut expected = vec![0xFE];
    expected.extend_from_slice(b"mysql_native_password\0");
    expected.extend_from_slice(&c.salt);
    expected.push(0);
    assert_eq!(r[0].1, expected);
    let scramble = native_scramble(b"pw", &c.salt);
    let (p, r) = c.send(&frame(3, &scramble));
    assert!(!p.close);
    assert_eq!(r[0].0, 4);
    assert_eq!(r[0].1[0], 0);
    assert_eq!(c.command(COM_PING, b"")[0].1[0], 0);

    // A wrong switch response is denied.
    let (mut c, _) = Client::new(Some("pw"));
    let resp = handshake_response(b"root", &[1; 32], None, b"caching_sha2_password");
    c.send(&frame(1, &resp));
    let (p, r) = c.send(&frame(3, &[7; 20]));
    assert!(p.close);
    assert_eq!(err_code(&r[0].1), Some(1045));
}

#[test]
fn handshake_with_unknown_database_closes() {
    let (mut c, _) = Client::new(None);
    let resp = handshake_response(b"root", b"", Some(b"nosuchdb"), b"mysql_native_password");
    let (p, r) = c.send(&frame(1, &resp));
    assert!(p.close);
    assert!(err_code(&r[0].1).is_some());
}

#[test]
fn bad_handshakes() {
    // Pre-4.1 client.
    let (mut c, _) = Client::new(None);
    let mut old = handshake_response(b"root", b"", None, b"");
    old[1] &= !((CLIENT_PROTOCOL_41 >> 8) as u8);
    let (p, r) = c.send(&frame(1, &old));
    assert!(p.close);
    assert_eq!(err_code(&r[0].1), Some(1043));
    assert_eq!(&r[0].1[3..], b"#08S01Bad handshake");
    // SSLRequest.
    let (mut c, _) = Client::new(None);
    let mut ssl = Vec::new();
    put_u32(&mut ssl, client_caps() | CLIENT_SSL);
    put_u32(&mut ssl, 1 << 24);
    ssl.push(45);
    ssl.extend_from_slice(&[0; 23]);
    let (p, r) = c.send(&frame(1, &ssl));
    assert!(p.close);
    assert_eq!(err_code(&r[0].1), Some(1043));
    // Garbage with the right sequence id.
    let (mut c, _) = Client::new(None);
    let (p, r) = c.send(&frame(1, b"GET / HTTP/1.1\r\n"));
    assert!(p.close);
    assert_eq!(err_code(&r[0].1), Some(1043));
    // Garbage: an HTTP request read as a header (length 0x202054 "GET " seq ' ').
    let (mut c, _) = Client::new(None);
    let (p, out) = c.feed(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(p.close);
    assert_eq!(err_code(&packets(&out)[0].1), Some(1156));
    // Garbage declaring a huge packet with the right sequence id: refused from the header.
    let (mut c, _) = Client::new(None);
    let (p, out) = c.feed(&[0xFF, 0xFF, 0xFF, 1, 0]);
    assert!(p.close);
    assert_eq!(err_code(&packets(&out)[0].1), Some(1153));
    // After closing, nothing more is read or written.
    let (p, out) = c.feed(&frame(0, &[COM_PING]));
    assert!(p.close);
    assert!(out.is_empty());
}

#[test]
fn incomplete_packets_consume_nothing() {
    let (mut c, _) = Client::new(None);
    let resp = frame(1, &handshake_response(b"root", b"", None, b""));
    for cut in 0..resp.len() {
        let (p, out) = c.feed(&resp[..cut]);
        assert_eq!(p, Progress::default());
        assert!(out.is_empty());
    }
    c.send(&resp);
    let ping = frame(0, &[COM_PING]);
    let mut two = ping.clone();
    two.extend_from_slice(&ping[..3]);
    let (p, out) = c.feed(&two);
    assert_eq!(p.consumed, ping.len());
    assert_eq!(packets(&out).len(), 1);
}

#[test]
fn commands_without_engine() {
    let mut c = Client::login(None);
    assert_eq!(c.command(COM_PING, b"")[0].1[0], 0);
    // COM_SET_OPTION and COM_DEBUG: EOF.
    assert_eq!(c.command(COM_SET_OPTION, &[1, 0])[0].1, [0xFE, 0, 0, 2, 0]);
    assert_eq!(c.command(COM_DEBUG, b"")[0].1[0], 0xFE);
    assert_eq!(c.command(COM_FIELD_LIST, b"t\0")[0].1[0], 0xFE);
    let stats = c.command(COM_STATISTICS, b"");
    assert!(stats[0]
        .1
        .starts_with(b"Uptime: 0  Threads: 1  Questions: "));
    // Unknown and empty commands.
    let r = c.command(0x7A, b"");
    assert_eq!(err_code(&r[0].1), Some(1047));
    assert_eq!(&r[0].1[3..], b"#08S01Unknown command");
    assert_eq!(err_code(&c.command(COM_SLEEP, b"")[0].1), Some(1047));
    let (p, r) = c.send(&frame(0, b""));
    assert!(!p.close);
    assert_eq!(err_code(&r[0].1), Some(1047));
    // Invalid UTF-8 in a statement.
    let r = c.command(COM_QUERY, b"select '\xff\xfe'");
    assert_eq!(err_code(&r[0].1), Some(1300));
    // Unknown statement ids.
    let r = c.command(COM_STMT_EXECUTE, &[9, 0, 0, 0, 0, 1, 0, 0, 0]);
    assert_eq!(err_code(&r[0].1), Some(1243));
    assert_eq!(
        &r[0].1[9..],
        b"Unknown prepared statement handler (9) given to mysqld_stmt_execute"
    );
    assert_eq!(
        err_code(&c.command(COM_STMT_RESET, &[9, 0, 0, 0])[0].1),
        Some(1243)
    );
    assert_eq!(
        err_code(&c.command(COM_STMT_EXECUTE, &[9])[0].1),
        Some(1210)
    );
    // No replies.
    assert!(c.command(COM_STMT_CLOSE, &[9, 0, 0, 0]).is_empty());
    assert!(c
        .command(COM_STMT_SEND_LONG_DATA, &[9, 0, 0, 0, 0, 0, 1])
        .is_empty());
    assert!(c.command(COM_STMT_CLOSE, b"").is_empty());
    // COM_RESET_CONNECTION: OK.
    assert_eq!(c.command(COM_RESET_CONNECTION, b"")[0].1[0], 0);
    // COM_QUIT: no reply, close.
    let (p, r) = c.send(&frame(0, &[COM_QUIT]));
    assert!(p.close);
    assert!(r.is_empty());
}

#[test]
fn out_of_order_command_closes() {
    let mut c = Client::login(None);
    let (p, r) = c.send(&frame(5, &[COM_PING]));
    assert!(p.close);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].0, 6);
    assert_eq!(err_code(&r[0].1), Some(1156));
    assert_eq!(&r[0].1[3..], b"#08S01Got packets out of order");
}

#[test]
fn packet_bigger_than_max_allowed_packet() {
    let mut c = Client::login(None);
    // 64 MiB + 1 declared over five physical packets; refused at the fifth header, with
    // the bodies of the first four (64 MiB - 4) buffered as the protocol requires.
    let mut input = Vec::with_capacity(4 * (MAX_PAYLOAD + 4) + 4);
    for seq in 0..4u8 {
        input.extend_from_slice(&[0xFF, 0xFF, 0xFF, seq]);
        input.resize(input.len() + MAX_PAYLOAD, b' ');
    }
    input.extend_from_slice(&[5, 0, 0, 4]);
    assert_eq!(4 * MAX_PAYLOAD + 5, DEFAULT_MAX_ALLOWED_PACKET + 1);
    let (p, out) = c.feed(&input);
    assert!(p.close);
    let r = packets(&out);
    assert_eq!(err_code(&r[0].1), Some(1153));
    assert_eq!(
        &r[0].1[3..],
        b"#08S01Got a packet bigger than 'max_allowed_packet' bytes"
    );

    // A smaller limit, refused from the first header.
    let mut c = Client::login(None);
    c.settings.max_allowed_packet = 1024;
    let (p, out) = c.feed(&[0x01, 0x04, 0, 0, COM_QUERY]);
    assert!(p.close);
    assert_eq!(err_code(&packets(&out)[0].1), Some(1153));
    // Exactly the limit is fine.
    let mut c = Client::login(None);
    c.settings.max_allowed_packet = 1024;
    let mut q = vec![COM_QUERY];
    q.resize(1024, b' ');
    let (p, r) = c.send(&frame(0, &q));
    assert!(!p.close);
    assert_eq!(r[0].0, 1);
}

#[test]
fn split_command_packet_is_joined() {
    let mut c = Client::login(None);
    // A COM_QUERY of exactly 0xFFFFFF bytes arrives as a full packet plus an empty one;
    // the reply continues the sequence (seq 2).
    let mut q = vec![COM_QUERY];
    q.extend_from_slice(b"select 1 ");
    q.resize(MAX_PAYLOAD, b' ');
    let input = frame(0, &q);
    assert_eq!(input.len(), MAX_PAYLOAD + 8);
    let (p, r) = c.send(&input);
    assert!(!p.close);
    // The result set of `select 1`: count, column, EOF, row, EOF.
    assert_eq!(r.len(), 5);
    assert_eq!(r[0].0, 2);
    assert_eq!(r[3].1, b"\x011");
}

#[test]
fn refusal() {
    let p = refusal_packet(1040, "08004", "Too many connections");
    assert_eq!(p[3], 0);
    assert_eq!(&p[4..], b"\xff\x10\x04#08004Too many connections");
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// Feed `input` in random pieces as a server would (keeping unconsumed bytes), with a
/// small high-water mark so that backpressure paths run too.
fn drive(c: &mut Client, input: &[u8], rng: &mut Rng) {
    let mut buf: Vec<u8> = Vec::new();
    let mut pos = 0;
    let mut rounds = 0;
    while pos < input.len() || rounds < 3 {
        rounds += 1;
        let take = (rng.below(64) as usize + 1).min(input.len() - pos);
        buf.extend_from_slice(&input[pos..pos + take]);
        pos += take;
        let mut out = Vec::new();
        let hw = rng.below(512) as usize;
        let p = c
            .conn
            .process(&buf, &mut c.engine, &c.settings, &mut out, hw);
        assert!(p.consumed <= buf.len());
        buf.drain(..p.consumed);
        if p.close {
            return;
        }
        if rounds > 100_000 {
            panic!("no progress");
        }
    }
}

fn random_packets(rng: &mut Rng, mut seq: u8) -> Vec<u8> {
    let mut input = Vec::new();
    for _ in 0..rng.below(6) {
        let len = rng.below(40) as usize;
        let mut payload = rng.bytes(len);
        if let Some(first) = payload.first_mut() {
            // Mostly real command bytes.
            if rng.below(4) != 0 {
                *first = rng.below(0x20) as u8;
            }
        }
        if rng.below(10) == 0 {
            seq = rng.next() as u8;
        }
        input.extend_from_slice(&frame(seq, &payload));
        seq = 0;
    }
    input
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..3000 {
        let password = (i % 3 == 0).then_some("pw");
        // Before the handshake response: raw garbage, framed garbage, truncated responses.
        let (mut c, _) = Client::new(password);
        let input = match i % 4 {
            0 => {
                let n = rng.below(200) as usize;
                rng.bytes(n)
            }
            1 => random_packets(&mut rng, 1),
            2 => {
                let r = handshake_response(b"root", &rng.bytes(20), Some(b"db"), b"x");
                let f = frame(1, &r[..rng.below(r.len() as u64 + 1) as usize]);
                let mut f2 = f.clone();
                if let Some(b) = f2.get_mut(rng.below(f.len() as u64) as usize) {
                    *b = rng.next() as u8;
                }
                f2
            }
            _ => {
                let r = handshake_response(b"root", b"", None, b"caching_sha2_password");
                let mut f = frame(1, &r);
                f.extend_from_slice(&random_packets(&mut rng, 3));
                f
            }
        };
        drive(&mut c, &input, &mut rng);
        // In the command phase.
        let mut c = Client::login(None);
        let input = if i % 2 == 0 {
            random_packets(&mut rng, 0)
        } else {
            let n = rng.below(300) as usize;
            rng.bytes(n)
        };
        drive(&mut c, &input, &mut rng);
    }
}

#[test]
fn lenenc_claiming_huge_lengths() {
    // COM_STMT_EXECUTE-like and handshake bodies with lenenc lengths of 2^64 - 1.
    let (mut c, _) = Client::new(None);
    let mut resp = Vec::new();
    put_u32(&mut resp, client_caps());
    put_u32(&mut resp, 0);
    resp.push(45);
    resp.extend_from_slice(&[0; 23]);
    resp.extend_from_slice(b"root\0");
    resp.push(0xFE);
    put_u64(&mut resp, u64::MAX);
    let (p, r) = c.send(&frame(1, &resp));
    assert!(p.close);
    assert_eq!(err_code(&r[0].1), Some(1043));
}

#[test]
fn session_status_in_ok() {
    let mut c = Client::login(None);
    let r = c.command(COM_PING, b"");
    let mut rd = Reader::new(&r[0].1);
    rd.u8().unwrap();
    rd.lenenc_int().unwrap();
    rd.lenenc_int().unwrap();
    assert_eq!(rd.u16(), Ok(SERVER_STATUS_AUTOCOMMIT));
}

#[test]
fn engine_errors_keep_the_connection() {
    let mut c = Client::login(None);
    let r = c.query("SELECT * FROM no_such_table_anywhere");
    assert_eq!(r.len(), 1);
    assert!(err_code(&r[0].1).is_some());
    assert_eq!(c.command(COM_PING, b"")[0].1[0], 0);
}

// ---- With the real SQL engine ----

/// A column definition as a client reads it.
#[derive(Debug)]
struct ColumnDef {
    name: Vec<u8>,
    charset: u16,
    type_code: u8,
    flags: u16,
    decimals: u8,
}

fn column_def(payload: &[u8]) -> ColumnDef {
    let mut r = Reader::new(payload);
    assert_eq!(r.lenenc_bytes().unwrap(), b"def");
    for _ in 0..3 {
        r.lenenc_bytes().unwrap();
    }
    let name = r.lenenc_bytes().unwrap().to_vec();
    r.lenenc_bytes().unwrap();
    assert_eq!(r.lenenc_int(), Ok(0x0c));
    let charset = r.u16().unwrap();
    r.u32().unwrap();
    let type_code = r.u8().unwrap();
    let flags = r.u16().unwrap();
    let decimals = r.u8().unwrap();
    assert_eq!(r.u16(), Ok(0));
    assert!(r.is_empty());
    ColumnDef {
        name,
        charset,
        type_code,
        flags,
        decimals,
    }
}

/// Columns and raw row payloads of a complete result set; checks the sequence ids.
fn result_set(p: &[(u8, Vec<u8>)]) -> (Vec<ColumnDef>, Vec<Vec<u8>>) {
    for (i, (seq, _)) in p.iter().enumerate() {
        assert_eq!(*seq, (i + 1) as u8);
    }
    let n = Reader::new(&p[0].1).lenenc_int().unwrap() as usize;
    let cols: Vec<ColumnDef> = p[1..=n].iter().map(|(_, d)| column_def(d)).collect();
    assert_eq!(p[n + 1].1[0], 0xFE);
    let last = p.last().unwrap();
    assert_eq!(last.1.len(), 5);
    assert_eq!(last.1[0], 0xFE);
    let rows = p[n + 2..p.len() - 1]
        .iter()
        .map(|(_, d)| d.clone())
        .collect();
    (cols, rows)
}

fn text_row(payload: &[u8], n: usize) -> Vec<Option<String>> {
    let mut r = Reader::new(payload);
    let mut v = Vec::new();
    for _ in 0..n {
        if payload.get(payload.len() - r.remaining()) == Some(&0xFB) {
            r.u8().unwrap();
            v.push(None);
        } else {
            v.push(Some(
                String::from_utf8(r.lenenc_bytes().unwrap().to_vec()).unwrap(),
            ));
        }
    }
    assert!(r.is_empty());
    v
}

fn ok_affected(payload: &[u8]) -> u64 {
    assert_eq!(
        payload[0],
        0,
        "OK expected: {:?}",
        String::from_utf8_lossy(payload)
    );
    Reader::new(&payload[1..]).lenenc_int().unwrap()
}

fn ok_status(payload: &[u8]) -> u16 {
    let mut r = Reader::new(payload);
    assert_eq!(r.u8(), Ok(0));
    r.lenenc_int().unwrap();
    r.lenenc_int().unwrap();
    r.u16().unwrap()
}

/// A logged-in client with database `d` holding table `t`.
fn with_table() -> Client {
    let mut c = Client::login(None);
    ok_affected(&c.query("CREATE DATABASE d")[0].1);
    assert_eq!(c.command(COM_INIT_DB, b"d")[0].1[0], 0);
    ok_affected(
        &c.query("CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL, amount DECIMAL(10,2), score DOUBLE, note TEXT)")[0].1,
    );
    let r = c.query(
        "INSERT INTO t VALUES (1, 'one', 1.50, 0.5, NULL), (2, 'two', NULL, -2, 'x'), (3, 'three', -3.25, NULL, '')",
    );
    assert_eq!(ok_affected(&r[0].1), 3);
    c
}

#[test]
fn text_result_set_from_engine() {
    let mut c = with_table();
    let r = c.query("SELECT id, name, amount, score, note FROM t ORDER BY id");
    let (cols, rows) = result_set(&r);
    let names: Vec<&[u8]> = cols.iter().map(|c| c.name.as_slice()).collect();
    assert_eq!(names, [&b"id"[..], b"name", b"amount", b"score", b"note"]);
    assert_eq!(cols[0].type_code, TYPE_LONG);
    assert_eq!(cols[0].charset, u16::from(CHARSET_BINARY));
    assert_ne!(cols[0].flags & (NOT_NULL_FLAG | PRI_KEY_FLAG | NUM_FLAG), 0);
    assert_eq!(cols[1].type_code, TYPE_VAR_STRING);
    assert_eq!(cols[1].charset, u16::from(CHARSET_UTF8MB4_GENERAL_CI));
    assert_ne!(cols[1].flags & NOT_NULL_FLAG, 0);
    assert_eq!(cols[2].type_code, TYPE_NEWDECIMAL);
    assert_eq!(cols[2].decimals, 2);
    assert_eq!(cols[3].type_code, TYPE_DOUBLE);
    assert_eq!(cols[4].type_code, TYPE_BLOB);
    let s = |v: &str| Some(v.to_string());
    let rows: Vec<_> = rows.iter().map(|r| text_row(r, 5)).collect();
    assert_eq!(
        rows,
        vec![
            vec![s("1"), s("one"), s("1.50"), s("0.5"), None],
            vec![s("2"), s("two"), None, s("-2"), s("x")],
            vec![s("3"), s("three"), s("-3.25"), None, s("")],
        ]
    );
    // Errors keep the connection; the database is remembered.
    let r = c.query("SELECT * FROM nope");
    assert_eq!(err_code(&r[0].1), Some(1146));
    assert_eq!(
        err_code(&c.command(COM_INIT_DB, b"nosuchdb")[0].1),
        Some(1049)
    );
    let (_, rows) = result_set(&c.query("SELECT COUNT(*) FROM t"));
    assert_eq!(text_row(&rows[0], 1), vec![s("3")]);
}

#[test]
fn transaction_status_flags() {
    let mut c = with_table();
    assert_eq!(
        ok_status(&c.query("BEGIN")[0].1),
        SERVER_STATUS_IN_TRANS | SERVER_STATUS_AUTOCOMMIT
    );
    ok_affected(&c.query("UPDATE t SET name = 'uno' WHERE id = 1")[0].1);
    assert_eq!(ok_status(&c.query("COMMIT")[0].1), SERVER_STATUS_AUTOCOMMIT);
}

#[test]
fn handshake_selects_database() {
    let mut c = with_table();
    c.conn.close(&mut c.engine);
    // A second connection on the same engine names the database in its handshake.
    let mut out = Vec::new();
    let conn = MysqlConn::new(8, 1, &mut out);
    let mut c2 = Client {
        conn,
        engine: core::mem::take(&mut c.engine),
        settings: ProtocolSettings::default(),
        salt: Vec::new(),
    };
    let resp = handshake_response(b"root", b"", Some(b"d"), b"mysql_native_password");
    let (p, r) = c2.send(&frame(1, &resp));
    assert!(!p.close);
    assert_eq!(r[0].1[0], 0);
    let (_, rows) = result_set(&c2.query("SELECT name FROM t WHERE id = 2"));
    assert_eq!(text_row(&rows[0], 1), vec![Some("two".to_string())]);
}

/// COM_STMT_PREPARE; returns (statement id, params, columns).
fn prepare(c: &mut Client, sql: &str) -> (u32, u16, Vec<ColumnDef>) {
    let r = c.command(COM_STMT_PREPARE, sql.as_bytes());
    let mut rd = Reader::new(&r[0].1);
    assert_eq!(rd.u8(), Ok(0), "{:?}", String::from_utf8_lossy(&r[0].1));
    let id = rd.u32().unwrap();
    let ncols = rd.u16().unwrap() as usize;
    let nparams = rd.u16().unwrap();
    assert_eq!(rd.u8(), Ok(0));
    rd.u16().unwrap();
    let mut i = 1;
    if nparams > 0 {
        for _ in 0..nparams {
            assert_eq!(column_def(&r[i].1).type_code, TYPE_VAR_STRING);
            i += 1;
        }
        assert_eq!(r[i].1[0], 0xFE);
        i += 1;
    }
    let mut cols = Vec::new();
    if ncols > 0 {
        for _ in 0..ncols {
            cols.push(column_def(&r[i].1));
            i += 1;
        }
        assert_eq!(r[i].1[0], 0xFE);
        i += 1;
    }
    assert_eq!(i, r.len());
    (id, nparams, cols)
}

/// A COM_STMT_EXECUTE body binding `params` as (type, value bytes or None for NULL).
fn execute_body(id: u32, params: &[(u8, Option<Vec<u8>>)], bind: bool) -> Vec<u8> {
    let mut b = Vec::new();
    put_u32(&mut b, id);
    b.push(0);
    put_u32(&mut b, 1);
    if !params.is_empty() {
        let mut bitmap = vec![0u8; params.len().div_ceil(8)];
        for (i, (_, v)) in params.iter().enumerate() {
            if v.is_none() {
                bitmap[i / 8] |= 1 << (i % 8);
            }
        }
        b.extend_from_slice(&bitmap);
        b.push(u8::from(bind));
        if bind {
            for (t, _) in params {
                b.extend_from_slice(&[*t, 0]);
            }
        }
        for v in params.iter().filter_map(|(_, v)| v.as_ref()) {
            b.extend_from_slice(v);
        }
    }
    b
}

fn lenenc(s: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    put_lenenc_bytes(&mut v, s);
    v
}

#[test]
fn prepared_statements_binary_rows() {
    let mut c = with_table();
    let (ins, nparams, cols) = prepare(
        &mut c,
        "INSERT INTO t (id, name, amount, score) VALUES (?, ?, ?, ?)",
    );
    assert_eq!((nparams, cols.len()), (4, 0));
    let body = execute_body(
        ins,
        &[
            (TYPE_LONGLONG, Some(10i64.to_le_bytes().to_vec())),
            (TYPE_VAR_STRING, Some(lenenc(b"ten"))),
            (TYPE_NEWDECIMAL, Some(lenenc(b"10.25"))),
            (TYPE_DOUBLE, None),
        ],
        true,
    );
    assert_eq!(ok_affected(&c.command(COM_STMT_EXECUTE, &body)[0].1), 1);
    // Second execution: types not re-sent; name from long data.
    c.command(
        COM_STMT_SEND_LONG_DATA,
        &[&ins.to_le_bytes()[..], &[1, 0], b"elev"].concat(),
    );
    c.command(
        COM_STMT_SEND_LONG_DATA,
        &[&ins.to_le_bytes()[..], &[1, 0], b"en"].concat(),
    );
    let mut body = Vec::new();
    put_u32(&mut body, ins);
    body.push(0);
    put_u32(&mut body, 1);
    body.push(0b0000_0100); // amount NULL
    body.push(0);
    body.extend_from_slice(&11i64.to_le_bytes());
    body.extend_from_slice(&1.5f64.to_le_bytes());
    assert_eq!(ok_affected(&c.command(COM_STMT_EXECUTE, &body)[0].1), 1);

    let (sel, nparams, cols) = prepare(
        &mut c,
        "SELECT id, name, amount, score FROM t WHERE id >= ? ORDER BY id",
    );
    assert_eq!((nparams, cols.len()), (1, 4));
    let body = execute_body(
        sel,
        &[(TYPE_LONG, Some(10i32.to_le_bytes().to_vec()))],
        true,
    );
    let (cols, rows) = result_set(&c.command(COM_STMT_EXECUTE, &body));
    assert_eq!(cols.len(), 4);
    assert_eq!(rows.len(), 2);
    // Row 10: id LONG, name, amount, score NULL. Bitmap: 4 columns + 2 -> 1 byte; column 3 -> bit 5.
    let mut r = Reader::new(&rows[0]);
    assert_eq!(r.u8(), Ok(0));
    assert_eq!(r.u8(), Ok(1 << 5));
    assert_eq!(r.u32(), Ok(10));
    assert_eq!(r.lenenc_bytes(), Ok(&b"ten"[..]));
    assert_eq!(r.lenenc_bytes(), Ok(&b"10.25"[..]));
    assert!(r.is_empty());
    let mut r = Reader::new(&rows[1]);
    assert_eq!(r.u8(), Ok(0));
    assert_eq!(r.u8(), Ok(1 << 4));
    assert_eq!(r.u32(), Ok(11));
    assert_eq!(r.lenenc_bytes(), Ok(&b"eleven"[..]));
    assert_eq!(r.u64(), Ok(1.5f64.to_bits()));
    assert!(r.is_empty());

    // Short NULL bitmap / truncated values: 1210, connection stays.
    let r = c.command(COM_STMT_EXECUTE, &execute_body(sel, &[], false));
    assert_eq!(err_code(&r[0].1), Some(1210));
    let mut short = execute_body(sel, &[(TYPE_LONG, Some(vec![1, 0, 0, 0]))], true);
    short.truncate(short.len() - 2);
    assert_eq!(
        err_code(&c.command(COM_STMT_EXECUTE, &short)[0].1),
        Some(1210)
    );
    // Reset, close; then the id is unknown.
    assert_eq!(c.command(COM_STMT_RESET, &sel.to_le_bytes())[0].1[0], 0);
    assert!(c.command(COM_STMT_CLOSE, &sel.to_le_bytes()).is_empty());
    let r = c.command(COM_STMT_EXECUTE, &execute_body(sel, &[], false));
    assert_eq!(err_code(&r[0].1), Some(1243));
}

#[test]
fn large_result_streams_with_backpressure() {
    let mut c = with_table();
    for chunk in 0..20 {
        let values: Vec<String> = (0..100)
            .map(|i| {
                let id = 100 + chunk * 100 + i;
                alloc::format!("({id}, 'name {id}', {id}.5, {id}, 'some note text for row {id}')")
            })
            .collect();
        let sql = alloc::format!("INSERT INTO t VALUES {}", values.join(", "));
        assert_eq!(ok_affected(&c.query(&sql)[0].1), 100);
    }
    // A SELECT of 2003 rows pipelined with a PING, against a 4 KiB high-water mark.
    let mut input = frame(0, b"\x03SELECT * FROM t ORDER BY id");
    input.extend_from_slice(&frame(0, &[COM_PING]));
    let mut all = Vec::new();
    let mut pos = 0;
    let mut calls = 0;
    loop {
        let mut out = Vec::new();
        let p = c
            .conn
            .process(&input[pos..], &mut c.engine, &c.settings, &mut out, 4096);
        assert!(!p.close);
        assert!(out.len() < 4096 + 512);
        pos += p.consumed;
        all.extend_from_slice(&out);
        calls += 1;
        if !p.held_back {
            break;
        }
        // The PING waits for the rows.
        assert!(pos < input.len());
    }
    assert_eq!(pos, input.len());
    assert!(calls > 20);
    let r = packets(&all);
    let ping = r.last().unwrap().clone();
    assert_eq!((ping.0, ping.1[0]), (1, 0));
    let (_, rows) = result_set(&r[..r.len() - 1]);
    assert_eq!(rows.len(), 2003);
    assert_eq!(text_row(&rows[2002], 5)[1], Some("name 2099".to_string()));
}

#[test]
fn trailing_nul_of_a_statement_is_ignored() {
    let mut c = Client::login(None);
    let (_, rows) = result_set(&c.command(COM_QUERY, b"SELECT 1 AS one\0"));
    assert_eq!(text_row(&rows[0], 1), vec![Some("1".to_string())]);
    let (id, _, _) = prepare(&mut c, "SELECT ? AS x\0");
    assert!(id > 0);
}

#[test]
fn long_data_past_the_limit_fails_one_execution() {
    let mut c = Client::login(None);
    c.settings.max_allowed_packet = 100;
    let (id, _, _) = prepare(&mut c, "SELECT ? AS x");
    let chunk = [&id.to_le_bytes()[..], &[0, 0], &[b'a'; 60]].concat();
    assert!(c.command(COM_STMT_SEND_LONG_DATA, &chunk).is_empty());
    assert!(c.command(COM_STMT_SEND_LONG_DATA, &chunk).is_empty());
    let body = execute_body(id, &[(TYPE_VAR_STRING, Some(lenenc(b"v")))], true);
    let r = c.command(COM_STMT_EXECUTE, &body);
    assert_eq!(err_code(&r[0].1), Some(1210));
    // The next execution runs with its own value.
    let (_, rows) = result_set(&c.command(COM_STMT_EXECUTE, &body));
    assert_eq!(rows[0], [0, 0, 1, b'v']);
    // Long data within the limit is used once.
    assert!(c.command(COM_STMT_SEND_LONG_DATA, &chunk).is_empty());
    let (_, rows) = result_set(&c.command(COM_STMT_EXECUTE, &body));
    assert_eq!(rows[0].len(), 3 + 60);
    let (_, rows) = result_set(&c.command(COM_STMT_EXECUTE, &body));
    assert_eq!(rows[0], [0, 0, 1, b'v']);
}

#[test]
fn mutated_statement_executions_never_panic() {
    let mut rng = Rng(0x0DDB_1A5E_5BAD_5EED);
    let mut c = with_table();
    let (id, _, _) = prepare(
        &mut c,
        "SELECT id, name FROM t WHERE id >= ? AND name <> ? OR ? IS NULL",
    );
    let valid = execute_body(
        id,
        &[
            (TYPE_LONGLONG, Some(1i64.to_le_bytes().to_vec())),
            (TYPE_VAR_STRING, Some(lenenc(b"x"))),
            (TYPE_DATETIME, Some(vec![7, 0xE8, 0x07, 1, 2, 3, 4, 5])),
        ],
        true,
    );
    for i in 0..3000 {
        let mut body = valid.clone();
        match i % 3 {
            0 => {
                for _ in 0..=rng.below(3) {
                    let at = rng.below(body.len() as u64) as usize;
                    body[at] = rng.next() as u8;
                }
                // Keep the statement id most of the time.
                if rng.below(4) != 0 {
                    body[..4].copy_from_slice(&id.to_le_bytes());
                }
            }
            1 => body.truncate(rng.below(body.len() as u64) as usize),
            _ => {
                let extra = rng.below(16) as usize;
                body.extend_from_slice(&rng.bytes(extra));
            }
        }
        let command = match rng.below(8) {
            0 => COM_STMT_SEND_LONG_DATA,
            1 => COM_STMT_RESET,
            _ => COM_STMT_EXECUTE,
        };
        let mut payload = vec![command];
        payload.extend_from_slice(&body);
        let mut out = Vec::new();
        let input = frame(0, &payload);
        let p = c
            .conn
            .process(&input, &mut c.engine, &c.settings, &mut out, HIGH_WATER);
        assert_eq!(p.consumed, input.len());
        assert!(!p.close);
    }
    // Still usable.
    let (_, rows) = result_set(&c.command(COM_STMT_EXECUTE, &valid));
    assert_eq!(rows.len(), 3);
}
