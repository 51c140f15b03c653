//! Connection-level tests: a scripted client against [`MysqlConn`].

use super::consts::*;
use super::handshake::native_scramble;
use super::packet::{read_frame, write_packet, MAX_PAYLOAD};
use super::wire::{put_lenenc_bytes, put_nul_terminated, put_u32, put_u64, Reader};
use super::*;
use crate::sql::Engine;
use alloc::string::ToString;
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
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].0, 2);
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
