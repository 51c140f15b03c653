//! MySQL semantics of single statements: CREATE/INSERT/SELECT, column names, error codes,
//! NULL logic, AUTO_INCREMENT, collations and CHAR, comments.

use super::*;

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
