//! The statements real clients send, as they send them: sysbench, mysqlslap, the connectors'
//! startup chatter, SET/SHOW and client variables.

use super::*;

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
