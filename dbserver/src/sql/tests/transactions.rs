//! Transactions: READ COMMITTED isolation between sessions, autocommit off, statement
//! atomicity and first-writer-wins conflicts.

use super::*;

#[test]
fn isolation_between_sessions() {
    let (mut e, mut a) = engine();
    let mut b = Session::new(2);
    e.use_database(&mut b, "test").unwrap();
    ok(&mut e, &mut a, "CREATE TABLE t (id INT PRIMARY KEY, v INT)");
    ok(&mut e, &mut a, "INSERT INTO t VALUES (1, 10), (2, 20)");
    ok(&mut e, &mut a, "BEGIN");
    assert!(a.in_transaction());
    ok(&mut e, &mut a, "INSERT INTO t VALUES (3, 30)");
    ok(&mut e, &mut a, "UPDATE t SET v = 11 WHERE id = 1");
    ok(&mut e, &mut a, "DELETE FROM t WHERE id = 2");
    // A sees its own changes, B sees only committed data.
    assert_eq!(
        rows(&mut e, &mut a, "SELECT id, v FROM t"),
        [["1", "11"], ["3", "30"]]
    );
    assert_eq!(
        rows(&mut e, &mut b, "SELECT id, v FROM t"),
        [["1", "10"], ["2", "20"]]
    );
    assert_eq!(
        rows(&mut e, &mut b, "SELECT v FROM t WHERE id = 1"),
        [["10"]]
    );
    assert_eq!(
        rows(&mut e, &mut b, "SELECT v FROM t WHERE id = 3").len(),
        0
    );
    // B writing a row A holds: deadlock error, B's transaction rolled back.
    ok(&mut e, &mut b, "BEGIN");
    ok(&mut e, &mut b, "INSERT INTO t VALUES (10, 100)");
    assert_eq!(err(&mut e, &mut b, "UPDATE t SET v = 0 WHERE id = 1"), 1213);
    assert!(!b.in_transaction());
    assert_eq!(
        rows(&mut e, &mut b, "SELECT id FROM t WHERE id = 10").len(),
        0
    );
    assert_eq!(err(&mut e, &mut b, "INSERT INTO t VALUES (3, 0)"), 1213);
    assert_eq!(err(&mut e, &mut b, "DELETE FROM t WHERE id = 2"), 1213);
    ok(&mut e, &mut a, "COMMIT");
    assert!(!a.in_transaction());
    assert_eq!(
        rows(&mut e, &mut b, "SELECT id, v FROM t"),
        [["1", "11"], ["3", "30"]]
    );
    // Rollback really undoes.
    ok(&mut e, &mut a, "START TRANSACTION");
    ok(&mut e, &mut a, "UPDATE t SET v = v + 1");
    ok(&mut e, &mut a, "INSERT INTO t VALUES (4, 40)");
    ok(&mut e, &mut a, "ROLLBACK");
    assert_eq!(
        rows(&mut e, &mut a, "SELECT id, v FROM t"),
        [["1", "11"], ["3", "30"]]
    );
    // Ending a session rolls back.
    ok(&mut e, &mut a, "BEGIN");
    ok(&mut e, &mut a, "DELETE FROM t");
    e.end_session(&mut a);
    assert_eq!(rows(&mut e, &mut b, "SELECT COUNT(*) FROM t"), [["2"]]);
    ok(&mut e, &mut b, "UPDATE t SET v = 1 WHERE id = 1");
}

#[test]
fn autocommit_off_and_statement_atomicity() {
    let (mut e, mut a) = engine();
    let mut b = Session::new(2);
    e.use_database(&mut b, "test").unwrap();
    ok(&mut e, &mut a, "CREATE TABLE t (id INT PRIMARY KEY, v INT)");
    ok(&mut e, &mut a, "SET autocommit=0");
    ok(&mut e, &mut a, "INSERT INTO t VALUES (1, 1)");
    assert!(a.in_transaction());
    assert_eq!(rows(&mut e, &mut b, "SELECT COUNT(*) FROM t"), [["0"]]);
    // A failing multi-row insert undoes only itself.
    assert_eq!(
        err(
            &mut e,
            &mut a,
            "INSERT INTO t VALUES (2, 2), (3, 3), (1, 1)"
        ),
        1062
    );
    assert_eq!(rows(&mut e, &mut a, "SELECT id FROM t"), [["1"]]);
    assert!(a.in_transaction());
    ok(&mut e, &mut a, "COMMIT");
    assert_eq!(rows(&mut e, &mut b, "SELECT id FROM t"), [["1"]]);
    // UPDATE that fails midway changes nothing.
    ok(&mut e, &mut a, "INSERT INTO t VALUES (2, 2), (3, 3)");
    ok(&mut e, &mut a, "COMMIT");
    assert_eq!(
        err(&mut e, &mut a, "UPDATE t SET id = 3 WHERE id < 3"),
        1062
    );
    assert_eq!(
        rows(&mut e, &mut a, "SELECT id FROM t"),
        [["1"], ["2"], ["3"]]
    );
    ok(&mut e, &mut a, "ROLLBACK");
    // DDL commits implicitly.
    ok(&mut e, &mut a, "INSERT INTO t VALUES (4, 4)");
    ok(&mut e, &mut a, "CREATE TABLE u (x INT)");
    assert_eq!(rows(&mut e, &mut b, "SELECT COUNT(*) FROM t"), [["4"]]);
    ok(&mut e, &mut a, "SET autocommit=1");
    assert!(!a.in_transaction());
    // UPDATE counts changed rows.
    let (n, info) = ok(&mut e, &mut a, "UPDATE t SET v = 2 WHERE id <= 2");
    assert_eq!(
        (n, info.as_str()),
        (1, "Rows matched: 2  Changed: 1  Warnings: 0")
    );
}

/// sysbench `oltp_read_write`'s write pattern (index update, non-index update, delete and
/// re-insert of one id) in concurrent transactions conflicts only on the same ids: not
/// through the secondary index's entries of pending versions, the unique check of the
/// re-insert against other sessions' pending/deleted versions of other keys, reused
/// slots, or locks of failed statements and finished transactions.
#[test]
fn write_pattern_conflicts_only_on_same_rows() {
    let (mut e, mut a) = engine();
    sbtest(&mut e, &mut a, 100);
    let mut sessions: Vec<Session> = (2..10).map(Session::new).collect();
    for s in &mut sessions {
        e.use_database(s, "test").unwrap();
    }
    let txn = |e: &mut Engine, s: &mut Session, id: i64| -> Result<(), u16> {
        let run = |e: &mut Engine, s: &mut Session, sql: String| {
            e.execute(s, &sql).map(|_| ()).map_err(|x| x.code)
        };
        run(
            e,
            s,
            alloc::format!("UPDATE sbtest1 SET k=k+1 WHERE id={id}"),
        )?;
        run(
            e,
            s,
            alloc::format!("UPDATE sbtest1 SET c='x{id}' WHERE id={}", id + 1),
        )?;
        run(
            e,
            s,
            alloc::format!("DELETE FROM sbtest1 WHERE id={}", id + 2),
        )?;
        run(
            e,
            s,
            alloc::format!(
                "INSERT INTO sbtest1 (id, k, c, pad) VALUES ({}, 5, 'c', 'p')",
                id + 2
            ),
        )
    };
    for round in 0..5i64 {
        // Eight open transactions on disjoint ids, all sharing k values (the secondary
        // index) and reusing the slots freed by the previous round.
        for (n, s) in sessions.iter_mut().enumerate() {
            ok(&mut e, s, "BEGIN");
            let id = n as i64 * 10 + 1 + round;
            assert_eq!(txn(&mut e, s, id), Ok(()), "round {round} session {n}");
        }
        // A failed statement (duplicate key) keeps no lock: another session writes the row.
        let first = sessions.first_mut().unwrap();
        let fresh = 1000 + round;
        assert_eq!(
            err(
                &mut e,
                first,
                &alloc::format!(
                    "INSERT INTO sbtest1 (id, k, c, pad) VALUES ({fresh}, 0, '', ''), (3, 0, '', '')"
                )
            ),
            1062
        );
        ok(
            &mut e,
            &mut a,
            &alloc::format!("INSERT INTO sbtest1 (id, k, c, pad) VALUES ({fresh}, 0, '', '')"),
        );
        ok(
            &mut e,
            &mut a,
            &alloc::format!("DELETE FROM sbtest1 WHERE id={fresh}"),
        );
        // Real write-write conflicts still fail, and the loser's locks are released.
        let id = 1 + round;
        let second = sessions.get_mut(1).unwrap();
        assert_eq!(
            err(
                &mut e,
                second,
                &alloc::format!("UPDATE sbtest1 SET k=0 WHERE id={id}")
            ),
            1213
        );
        ok(
            &mut e,
            &mut a,
            &alloc::format!("UPDATE sbtest1 SET k=k+1 WHERE id={}", 11 + round),
        );
        for (n, s) in sessions.iter_mut().enumerate() {
            if n == 1 {
                ok(&mut e, s, "ROLLBACK");
            } else {
                ok(&mut e, s, "COMMIT");
            }
        }
        // Nobody saw uncommitted rows: the table still holds every id once.
        assert_eq!(
            rows(
                &mut e,
                &mut a,
                "SELECT COUNT(*), COUNT(DISTINCT id) FROM sbtest1"
            ),
            [["100", "100"]]
        );
    }
}
