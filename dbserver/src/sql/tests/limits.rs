//! Named limits (memory, nesting depth, stack use) and the ignored speed probes of the hot
//! paths.

use super::*;

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
