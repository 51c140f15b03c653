//! Engine tests: every statement kind, errors, transactions, plans. This file holds the
//! helpers the topic files share.

use alloc::string::String;
use alloc::vec::Vec;

use super::*;

mod clients;
mod limits;
mod prepared;
mod queries;
mod redo;
mod refusal;
mod semantics;
mod subqueries;
mod transactions;

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

fn prepared(e: &mut Engine, s: &mut Session, sql: &str, params: &[Value]) -> Outcome {
    let p = e.prepare(s, sql).unwrap();
    e.execute_prepared(s, &p, params).unwrap()
}

fn sbtest(e: &mut Engine, s: &mut Session, n: usize) {
    ok(e, s, "CREATE TABLE sbtest1(id INTEGER NOT NULL AUTO_INCREMENT, k INTEGER DEFAULT '0' NOT NULL, c CHAR(120) DEFAULT '' NOT NULL, pad CHAR(60) DEFAULT '' NOT NULL, PRIMARY KEY (id)) /*! ENGINE = innodb */");
    let mut sql = String::from("INSERT INTO sbtest1(k, c, pad) VALUES");
    for i in 0..n {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&alloc::format!("({}, 'c{:03}', 'pad')", i % 10, n - i));
    }
    ok(e, s, &sql);
    ok(e, s, "CREATE INDEX k_1 ON sbtest1(k)");
}
