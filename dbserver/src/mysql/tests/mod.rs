//! Connection-level tests: a scripted client against [`MysqlConn`]. This file holds the
//! client and the packet helpers the topic files share.

use super::consts::*;
use super::handshake::native_scramble;
use super::packet::{read_frame, write_packet, MAX_PAYLOAD};
use super::wire::{put_lenenc_bytes, put_nul_terminated, put_u32, put_u64, Reader};
use super::*;
use crate::sql::Engine;
use alloc::string::{String, ToString};
use alloc::vec;

mod commands;
mod engine;
mod handshake;
mod prepared;
mod robustness;

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
