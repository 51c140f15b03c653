//! The Wisconsin benchmark as MySQL's sql-bench runs it (`test-wisconsin`): relations
//! onek, tenk1, tenk2 and Bprime with sql-bench's schema, loaded with single-row INSERTs,
//! Bprime cut to 1,000 rows, then the query list: each SELECT `loop_count` times, each
//! INSERT/DELETE/UPDATE once. Every row count is checked against the generated data.

pub mod data;

use std::time::Instant;

use data::{relation, Tuple};

use super::conn::{int, SqlConn, SqlError};
use super::SqlMeasurement;
use crate::metrics::{thread_cpu_s, LatencyHistogram};

/// The database the relations live in.
pub const DATABASE: &str = "wisconsin";
/// Tuples of onek and of tenk1/tenk2/Bprime (before Bprime is cut).
const ONEK: u32 = 1_000;
/// Tuples of tenk1 (the key relation).
pub const TENK: u32 = 10_000;
/// SELECTs and writes in the query list.
const SELECTS: u64 = 10;
const WRITES: u64 = 14;
/// Bprime keeps the tuples with unique2 below this.
const BPRIME_ROWS: u32 = 1_000;
/// Columns in schema order, with sql-bench's types.
const COLUMNS: [(&str, &str); 16] = [
    ("unique1", "int(4) NOT NULL"),
    ("unique2", "int(4) NOT NULL"),
    ("two", "int(4)"),
    ("four", "int(4)"),
    ("ten", "int(4)"),
    ("twenty", "int(4)"),
    ("hundred", "int(4) NOT NULL"),
    ("thousand", "int(4)"),
    ("twothousand", "int(4)"),
    ("fivethous", "int(4)"),
    ("tenthous", "int(4)"),
    ("odd", "int(4)"),
    ("even", "int(4)"),
    ("stringu1", "char(16)"),
    ("stringu2", "char(16)"),
    ("string4", "char(16)"),
];
/// (table, name of its `hundred` index, which data it is loaded from).
const TABLES: [(&str, &str, bool); 4] = [
    ("onek", "hundred1", false),
    ("tenk1", "hundred2", true),
    ("tenk2", "hundred3", true),
    ("Bprime", "hundred4", true),
];
/// The values sql-bench's INSERTs put into tenk1 besides unique1/unique2.
const INSERT_REST: &str =
    "0, 2, 0, 10, 50, 688, 1950, 4950, 9950, 1, 100, 'ron may choi', 'jae kwang choi', 'u. c. berkeley'";

/// Parameters of a Wisconsin run.
#[derive(Debug, Clone)]
pub struct WisconsinRun {
    /// Executions of each SELECT (sql-bench's `--loop-count`; KML used 10,000).
    pub loop_count: u64,
    /// Seed of the unique1 permutations.
    pub seed: u64,
}

/// What the generated data says about the relations, and what the DML did to tenk1.
struct Model {
    onek: Vec<Tuple>,
    tenk: Vec<Tuple>,
    /// unique2 of every tenk1 row (the only column the DML statements test).
    tenk1_unique2: Vec<u32>,
}

/// A query and its check.
enum Check {
    /// A SELECT returning this many rows (and, optionally, column 0 of the first row).
    Rows(usize, Option<i64>),
    /// A statement affecting this many rows.
    Affected(u64),
}

/// Fraction of the query phase's statements that read, at `loop_count`.
pub fn read_ratio(loop_count: u64) -> f64 {
    let reads = SELECTS * loop_count;
    reads as f64 / (reads + WRITES).max(1) as f64
}

/// Creates and loads the relations; returns the statements sent and the seconds taken.
pub fn load(conn: &mut SqlConn, seed: u64) -> Result<(u64, f64), SqlError> {
    let model = Model::new(seed);
    let start = Instant::now();
    let before = conn.statements;
    conn.run(&format!("CREATE DATABASE IF NOT EXISTS {DATABASE}"))?;
    conn.run(&format!("USE {DATABASE}"))?;
    for (table, index, tenk) in TABLES {
        conn.run(&format!("DROP TABLE IF EXISTS {table}"))?;
        conn.run(&create_sql(table, index))?;
        let rows = if tenk { &model.tenk } else { &model.onek };
        for t in rows {
            let affected = conn.run(&format!("insert into {table} values ({})", t.values_sql()))?;
            if affected != 1 {
                return Err(SqlError::Wrong(format!(
                    "insert into {table}: {affected} rows affected"
                )));
            }
        }
    }
    let deleted = conn.run(&format!(
        "delete from Bprime where Bprime.unique2 >= {BPRIME_ROWS}"
    ))?;
    if deleted != u64::from(TENK - BPRIME_ROWS) {
        return Err(SqlError::Wrong(format!(
            "delete_big: {deleted} rows deleted"
        )));
    }
    Ok((conn.statements - before, start.elapsed().as_secs_f64()))
}

fn create_sql(table: &str, index: &str) -> String {
    let columns: Vec<String> = COLUMNS
        .iter()
        .map(|(name, ty)| {
            // sql-bench gives onek's unique1 a display width of 5.
            let ty = if table == "onek" && *name == "unique1" {
                "int(5) NOT NULL"
            } else {
                ty
            };
            format!("{name} {ty}")
        })
        .collect();
    format!(
        "create table {table} ({}, UNIQUE (unique1), UNIQUE (unique2), INDEX {index} (hundred))",
        columns.join(", ")
    )
}

/// `p.col AS Pcol` for every column: the aliased half of sql-bench's join select lists.
fn aliased(prefix: &str, alias: &str) -> String {
    let list: Vec<String> = COLUMNS
        .iter()
        .map(|(c, _)| format!("{prefix}.{c} AS {alias}{c}"))
        .collect();
    list.join(", ")
}

impl Model {
    fn new(seed: u64) -> Self {
        let tenk = relation(TENK, seed ^ 0x7E4B);
        Model {
            onek: relation(ONEK, seed ^ 0x0E4B),
            tenk1_unique2: tenk.iter().map(|t| t.unique2).collect(),
            tenk,
        }
    }

    fn tenk_where(&self, f: impl Fn(&Tuple) -> bool) -> usize {
        self.tenk.iter().filter(|t| f(t)).count()
    }

    fn insert(&mut self, unique2: u32) -> Check {
        self.tenk1_unique2.push(unique2);
        Check::Affected(1)
    }

    fn delete(&mut self, unique2: u32) -> Check {
        let before = self.tenk1_unique2.len();
        self.tenk1_unique2.retain(|&u| u != unique2);
        Check::Affected((before - self.tenk1_unique2.len()) as u64)
    }

    fn update(&mut self, to: u32, from: u32) -> Check {
        let mut n = 0;
        for u in self.tenk1_unique2.iter_mut().filter(|u| **u == from) {
            *u = to;
            n += 1;
        }
        Check::Affected(n)
    }
}

/// sql-bench's query list with the check of each, evaluated on the model in list order.
fn queries(m: &mut Model) -> Vec<(String, Check)> {
    let bprime: Vec<u32> = m
        .tenk
        .iter()
        .map(|t| t.unique2)
        .filter(|&u| u < BPRIME_ROWS)
        .collect();
    let onek_u2: Vec<u32> = m.onek.iter().map(|t| t.unique2).collect();
    let range = m.tenk_where(|t| t.unique2 > 301 && t.unique2 < 402);
    let t2001 = m
        .tenk
        .iter()
        .find(|t| t.unique2 == 2001)
        .map(|t| i64::from(t.unique1));
    let min_u2 = m.tenk.iter().map(|t| t.unique2).min().map(i64::from);
    let mut q: Vec<(String, Check)> = vec![
        ("select * from tenk1 where (unique2 > 301) and (unique2 < 402)".into(), Check::Rows(range, None)),
        (
            "select * from tenk1 where (unique1 > 647) and (unique1 < 1648)".into(),
            Check::Rows(m.tenk_where(|t| t.unique1 > 647 && t.unique1 < 1648), None),
        ),
        ("select * from tenk1 where unique2 = 2001".into(), Check::Rows(m.tenk_where(|t| t.unique2 == 2001), t2001)),
        ("select * from tenk1 where (unique2 > 301) and (unique2 < 402)".into(), Check::Rows(range, None)),
        (
            format!(
                "select t1.*, {} from tenk1 t1, tenk1 t2 where (t1.unique2 = t2.unique2) and (t2.unique2 < 1000)",
                aliased("t2", "t2")
            ),
            Check::Rows(m.tenk_where(|t| t.unique2 < 1000), None),
        ),
        (
            format!("select t.*, {} from tenk1 t, Bprime B where t.unique2 = B.unique2", aliased("B", "B")),
            Check::Rows(m.tenk.iter().filter(|t| bprime.contains(&t.unique2)).count(), None),
        ),
        (
            format!(
                "select t1.*, {} from onek o, tenk1 t1, tenk1 t2 where (o.unique2 = t1.unique2) and \
                 (t1.unique2 = t2.unique2) and (t1.unique2 < 1000) and (t2.unique2 < 1000)",
                aliased("o", "o")
            ),
            Check::Rows(m.tenk.iter().filter(|t| t.unique2 < 1000 && onek_u2.contains(&t.unique2)).count(), None),
        ),
        ("select two, four, ten, twenty, hundred, string4 from tenk1".into(), Check::Rows(m.tenk.len(), None)),
        ("select * from onek".into(), Check::Rows(m.onek.len(), None)),
        ("select MIN(unique2) as x from tenk1".into(), Check::Rows(1, min_u2)),
    ];
    let insert = |u1: u32, u2: u32| {
        format!(
            "insert into tenk1 (unique1, unique2, two, four, ten, twenty, hundred, thousand, twothousand, \
             fivethous, tenthous, odd, even, stringu1, stringu2, string4) values ({u1}, {u2}, {INSERT_REST})"
        )
    };
    let delete = |u2: u32| format!("delete from tenk1 where tenk1.unique2 = {u2}");
    let update = |to: u32, from: u32| {
        format!("update tenk1 set unique2 = {to} where tenk1.unique2 = {from}")
    };
    q.push((insert(10001, 74001), m.insert(74001)));
    q.push((insert(19991, 60001), m.insert(60001)));
    q.push((delete(877), m.delete(877)));
    q.push((delete(876), m.delete(876)));
    q.push((update(10001, 1491), m.update(10001, 1491)));
    q.push((update(10023, 1480), m.update(10023, 1480)));
    q.push((insert(20002, 70002), m.insert(70002)));
    q.push((insert(50002, 40002), m.insert(40002)));
    q.push((delete(10001), m.delete(10001)));
    q.push((delete(900), m.delete(900)));
    for (to, from) in [(10088, 187), (10003, 2000), (10020, 1974), (16001, 1140)] {
        q.push((update(to, from), m.update(to, from)));
    }
    q
}

/// Runs the query list (after [`load`]); every statement is one operation.
pub fn run(conn: &mut SqlConn, run: &WisconsinRun) -> SqlMeasurement {
    let mut model = Model::new(run.seed);
    let mut m = SqlMeasurement::default();
    let mut latency = LatencyHistogram::new();
    let start = Instant::now();
    let cpu0 = thread_cpu_s().ok();
    for (sql, check) in queries(&mut model) {
        let times = if matches!(check, Check::Rows(..)) {
            run.loop_count
        } else {
            1
        };
        for _ in 0..times {
            let t0 = Instant::now();
            let outcome = execute(conn, &sql, &check);
            latency.record_us(t0.elapsed().as_micros() as u64);
            m.statements += 1;
            match outcome {
                Ok(()) => m.ops += 1,
                Err(e) => m.error(e.to_string()),
            }
        }
    }
    m.duration_s = start.elapsed().as_secs_f64();
    m.loadgen_cpu_s = cpu0
        .zip(thread_cpu_s().ok())
        .map_or(0.0, |(a, b)| (b - a).max(0.0));
    m.latency = latency;
    m
}

fn execute(conn: &mut SqlConn, sql: &str, check: &Check) -> Result<(), SqlError> {
    match *check {
        Check::Rows(want, first) => {
            let rows = conn.run_rows(sql)?;
            if rows.len() != want {
                return Err(SqlError::Wrong(format!(
                    "{}: {} rows, expected {want}",
                    abbrev(sql),
                    rows.len()
                )));
            }
            if let Some(want0) = first {
                let got = rows.first().and_then(|r| int(r, 0));
                if got != Some(want0) {
                    return Err(SqlError::Wrong(format!(
                        "{}: first value {got:?}, expected {want0}",
                        abbrev(sql)
                    )));
                }
            }
            Ok(())
        }
        Check::Affected(want) => {
            let got = conn.run(sql)?;
            if got != want {
                return Err(SqlError::Wrong(format!(
                    "{}: {got} rows affected, expected {want}",
                    abbrev(sql)
                )));
            }
            Ok(())
        }
    }
}

fn abbrev(sql: &str) -> String {
    super::conn::abbreviate(sql)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_counts_follow_from_the_data() {
        let mut m = Model::new(1);
        let q = queries(&mut m);
        assert_eq!(q.len() as u64, SELECTS + WRITES);
        let rows: Vec<usize> = q
            .iter()
            .filter_map(|(_, c)| match c {
                Check::Rows(n, _) => Some(*n),
                Check::Affected(_) => None,
            })
            .collect();
        assert_eq!(rows, [100, 1000, 1, 100, 1000, 1000, 1000, 10_000, 1000, 1]);
        assert!(q
            .iter()
            .all(|(_, c)| !matches!(c, Check::Affected(n) if *n != 1)));
        assert!(q[4]
            .0
            .contains("t2.string4 AS t2string4 from tenk1 t1, tenk1 t2"));
        assert!(create_sql("onek", "hundred1").contains("unique1 int(5) NOT NULL, unique2 int(4)"));
    }
}
