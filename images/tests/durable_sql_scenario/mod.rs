//! The SQL half of the durability crash tests, the same on every platform: the Linux
//! binary (`dbserver/tests/durability.rs`), the image
//! (`unikernel/harness/tests/durability_sql.rs`) and the Linux guest
//! (`images/tests/linux_guest_durability.rs`) include this file. Before the crash,
//! [`write_before_crash`] commits through autocommit, an explicit transaction and a
//! delete, and leaves one transaction open; after the restart [`check_after_reboot`] finds
//! exactly the committed rows and the AUTO_INCREMENT counter where it was.
#![allow(dead_code)]

use mysql::prelude::Queryable;

/// The committed rows the table holds after [`write_before_crash`].
pub const COMMITTED: [(i64, &str); 2] = [(2, "B"), (3, "c")];

/// Creates database `d` and table `t` through connections from `connect(database)`,
/// commits [`COMMITTED`] and leaves an open transaction that inserted a row (its own
/// session sees it). Returns both connections: drop them only after the crash, so the
/// open transaction is open when the server dies.
pub fn write_before_crash(
    connect: impl Fn(Option<&str>) -> mysql::Conn,
) -> (mysql::Conn, mysql::Conn) {
    connect(None).query_drop("CREATE DATABASE d").unwrap();
    let mut c = connect(Some("d"));
    c.query_drop("CREATE TABLE t (id INT PRIMARY KEY AUTO_INCREMENT, v VARCHAR(20))")
        .unwrap();
    c.query_drop("INSERT INTO t (v) VALUES ('a'), ('b')")
        .unwrap();
    c.query_drop("BEGIN").unwrap();
    c.query_drop("UPDATE t SET v = 'B' WHERE id = 2").unwrap();
    c.query_drop("INSERT INTO t (v) VALUES ('c')").unwrap();
    c.query_drop("COMMIT").unwrap();
    c.query_drop("DELETE FROM t WHERE id = 1").unwrap();
    let mut open = connect(Some("d"));
    open.query_drop("BEGIN").unwrap();
    open.query_drop("INSERT INTO t (v) VALUES ('uncommitted')")
        .unwrap();
    let seen: Option<i64> = open.query_first("SELECT COUNT(*) FROM t").unwrap();
    assert_eq!(seen, Some(3), "the open transaction sees its own row");
    (c, open)
}

/// After the restart: exactly [`COMMITTED`] (the open transaction is absent), and the
/// AUTO_INCREMENT counter came back (the next insert gets id 4).
pub fn check_after_reboot(c: &mut mysql::Conn) {
    let rows: Vec<(i64, String)> = c.query("SELECT id, v FROM t ORDER BY id").unwrap();
    let want: Vec<(i64, String)> = COMMITTED
        .iter()
        .map(|(id, v)| (*id, v.to_string()))
        .collect();
    assert_eq!(rows, want);
    c.query_drop("INSERT INTO t (v) VALUES ('d')").unwrap();
    let id: Option<i64> = c.query_first("SELECT MAX(id) FROM t").unwrap();
    assert_eq!(id, Some(4));
}
