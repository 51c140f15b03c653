//! Subqueries (scalar, EXISTS, IN, correlated), derived tables and outer joins.

use super::*;

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
