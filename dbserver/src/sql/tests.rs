//! Engine tests: every statement kind, errors, transactions, plans.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::*;

fn engine() -> (Engine, Session) {
    let mut e = Engine::new(EngineLimits::default());
    let mut s = Session::new(1);
    e.execute(&mut s, "CREATE DATABASE test").unwrap();
    e.execute(&mut s, "USE test").unwrap();
    (e, s)
}

fn rows(e: &mut Engine, s: &mut Session, sql: &str) -> Vec<Vec<String>> {
    match e.execute(s, sql) {
        Ok(Outcome::Rows(rs)) => rs
            .rows
            .iter()
            .map(|r| r.iter().map(|v| v.display()).collect())
            .collect(),
        other => panic!("{sql}: {other:?}"),
    }
}

fn ok(e: &mut Engine, s: &mut Session, sql: &str) -> (u64, String) {
    match e.execute(s, sql) {
        Ok(Outcome::Done {
            affected_rows,
            info,
            ..
        }) => (affected_rows, info),
        other => panic!("{sql}: {other:?}"),
    }
}

fn err(e: &mut Engine, s: &mut Session, sql: &str) -> u16 {
    match e.execute(s, sql) {
        Err(x) => x.code,
        other => panic!("{sql}: expected error, got {other:?}"),
    }
}

#[test]
fn create_insert_select() {
    let (mut e, mut s) = engine();
    ok(
        &mut e,
        &mut s,
        "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(10), n INT)",
    );
    let (n, info) = ok(
        &mut e,
        &mut s,
        "INSERT INTO t VALUES (1,'a',10),(2,'b',20),(3,'c',NULL)",
    );
    assert_eq!(
        (n, info.as_str()),
        (3, "Records: 3  Duplicates: 0  Warnings: 0")
    );
    assert_eq!(
        rows(&mut e, &mut s, "SELECT name FROM t WHERE id = 2"),
        [["b"]]
    );
    assert_eq!(
        rows(&mut e, &mut s, "SELECT 1+1, 1/2, 7/2"),
        [["2", "0.5000", "3.5000"]]
    );
    assert_eq!(
        rows(&mut e, &mut s, "SELECT COUNT(*), SUM(n), AVG(n) FROM t"),
        [["3", "30", "15.0000"]]
    );
}
