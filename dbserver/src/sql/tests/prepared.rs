//! Prepared statements: parameters, types, re-execution after DDL.

use super::*;

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
