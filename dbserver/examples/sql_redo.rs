//! What redo capture costs the SQL engine, and how fast payloads replay.
//!
//! `cargo run --release -p dbserver --example sql_redo [ROWS] [ROUNDS]`
//!
//! One sbtest-shaped table of ROWS rows (default 20000). Each round runs, on a fresh engine
//! with capture off and on (which first alternates from round to round): ROWS autocommit INSERTs, then ROWS autocommit UPDATEs of
//! the indexed column `k` (sysbench's update-index), timed; with capture on it drains the
//! outbox after every statement (as the server does every poll round), keeps the payloads,
//! then replays them all into a fresh engine, timed, and dumps the engine, timed. Prints
//! every round and the medians: statements/s off and on, their ratio, payload bytes per
//! commit, replay MB/s (and so seconds per 100 MB of payloads), dump MB/s.

use std::time::Instant;

use dbserver::sql::{Engine, EngineLimits, Session};

fn statement(e: &mut Engine, s: &mut Session, sql: &str) {
    if let Err(err) = e.execute(s, sql) {
        panic!("{sql}: {err:?}");
    }
}

fn engine(capture: bool) -> (Engine, Session) {
    let mut e = Engine::new(EngineLimits::default());
    e.set_redo_capture(capture);
    let mut s = Session::new(1);
    statement(&mut e, &mut s, "CREATE DATABASE sbtest");
    statement(&mut e, &mut s, "USE sbtest");
    statement(&mut e, &mut s, "CREATE TABLE sbtest1(id INTEGER NOT NULL AUTO_INCREMENT, k INTEGER DEFAULT '0' NOT NULL, c CHAR(120) DEFAULT '' NOT NULL, pad CHAR(60) DEFAULT '' NOT NULL, PRIMARY KEY (id))");
    statement(&mut e, &mut s, "CREATE INDEX k_1 ON sbtest1(k)");
    (e, s)
}

/// Statements per second of ROWS inserts then ROWS updates, and the payloads captured.
fn load(rows: u64, capture: bool) -> (f64, f64, Vec<Vec<u8>>) {
    let (mut e, mut s) = engine(capture);
    let mut payloads = e.take_committed();
    let c = "c".repeat(119);
    let start = Instant::now();
    for i in 0..rows {
        let sql = format!(
            "INSERT INTO sbtest1(k, c, pad) VALUES ({}, '{c}{}', 'pad{i}')",
            i % 1000,
            i % 10
        );
        statement(&mut e, &mut s, &sql);
        payloads.extend(e.take_committed());
    }
    let insert = rows as f64 / start.elapsed().as_secs_f64();
    let start = Instant::now();
    for i in 0..rows {
        let sql = format!(
            "UPDATE sbtest1 SET k = k + 1 WHERE id = {}",
            (i * 7919) % rows + 1
        );
        statement(&mut e, &mut s, &sql);
        payloads.extend(e.take_committed());
    }
    let update = rows as f64 / start.elapsed().as_secs_f64();
    (insert, update, payloads)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let rows: u64 = args.next().map_or(20_000, |a| a.parse().expect("ROWS"));
    let rounds: usize = args.next().map_or(5, |a| a.parse().expect("ROUNDS"));
    let (mut ins_ratio, mut upd_ratio, mut ins_on, mut upd_on, mut replay, mut dump) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut bytes_per_commit = 0.0;
    println!("round  insert/s off  insert/s on  update/s off  update/s on  replay MB/s  dump MB/s");
    for round in 1..=rounds {
        // Alternate which runs first, so a drift of the machine's load favours neither.
        let ((i_off, u_off, none), (i_on, u_on, payloads)) = if round % 2 == 1 {
            let off = load(rows, false);
            (off, load(rows, true))
        } else {
            let on = load(rows, true);
            (load(rows, false), on)
        };
        assert!(none.is_empty());
        let total: usize = payloads.iter().map(Vec::len).sum();
        bytes_per_commit = total as f64 / payloads.len() as f64;
        let mut fresh = Engine::new(EngineLimits::default());
        let start = Instant::now();
        for p in &payloads {
            fresh.apply_committed(p).expect("replay");
        }
        let replay_mbs = total as f64 / 1e6 / start.elapsed().as_secs_f64();
        let start = Instant::now();
        let mut dumped = 0usize;
        fresh.dump(|chunk| dumped += chunk.len());
        let dump_mbs = dumped as f64 / 1e6 / start.elapsed().as_secs_f64();
        println!(
            "{round:>5}  {i_off:>12.0}  {i_on:>11.0}  {u_off:>12.0}  {u_on:>11.0}  {replay_mbs:>11.1}  {dump_mbs:>9.1}"
        );
        ins_ratio.push(i_on / i_off);
        upd_ratio.push(u_on / u_off);
        ins_on.push(i_on);
        upd_on.push(u_on);
        replay.push(replay_mbs);
        dump.push(dump_mbs);
    }
    let replay_mbs = median(replay);
    println!("medians of {rounds} rounds, {rows} rows:");
    println!(
        "  insert/s with capture {:.0}, on/off ratio {:.3}",
        median(ins_on),
        median(ins_ratio)
    );
    println!(
        "  update-index/s with capture {:.0}, on/off ratio {:.3}",
        median(upd_on),
        median(upd_ratio)
    );
    println!("  payload bytes per commit {bytes_per_commit:.0} (inserts and updates together)");
    println!(
        "  replay {replay_mbs:.1} MB/s = {:.2} s per 100 MB of payloads",
        100.0 / replay_mbs
    );
    println!("  dump {:.1} MB/s", median(dump));
}
