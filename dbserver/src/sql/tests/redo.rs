//! Redo payloads: what commits leave in the outbox, replay on a fresh engine, dumps for
//! compaction, bad payloads.

use super::*;

/// Everything a client can see of an engine's durable state: per table, its definition,
/// its indexes and `SELECT *` (in scan order).
fn snapshot(e: &mut Engine) -> Vec<(String, Vec<Vec<String>>)> {
    let mut s = Session::new(99);
    let mut out = Vec::new();
    for db in rows(e, &mut s, "SHOW DATABASES") {
        let db = &db[0];
        if db == "information_schema" {
            continue;
        }
        ok(e, &mut s, &alloc::format!("USE {db}"));
        out.push((db.clone(), Vec::new()));
        for t in rows(e, &mut s, "SHOW TABLES") {
            let t = &t[0];
            for q in ["SHOW CREATE TABLE", "SHOW INDEX FROM", "SELECT * FROM"] {
                let sql = alloc::format!("{q} {t}");
                out.push((alloc::format!("{db}: {sql}"), rows(e, &mut s, &sql)));
            }
        }
    }
    out
}

fn capturing() -> (Engine, Session) {
    let (mut e, s) = engine();
    e.set_redo_capture(true);
    (e, s)
}

/// An engine rebuilt from `payloads`.
fn replayed(payloads: &[Vec<u8>]) -> Engine {
    let mut e = Engine::new(EngineLimits::default());
    for p in payloads {
        e.apply_committed(p).unwrap();
    }
    e
}

/// Run `sql` and return how many payloads it left.
fn payloads_of(e: &mut Engine, s: &mut Session, sql: &str, log: &mut Vec<Vec<u8>>) -> usize {
    let _ = e.execute(s, sql);
    let new = e.take_committed();
    let n = new.len();
    log.extend(new);
    n
}

/// A workload over two sessions: AUTO_INCREMENT, indexes, explicit transactions committed
/// and rolled back, a failed statement, a table without primary key with holes, DDL.
fn workload(e: &mut Engine, a: &mut Session, log: &mut Vec<Vec<u8>>) {
    let mut b = Session::new(7);
    e.use_database(&mut b, "test").unwrap();
    let mut run = |e: &mut Engine, s: &mut Session, sql: &str, expect: usize| {
        assert_eq!(payloads_of(e, s, sql, log), expect, "{sql}");
    };
    run(e, a, "CREATE TABLE users (id INT NOT NULL AUTO_INCREMENT, name VARCHAR(20) NOT NULL, score DOUBLE, amount DECIMAL(8,2), who INT, PRIMARY KEY (id), UNIQUE KEY name_u (name))", 1);
    run(e, a, "CREATE INDEX score_i ON users (score)", 1);
    run(e, a, "INSERT INTO users (name, score, amount, who) VALUES ('ann', 1.5, 10.25, CONNECTION_ID()), ('bob', NULL, -3.5, CONNECTION_ID())", 1);
    run(
        e,
        &mut b,
        "INSERT INTO users (name, score, who) VALUES ('cid', 2.25, CONNECTION_ID())",
        1,
    );
    // A failed statement and a SELECT leave nothing.
    run(e, a, "INSERT INTO users (name) VALUES ('ann')", 0);
    run(e, a, "SELECT * FROM users", 0);
    run(
        e,
        a,
        "UPDATE users SET score = score * 2 WHERE name = 'ann'",
        1,
    );
    run(e, a, "UPDATE users SET score = 0 WHERE name = 'nobody'", 0);
    // Rolled back: nothing, but the AUTO_INCREMENT ids it took stay taken.
    run(e, a, "BEGIN", 0);
    run(
        e,
        a,
        "INSERT INTO users (name) VALUES ('gone1'), ('gone2')",
        0,
    );
    run(e, a, "DELETE FROM users WHERE name = 'bob'", 0);
    run(e, a, "ROLLBACK", 0);
    // Interleaved transactions, committed in the opposite order of their writes.
    run(e, a, "CREATE TABLE notes (n INT, body TEXT)", 1);
    run(
        e,
        a,
        "INSERT INTO notes VALUES (1, 'one'), (2, 'two'), (3, 'three')",
        1,
    );
    run(e, a, "BEGIN", 0);
    run(e, &mut b, "BEGIN", 0);
    run(e, a, "INSERT INTO notes VALUES (4, 'a-four')", 0);
    run(e, &mut b, "INSERT INTO notes VALUES (5, 'b-five')", 0);
    run(e, &mut b, "INSERT INTO users (name) VALUES ('dee')", 0);
    run(e, a, "DELETE FROM notes WHERE n = 2", 0);
    run(e, a, "UPDATE notes SET body = 'uno' WHERE n = 1", 0);
    run(e, &mut b, "COMMIT", 1);
    run(e, a, "INSERT INTO notes VALUES (6, 'rolled back')", 0);
    run(e, a, "ROLLBACK", 0);
    run(e, a, "BEGIN", 0);
    run(e, a, "UPDATE notes SET body = 'uno' WHERE n = 1", 0);
    run(e, a, "DELETE FROM notes WHERE n = 3", 0);
    run(e, a, "INSERT INTO notes VALUES (7, 'seven')", 0);
    run(e, a, "COMMIT", 1);
    // autocommit=0: the implicit transaction is committed by SET autocommit=1.
    run(e, &mut b, "SET autocommit = 0", 0);
    run(e, &mut b, "INSERT INTO notes VALUES (8, 'eight')", 0);
    run(e, &mut b, "SET autocommit = 1", 1);
    // DDL commits the open transaction first: two payloads.
    run(e, a, "BEGIN", 0);
    run(e, a, "INSERT INTO users (name, score) VALUES ('eve', 9)", 0);
    run(e, a, "CREATE TABLE scratch (x INT PRIMARY KEY)", 2);
    run(e, a, "INSERT INTO scratch VALUES (1), (2)", 1);
    run(e, a, "DROP TABLE scratch", 1);
    run(e, a, "CREATE DATABASE other", 1);
    run(
        e,
        a,
        "CREATE TABLE other.t (k CHAR(3) PRIMARY KEY, v BIGINT)",
        1,
    );
    run(
        e,
        a,
        "INSERT INTO other.t VALUES ('abc', 9223372036854775807), ('x', -9223372036854775808)",
        1,
    );
    run(e, a, "CREATE DATABASE gone", 1);
    run(e, a, "CREATE TABLE gone.t (x INT)", 1);
    run(e, a, "DROP DATABASE gone", 1);
    run(
        e,
        a,
        "CREATE TABLE cleared (id INT AUTO_INCREMENT PRIMARY KEY, v INT)",
        1,
    );
    run(e, a, "INSERT INTO cleared (v) VALUES (1), (2)", 1);
    run(e, a, "TRUNCATE TABLE cleared", 1);
    run(e, a, "INSERT INTO cleared (v) VALUES (3)", 1);
    run(e, a, "DROP INDEX score_i ON users", 1);
    run(e, a, "CREATE INDEX body_i ON notes (body)", 1);
}

#[test]
fn replay_rebuilds_every_table() {
    let (mut a, mut s) = capturing();
    assert!(
        a.take_committed().is_empty(),
        "capture starts after CREATE DATABASE test"
    );
    let mut log = dump_all(&mut a);
    assert_eq!(log.len(), 1);
    workload(&mut a, &mut s, &mut log);
    let mut b = replayed(&log);
    assert_eq!(snapshot(&mut a), snapshot(&mut b));
    // The rolled-back transaction is absent; the rows of the committed ones are there.
    let mut bs = Session::new(1);
    b.use_database(&mut bs, "test").unwrap();
    assert_eq!(
        rows(&mut b, &mut bs, "SELECT n, body FROM notes"),
        [
            ["1", "uno"],
            ["2", "two"],
            ["5", "b-five"],
            ["7", "seven"],
            ["8", "eight"]
        ]
    );
    assert_eq!(
        rows(
            &mut b,
            &mut bs,
            "SELECT id, name, who FROM users WHERE name IN ('ann', 'cid')"
        ),
        [["1", "ann", "1"], ["3", "cid", "7"]]
    );
    // The next AUTO_INCREMENT id is the same on both (ids of the rolled-back rows and
    // of 'dee' and 'eve' stay used).
    let insert = "INSERT INTO users (name) VALUES ('fay')";
    let mut as_ = Session::new(1);
    a.use_database(&mut as_, "test").unwrap();
    ok(&mut a, &mut as_, insert);
    ok(&mut b, &mut bs, insert);
    assert_eq!(as_.last_insert_id(), bs.last_insert_id());
    assert!(bs.last_insert_id() > 7, "{}", bs.last_insert_id());
    ok(&mut a, &mut as_, "INSERT INTO notes VALUES (9, 'nine')");
    ok(&mut b, &mut bs, "INSERT INTO notes VALUES (9, 'nine')");
    assert_eq!(snapshot(&mut a), snapshot(&mut b));
}

/// The dump of an engine as a list of payloads.
fn dump_all(e: &mut Engine) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    e.dump(|p| out.push(p));
    out
}

/// A fresh engine with the empty database `test` (the one payload of CREATE DATABASE).
fn with_test_database() -> Engine {
    replayed(&[Vec::from(&b"\x01\x01\x04test\x00"[..])])
}

#[test]
fn dump_rebuilds_the_same_state() {
    let (mut a, mut s) = capturing();
    let mut log = Vec::new();
    workload(&mut a, &mut s, &mut log);
    let dump = dump_all(&mut a);
    let mut c = replayed(&dump);
    assert_eq!(snapshot(&mut a), snapshot(&mut c));
    // Payloads committed after the dump apply on top of it.
    let mut bs = Session::new(1);
    c.use_database(&mut bs, "test").unwrap();
    for sql in [
        "INSERT INTO users (name) VALUES ('gus')",
        "DELETE FROM notes WHERE n = 1",
        "UPDATE users SET score = 1 WHERE name = 'bob'",
    ] {
        ok(&mut a, &mut s, sql);
    }
    for p in a.take_committed() {
        c.apply_committed(&p).unwrap();
    }
    assert_eq!(snapshot(&mut a), snapshot(&mut c));
}

#[test]
fn dump_in_small_chunks_under_writes() {
    let (mut a, mut s) = capturing();
    ok(
        &mut a,
        &mut s,
        "CREATE TABLE kv (k INT PRIMARY KEY, v VARCHAR(20))",
    );
    ok(&mut a, &mut s, "CREATE TABLE seq (v INT)");
    for i in 0..60 {
        ok(
            &mut a,
            &mut s,
            &alloc::format!("INSERT INTO kv VALUES ({i}, 'v{i}')"),
        );
        ok(
            &mut a,
            &mut s,
            &alloc::format!("INSERT INTO seq VALUES ({i})"),
        );
    }
    ok(&mut a, &mut s, "DELETE FROM seq WHERE v % 7 = 3");
    // Databases before and after `test`, one to be dropped during the dump.
    for db in ["aa", "zz"] {
        ok(&mut a, &mut s, &alloc::format!("CREATE DATABASE {db}"));
        ok(
            &mut a,
            &mut s,
            &alloc::format!("CREATE TABLE {db}.t (x INT)"),
        );
        for i in 0..30 {
            ok(
                &mut a,
                &mut s,
                &alloc::format!("INSERT INTO {db}.t VALUES ({i})"),
            );
        }
    }
    a.take_committed();
    // The new log: dump chunks, each followed by what committed while it was made.
    let mut log = Vec::new();
    let mut cursor = DumpCursor::new();
    let mut round = 0;
    while let Some(chunk) = cursor.next_chunk(&a, 24) {
        log.push(chunk);
        round += 1;
        let sql = match round % 5 {
            0 => alloc::format!("INSERT INTO kv VALUES ({}, 'new')", 100 + round),
            1 => alloc::format!("UPDATE kv SET v = 'up{round}' WHERE k = {}", round * 3 % 60),
            2 => alloc::format!("DELETE FROM kv WHERE k = {}", round * 7 % 60),
            3 => alloc::format!("INSERT INTO seq VALUES ({})", 1000 + round),
            _ => alloc::format!("DELETE FROM seq WHERE v = {}", round * 5 % 60),
        };
        ok(&mut a, &mut s, &sql);
        let ddl: &[&str] = match round {
            2 => &["DROP DATABASE aa"],
            9 => &["TRUNCATE TABLE seq"],
            12 => &["CREATE INDEX v_i ON kv (v)"],
            14 => &[
                "DROP TABLE kv",
                "CREATE TABLE kv (k INT PRIMARY KEY, v VARCHAR(20))",
                "INSERT INTO kv VALUES (1, 'again')",
            ],
            16 => &[
                "INSERT INTO zz.t VALUES (1000)",
                "DELETE FROM zz.t WHERE x = 3",
            ],
            _ => &[],
        };
        for sql in ddl {
            ok(&mut a, &mut s, sql);
        }
        log.extend(a.take_committed());
    }
    assert!(cursor.is_done() && round > 16, "{round} chunks");
    let mut c = replayed(&log);
    assert_eq!(snapshot(&mut a), snapshot(&mut c));
}

#[test]
fn capture_is_off_by_default_and_rollback_leaves_nothing() {
    let (mut e, mut s) = engine();
    ok(&mut e, &mut s, "CREATE TABLE t (id INT PRIMARY KEY)");
    ok(&mut e, &mut s, "INSERT INTO t VALUES (1)");
    assert!(e.take_committed().is_empty());
    e.set_redo_capture(true);
    ok(&mut e, &mut s, "BEGIN");
    ok(&mut e, &mut s, "INSERT INTO t VALUES (2)");
    ok(&mut e, &mut s, "ROLLBACK");
    ok(&mut e, &mut s, "BEGIN");
    ok(&mut e, &mut s, "INSERT INTO t VALUES (3)");
    e.end_session(&mut s);
    assert!(e.take_committed().is_empty());
}

#[test]
fn bad_payloads_are_errors_and_change_nothing() {
    let (mut a, mut s) = capturing();
    ok(
        &mut a,
        &mut s,
        "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, v TEXT)",
    );
    ok(
        &mut a,
        &mut s,
        "INSERT INTO t (v) VALUES ('x'), (NULL), ('yz')",
    );
    let log = a.take_committed();
    let mut base = with_test_database();
    let insert = &log[1];
    let before = snapshot(&mut base);
    base.apply_committed(&log[0]).unwrap();
    let with_table = snapshot(&mut base);
    assert_ne!(before, with_table);
    // Every proper prefix of the INSERT's payload is refused and changes nothing.
    for len in 0..insert.len() {
        assert!(
            base.apply_committed(&insert[..len]).is_err(),
            "prefix {len}"
        );
        assert_eq!(snapshot(&mut base), with_table, "prefix {len}");
    }
    assert_eq!(base.apply_committed(&[]), Err(RedoError::Truncated));
    assert_eq!(base.apply_committed(&[9]), Err(RedoError::Version(9)));
    assert_eq!(
        base.apply_committed(&[1, 200]),
        Err(RedoError::UnknownTag {
            what: "operation",
            tag: 200
        })
    );
    // A row operation before any table, a row of the wrong width, an absurd slot.
    assert_eq!(
        base.apply_committed(&[1, 9, 0, 0]),
        Err(RedoError::NoTarget)
    );
    let target = b"\x01\x07\x04test\x01t\x01";
    let mut wide = Vec::from(&target[..]);
    wide.extend_from_slice(&[8, 0, 1, 0, 0]);
    assert!(matches!(
        base.apply_committed(&wide),
        Err(RedoError::Place(_))
    ));
    let mut far = Vec::from(&target[..]);
    far.extend_from_slice(&[8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
    far.extend_from_slice(&[2, 1, 2, 0, 0]);
    assert!(matches!(
        base.apply_committed(&far),
        Err(RedoError::Place(_))
    ));
    // Every single-byte corruption is either refused or applied without a panic.
    for i in 0..insert.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut bad = insert.clone();
            bad[i] ^= flip;
            let mut e = with_test_database();
            e.apply_committed(&log[0]).unwrap();
            let _ = e.apply_committed(&bad);
        }
    }
    base.apply_committed(insert).unwrap();
    assert_eq!(snapshot(&mut base), snapshot(&mut a));
}
