//! Differential test: every statement of `tests/sql/corpus.sql` runs against Debian's
//! MariaDB and against the real `dbserver` binary, through the `mysql` crate's text
//! protocol, and the answers must agree: result sets (column count and rows; sorted
//! unless the statement orders them), affected-row counts, and error numbers.
//!
//! The corpus holds the Wisconsin benchmark's relations and queries (the data set is
//! generated here by the benchmark's rules and loaded with single-row INSERTs where the
//! corpus says `-- @load wisconsin`), sysbench's statements, NULL logic, joins,
//! aggregates, ordering, transactions and error cases. `-- @conn N` switches to the
//! side's connection N (0 or 1), to watch one session's work from another.

mod common;

use common::mariadb::MariaDb;
use common::Server;
use mysql::prelude::Queryable;
use mysql::{Conn, Opts, OptsBuilder, Value};
use std::cmp::Ordering;
use std::fmt;
use std::time::{Duration, Instant};

/// The corpus, relative to the crate.
const CORPUS: &str = include_str!("sql/corpus.sql");
/// Fewest statements the corpus must hold (the generated data load not counted).
const MIN_CORPUS_STATEMENTS: usize = 300;
/// Connections per side (`-- @conn N`).
const CONNECTIONS: usize = 2;
/// Rows of onek, tenk1 and tenk2 (scaled down from the benchmark's 1,000/10,000).
const WISCONSIN_ROWS: u64 = 1000;
/// Bprime holds the tenk2 rows with unique2 below this (a tenth, as in the benchmark).
const BPRIME_ROWS: u64 = WISCONSIN_ROWS / 10;
/// Set this environment variable to print every corpus statement with the reference's
/// answer (for reviewing the corpus).
const DUMP_VAR: &str = "RING0DB_SQL_DUMP";
/// Longest a statement may take on dbserver before its answer counts as broken.
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(20);
/// The run stops after this many broken answers in a row (the server is gone).
const MAX_BROKEN_IN_A_ROW: usize = 3;
/// The run stops when it takes longer than this (the corpus takes ~15 s on MariaDB).
const RUN_LIMIT: Duration = Duration::from_secs(240);
/// Relative tolerance when two non-integer numbers are compared.
const FLOAT_TOLERANCE: f64 = 1e-9;

// ---------------------------------------------------------------------------------------
// The corpus

/// One step of the corpus.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// A statement and the line it starts on.
    Sql { text: String, line: usize },
    /// Switch both sides to connection N.
    Conn(usize),
    /// Load the generated Wisconsin data set.
    LoadWisconsin,
}

/// Split the corpus into steps: statements end with `;` at the end of a line; `--` lines
/// are comments or directives (`-- @conn N`, `-- @load wisconsin`).
fn parse_corpus(text: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if current.is_empty() {
            if let Some(directive) = line.strip_prefix("-- @") {
                steps.push(parse_directive(directive, index + 1));
                continue;
            }
            if line.is_empty() || line.starts_with("--") {
                continue;
            }
            start = index + 1;
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(line);
        if let Some(statement) = current.strip_suffix(';') {
            steps.push(Step::Sql {
                text: statement.trim().to_string(),
                line: start,
            });
            current.clear();
        }
    }
    assert!(
        current.is_empty(),
        "corpus ends inside a statement (line {start}): {current}"
    );
    steps
}

fn parse_directive(directive: &str, line: usize) -> Step {
    let words: Vec<&str> = directive.split_whitespace().collect();
    match words.as_slice() {
        ["conn", n] => {
            let n: usize = n
                .parse()
                .unwrap_or_else(|_| panic!("corpus line {line}: bad connection {n}"));
            assert!(n < CONNECTIONS, "corpus line {line}: no connection {n}");
            Step::Conn(n)
        }
        ["load", "wisconsin"] => Step::LoadWisconsin,
        _ => panic!("corpus line {line}: unknown directive `-- @{directive}`"),
    }
}

// ---------------------------------------------------------------------------------------
// The Wisconsin data set

/// A small seeded generator (xorshift64*): the same data set on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A random permutation of 0..n (Fisher-Yates).
    fn permutation(&mut self, n: u64) -> Vec<u64> {
        let mut values: Vec<u64> = (0..n).collect();
        for i in (1..values.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            values.swap(i, j);
        }
        values
    }
}

/// The benchmark's string of a unique value: 7 significant letters (base 26, 'A' = 0,
/// right-aligned, padded with 'A') followed by 45 'x'.
fn wisconsin_string(mut unique: u64) -> String {
    let mut letters = [b'A'; 7];
    for slot in letters.iter_mut().rev() {
        *slot = b'A' + (unique % 26) as u8;
        unique /= 26;
    }
    let mut s = String::from_utf8(letters.to_vec()).expect("ascii");
    s.push_str(&"x".repeat(45));
    s
}

/// string4 cycles through four values by tuple position.
fn wisconsin_string4(position: u64) -> String {
    let letter = ["A", "H", "O", "V"][(position % 4) as usize];
    format!("{}{}", letter.repeat(4), "x".repeat(48))
}

/// One generated tuple, as the INSERT's value list.
fn wisconsin_values(unique1: u64, unique2: u64) -> String {
    let hundred = unique1 % 100;
    format!(
        "({unique1}, {unique2}, {}, {}, {}, {}, {hundred}, {}, {}, {}, {}, {}, {}, '{}', '{}', '{}')",
        unique1 % 2,
        unique1 % 4,
        unique1 % 10,
        unique1 % 20,
        unique1 % 1000,
        unique1 % 2000,
        unique1 % 5000,
        unique1 % 10000,
        hundred * 2 + 1,
        hundred * 2,
        wisconsin_string(unique1),
        wisconsin_string(unique2),
        wisconsin_string4(unique2),
    )
}

/// The INSERT statements of the data set: onek, tenk1 and tenk2 with their own
/// permutations, and Bprime = the tenk2 tuples with unique2 < BPRIME_ROWS.
fn wisconsin_inserts() -> Vec<String> {
    let mut rng = Rng(0x5eed_1993_dead_beef);
    let mut inserts = Vec::new();
    let mut tenk2 = Vec::new();
    for table in ["onek", "tenk1", "tenk2"] {
        let unique1 = rng.permutation(WISCONSIN_ROWS);
        for (unique2, &u1) in unique1.iter().enumerate() {
            let values = wisconsin_values(u1, unique2 as u64);
            if table == "tenk2" && (unique2 as u64) < BPRIME_ROWS {
                tenk2.push(values.clone());
            }
            inserts.push(format!("INSERT INTO {table} VALUES {values}"));
        }
    }
    inserts.extend(
        tenk2
            .into_iter()
            .map(|values| format!("INSERT INTO Bprime VALUES {values}")),
    );
    inserts
}

// ---------------------------------------------------------------------------------------
// Answers

/// What a server answered to one statement.
#[derive(Debug, Clone, PartialEq)]
enum Answer {
    Rows {
        columns: Vec<String>,
        rows: Vec<Vec<Option<String>>>,
    },
    Done {
        affected: u64,
    },
    Error {
        code: u16,
        message: String,
    },
    /// The client failed (connection lost, malformed packet): never agrees.
    Broken(String),
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        /// Rows shown in a disagreement.
        const SHOWN_ROWS: usize = 8;
        match self {
            Answer::Rows { columns, rows } => {
                write!(f, "{} rows of [{}]", rows.len(), columns.join(", "))?;
                for row in rows.iter().take(SHOWN_ROWS) {
                    let cells: Vec<&str> =
                        row.iter().map(|c| c.as_deref().unwrap_or("NULL")).collect();
                    write!(f, "\n        ({})", cells.join(", "))?;
                }
                if rows.len() > SHOWN_ROWS {
                    write!(f, "\n        ...")?;
                }
                Ok(())
            }
            Answer::Done { affected } => write!(f, "OK, {affected} rows affected"),
            Answer::Error { code, message } => write!(f, "ERROR {code}: {message}"),
            Answer::Broken(e) => write!(f, "client failure: {e}"),
        }
    }
}

/// Run `sql` over the text protocol; the first result set (or OK/ERR) is the answer.
fn ask(conn: &mut Conn, sql: &str) -> Answer {
    let mut result = match conn.query_iter(sql) {
        Ok(result) => result,
        Err(e) => return failure(e),
    };
    let columns: Vec<String> = result
        .columns()
        .as_ref()
        .iter()
        .map(|c| c.name_str().into_owned())
        .collect();
    if columns.is_empty() {
        return Answer::Done {
            affected: result.affected_rows(),
        };
    }
    let mut rows = Vec::new();
    for row in result.by_ref() {
        match row {
            Ok(row) => rows.push(row.unwrap().into_iter().map(cell_text).collect()),
            Err(e) => return failure(e),
        }
    }
    Answer::Rows { columns, rows }
}

fn failure(error: mysql::Error) -> Answer {
    match error {
        mysql::Error::MySqlError(e) => Answer::Error {
            code: e.code,
            message: e.message,
        },
        other => Answer::Broken(other.to_string()),
    }
}

/// A text-protocol cell as text (`None` for NULL).
fn cell_text(value: Value) -> Option<String> {
    match value {
        Value::NULL => None,
        Value::Bytes(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
        other => Some(other.as_sql(true)),
    }
}

/// A cell as compared: numbers by value, everything else as text.
#[derive(Debug, Clone)]
enum Cell {
    Null,
    Int(i128),
    Num(f64),
    Text(String),
}

impl Cell {
    fn new(text: &Option<String>) -> Cell {
        let Some(text) = text else { return Cell::Null };
        if let Ok(i) = text.parse::<i128>() {
            return Cell::Int(i);
        }
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Cell::Num(f),
            _ => Cell::Text(text.clone()),
        }
    }

    /// Sort key: NULL, numbers by value, then text.
    fn sort_cmp(&self, other: &Cell) -> Ordering {
        fn rank(c: &Cell) -> u8 {
            match c {
                Cell::Null => 0,
                Cell::Int(_) | Cell::Num(_) => 1,
                Cell::Text(_) => 2,
            }
        }
        match (self, other) {
            (Cell::Int(a), Cell::Int(b)) => a.cmp(b),
            (Cell::Text(a), Cell::Text(b)) => a.cmp(b),
            (a, b) if rank(a) == 1 && rank(b) == 1 => a.as_f64().total_cmp(&b.as_f64()),
            (a, b) => rank(a).cmp(&rank(b)),
        }
    }

    fn as_f64(&self) -> f64 {
        match self {
            Cell::Int(i) => *i as f64,
            Cell::Num(f) => *f,
            _ => f64::NAN,
        }
    }

    fn agrees(&self, other: &Cell) -> bool {
        match (self, other) {
            (Cell::Null, Cell::Null) => true,
            (Cell::Int(a), Cell::Int(b)) => a == b,
            (Cell::Text(a), Cell::Text(b)) => a == b,
            (Cell::Int(_) | Cell::Num(_), Cell::Int(_) | Cell::Num(_)) => {
                let (a, b) = (self.as_f64(), other.as_f64());
                (a - b).abs() <= FLOAT_TOLERANCE * a.abs().max(b.abs()).max(1.0)
            }
            _ => false,
        }
    }
}

fn cells(rows: &[Vec<Option<String>>]) -> Vec<Vec<Cell>> {
    rows.iter()
        .map(|row| row.iter().map(Cell::new).collect())
        .collect()
}

fn sort_rows(rows: &mut [Vec<Cell>]) {
    rows.sort_by(|a, b| {
        a.iter()
            .zip(b)
            .map(|(x, y)| x.sort_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });
}

/// True when the statement fixes the order of its rows (a top-level ORDER BY).
fn ordered(sql: &str) -> bool {
    let upper = sql.to_ascii_uppercase();
    let Some(at) = upper.rfind("ORDER BY") else {
        return false;
    };
    // An ORDER BY inside a subquery or a window does not order the result.
    let depth: i32 = upper[..at]
        .chars()
        .map(|c| match c {
            '(' => 1,
            ')' => -1,
            _ => 0,
        })
        .sum();
    depth == 0
}

/// Whether two answers to `sql` agree.
fn agree(sql: &str, a: &Answer, b: &Answer) -> bool {
    match (a, b) {
        (
            Answer::Rows {
                columns: ca,
                rows: ra,
            },
            Answer::Rows {
                columns: cb,
                rows: rb,
            },
        ) => {
            if ca.len() != cb.len() || ra.len() != rb.len() {
                return false;
            }
            let (mut xa, mut xb) = (cells(ra), cells(rb));
            if !ordered(sql) {
                sort_rows(&mut xa);
                sort_rows(&mut xb);
            }
            xa.iter()
                .zip(&xb)
                .all(|(x, y)| x.iter().zip(y).all(|(p, q)| p.agrees(q)))
        }
        (Answer::Done { affected: x }, Answer::Done { affected: y }) => x == y,
        (Answer::Error { code: x, .. }, Answer::Error { code: y, .. }) => x == y,
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------
// The run

/// One side of the comparison: a server's connections.
struct Side {
    name: &'static str,
    opts: Opts,
    conns: Vec<Conn>,
    /// Each connection's current database (from the `USE` statements that succeeded).
    databases: Vec<Option<String>>,
}

impl Side {
    fn new(name: &'static str, opts: Opts) -> Side {
        let conns = (0..CONNECTIONS)
            .map(|_| Conn::new(opts.clone()).unwrap_or_else(|e| panic!("connect to {name}: {e}")))
            .collect();
        Side {
            name,
            opts,
            conns,
            databases: vec![None; CONNECTIONS],
        }
    }

    /// Run `sql` on connection `conn`, following its `USE`.
    fn ask(&mut self, conn: usize, sql: &str) -> Answer {
        let answer = ask(&mut self.conns[conn], sql);
        if let (Some(db), Answer::Done { .. }) = (use_target(sql), &answer) {
            self.databases[conn] = Some(db);
        }
        answer
    }

    /// Replace connection `conn` after a client failure (same database); false when the
    /// server does not take a new connection.
    fn reconnect(&mut self, conn: usize) -> bool {
        let opts = OptsBuilder::from_opts(self.opts.clone()).db_name(self.databases[conn].clone());
        match Conn::new(opts) {
            Ok(c) => {
                self.conns[conn] = c;
                true
            }
            Err(_) => false,
        }
    }
}

/// The database of a `USE name` statement.
fn use_target(sql: &str) -> Option<String> {
    let mut words = sql.split_whitespace();
    let first = words.next()?;
    let name = words.next()?;
    (first.eq_ignore_ascii_case("use") && words.next().is_none()).then(|| name.to_string())
}

/// A statement on which the sides disagreed.
struct Disagreement {
    line: usize,
    sql: String,
    reference: Answer,
    ours: Answer,
}

/// The outcome of a run over the corpus.
struct Report {
    statements: usize,
    agreed: usize,
    disagreements: Vec<Disagreement>,
    /// Why the run stopped before the end of the corpus.
    stopped: Option<String>,
}

/// Run every step on both sides, comparing each statement's answers.
fn run_corpus(reference: &mut Side, ours: &mut Side, steps: &[Step]) -> Report {
    let mut report = Report {
        statements: 0,
        agreed: 0,
        disagreements: Vec::new(),
        stopped: None,
    };
    let dump = std::env::var_os(DUMP_VAR).is_some();
    let started = Instant::now();
    let mut broken_in_a_row = 0;
    let mut conn = 0;
    let mut work = Vec::new();
    for step in steps {
        match step {
            Step::Conn(n) => work.push((Some(*n), String::new(), 0)),
            Step::Sql { text, line } => work.push((None, text.clone(), *line)),
            Step::LoadWisconsin => {
                work.extend(wisconsin_inserts().into_iter().map(|sql| (None, sql, 0)));
            }
        }
    }
    for (switch, sql, line) in work {
        if let Some(n) = switch {
            conn = n;
            continue;
        }
        let a = reference.ask(conn, &sql);
        let b = ours.ask(conn, &sql);
        if dump && line != 0 {
            println!("{line} [conn {conn}] {sql}\n    => {a}");
        }
        report.statements += 1;
        let broken = matches!(b, Answer::Broken(_));
        if agree(&sql, &a, &b) {
            report.agreed += 1;
        } else {
            report.disagreements.push(Disagreement {
                line,
                sql,
                reference: a,
                ours: b,
            });
        }
        broken_in_a_row = if broken { broken_in_a_row + 1 } else { 0 };
        if broken && (broken_in_a_row >= MAX_BROKEN_IN_A_ROW || !ours.reconnect(conn)) {
            report.stopped = Some(format!(
                "{} stopped answering ({broken_in_a_row} client failures in a row)",
                ours.name
            ));
            break;
        }
        if started.elapsed() > RUN_LIMIT {
            report.stopped = Some(format!("the run took longer than {RUN_LIMIT:?}"));
            break;
        }
    }
    report
}

/// Print the summary and every disagreement; panic unless all agree.
fn check(report: &Report, reference: &str, ours: &str) {
    println!(
        "{} statements, {} agree, {} disagree ({reference} vs {ours})",
        report.statements,
        report.agreed,
        report.disagreements.len()
    );
    for d in &report.disagreements {
        let place = match d.line {
            0 => "generated".to_string(),
            n => format!("corpus.sql:{n}"),
        };
        println!(
            "DISAGREE at {place}: {}\n    {reference}: {}\n    {ours}: {}",
            d.sql, d.reference, d.ours
        );
    }
    if let Some(why) = &report.stopped {
        println!("RUN STOPPED EARLY: {why}");
    }
    assert!(
        report.disagreements.is_empty() && report.stopped.is_none(),
        "{} of {} statements disagree (listed above)",
        report.disagreements.len(),
        report.statements
    );
}

fn corpus_steps() -> Vec<Step> {
    let steps = parse_corpus(CORPUS);
    let statements = steps
        .iter()
        .filter(|s| matches!(s, Step::Sql { .. }))
        .count();
    assert!(
        statements >= MIN_CORPUS_STATEMENTS,
        "the corpus holds {statements} statements, fewer than {MIN_CORPUS_STATEMENTS}"
    );
    steps
}

#[test]
fn dbserver_agrees_with_mariadb() {
    let steps = corpus_steps();
    let peer = MariaDb::start();
    let server = Server::start(&[]);
    let mut reference = Side::new("mariadb", peer.opts(None));
    let ours_opts = OptsBuilder::new()
        .ip_or_hostname(Some("127.0.0.1"))
        .tcp_port(server.sql_port)
        .user(Some("root"))
        .read_timeout(Some(STATEMENT_TIMEOUT))
        .write_timeout(Some(STATEMENT_TIMEOUT));
    let mut ours = Side::new("dbserver", ours_opts.into());
    let report = run_corpus(&mut reference, &mut ours, &steps);
    check(&report, reference.name, ours.name);
}

/// What dbserver does not support: each statement must fail with 1235 ("doesn't yet
/// support"), never give an answer (MariaDB answers them; they are not in the corpus).
const UNSUPPORTED: &[&str] = &[
    "SELECT * FROM dept JOIN emp USING (id)",
    "SELECT * FROM dept NATURAL JOIN emp",
    "SELECT d.name FROM emp e JOIN proj p ON p.dept_id = e.dept_id RIGHT JOIN dept d ON d.id = e.dept_id",
    "SELECT id FROM dept UNION SELECT id FROM emp",
    "WITH x AS (SELECT id FROM dept) SELECT * FROM x",
    "SELECT id, ROW_NUMBER() OVER (ORDER BY id) FROM dept",
    "UPDATE emp SET salary = (SELECT MAX(salary) FROM emp) WHERE id = 1",
    "INSERT INTO dept VALUES ((SELECT 5 FROM emp LIMIT 1), 'x', NULL)",
    "SELECT * FROM (SELECT id FROM dept) AS d (a)",
];

#[test]
fn unsupported_statements_answer_1235() {
    let server = Server::start(&[]);
    let opts = OptsBuilder::new()
        .ip_or_hostname(Some("127.0.0.1"))
        .tcp_port(server.sql_port)
        .user(Some("root"))
        .prefer_socket(false);
    let mut conn = Conn::new(opts).expect("connect to dbserver");
    for setup in [
        "CREATE DATABASE u",
        "USE u",
        "CREATE TABLE dept (id INT PRIMARY KEY, name VARCHAR(20), city VARCHAR(20))",
        "CREATE TABLE emp (id INT PRIMARY KEY, name VARCHAR(20), dept_id INT, salary INT)",
        "CREATE TABLE proj (id INT PRIMARY KEY, dept_id INT)",
        "INSERT INTO dept VALUES (1, 'a', 'x'), (2, 'b', NULL)",
        "INSERT INTO emp VALUES (1, 'e', 1, 10), (2, 'f', 2, 20)",
    ] {
        conn.query_drop(setup)
            .unwrap_or_else(|e| panic!("{setup}: {e}"));
    }
    for sql in UNSUPPORTED {
        match ask(&mut conn, sql) {
            Answer::Error { code: 1235, .. } => {}
            other => panic!("{sql}: expected error 1235, got {other}"),
        }
    }
}

/// The corpus itself is deterministic: two MariaDB servers agree on every statement.
#[test]
#[ignore = "checks the corpus, not dbserver: run with --ignored after editing it"]
fn corpus_is_deterministic_on_mariadb() {
    let steps = corpus_steps();
    let (first, second) = (MariaDb::start(), MariaDb::start());
    let mut a = Side::new("mariadb-1", first.opts(None));
    let mut b = Side::new("mariadb-2", second.opts(None));
    let report = run_corpus(&mut a, &mut b, &steps);
    check(&report, a.name, b.name);
}

#[test]
fn corpus_parsing_and_comparison_rules() {
    let steps = parse_corpus("-- c\nSELECT 1;\n-- @conn 1\nSELECT\n  2;\n-- @load wisconsin\n");
    assert_eq!(
        steps,
        [
            Step::Sql {
                text: "SELECT 1".into(),
                line: 2
            },
            Step::Conn(1),
            Step::Sql {
                text: "SELECT 2".into(),
                line: 4
            },
            Step::LoadWisconsin,
        ]
    );
    let rows = |r: &[&[Option<&str>]]| Answer::Rows {
        columns: vec!["a".into(); r.first().map_or(1, |x| x.len())],
        rows: r
            .iter()
            .map(|row| row.iter().map(|c| c.map(str::to_string)).collect())
            .collect(),
    };
    let a = rows(&[&[Some("0.5"), Some("x")], &[None, Some("y")]]);
    let b = rows(&[&[None, Some("y")], &[Some("0.5000"), Some("x")]]);
    assert!(agree("SELECT a, b FROM t", &a, &b));
    assert!(!agree("SELECT a, b FROM t ORDER BY b", &a, &b));
    assert!(agree("SELECT (SELECT 1 ORDER BY 1) FROM t", &a, &b));
    let c = rows(&[&[Some("0.5001"), Some("x")], &[None, Some("y")]]);
    assert!(!agree("SELECT a, b FROM t", &a, &c));
    assert!(!agree(
        "x",
        &Answer::Error {
            code: 1146,
            message: String::new()
        },
        &Answer::Error {
            code: 1054,
            message: String::new()
        }
    ));
    assert!(!agree(
        "x",
        &Answer::Done { affected: 1 },
        &Answer::Done { affected: 2 }
    ));
    assert!(!agree(
        "x",
        &Answer::Broken("a".into()),
        &Answer::Broken("a".into())
    ));
    assert_eq!(wisconsin_string(0), format!("AAAAAAA{}", "x".repeat(45)));
    assert_eq!(wisconsin_string(27), format!("AAAAABB{}", "x".repeat(45)));
    let mut perm = Rng(1).permutation(WISCONSIN_ROWS);
    perm.sort_unstable();
    assert_eq!(perm, (0..WISCONSIN_ROWS).collect::<Vec<_>>());
}
