//! SELECT planning and execution: the pipeline of clauses, join access paths (index or
//! hash) and the Wisconsin benchmark's queries, checked through the chosen plans.

use super::*;

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
