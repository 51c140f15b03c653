//! While the durability log cannot take commits: writes and DDL get 1021 before they run,
//! a COMMIT of changes rolls them back with 1021, reads keep working.

use super::*;

#[test]
fn refused_writes_get_1021_and_reads_work() {
    let (mut e, mut s) = engine();
    e.set_redo_capture(true);
    ok(&mut e, &mut s, "CREATE TABLE t (id INT PRIMARY KEY, v INT)");
    ok(&mut e, &mut s, "INSERT INTO t VALUES (1, 10)");
    ok(&mut e, &mut s, "BEGIN");
    ok(&mut e, &mut s, "UPDATE t SET v = 11 WHERE id = 1");
    e.take_committed();
    e.refuse_durable_writes(Some(String::from("log device full")));
    assert_eq!(e.durable_writes_refused(), Some("log device full"));
    let refused = e
        .execute(&mut s, "INSERT INTO t VALUES (2, 20)")
        .unwrap_err();
    assert_eq!((refused.code, refused.sqlstate), (1021, "HY000"));
    assert!(
        refused.message.contains("log device full"),
        "{}",
        refused.message
    );
    // The open transaction cannot commit: rolled back with 1021.
    assert_eq!(err(&mut e, &mut s, "COMMIT"), 1021);
    assert!(!s.in_transaction());
    assert_eq!(rows(&mut e, &mut s, "SELECT v FROM t"), [["10"]]);
    assert_eq!(err(&mut e, &mut s, "CREATE TABLE u (x INT)"), 1021);
    assert_eq!(err(&mut e, &mut s, "DELETE FROM t"), 1021);
    let p = e
        .prepare(&mut s, "UPDATE t SET v = ? WHERE id = 1")
        .unwrap();
    assert_eq!(
        e.execute_prepared(&mut s, &p, &[Value::Int(5)])
            .unwrap_err()
            .code,
        1021
    );
    // A transaction that changed nothing still commits; reads keep working.
    ok(&mut e, &mut s, "BEGIN");
    assert_eq!(rows(&mut e, &mut s, "SELECT id, v FROM t"), [["1", "10"]]);
    ok(&mut e, &mut s, "COMMIT");
    assert!(e.take_committed().is_empty());
    e.refuse_durable_writes(None);
    ok(&mut e, &mut s, "INSERT INTO t VALUES (2, 20)");
    assert_eq!(e.take_committed().len(), 1);
}
