//! OLTP workloads modelled on sysbench's `oltp_common.lua`: point select, read-only,
//! read/write, insert and update-index transactions on `sbtest.sbtest1`, every reply checked
//! against the deterministic rows of [`super::rows`].

use mysql::Value;

use super::conn::{text, SqlConn, SqlError};
use super::rows::{c_id, c_value, check_c, k_value, pad_value};
use crate::zipf::FastRng;

/// Database and table (sysbench's names).
pub const DATABASE: &str = "sbtest";
/// Rows per multi-row INSERT while loading.
const LOAD_BATCH: u64 = 100;
/// Point selects per read-only / read-write transaction (sysbench `--point-selects`).
const POINT_SELECTS: usize = 10;
/// Rows of each range query (sysbench `--range-size`).
const RANGE_SIZE: u64 = 100;

const CREATE: &str = "CREATE TABLE sbtest1 (id INTEGER NOT NULL AUTO_INCREMENT, \
     k INTEGER DEFAULT '0' NOT NULL, c CHAR(120) DEFAULT '' NOT NULL, \
     pad CHAR(60) DEFAULT '' NOT NULL, PRIMARY KEY (id))";
const CREATE_INDEX: &str = "CREATE INDEX k_1 ON sbtest1(k)";
const POINT: &str = "SELECT c FROM sbtest1 WHERE id=?";
const SIMPLE_RANGE: &str = "SELECT c FROM sbtest1 WHERE id BETWEEN ? AND ?";
const SUM_RANGE: &str = "SELECT SUM(k) FROM sbtest1 WHERE id BETWEEN ? AND ?";
const ORDER_RANGE: &str = "SELECT c FROM sbtest1 WHERE id BETWEEN ? AND ? ORDER BY c";
const DISTINCT_RANGE: &str = "SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN ? AND ? ORDER BY c";
const UPDATE_INDEX: &str = "UPDATE sbtest1 SET k=k+1 WHERE id=?";
const UPDATE_NON_INDEX: &str = "UPDATE sbtest1 SET c=? WHERE id=?";
const DELETE: &str = "DELETE FROM sbtest1 WHERE id=?";
const INSERT_ROW: &str = "INSERT INTO sbtest1 (id, k, c, pad) VALUES (?, ?, ?, ?)";
const INSERT_NEW: &str = "INSERT INTO sbtest1 (k, c, pad) VALUES (?, ?, ?)";

/// One of sysbench's OLTP scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OltpKind {
    /// `oltp_point_select`: one point select, no explicit transaction.
    PointSelect,
    /// `oltp_read_only`: BEGIN, 10 point selects, 4 range queries, COMMIT.
    ReadOnly,
    /// `oltp_read_write`: read-only's queries plus 2 updates, a delete and an insert.
    ReadWrite,
    /// `oltp_insert`: one INSERT of a new row.
    Insert,
    /// `oltp_update_index`: one `UPDATE … SET k=k+1`.
    UpdateIndex,
}

impl OltpKind {
    /// All kinds with their workload names.
    pub const ALL: [(&'static str, OltpKind); 5] = [
        ("oltp-point-select", OltpKind::PointSelect),
        ("oltp-read-only", OltpKind::ReadOnly),
        ("oltp-read-write", OltpKind::ReadWrite),
        ("oltp-insert", OltpKind::Insert),
        ("oltp-update-index", OltpKind::UpdateIndex),
    ];

    /// The workload name.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("oltp", |(n, _)| n)
    }

    /// Fraction of statements that only read (for the CSV's `read_ratio`).
    pub fn read_ratio(self) -> f64 {
        match self {
            OltpKind::PointSelect | OltpKind::ReadOnly => 1.0,
            OltpKind::ReadWrite => 14.0 / 18.0,
            OltpKind::Insert | OltpKind::UpdateIndex => 0.0,
        }
    }
}

/// Creates `sbtest.sbtest1` with `table_size` rows (ids 1..=table_size) and its `k` index,
/// then checks the row count.
pub fn prepare(conn: &mut SqlConn, table_size: u64) -> Result<(), SqlError> {
    conn.run(&format!("CREATE DATABASE IF NOT EXISTS {DATABASE}"))?;
    conn.run(&format!("USE {DATABASE}"))?;
    conn.run("DROP TABLE IF EXISTS sbtest1")?;
    conn.run(CREATE)?;
    let mut id = 1;
    while id <= table_size {
        let end = (id + LOAD_BATCH - 1).min(table_size);
        let values: Vec<String> = (id..=end)
            .map(|i| {
                format!(
                    "({i},{},'{}','{}')",
                    k_value(i, table_size),
                    c_value(i, 0),
                    pad_value(i)
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO sbtest1 (id, k, c, pad) VALUES {}",
            values.join(",")
        );
        let affected = conn.run(&sql)?;
        if affected != end - id + 1 {
            return Err(SqlError::Wrong(format!(
                "loading rows {id}..={end}: {affected} rows affected"
            )));
        }
        id = end + 1;
    }
    conn.run(CREATE_INDEX)?;
    let rows = conn.run_rows("SELECT COUNT(*) FROM sbtest1")?;
    let count = rows.first().and_then(|r| text(r, 0));
    if count.as_deref() != Some(table_size.to_string().as_str()) {
        return Err(SqlError::Wrong(format!(
            "after loading {table_size} rows, COUNT(*) = {count:?}"
        )));
    }
    Ok(())
}

/// Runs one transaction of `kind` on a table of `table_size` rows; `Err` aborts it (the
/// caller rolls back and, for a deadlock, retries).
pub fn transaction(
    conn: &mut SqlConn,
    kind: OltpKind,
    table_size: u64,
    rng: &mut FastRng,
) -> Result<(), SqlError> {
    let mut id = || 1 + rng.below(table_size);
    match kind {
        OltpKind::PointSelect => point_select(conn, id()),
        OltpKind::UpdateIndex => expect_one(conn.exec(UPDATE_INDEX, &[int(id())])?, UPDATE_INDEX),
        OltpKind::Insert => {
            let version = rng.next_u64();
            let params = [
                int(k_value(version, table_size)),
                Value::from(c_value(0, version % 1_000_000)),
                Value::from(pad_value(version)),
            ];
            expect_one(conn.exec(INSERT_NEW, &params)?, INSERT_NEW)
        }
        OltpKind::ReadOnly | OltpKind::ReadWrite => {
            conn.run("BEGIN")?;
            for _ in 0..POINT_SELECTS {
                point_select(conn, 1 + rng.below(table_size))?;
            }
            ranges(conn, table_size, rng)?;
            if kind == OltpKind::ReadWrite {
                writes(conn, table_size, rng)?;
            }
            conn.run("COMMIT")?;
            Ok(())
        }
    }
}

fn int(v: u64) -> Value {
    Value::Int(v as i64)
}

fn expect_one(affected: u64, sql: &str) -> Result<(), SqlError> {
    if affected == 1 {
        Ok(())
    } else {
        Err(SqlError::Wrong(format!(
            "{sql}: {affected} rows affected, expected 1"
        )))
    }
}

fn point_select(conn: &mut SqlConn, id: u64) -> Result<(), SqlError> {
    let rows = conn.rows(POINT, &[int(id)])?;
    if rows.len() != 1 {
        return Err(SqlError::Wrong(format!(
            "{POINT} [{id}]: {} rows, expected 1",
            rows.len()
        )));
    }
    let c = text(&rows[0], 0).ok_or_else(|| SqlError::Wrong(format!("row {id}: c is NULL")))?;
    check_c(id, &c).map(drop).map_err(SqlError::Wrong)
}

/// sysbench's four range queries over one random range each.
fn ranges(conn: &mut SqlConn, table_size: u64, rng: &mut FastRng) -> Result<(), SqlError> {
    let span = RANGE_SIZE.min(table_size);
    let mut range = || {
        let start = 1 + rng.below(table_size - span + 1);
        (start, start + span - 1)
    };
    for (sql, ordered) in [
        (SIMPLE_RANGE, false),
        (ORDER_RANGE, true),
        (DISTINCT_RANGE, true),
    ] {
        let (lo, hi) = range();
        let rows = conn.rows(sql, &[int(lo), int(hi)])?;
        let mut ids = Vec::with_capacity(rows.len());
        for row in &rows {
            let c = text(row, 0).unwrap_or_default();
            let id = c_id(&c).ok_or_else(|| SqlError::Wrong(format!("{sql}: bad c {c:?}")))?;
            check_c(id, &c).map_err(SqlError::Wrong)?;
            ids.push(id);
        }
        if ordered && ids.windows(2).any(|w| w[0] >= w[1]) {
            return Err(SqlError::Wrong(format!(
                "{sql} [{lo}, {hi}]: not ordered by c"
            )));
        }
        ids.sort_unstable();
        if !ids.iter().copied().eq(lo..=hi) {
            return Err(SqlError::Wrong(format!(
                "{sql} [{lo}, {hi}]: {} rows, not exactly the ids of the range",
                ids.len()
            )));
        }
    }
    let (lo, hi) = range();
    let rows = conn.rows(SUM_RANGE, &[int(lo), int(hi)])?;
    match rows.as_slice() {
        [row] if text(row, 0).is_some_and(|s| s.trim().parse::<f64>().is_ok()) => Ok(()),
        _ => Err(SqlError::Wrong(format!(
            "{SUM_RANGE} [{lo}, {hi}]: not one number"
        ))),
    }
}

/// read/write's index update, non-index update, and delete + re-insert of one row.
fn writes(conn: &mut SqlConn, table_size: u64, rng: &mut FastRng) -> Result<(), SqlError> {
    let id = 1 + rng.below(table_size);
    expect_one(conn.exec(UPDATE_INDEX, &[int(id)])?, UPDATE_INDEX)?;
    let id = 1 + rng.below(table_size);
    let version = rng.below(1_000_000) + 1;
    let c = Value::from(c_value(id, version));
    expect_one(
        conn.exec(UPDATE_NON_INDEX, &[c, int(id)])?,
        UPDATE_NON_INDEX,
    )?;
    let id = 1 + rng.below(table_size);
    expect_one(conn.exec(DELETE, &[int(id)])?, DELETE)?;
    let version = rng.below(1_000_000) + 1;
    let params = [
        int(id),
        int(k_value(id, table_size)),
        Value::from(c_value(id, version)),
        Value::from(pad_value(id)),
    ];
    expect_one(conn.exec(INSERT_ROW, &params)?, INSERT_ROW)
}
