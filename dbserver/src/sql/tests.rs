//! Engine tests: every statement kind, errors, transactions, plans.

use alloc::string::String;
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

#[test]
fn sysbench_statements() {
    let (mut e, mut s) = engine();
    sbtest(&mut e, &mut s, 100);
    let one = |o: Outcome| match o {
        Outcome::Rows(rs) => rs.rows,
        other => panic!("{other:?}"),
    };
    let r = one(prepared(
        &mut e,
        &mut s,
        "SELECT c FROM sbtest1 WHERE id=?",
        &[Value::Int(5)],
    ));
    assert_eq!(r, [[Value::Text(b"c096".to_vec())]]);
    assert_eq!(e.last_examined, 1);
    let r = one(prepared(
        &mut e,
        &mut s,
        "SELECT c FROM sbtest1 WHERE id BETWEEN ? AND ?",
        &[Value::Int(10), Value::Int(19)],
    ));
    assert_eq!(r.len(), 10);
    assert_eq!(e.last_examined, 10);
    let r = one(prepared(
        &mut e,
        &mut s,
        "SELECT SUM(k) FROM sbtest1 WHERE id BETWEEN ? AND ?",
        &[Value::Int(1), Value::Int(10)],
    ));
    assert_eq!(
        r,
        [[Value::Decimal {
            mantissa: 45,
            scale: 0
        }]]
    );
    let r = one(prepared(
        &mut e,
        &mut s,
        "SELECT c FROM sbtest1 WHERE id BETWEEN ? AND ? ORDER BY c",
        &[Value::Int(1), Value::Int(3)],
    ));
    assert_eq!(r[0], [Value::Text(b"c098".to_vec())]);
    let r = one(prepared(
        &mut e,
        &mut s,
        "SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN ? AND ? ORDER BY c",
        &[Value::Int(1), Value::Int(3)],
    ));
    assert_eq!(r.len(), 3);
    let p = e
        .prepare(&mut s, "UPDATE sbtest1 SET k=k+1 WHERE id=?")
        .unwrap();
    assert_eq!(p.params, 1);
    for _ in 0..3 {
        e.execute_prepared(&mut s, &p, &[Value::Int(7)]).unwrap();
    }
    assert_eq!(
        rows(&mut e, &mut s, "SELECT k FROM sbtest1 WHERE id = 7"),
        [["9"]]
    );
    assert_eq!(e.last_examined, 1);
    prepared(
        &mut e,
        &mut s,
        "UPDATE sbtest1 SET c=? WHERE id=?",
        &[Value::Text(b"new".to_vec()), Value::Int(8)],
    );
    assert_eq!(
        rows(&mut e, &mut s, "SELECT c FROM sbtest1 WHERE id = 8"),
        [["new"]]
    );
    ok(&mut e, &mut s, "BEGIN");
    prepared(
        &mut e,
        &mut s,
        "DELETE FROM sbtest1 WHERE id=?",
        &[Value::Int(9)],
    );
    prepared(
        &mut e,
        &mut s,
        "INSERT INTO sbtest1 (id, k, c, pad) VALUES (?, ?, ?, ?)",
        &[
            Value::Int(9),
            Value::Text(b"3".to_vec()),
            Value::Text(b"x".to_vec()),
            Value::Text(b"y".to_vec()),
        ],
    );
    ok(&mut e, &mut s, "COMMIT");
    assert_eq!(
        rows(
            &mut e,
            &mut s,
            "SELECT id, k, c, pad FROM sbtest1 WHERE id = 9"
        ),
        [["9", "3", "x", "y"]]
    );
    // Secondary index use.
    rows(&mut e, &mut s, "SELECT id FROM sbtest1 WHERE k = 3");
    assert!(e.last_examined <= 12, "{}", e.last_examined);
    ok(&mut e, &mut s, "DROP TABLE IF EXISTS sbtest1");
    assert_eq!(err(&mut e, &mut s, "SELECT * FROM sbtest1"), 1146);
}

#[test]
fn mysqlslap_statements() {
    let mut e = Engine::new(EngineLimits::default());
    let mut s = Session::new(7);
    ok(&mut e, &mut s, "CREATE SCHEMA mysqlslap");
    e.use_database(&mut s, "mysqlslap").unwrap();
    ok(
        &mut e,
        &mut s,
        "CREATE TABLE t1 (intcol1 INT(32) ,charcol1 VARCHAR(128))",
    );
    ok(&mut e, &mut s, "INSERT INTO t1 VALUES (1804289383,'mxvtvmC9127qJNm06sGB8R92q2j7vTiiITRDGXM9ZLzkdekbWtmXKwZ2qG1llkRw5m9DHOFilEREk3q7oce8O3BEJC0woJsm6uzFAEynLH2xCsw1KQ1lT4zg9rdxBL')");
    let r = rows(&mut e, &mut s, "SELECT intcol1,charcol1 FROM t1");
    assert_eq!(r.len(), 1);
    assert_eq!(r[0][0], "1804289383");
    ok(&mut e, &mut s, "DROP SCHEMA IF EXISTS mysqlslap");
    assert_eq!(err(&mut e, &mut s, "SELECT * FROM t1"), 1046);
    assert_eq!(err(&mut e, &mut s, "SELECT * FROM mysqlslap.t1"), 1146);
}

#[test]
fn admin_statements() {
    let (mut e, mut s) = engine();
    assert_eq!(
        rows(&mut e, &mut s, "SELECT @@version_comment LIMIT 1"),
        [["ring0db"]]
    );
    assert_eq!(
        rows(&mut e, &mut s, "SELECT @@max_allowed_packet"),
        [["67108864"]]
    );
    assert_eq!(
        rows(
            &mut e,
            &mut s,
            "SELECT @@session.tx_isolation, @@transaction_isolation"
        ),
        [["READ-COMMITTED", "READ-COMMITTED"]]
    );
    ok(&mut e, &mut s, "SET NAMES utf8mb4");
    ok(&mut e, &mut s, "SET NAMES utf8 COLLATE utf8_general_ci");
    ok(&mut e, &mut s, "SET CHARACTER SET utf8");
    ok(&mut e, &mut s, "SET autocommit=0");
    assert!(!s.autocommit());
    assert_eq!(rows(&mut e, &mut s, "SELECT @@autocommit"), [["0"]]);
    ok(
        &mut e,
        &mut s,
        "SET @@session.autocommit = 1, sql_mode='ANSI'",
    );
    assert_eq!(
        rows(&mut e, &mut s, "SELECT @@autocommit, @@sql_mode"),
        [["1", "ANSI"]]
    );
    ok(&mut e, &mut s, "SET @a = 5");
    assert_eq!(rows(&mut e, &mut s, "SELECT @a + 1"), [["6"]]);
    assert_eq!(
        rows(
            &mut e,
            &mut s,
            "SELECT DATABASE(), SCHEMA(), USER(), CONNECTION_ID(), VERSION()"
        ),
        [["test", "test", "root@localhost", "1", SERVER_VERSION]]
    );
    ok(&mut e, &mut s, "CREATE TABLE t (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name CHAR(10) DEFAULT 'x', k INT, UNIQUE KEY uk (name), KEY kk (k))");
    assert_eq!(rows(&mut e, &mut s, "SHOW TABLES"), [["t"]]);
    assert_eq!(rows(&mut e, &mut s, "SHOW TABLES LIKE 'x%'").len(), 0);
    assert_eq!(
        rows(&mut e, &mut s, "SHOW DATABASES"),
        [["information_schema"], ["test"]]
    );
    assert_eq!(
        rows(&mut e, &mut s, "DESCRIBE t"),
        [
            ["id", "int(11)", "NO", "PRI", "NULL", "auto_increment"],
            ["name", "char(10)", "YES", "UNI", "x", ""],
            ["k", "int(11)", "YES", "MUL", "NULL", ""],
        ]
    );
    assert_eq!(rows(&mut e, &mut s, "SHOW FULL COLUMNS FROM t").len(), 3);
    let create = rows(&mut e, &mut s, "SHOW CREATE TABLE t");
    assert!(
        create[0][1].contains("PRIMARY KEY (`id`)"),
        "{}",
        create[0][1]
    );
    assert!(rows(&mut e, &mut s, "SHOW VARIABLES LIKE 'max_allowed%'").len() == 1);
    assert!(!rows(&mut e, &mut s, "SHOW STATUS").is_empty());
    assert!(rows(&mut e, &mut s, "SHOW WARNINGS").is_empty());
    assert_eq!(rows(&mut e, &mut s, "SHOW INDEX FROM t").len(), 3);
    assert!(!rows(&mut e, &mut s, "SHOW ENGINES").is_empty());
    match e.execute(&mut s, "SHOW TABLES").unwrap() {
        Outcome::Rows(rs) => assert_eq!(rs.columns[0].name, "Tables_in_test"),
        _ => panic!(),
    }
}

#[test]
fn column_names_as_written() {
    let (mut e, mut s) = engine();
    ok(&mut e, &mut s, "CREATE TABLE t (a INT, b INT)");
    let names = |e: &mut Engine, s: &mut Session, sql: &str| match e.execute(s, sql).unwrap() {
        Outcome::Rows(rs) => rs.columns.into_iter().map(|c| c.name).collect::<Vec<_>>(),
        _ => panic!(),
    };
    assert_eq!(
        names(
            &mut e,
            &mut s,
            "SELECT 1+1, COUNT(*), a AS x, t.b, 'str', @@version_comment FROM t"
        ),
        ["1+1", "COUNT(*)", "x", "b", "str", "@@version_comment"]
    );
    assert_eq!(
        names(&mut e, &mut s, "select count( * ), A from t"),
        ["count( * )", "A"]
    );
    assert_eq!(names(&mut e, &mut s, "SELECT * FROM t"), ["a", "b"]);
}

#[test]
fn errors_match_mysql() {
    let (mut e, mut s) = engine();
    ok(
        &mut e,
        &mut s,
        "CREATE TABLE t (id INT PRIMARY KEY, c CHAR(3) NOT NULL, n INT, u INT, UNIQUE KEY uu (u))",
    );
    assert_eq!(err(&mut e, &mut s, "SELECT * FROM nope"), 1146);
    assert_eq!(err(&mut e, &mut s, "SELECT x FROM t"), 1054);
    assert_eq!(err(&mut e, &mut s, "SELECT * FROM t WHERE x = 1"), 1054);
    assert_eq!(err(&mut e, &mut s, "SELECT * FROM t ORDER BY x"), 1054);
    assert_eq!(err(&mut e, &mut s, "SELECT id FROM t a, t b"), 1052);
    assert_eq!(err(&mut e, &mut s, "CREATE DATABASE test"), 1007);
    assert_eq!(err(&mut e, &mut s, "DROP DATABASE nope"), 1008);
    assert_eq!(err(&mut e, &mut s, "USE nope"), 1049);
    assert_eq!(err(&mut e, &mut s, "CREATE TABLE t (a INT)"), 1050);
    assert_eq!(err(&mut e, &mut s, "DROP TABLE nope"), 1051);
    assert_eq!(err(&mut e, &mut s, "INSERT INTO t VALUES (1)"), 1136);
    assert_eq!(
        err(&mut e, &mut s, "SELECT COUNT(*) FROM t WHERE COUNT(*) > 1"),
        1111
    );
    assert_eq!(err(&mut e, &mut s, "CREATE INDEX uu ON t (n)"), 1061);
    assert_eq!(err(&mut e, &mut s, "DROP INDEX nope ON t"), 1091);
    assert_eq!(err(&mut e, &mut s, "SELECT nofunc(1)"), 1305);
    assert_eq!(err(&mut e, &mut s, "SELEKT 1"), 1064);
    assert_eq!(err(&mut e, &mut s, "ALTER TABLE t ADD COLUMN z INT"), 1235);
    assert_eq!(
        err(&mut e, &mut s, "SELECT (SELECT 1 UNION SELECT 2)"),
        1235
    );
    assert_eq!(
        err(
            &mut e,
            &mut s,
            "SELECT * FROM t WHERE id IN (SELECT id FROM t UNION SELECT 1)"
        ),
        1235
    );
    assert_eq!(
        err(&mut e, &mut s, "INSERT INTO t VALUES (1, 'toolong', 1, 1)"),
        1406
    );
    assert_eq!(
        err(&mut e, &mut s, "INSERT INTO t VALUES (1, 'ok', 'abc', 1)"),
        1366
    );
    let m = e
        .execute(&mut s, "INSERT INTO t VALUES (1, 'ok', 'abc', 1)")
        .unwrap_err()
        .message;
    assert_eq!(
        m,
        "Incorrect integer value: 'abc' for column `test`.`t`.`n` at row 1"
    );
    assert_eq!(
        err(&mut e, &mut s, "INSERT INTO t VALUES (1, NULL, 1, 1)"),
        1048
    );
    ok(&mut e, &mut s, "INSERT INTO t VALUES (5, 'ok', 1, 1)");
    let dup = e
        .execute(&mut s, "INSERT INTO t VALUES (5, 'ok', 1, 2)")
        .unwrap_err();
    assert_eq!(
        (dup.code, dup.message.as_str()),
        (1062, "Duplicate entry '5' for key 'PRIMARY'")
    );
    let dup = e
        .execute(&mut s, "INSERT INTO t VALUES (6, 'ok', 1, 1)")
        .unwrap_err();
    assert_eq!(dup.message, "Duplicate entry '1' for key 'uu'");
    let big = e
        .execute(&mut s, "SELECT 9223372036854775807 + 1")
        .unwrap_err();
    assert_eq!((big.code, big.sqlstate), (1690, "22003"));
    assert_eq!(err(&mut e, &mut s, "SELECT -9223372036854775807 - 2"), 1690);
    assert_eq!(err(&mut e, &mut s, "SELECT 4611686018427387904 * 2"), 1690);
    let mut s2 = Session::new(2);
    assert_eq!(err(&mut e, &mut s2, "SELECT * FROM t"), 1046);
    assert_eq!(err(&mut e, &mut s, ""), 1065);
}

#[test]
fn null_logic_and_expressions() {
    let (mut e, mut s) = engine();
    let one = |e: &mut Engine, s: &mut Session, x: &str| {
        rows(e, s, &alloc::format!("SELECT {x}"))[0][0].clone()
    };
    for (x, want) in [
        ("NULL AND 0", "0"),
        ("NULL AND 1", "NULL"),
        ("NULL OR 1", "1"),
        ("NULL OR 0", "NULL"),
        ("NOT NULL", "NULL"),
        ("1 XOR 1", "0"),
        ("NULL = NULL", "NULL"),
        ("NULL <=> NULL", "1"),
        ("1 <=> NULL", "0"),
        ("1 IN (1, NULL)", "1"),
        ("2 IN (1, NULL)", "NULL"),
        ("2 NOT IN (1, 3)", "1"),
        ("NULL IN (1)", "NULL"),
        ("5 BETWEEN 1 AND 10", "1"),
        ("5 NOT BETWEEN 1 AND 10", "0"),
        ("'abc' LIKE 'A%'", "1"),
        ("'a_c' LIKE 'a\\_c'", "1"),
        ("'abc' = 'ABC  '", "1"),
        ("'10' = 10", "1"),
        ("'abc' = 0", "1"),
        ("7 DIV 2", "3"),
        ("7 MOD 3", "1"),
        ("7 % 3", "1"),
        ("-7 / 2", "-3.5000"),
        ("1 / 0", "NULL"),
        ("1.5 + 1", "2.5"),
        ("0.1 + 0.2", "0.3"),
        ("1e20", "1e20"),
        ("2.5e0 * 2", "5"),
        ("'5' + 1", "6"),
        ("COALESCE(NULL, 2)", "2"),
        ("IFNULL(NULL, 'x')", "x"),
        ("IF(1 > 2, 'a', 'b')", "b"),
        ("CONCAT('a', 1, 'b')", "a1b"),
        ("CONCAT('a', NULL)", "NULL"),
        ("LENGTH('héllo')", "6"),
        ("CHAR_LENGTH('héllo')", "5"),
        ("UPPER('abc')", "ABC"),
        ("LOWER('ABC')", "abc"),
        ("ABS(-3)", "3"),
        ("MOD(10, 3)", "1"),
        ("FLOOR(2.7)", "2"),
        ("CEIL(2.1)", "3"),
        ("CEILING(-2.1)", "-2"),
        ("ROUND(2.5)", "3"),
        ("ROUND(2.456, 2)", "2.46"),
        ("ROUND(-2.5)", "-3"),
        ("CASE WHEN 1 THEN 'y' ELSE 'n' END", "y"),
        ("CASE 2 WHEN 1 THEN 'a' WHEN 2 THEN 'b' END", "b"),
        ("-(-3)", "3"),
        ("1 IS NULL", "0"),
        ("NULL IS NOT NULL", "0"),
        ("LAST_INSERT_ID()", "0"),
        ("1 = 1 AND 2 > 1 OR 0", "1"),
        ("10 / 4 * 2", "5.0000"),
        ("1/3", "0.3333"),
        ("1.0/3", "0.33333"),
        ("SUBSTRING('hello', 2, 3)", "ell"),
        ("TRIM('  x  ')", "x"),
    ] {
        assert_eq!(one(&mut e, &mut s, x), want, "{x}");
    }
}

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

#[test]
fn auto_increment_and_last_insert_id() {
    let (mut e, mut s) = engine();
    ok(
        &mut e,
        &mut s,
        "CREATE TABLE t (id INT NOT NULL AUTO_INCREMENT, v VARCHAR(5), PRIMARY KEY (id))",
    );
    match e
        .execute(&mut s, "INSERT INTO t (v) VALUES ('a'), ('b')")
        .unwrap()
    {
        Outcome::Done {
            last_insert_id,
            affected_rows,
            ..
        } => assert_eq!((last_insert_id, affected_rows), (1, 2)),
        _ => panic!(),
    }
    ok(&mut e, &mut s, "INSERT INTO t VALUES (10, 'c')");
    ok(&mut e, &mut s, "INSERT INTO t (v) VALUES ('d')");
    assert_eq!(rows(&mut e, &mut s, "SELECT LAST_INSERT_ID()"), [["11"]]);
    assert_eq!(
        rows(&mut e, &mut s, "SELECT id FROM t ORDER BY id DESC LIMIT 1"),
        [["11"]]
    );
    ok(&mut e, &mut s, "INSERT INTO t SET v = 'e'");
    ok(&mut e, &mut s, "TRUNCATE TABLE t");
    ok(&mut e, &mut s, "INSERT INTO t (v) VALUES ('f')");
    assert_eq!(rows(&mut e, &mut s, "SELECT id, v FROM t"), [["1", "f"]]);
}

#[test]
fn select_pipeline() {
    let (mut e, mut s) = engine();
    ok(
        &mut e,
        &mut s,
        "CREATE TABLE t (k INT, g CHAR(5), v DOUBLE)",
    );
    ok(&mut e, &mut s, "INSERT INTO t VALUES (1,'a',1.5),(2,'b',2.5),(3,'a',NULL),(4,'B',4),(5,'c',5),(6,'a',6),(7,'b',7),(8,'c',8),(9,'a',9),(10,'b',10)");
    assert_eq!(
        rows(
            &mut e,
            &mut s,
            "SELECT AVG(k), SUM(k), MIN(k), MAX(k), COUNT(v), COUNT(DISTINCT g) FROM t"
        ),
        [["5.5000", "55", "1", "10", "9", "3"]]
    );
    assert_eq!(
        rows(&mut e, &mut s, "SELECT g, COUNT(*) FROM t GROUP BY g"),
        [["a", "4"], ["b", "4"], ["c", "2"]]
    );
    assert_eq!(
        rows(
            &mut e,
            &mut s,
            "SELECT g AS grp, COUNT(*) AS n FROM t GROUP BY grp HAVING n > 2 ORDER BY n DESC, grp"
        ),
        [["a", "4"], ["b", "4"]]
    );
    assert_eq!(
        rows(
            &mut e,
            &mut s,
            "SELECT g, SUM(k) FROM t GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
        ),
        [["b", "23"]]
    );
    assert_eq!(
        rows(&mut e, &mut s, "SELECT DISTINCT g FROM t ORDER BY g"),
        [["a"], ["b"], ["c"]]
    );
    assert_eq!(
        rows(&mut e, &mut s, "SELECT k FROM t ORDER BY k DESC LIMIT 2, 3"),
        [["8"], ["7"], ["6"]]
    );
    assert_eq!(
        rows(
            &mut e,
            &mut s,
            "SELECT k FROM t ORDER BY k LIMIT 2 OFFSET 1"
        ),
        [["2"], ["3"]]
    );
    assert_eq!(
        rows(&mut e, &mut s, "SELECT k FROM t WHERE v IS NULL"),
        [["3"]]
    );
    assert_eq!(
        rows(&mut e, &mut s, "SELECT v FROM t WHERE k = 1"),
        [["1.5"]]
    );
    assert_eq!(
        rows(&mut e, &mut s, "SELECT COUNT(*) FROM t WHERE k > 100"),
        [["0"]]
    );
    assert_eq!(
        rows(&mut e, &mut s, "SELECT SUM(k) FROM t WHERE k > 100"),
        [["NULL"]]
    );
    assert_eq!(
        rows(
            &mut e,
            &mut s,
            "SELECT k FROM t WHERE g = 'A ' AND k > 5 ORDER BY k"
        ),
        [["6"], ["9"]]
    );
    assert_eq!(
        rows(
            &mut e,
            &mut s,
            "SELECT k, k * 2 AS d FROM t ORDER BY d DESC LIMIT 1"
        ),
        [["10", "20"]]
    );
    assert_eq!(
        rows(
            &mut e,
            &mut s,
            "SELECT k FROM t WHERE k IN (2, 4) OR k BETWEEN 9 AND 20 ORDER BY 1"
        ),
        [["2"], ["4"], ["9"], ["10"]]
    );
    assert_eq!(
        rows(
            &mut e,
            &mut s,
            "SELECT COUNT(*) FROM t WHERE (g LIKE 'b%') XOR (k > 5)"
        ),
        [["5"]]
    );
    assert_eq!(
        rows(&mut e, &mut s, "SELECT MIN(g), MAX(g) FROM t"),
        [["a", "c"]]
    );
    assert_eq!(rows(&mut e, &mut s, "SELECT 1 FROM t LIMIT 0").len(), 0);
}

#[test]
fn joins_use_indexes_or_hashes() {
    let (mut e, mut s) = engine();
    ok(
        &mut e,
        &mut s,
        "CREATE TABLE a (id INT PRIMARY KEY, x INT, KEY kx (x))",
    );
    ok(
        &mut e,
        &mut s,
        "CREATE TABLE b (id INT PRIMARY KEY, a_id INT, y INT)",
    );
    ok(&mut e, &mut s, "CREATE TABLE c (z INT, w INT)");
    let mut ins = String::from("INSERT INTO a VALUES (0, 0, )");
    ins.clear();
    ins.push_str("INSERT INTO a VALUES ");
    let n = 2000;
    for i in 0..n {
        ins.push_str(&alloc::format!(
            "{}({i}, {})",
            if i > 0 { "," } else { "" },
            i % 100
        ));
    }
    ok(&mut e, &mut s, &ins);
    ins.clear();
    ins.push_str("INSERT INTO b VALUES ");
    for i in 0..n {
        ins.push_str(&alloc::format!(
            "{}({i}, {}, {})",
            if i > 0 { "," } else { "" },
            n - 1 - i,
            i % 7
        ));
    }
    ok(&mut e, &mut s, &ins);
    ins.clear();
    ins.push_str("INSERT INTO c VALUES ");
    for i in 0..n {
        ins.push_str(&alloc::format!(
            "{}({i}, {})",
            if i > 0 { "," } else { "" },
            i % 3
        ));
    }
    ok(&mut e, &mut s, &ins);
    // Index nested loop: b scanned once, a probed by primary key.
    let r = rows(
        &mut e,
        &mut s,
        "SELECT COUNT(*) FROM a, b WHERE a.id = b.a_id",
    );
    assert_eq!(r, [["2000"]]);
    assert!(e.last_examined <= 2 * n as u64 + 10, "{}", e.last_examined);
    // Hash join when no index fits.
    let r = rows(&mut e, &mut s, "SELECT COUNT(*) FROM b JOIN c ON c.z = b.y");
    assert_eq!(r, [["2000"]]);
    assert!(e.last_examined <= 3 * n as u64 + 10, "{}", e.last_examined);
    // Range first, then join.
    let r = rows(
        &mut e,
        &mut s,
        "SELECT a.id, b.id FROM a INNER JOIN b ON a.id = b.a_id WHERE b.id < 3 ORDER BY b.id",
    );
    assert_eq!(r, [["1999", "0"], ["1998", "1"], ["1997", "2"]]);
    assert!(e.last_examined < 20, "{}", e.last_examined);
    // Three tables with aliases and t.*.
    let r = rows(&mut e, &mut s, "SELECT t1.*, t3.w FROM a t1, b t2, c t3 WHERE t1.id = t2.a_id AND t3.z = t2.id AND t2.id = 5");
    assert_eq!(r, [["1994", "94", "2"]]);
    assert!(e.last_examined < 20, "{}", e.last_examined);
    // LEFT JOIN keeps unmatched rows.
    ok(&mut e, &mut s, "CREATE TABLE l (id INT)");
    ok(&mut e, &mut s, "INSERT INTO l VALUES (1), (5000)");
    let r = rows(
        &mut e,
        &mut s,
        "SELECT l.id, a.x FROM l LEFT JOIN a ON a.id = l.id ORDER BY l.id",
    );
    assert_eq!(r, [["1", "1"], ["5000", "NULL"]]);
    let r = rows(
        &mut e,
        &mut s,
        "SELECT l.id FROM l LEFT JOIN a ON a.id = l.id WHERE a.id IS NULL",
    );
    assert_eq!(r, [["5000"]]);
    let plan = |e: &mut Engine, s: &mut Session, q: &str| {
        let stmt = match parse::parse(q, 64).unwrap() {
            Ok(p) => p.statement,
            Err(_) => panic!(),
        };
        match e.compile(s, &stmt, q).unwrap() {
            Some(dml::StmtPlan::Select(p)) => plan::describe(&p, &e.catalog),
            _ => panic!(),
        }
    };
    assert_eq!(
        plan(&mut e, &mut s, "SELECT * FROM a, b WHERE a.id = b.a_id"),
        ["b:scan", "a:eq(PRIMARY)"]
    );
    assert_eq!(
        plan(&mut e, &mut s, "SELECT * FROM b JOIN c ON c.z = b.y"),
        ["b:scan", "c:hash"]
    );
    assert_eq!(
        plan(&mut e, &mut s, "SELECT * FROM a WHERE x IN (1, 2)"),
        ["a:in(kx)"]
    );
    assert_eq!(
        plan(&mut e, &mut s, "SELECT * FROM a WHERE id > 5"),
        ["a:range(PRIMARY)"]
    );
    // Secondary index IN list.
    rows(&mut e, &mut s, "SELECT id FROM a WHERE x IN (3, 4)");
    assert_eq!(e.last_examined, 40);
}

/// Create one Wisconsin relation with `n` rows (unique1 a permutation, unique2 = row number).
fn wisconsin_table(e: &mut Engine, s: &mut Session, name: &str, n: usize) {
    ok(e, s, &alloc::format!(
        "create table {name} (unique1 int(4) NOT NULL, unique2 int(4) NOT NULL, two int(4), four int(4), ten int(4), \
         twenty int(4), hundred int(4) NOT NULL, thousand int(4), twothousand int(4), fivethous int(4), tenthous int(4), \
         odd int(4), even int(4), stringu1 char(16), stringu2 char(16), string4 char(16))"
    ));
    let mut sql = alloc::format!("insert into {name} values ");
    for i in 0..n {
        let u1 = (i * 7919) % n;
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&alloc::format!(
            "({u1},{i},{},{},{},{},{},{},{},{},{},{},{},'{u1:>6}AAAA','{i:>6}xxxx','AAAA')",
            u1 % 2,
            u1 % 4,
            u1 % 10,
            u1 % 20,
            u1 % 100,
            u1 % 1000,
            u1 % 2000,
            u1 % 5000,
            u1 % 10000,
            (u1 % 100) * 2 + 1,
            (u1 % 100) * 2
        ));
    }
    ok(e, s, &sql);
    ok(
        e,
        s,
        &alloc::format!("create unique index {name}_unique1 on {name} (unique1)"),
    );
    ok(
        e,
        s,
        &alloc::format!("create unique index {name}_unique2 on {name} (unique2)"),
    );
    ok(
        e,
        s,
        &alloc::format!("create index {name}_hundred on {name} (hundred)"),
    );
}

#[test]
fn wisconsin_queries_are_index_assisted() {
    let (mut e, mut s) = engine();
    wisconsin_table(&mut e, &mut s, "onek", 1000);
    wisconsin_table(&mut e, &mut s, "tenk1", 10000);
    wisconsin_table(&mut e, &mut s, "tenk2", 10000);
    ok(&mut e, &mut s, "create table Bprime (unique1 int(4) NOT NULL, unique2 int(4) NOT NULL, two int(4), four int(4), ten int(4), twenty int(4), hundred int(4) NOT NULL, thousand int(4), twothousand int(4), fivethous int(4), tenthous int(4), odd int(4), even int(4), stringu1 char(16), stringu2 char(16), string4 char(16))");
    let (n, info) = ok(
        &mut e,
        &mut s,
        "insert into Bprime select * from tenk2 where unique2 < 1000",
    );
    assert_eq!(
        (n, info.as_str()),
        (1000, "Records: 1000  Duplicates: 0  Warnings: 0")
    );
    let r = rows(
        &mut e,
        &mut s,
        "select count(*) from tenk1, Bprime where tenk1.unique2 = Bprime.unique2",
    );
    assert_eq!(r, [["1000"]]);
    assert!(e.last_examined <= 2010, "{}", e.last_examined);
    let checks: [(&str, usize, u64); 14] = [
        ("select * from tenk1 where (unique2 > 301) and (unique2 < 402)", 100, 110),
        ("select * from tenk1 where (unique1 > 647) and (unique1 < 1648)", 1000, 1010),
        ("select * from tenk1 where unique2 = 2001", 1, 1),
        ("select unique2 from tenk1 where unique2 between 0 and 99", 100, 101),
        ("select * from tenk1 t1, tenk1 t2 where (t1.unique2 = t2.unique2) and (t2.unique2 < 1000)", 1000, 2010),
        ("select * from tenk1, tenk2 where (tenk1.unique2 = tenk2.unique2) and (tenk1.unique2 < 1000)", 1000, 2010),
        ("select * from onek, tenk1 t1, tenk1 t2 where (onek.unique1 = t1.unique1) and (t1.unique1 = t2.unique1) and (t1.unique1 < 1000)", 1000, 3100),
        ("select t1.unique1, t2.unique2 from tenk1 t1 join tenk2 t2 on t1.unique1 = t2.unique1 where t2.unique2 < 100", 100, 210),
        ("select distinct two, four, ten, twenty, hundred from onek", 100, 1000),
        ("select distinct two, four, ten, twenty, hundred, string4 from tenk1", 100, 10000),
        ("select min(unique2) as x from tenk1", 1, 10000),
        ("select min(unique2) from tenk1 group by hundred", 100, 10000),
        ("select * from tenk1 where hundred = 5", 100, 100),
        ("select count(*) from tenk1 where hundred in (1, 2, 3)", 1, 300),
    ];
    for (q, want_rows, max_examined) in checks {
        let r = rows(&mut e, &mut s, q);
        assert_eq!(r.len(), want_rows, "{q}");
        assert!(
            e.last_examined <= max_examined,
            "{q}: examined {}",
            e.last_examined
        );
    }
    assert_eq!(
        rows(
            &mut e,
            &mut s,
            "select count(*) from tenk1 where hundred in (1, 2, 3)"
        ),
        [["300"]]
    );
    ok(&mut e, &mut s, "insert into tenk1 values (10001, 74001, 0, 2, 0, 10, 50, 688, 1950, 4950, 9950, 1, 100, 'ron may', 'and so', 'AAAA')");
    ok(
        &mut e,
        &mut s,
        "update tenk1 set unique2 = 10001 where tenk1.unique2 = 74001",
    );
    assert_eq!(e.last_examined, 1);
    ok(
        &mut e,
        &mut s,
        "delete from tenk1 where tenk1.unique1 = 10001",
    );
    assert_eq!(e.last_examined, 1);
    assert_eq!(
        rows(&mut e, &mut s, "select count(*) from tenk1"),
        [["10000"]]
    );
    ok(
        &mut e,
        &mut s,
        "update tenk1 set stringu1 = 'x' where unique1 between 0 and 9",
    );
    assert!(e.last_examined <= 10);
}

#[test]
fn prepared_statements() {
    let (mut e, mut s) = engine();
    ok(
        &mut e,
        &mut s,
        "CREATE TABLE t (id INT PRIMARY KEY, c CHAR(10) NOT NULL, d DECIMAL(6,2))",
    );
    let ins = e.prepare(&mut s, "INSERT INTO t VALUES (?, ?, ?)").unwrap();
    assert_eq!((ins.params, ins.columns.len()), (3, 0));
    e.execute_prepared(
        &mut s,
        &ins,
        &[
            Value::Int(1),
            Value::Text(b"a".to_vec()),
            Value::Text(b"1.5".to_vec()),
        ],
    )
    .unwrap();
    e.execute_prepared(
        &mut s,
        &ins,
        &[
            Value::Text(b"2".to_vec()),
            Value::Int(42),
            Value::Double(2.25),
        ],
    )
    .unwrap();
    assert_eq!(
        e.execute_prepared(&mut s, &ins, &[Value::Int(3)])
            .unwrap_err()
            .code,
        1210
    );
    assert_eq!(
        e.execute_prepared(&mut s, &ins, &[Value::Int(3), Value::Null, Value::Null])
            .unwrap_err()
            .code,
        1048
    );
    let sel = e
        .prepare(
            &mut s,
            "SELECT id, c, d, COUNT(*) AS n FROM t WHERE id > ? GROUP BY id ORDER BY id",
        )
        .unwrap();
    let names: Vec<_> = sel.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["id", "c", "d", "n"]);
    assert!(sel.columns[0].primary_key && !sel.columns[0].nullable);
    assert_eq!(
        sel.columns[2].sql_type,
        SqlType::Decimal {
            precision: 6,
            scale: 2
        }
    );
    match e.execute_prepared(&mut s, &sel, &[Value::Int(0)]).unwrap() {
        Outcome::Rows(rs) => assert_eq!(
            rs.rows,
            [
                [
                    Value::Int(1),
                    Value::Text(b"a".to_vec()),
                    Value::Decimal {
                        mantissa: 150,
                        scale: 2
                    },
                    Value::Int(1)
                ],
                [
                    Value::Int(2),
                    Value::Text(b"42".to_vec()),
                    Value::Decimal {
                        mantissa: 225,
                        scale: 2
                    },
                    Value::Int(1)
                ],
            ]
        ),
        _ => panic!(),
    }
    // The plan survives schema changes by recompiling.
    ok(&mut e, &mut s, "CREATE INDEX ic ON t (c)");
    assert!(
        matches!(e.execute_prepared(&mut s, &sel, &[Value::Int(1)]).unwrap(), Outcome::Rows(rs) if rs.rows.len() == 1)
    );
    ok(&mut e, &mut s, "DROP TABLE t");
    assert_eq!(
        e.execute_prepared(&mut s, &sel, &[Value::Int(1)])
            .unwrap_err()
            .code,
        1146
    );
    assert_eq!(e.prepare(&mut s, "SELECT ?+1").unwrap().params, 1);
    assert_eq!(err(&mut e, &mut s, "SELECT ?"), 1064);
    let p = e.prepare(&mut s, "SELECT 1 LIMIT ?").unwrap();
    assert!(
        matches!(e.execute_prepared(&mut s, &p, &[Value::Int(0)]).unwrap(), Outcome::Rows(rs) if rs.rows.is_empty())
    );
}

#[test]
fn memory_limit_and_accounting() {
    let (mut e, mut s) = engine();
    ok(
        &mut e,
        &mut s,
        "CREATE TABLE t (id INT PRIMARY KEY, c VARCHAR(100))",
    );
    assert_eq!(e.used_bytes(), 0);
    ok(&mut e, &mut s, "INSERT INTO t VALUES (1, 'hello')");
    let one = e.used_bytes();
    assert!(one > 0);
    e.set_limits(EngineLimits {
        max_data_bytes: Some(one * 3),
        ..EngineLimits::default()
    });
    let mut sql = String::from("INSERT INTO t VALUES (2, 'x')");
    for i in 3..100 {
        sql.push_str(&alloc::format!(",({i}, 'x')"));
    }
    let e1114 = e.execute(&mut s, &sql).unwrap_err();
    assert_eq!(
        (e1114.code, e1114.message.as_str()),
        (1114, "The table 't' is full")
    );
    assert_eq!(e.used_bytes(), one);
    assert_eq!(rows(&mut e, &mut s, "SELECT COUNT(*) FROM t"), [["1"]]);
    ok(&mut e, &mut s, "DELETE FROM t");
    assert!(e.used_bytes() < one);
    ok(&mut e, &mut s, "DROP TABLE t");
    assert_eq!(e.used_bytes(), 0);
}

#[test]
fn deep_nesting_is_refused_everywhere() {
    let (mut e, mut s) = engine();
    let mut sql = String::from("SELECT ");
    sql.push_str(&"(".repeat(10_000));
    sql.push('1');
    sql.push_str(&")".repeat(10_000));
    assert_eq!(err(&mut e, &mut s, &sql), 1064);
    assert!(e.prepare(&mut s, &sql).is_err());
    let chain = alloc::format!("SELECT 1{}", "+1".repeat(50_000));
    assert_eq!(err(&mut e, &mut s, &chain), 1064);
    let nots = alloc::format!("SELECT {}1", "NOT ".repeat(50_000));
    assert_eq!(err(&mut e, &mut s, &nots), 1064);
    let ors = alloc::format!("SELECT 1 FROM DUAL WHERE 1=1{}", " OR 1=1".repeat(30));
    assert_eq!(rows(&mut e, &mut s, &ors).len(), 1);
    let concat = alloc::format!("SELECT CONCAT({})", ["'a'"; 2000].join(","));
    assert_eq!(rows(&mut e, &mut s, &concat)[0][0].len(), 2000);
}

#[test]
fn comments_and_versioned_comments() {
    let (mut e, mut s) = engine();
    ok(
        &mut e,
        &mut s,
        "CREATE TABLE t (a INT) /*!40101 ENGINE = InnoDB */ -- trailing\n",
    );
    assert_eq!(
        rows(&mut e, &mut s, "SELECT /* plain */ 1 /*! +1 */ # hash\n"),
        [["2"]]
    );
    assert_eq!(rows(&mut e, &mut s, "select 2; "), [["2"]]);
}

/// Throughput of the benchmark's hot statements (run with `--release -- --ignored`).
#[test]
#[ignore]
fn hot_path_speed() {
    let (mut e, mut s) = engine();
    sbtest(&mut e, &mut s, 10_000);
    let n = 200_000;
    let started = std::time::Instant::now();
    let p = e
        .prepare(&mut s, "SELECT c FROM sbtest1 WHERE id=?")
        .unwrap();
    for i in 0..n {
        e.execute_prepared(&mut s, &p, &[Value::Int(i % 10_000 + 1)])
            .unwrap();
    }
    std::println!("point select: {:?}/op", started.elapsed() / n as u32);
    let started = std::time::Instant::now();
    let p = e
        .prepare(&mut s, "UPDATE sbtest1 SET k=k+1 WHERE id=?")
        .unwrap();
    for i in 0..n {
        e.execute_prepared(&mut s, &p, &[Value::Int(i % 10_000 + 1)])
            .unwrap();
    }
    std::println!("update k: {:?}/op", started.elapsed() / n as u32);
    let started = std::time::Instant::now();
    let p = e
        .prepare(
            &mut s,
            "SELECT c FROM sbtest1 WHERE id BETWEEN ? AND ? ORDER BY c",
        )
        .unwrap();
    for i in 0..n / 10 {
        e.execute_prepared(
            &mut s,
            &p,
            &[Value::Int(i % 9_000 + 1), Value::Int(i % 9_000 + 100)],
        )
        .unwrap();
    }
    std::println!("range order: {:?}/op", started.elapsed() / (n / 10) as u32);
    let started = std::time::Instant::now();
    for i in 0..n / 10 {
        e.execute(
            &mut s,
            &alloc::format!("SELECT c FROM sbtest1 WHERE id={}", i % 10_000 + 1),
        )
        .unwrap();
    }
    std::println!(
        "text point select: {:?}/op",
        started.elapsed() / (n / 10) as u32
    );
}

/// Time per statement of sysbench's `oltp_read_only` transaction over prepared statements
/// with 120-character `c` values (run with `--release -- --ignored --nocapture`).
#[test]
#[ignore]
fn read_only_transaction_speed() {
    let (mut e, mut s) = engine();
    ok(&mut e, &mut s, "CREATE TABLE sbtest1(id INTEGER NOT NULL AUTO_INCREMENT, k INTEGER DEFAULT '0' NOT NULL, c CHAR(120) DEFAULT '' NOT NULL, pad CHAR(60) DEFAULT '' NOT NULL, PRIMARY KEY (id))");
    let rows = 10_000;
    for chunk in 0..rows / 1000 {
        let mut sql = String::from("INSERT INTO sbtest1(k, c, pad) VALUES");
        for i in 0..1000 {
            if i > 0 {
                sql.push(',');
            }
            let n = chunk * 1000 + i;
            let c: String = (0..10)
                .map(|j| alloc::format!("{:011}", (n as u64 * 7919 + j * 104_729) % 99_999_999_999))
                .collect::<Vec<_>>()
                .join("-");
            sql.push_str(&alloc::format!("({}, '{c}', 'pad')", n % 5000));
        }
        ok(&mut e, &mut s, &sql);
    }
    ok(&mut e, &mut s, "CREATE INDEX k_1 ON sbtest1(k)");
    let statements = [
        "SELECT c FROM sbtest1 WHERE id=?",
        "SELECT c FROM sbtest1 WHERE id BETWEEN ? AND ?",
        "SELECT SUM(k) FROM sbtest1 WHERE id BETWEEN ? AND ?",
        "SELECT c FROM sbtest1 WHERE id BETWEEN ? AND ? ORDER BY c",
        "SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN ? AND ? ORDER BY c",
    ];
    let prepared: Vec<_> = statements
        .iter()
        .map(|sql| e.prepare(&mut s, sql).unwrap())
        .collect();
    let begin = e.prepare(&mut s, "BEGIN").unwrap();
    let commit = e.prepare(&mut s, "COMMIT").unwrap();
    let mut spent = [std::time::Duration::ZERO; 7];
    let n = 2000i64;
    let started = std::time::Instant::now();
    for i in 0..n {
        let id = (i * 7) % (rows as i64 - 100) + 1;
        let t = std::time::Instant::now();
        e.execute_prepared(&mut s, &begin, &[]).unwrap();
        spent[5] += t.elapsed();
        for j in 0..10 {
            let t = std::time::Instant::now();
            e.execute_prepared(
                &mut s,
                &prepared[0],
                &[Value::Int((id + j * 13) % 9000 + 1)],
            )
            .unwrap();
            spent[0] += t.elapsed();
        }
        for (k, p) in prepared.iter().enumerate().skip(1) {
            let t = std::time::Instant::now();
            e.execute_prepared(&mut s, p, &[Value::Int(id), Value::Int(id + 99)])
                .unwrap();
            spent[k] += t.elapsed();
        }
        let t = std::time::Instant::now();
        e.execute_prepared(&mut s, &commit, &[]).unwrap();
        spent[6] += t.elapsed();
    }
    let total = started.elapsed();
    std::println!(
        "transaction: {:?} ({:.0} tx/s)",
        total / n as u32,
        n as f64 / total.as_secs_f64()
    );
    for (k, name) in statements.iter().chain(&["BEGIN", "COMMIT"]).enumerate() {
        let per = if k == 0 { n * 10 } else { n };
        std::println!("{:>10?}  {name}", spent[k] / per as u32);
    }
}

/// Statements up to and past every nesting limit run in half of the ring-0 kernel's
/// 1 MiB stack (`KERNEL_STACK_SIZE`; the other half is the safety margin) without
/// overflowing it (release builds; debug frames are far larger).
#[cfg(not(debug_assertions))]
#[test]
fn nesting_limits_fit_half_the_kernel_stack() {
    const KERNEL_STACK_BYTES: usize = 1024 * 1024;
    let t = std::thread::Builder::new()
        .stack_size(KERNEL_STACK_BYTES / 2)
        .spawn(|| {
            let (mut e, mut s) = engine();
            e.execute(&mut s, "CREATE TABLE t (a INT)").unwrap();
            e.execute(&mut s, "INSERT INTO t VALUES (1), (2)").unwrap();
            let mut ok_count = 0;
            for d in 1..200 {
                let forms = [
                    alloc::format!("SELECT {}1{}", "(".repeat(d), ")".repeat(d)),
                    alloc::format!("SELECT {}1{}", "ABS(".repeat(d), ")".repeat(d)),
                    alloc::format!("SELECT {}1", "NOT ".repeat(d)),
                    alloc::format!("SELECT {}1", "- ".repeat(d)),
                    alloc::format!("SELECT 1{}", "+1".repeat(d)),
                    alloc::format!(
                        "SELECT {}1{}",
                        "CASE WHEN 1 THEN ".repeat(d),
                        " END".repeat(d)
                    ),
                    alloc::format!("SELECT {}1{}", "(SELECT ".repeat(d), ")".repeat(d)),
                    alloc::format!("SELECT {}1{}", "(SELECT ".repeat(d), " FROM t)".repeat(d)),
                    alloc::format!(
                        "SELECT a FROM t WHERE {}a{}",
                        "a IN (SELECT ".repeat(d),
                        " FROM t WHERE EXISTS (SELECT 1 FROM DUAL WHERE t.a > 0))".repeat(d)
                    ),
                    alloc::format!(
                        "SELECT * FROM {}(SELECT a FROM t) AS y{}",
                        "(SELECT * FROM ".repeat(d),
                        ") AS x".repeat(d)
                    ),
                ];
                for f in &forms {
                    if e.execute(&mut s, f).is_ok() {
                        ok_count += 1;
                    }
                }
            }
            ok_count
        })
        .unwrap();
    assert!(t.join().unwrap() > 100);
}

/// Measure which nesting a given stack survives: `PROBE_KIND`, `PROBE_DEPTH`,
/// `PROBE_STACK` (bytes) select the statement; prints the outcome or dies of overflow.
/// Used to calibrate the stack costs in `parse.rs`.
#[test]
#[ignore]
fn probe_stack() {
    let kind = std::env::var("PROBE_KIND").unwrap_or_default();
    let d: usize = std::env::var("PROBE_DEPTH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8);
    let stack: usize = std::env::var("PROBE_STACK")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256 * 1024);
    let t = std::thread::Builder::new()
        .stack_size(stack)
        .spawn(move || {
            let sql = match kind.as_str() {
                "chain" => alloc::format!("SELECT 1{}", "+1".repeat(d)),
                "nots" => alloc::format!("SELECT {}1", "NOT ".repeat(d)),
                "abs" => alloc::format!("SELECT {}1{}", "ABS(".repeat(d), ")".repeat(d)),
                "neg" => alloc::format!("SELECT {}1", "- ".repeat(d)),
                "case" => alloc::format!(
                    "SELECT {}1{}",
                    "CASE WHEN 1 THEN ".repeat(d),
                    " END".repeat(d)
                ),
                "in" => alloc::format!("SELECT {}1{}", "1 IN (".repeat(d), ")".repeat(d)),
                "concat" => alloc::format!("SELECT {}1{}", "CONCAT(1,".repeat(d), ")".repeat(d)),
                "count" => alloc::format!("SELECT {}1{}", "COUNT(".repeat(d), ")".repeat(d)),
                "sub" => alloc::format!("SELECT {}1{}", "(SELECT ".repeat(d), ")".repeat(d)),
                "subq" => alloc::format!(
                    "SELECT {}1{}",
                    "(SELECT ".repeat(d),
                    " FROM DUAL)".repeat(d)
                ),
                "insub" => alloc::format!(
                    "SELECT {}1{}",
                    "1 IN (SELECT ".repeat(d),
                    " FROM DUAL)".repeat(d)
                ),
                "exists" => alloc::format!(
                    "SELECT {}1{}",
                    "EXISTS (SELECT ".repeat(d),
                    " FROM DUAL)".repeat(d)
                ),
                "derived" => alloc::format!(
                    "SELECT * FROM {}(SELECT 1 AS a) AS y{}",
                    "(SELECT * FROM ".repeat(d),
                    ") AS x".repeat(d)
                ),
                "mix" => alloc::format!(
                    "SELECT {}1{}",
                    "ABS(-(NOT (CASE WHEN 1 THEN ".repeat(d),
                    " END)))".repeat(d)
                ),
                _ => alloc::format!("SELECT {}1{}", "(".repeat(d), ")".repeat(d)),
            };
            if kind == "parse" {
                return parse::parse(&sql, 1000).map(|_| ()).map_err(|e| e.code);
            }
            let (mut e, mut s) = engine();
            e.set_limits(EngineLimits {
                max_nesting_depth: 1000,
                max_data_bytes: None,
            });
            e.execute(&mut s, &sql).map(|_| ()).map_err(|e| e.code)
        })
        .unwrap();
    std::println!("RESULT {:?}", t.join());
}

#[test]
fn client_chatter() {
    let (mut e, mut s) = engine();
    ok(
        &mut e,
        &mut s,
        "CREATE TABLE t (id INT PRIMARY KEY, c VARCHAR(10))",
    );
    for q in [
        "SET AUTOCOMMIT = 0",
        "SET AUTOCOMMIT = 1",
        "SET SQL_AUTO_IS_NULL=0",
        "SET SESSION sql_mode = 'STRICT_TRANS_TABLES'",
        "SET sql_mode=(SELECT CONCAT(@@sql_mode, ',NO_ENGINE_SUBSTITUTION'))",
        "SET character_set_results = NULL",
        "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
        "SET @@SESSION.wait_timeout = 3600",
        "SELECT @@version_comment LIMIT 1",
        "select @@version_comment limit 1",
        "SELECT DATABASE()",
        "SELECT VERSION()",
        "SELECT @@max_allowed_packet",
        "SELECT CONNECTION_ID()",
        "SELECT CURRENT_USER()",
        "SELECT CURRENT_USER",
        "show databases",
        "show tables",
        "SHOW FIELDS FROM t",
        "SHOW COLUMNS FROM t FROM test",
        "SHOW KEYS FROM t",
        "SHOW SESSION VARIABLES LIKE 'autocommit'",
        "SHOW GLOBAL STATUS LIKE 'Questions'",
        "SHOW COLLATION",
        "SELECT 1 FROM DUAL",
        "SELECT NOW()",
        "START TRANSACTION READ WRITE",
        "COMMIT WORK",
        "ROLLBACK WORK",
        "SELECT * FROM t WHERE id IN (1,2) FOR UPDATE",
        "SELECT * FROM t LOCK IN SHARE MODE",
        "SELECT SQL_NO_CACHE * FROM t",
        "DESC test.t",
        "SHOW CREATE TABLE test.t",
        "SELECT t.id FROM test.t AS t",
        "INSERT INTO test.t (id, c) VALUES (1, 'x')",
        "UPDATE test.t SET c = 'y' WHERE id = 1",
        "DELETE FROM test.t WHERE id = 1",
    ] {
        let r = e.execute(&mut s, q);
        let expected_error = match q {
            "SELECT NOW()" => Some(1235),
            "SELECT * FROM t LOCK IN SHARE MODE" => Some(1064),
            _ => None,
        };
        assert_eq!(
            r.as_ref().err().map(|x| x.code),
            expected_error,
            "{q}: {r:?}"
        );
    }
    assert_eq!(
        rows(&mut e, &mut s, "SELECT @@sql_mode"),
        [["STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION"]]
    );
}

#[test]
fn collation_and_char_semantics() {
    let (mut e, mut s) = engine();
    ok(
        &mut e,
        &mut s,
        "CREATE TABLE t (c CHAR(5), v VARCHAR(5), UNIQUE KEY uc (c))",
    );
    ok(
        &mut e,
        &mut s,
        "INSERT INTO t VALUES ('ab  ', 'ab  '), ('B', 'b')",
    );
    assert_eq!(
        rows(
            &mut e,
            &mut s,
            "SELECT CONCAT(c, '|'), CONCAT(v, '|') FROM t WHERE c = 'AB'"
        ),
        [["ab|", "ab  |"]]
    );
    assert_eq!(
        err(&mut e, &mut s, "INSERT INTO t VALUES ('AB', 'x')"),
        1062
    );
    assert_eq!(
        err(&mut e, &mut s, "INSERT INTO t VALUES ('abcdef', 'x')"),
        1406
    );
    ok(
        &mut e,
        &mut s,
        "INSERT INTO t VALUES ('a', 'x'), ('C', 'x'), (NULL, 'n'), (NULL, 'n')",
    );
    assert_eq!(
        rows(&mut e, &mut s, "SELECT c FROM t ORDER BY c"),
        [["NULL"], ["NULL"], ["a"], ["ab"], ["B"], ["C"]]
    );
    assert_eq!(
        rows(
            &mut e,
            &mut s,
            "SELECT c FROM t WHERE c > 'aZ' ORDER BY c DESC"
        ),
        [["C"], ["B"]]
    );
    assert_eq!(
        rows(
            &mut e,
            &mut s,
            "SELECT COUNT(*) FROM t WHERE c BETWEEN 'A' AND 'b'"
        ),
        [["3"]]
    );
    assert_eq!(
        rows(
            &mut e,
            &mut s,
            "SELECT UPPER(v), COUNT(*) FROM t GROUP BY v"
        ),
        [["AB  ", "1"], ["B", "1"], ["N", "2"], ["X", "2"]]
    );
    assert_eq!(
        rows(&mut e, &mut s, "SELECT DISTINCT v FROM t WHERE v = 'X'"),
        [["x"]]
    );
    ok(
        &mut e,
        &mut s,
        "CREATE TABLE n (i INT, d DOUBLE, m DECIMAL(5,2))",
    );
    ok(
        &mut e,
        &mut s,
        "INSERT INTO n VALUES ('12', '1.5e1', '3.14159'), (2.5, 2, 7)",
    );
    assert_eq!(
        rows(&mut e, &mut s, "SELECT i, d, m FROM n"),
        [["12", "15", "3.14"], ["3", "2", "7.00"]]
    );
    assert_eq!(
        rows(
            &mut e,
            &mut s,
            "SELECT SUM(m), AVG(m), SUM(d), AVG(i) FROM n"
        ),
        [["10.14", "5.070000", "17", "7.5000"]]
    );
    assert_eq!(
        err(&mut e, &mut s, "INSERT INTO n (i) VALUES (99999999999)"),
        1264
    );
    assert_eq!(
        err(&mut e, &mut s, "INSERT INTO n (i) VALUES ('12abc')"),
        1265
    );
    assert_eq!(err(&mut e, &mut s, "INSERT INTO n (m) VALUES (1000)"), 1264);
}

#[test]
fn subqueries_derived_tables_and_outer_joins() {
    let (mut e, mut s) = engine();
    ok(
        &mut e,
        &mut s,
        "CREATE TABLE d (id INT PRIMARY KEY, name VARCHAR(10))",
    );
    ok(
        &mut e,
        &mut s,
        "CREATE TABLE m (id INT PRIMARY KEY, d INT, pay INT)",
    );
    ok(
        &mut e,
        &mut s,
        "INSERT INTO d VALUES (1, 'a'), (2, 'b'), (3, 'c')",
    );
    ok(
        &mut e,
        &mut s,
        "INSERT INTO m VALUES (1, 1, 10), (2, 1, 20), (3, 2, 30), (4, NULL, 40)",
    );
    let q = |e: &mut Engine, s: &mut Session, sql: &str| rows(e, s, sql);
    assert_eq!(
        q(
            &mut e,
            &mut s,
            "SELECT id FROM d WHERE id IN (SELECT d FROM m) ORDER BY id"
        ),
        [["1"], ["2"]]
    );
    // NOT IN over a set holding NULL is never true.
    assert!(q(
        &mut e,
        &mut s,
        "SELECT id FROM d WHERE id NOT IN (SELECT d FROM m)"
    )
    .is_empty());
    assert_eq!(
        q(
            &mut e,
            &mut s,
            "SELECT id FROM d WHERE id NOT IN (SELECT d FROM m WHERE d IS NOT NULL)"
        ),
        [["3"]]
    );
    // Correlated: per outer row, with the outer column in the inner WHERE.
    assert_eq!(
        q(
            &mut e,
            &mut s,
            "SELECT name, (SELECT SUM(pay) FROM m WHERE m.d = d.id) FROM d ORDER BY id"
        ),
        [["a", "30"], ["b", "30"], ["c", "NULL"]]
    );
    assert_eq!(
        q(
            &mut e,
            &mut s,
            "SELECT id FROM d WHERE NOT EXISTS (SELECT 1 FROM m WHERE m.d = d.id)"
        ),
        [["3"]]
    );
    assert_eq!(
        q(
            &mut e,
            &mut s,
            "SELECT id FROM m x WHERE pay > (SELECT AVG(pay) FROM m y WHERE y.d = x.d)"
        ),
        [["2"]]
    );
    // The inner column wins over the outer one of the same name.
    assert_eq!(
        q(
            &mut e,
            &mut s,
            "SELECT id FROM d WHERE id = (SELECT MAX(id) FROM m)"
        ),
        Vec::<Vec<String>>::new()
    );
    assert_eq!(err(&mut e, &mut s, "SELECT (SELECT id FROM m)"), 1242);
    assert_eq!(
        err(&mut e, &mut s, "SELECT 1 IN (SELECT id, d FROM m)"),
        1241
    );
    assert_eq!(err(&mut e, &mut s, "SELECT * FROM (SELECT 1)"), 1064);
    // An uncorrelated subquery runs once per execution, not once per row.
    let _ = q(
        &mut e,
        &mut s,
        "SELECT id FROM m WHERE d IN (SELECT id FROM d)",
    );
    assert_eq!(e.last_examined, 4 + 3);
    assert_eq!(
        q(
            &mut e,
            &mut s,
            "SELECT t.d, t.n FROM (SELECT d, COUNT(*) AS n FROM m GROUP BY d) AS t WHERE t.n > 1"
        ),
        [["1", "2"]]
    );
    assert_eq!(
        q(
            &mut e,
            &mut s,
            "SELECT d.name, m.id FROM m RIGHT JOIN d ON m.d = d.id ORDER BY d.id, m.id"
        ),
        [["a", "1"], ["a", "2"], ["b", "3"], ["c", "NULL"]]
    );
    assert_eq!(
        q(
            &mut e,
            &mut s,
            "SELECT d.name FROM d JOIN m USING (id) WHERE m.pay > 15 ORDER BY d.id"
        ),
        [["b"], ["c"]]
    );
    assert_eq!(
        err(&mut e, &mut s, "SELECT * FROM d JOIN m USING (id)"),
        1235
    );
    // Prepared: the cached result of an uncorrelated subquery does not outlive a run.
    let p = e
        .prepare(
            &mut s,
            "SELECT COUNT(*) FROM m WHERE pay > (SELECT ? + 0 FROM DUAL)",
        )
        .unwrap();
    let count = |e: &mut Engine, s: &mut Session, v: i64| match e
        .execute_prepared(s, &p, &[Value::Int(v)])
        .unwrap()
    {
        Outcome::Rows(rs) => rs.rows[0][0].display(),
        other => panic!("{other:?}"),
    };
    assert_eq!(count(&mut e, &mut s, 15), "3");
    assert_eq!(count(&mut e, &mut s, 35), "1");
    ok(
        &mut e,
        &mut s,
        "DELETE FROM m WHERE d IN (SELECT id FROM d WHERE name = 'a')",
    );
    assert_eq!(q(&mut e, &mut s, "SELECT COUNT(*) FROM m"), [["2"]]);
}

#[test]
fn client_variables() {
    let (mut e, mut s) = engine();
    assert_eq!(rows(&mut e, &mut s, "SELECT @@socket"), [[""]]);
    assert_eq!(
        rows(
            &mut e,
            &mut s,
            "SELECT @@innodb_lock_wait_timeout, @@have_ssl, @@foreign_key_checks"
        ),
        [["50", "DISABLED", "1"]]
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
