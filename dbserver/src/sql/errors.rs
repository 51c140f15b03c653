//! MySQL/MariaDB error constructors: number, SQLSTATE and MariaDB 10.11's message text.

use alloc::format;
use alloc::string::String;

use super::SqlError;

/// Longest excerpt of the statement quoted in a syntax error ("... near '...'").
const SYNTAX_EXCERPT_CHARS: usize = 80;

/// 1064: syntax error, quoting the statement from `rest` on (as MariaDB does).
pub fn syntax(rest: &str, line: u64) -> SqlError {
    let excerpt: String = rest.chars().take(SYNTAX_EXCERPT_CHARS).collect();
    SqlError::new(
        1064,
        "42000",
        format!(
            "You have an error in your SQL syntax; check the manual that corresponds to your \
             MariaDB server version for the right syntax to use near '{excerpt}' at line {line}"
        ),
    )
}

/// 1064 for a statement nested deeper than the engine allows.
pub fn too_deep(max_depth: usize) -> SqlError {
    SqlError::new(
        1064,
        "42000",
        format!(
            "You have an error in your SQL syntax; the statement is nested deeper than \
             {max_depth} levels"
        ),
    )
}

/// 1065: nothing but comments or white space.
pub fn empty_query() -> SqlError {
    SqlError::new(1065, "42000", "Query was empty")
}

/// 1235: a feature this engine deliberately lacks.
pub fn unsupported(what: &str) -> SqlError {
    SqlError::new(
        1235,
        "42000",
        format!("This version of ring0db doesn't yet support '{what}'"),
    )
}

/// 1305: unknown function.
pub fn no_such_function(db: &str, name: &str) -> SqlError {
    SqlError::new(
        1305,
        "42000",
        format!("FUNCTION {db}.{name} does not exist"),
    )
}

/// 1582: wrong number of arguments to a native function.
pub fn wrong_arg_count(name: &str) -> SqlError {
    SqlError::new(
        1582,
        "42000",
        format!("Incorrect parameter count in the call to native function '{name}'"),
    )
}

/// 1146: unknown table.
pub fn no_such_table(db: &str, table: &str) -> SqlError {
    SqlError::new(1146, "42S02", format!("Table '{db}.{table}' doesn't exist"))
}

/// 1054: unknown column; `clause` is e.g. "field list", "where clause", "order clause".
pub fn unknown_column(column: &str, clause: &str) -> SqlError {
    SqlError::new(
        1054,
        "42S22",
        format!("Unknown column '{column}' in '{clause}'"),
    )
}

/// 1052: a column name that several tables of the query have.
pub fn ambiguous_column(column: &str, clause: &str) -> SqlError {
    SqlError::new(
        1052,
        "23000",
        format!("Column '{column}' in {clause} is ambiguous"),
    )
}

/// 1066: the same table alias twice in one FROM.
pub fn not_unique_table(alias: &str) -> SqlError {
    SqlError::new(1066, "42000", format!("Not unique table/alias: '{alias}'"))
}

/// 1046: a table named without a database and no current database.
pub fn no_database() -> SqlError {
    SqlError::new(1046, "3D000", "No database selected")
}

/// 1049: unknown database.
pub fn unknown_database(db: &str) -> SqlError {
    SqlError::new(1049, "42000", format!("Unknown database '{db}'"))
}

/// 1007: CREATE DATABASE of an existing one.
pub fn database_exists(db: &str) -> SqlError {
    SqlError::new(
        1007,
        "HY000",
        format!("Can't create database '{db}'; database exists"),
    )
}

/// 1008: DROP DATABASE of a missing one.
pub fn drop_missing_database(db: &str) -> SqlError {
    SqlError::new(
        1008,
        "HY000",
        format!("Can't drop database '{db}'; database doesn't exist"),
    )
}

/// 1050: CREATE TABLE of an existing one.
pub fn table_exists(table: &str) -> SqlError {
    SqlError::new(1050, "42S01", format!("Table '{table}' already exists"))
}

/// 1051: DROP TABLE of missing ones (`names` is "db.t,db.u").
pub fn unknown_table(names: &str) -> SqlError {
    SqlError::new(1051, "42S02", format!("Unknown table '{names}'"))
}

/// 1136: INSERT row with the wrong number of values.
pub fn column_count_mismatch(row: u64) -> SqlError {
    SqlError::new(
        1136,
        "21S01",
        format!("Column count doesn't match value count at row {row}"),
    )
}

/// 1111: an aggregate where none may be (WHERE, nested aggregates, GROUP BY).
pub fn invalid_group_function() -> SqlError {
    SqlError::new(1111, "HY000", "Invalid use of group function")
}

/// 1061: an index name used twice in one table.
pub fn duplicate_key_name(name: &str) -> SqlError {
    SqlError::new(1061, "42000", format!("Duplicate key name '{name}'"))
}

/// 1060: a column name used twice in one table.
pub fn duplicate_column(name: &str) -> SqlError {
    SqlError::new(1060, "42S21", format!("Duplicate column name '{name}'"))
}

/// 1068: two primary keys.
pub fn multiple_primary_keys() -> SqlError {
    SqlError::new(1068, "42000", "Multiple primary key defined")
}

/// 1072: an index over a column the table lacks.
pub fn key_column_missing(name: &str) -> SqlError {
    SqlError::new(
        1072,
        "42000",
        format!("Key column '{name}' doesn't exist in table"),
    )
}

/// 1075: AUTO_INCREMENT on a column that is not the first column of a key.
pub fn wrong_auto_key() -> SqlError {
    SqlError::new(
        1075,
        "42000",
        "Incorrect table definition; there can be only one auto column and it must be defined \
         as a key",
    )
}

/// 1091: DROP INDEX of a missing index.
pub fn cant_drop_key(name: &str) -> SqlError {
    SqlError::new(
        1091,
        "42000",
        format!("Can't DROP INDEX `{name}`; check that it exists"),
    )
}

/// 1113: CREATE TABLE without columns.
pub fn table_needs_column() -> SqlError {
    SqlError::new(1113, "42000", "A table must have at least 1 column")
}

/// 1116: more tables in one join than the executor nests.
pub fn too_many_tables(max: usize) -> SqlError {
    SqlError::new(
        1116,
        "HY000",
        format!("Too many tables; MariaDB can only use {max} tables in a join"),
    )
}

/// 1062: a unique key would hold `entry` twice.
pub fn duplicate_entry(entry: &str, key: &str) -> SqlError {
    SqlError::new(
        1062,
        "23000",
        format!("Duplicate entry '{entry}' for key '{key}'"),
    )
}

/// 1048: NULL into a NOT NULL column.
pub fn column_not_null(column: &str) -> SqlError {
    SqlError::new(1048, "23000", format!("Column '{column}' cannot be null"))
}

/// 1364: INSERT omits a NOT NULL column that has no default (strict mode).
pub fn no_default(column: &str) -> SqlError {
    SqlError::new(
        1364,
        "HY000",
        format!("Field '{column}' doesn't have a default value"),
    )
}

/// 1406: a string longer than the column (strict mode).
pub fn data_too_long(column: &str, row: u64) -> SqlError {
    SqlError::new(
        1406,
        "22001",
        format!("Data too long for column '{column}' at row {row}"),
    )
}

/// 1366: a string that is not a number into a numeric column (strict mode).
pub fn incorrect_value(kind: &str, value: &str, column_path: &str, row: u64) -> SqlError {
    SqlError::new(
        1366,
        "HY000",
        format!("Incorrect {kind} value: '{value}' for column {column_path} at row {row}"),
    )
}

/// 1265: a number with trailing garbage into a numeric column (strict mode).
pub fn data_truncated(column: &str, row: u64) -> SqlError {
    SqlError::new(
        1265,
        "01000",
        format!("Data truncated for column '{column}' at row {row}"),
    )
}

/// 1264: a number outside the column's range (strict mode).
pub fn out_of_range_column(column: &str, row: u64) -> SqlError {
    SqlError::new(
        1264,
        "22003",
        format!("Out of range value for column '{column}' at row {row}"),
    )
}

/// 1690: integer arithmetic overflow; `expr` is the operation's text.
pub fn bigint_out_of_range(expr: &str) -> SqlError {
    SqlError::new(
        1690,
        "22003",
        format!("BIGINT value is out of range in '{expr}'"),
    )
}

/// 1690: exact decimal arithmetic overflow.
pub fn decimal_out_of_range(expr: &str) -> SqlError {
    SqlError::new(
        1690,
        "22003",
        format!("DECIMAL value is out of range in '{expr}'"),
    )
}

/// 1213: the row is locked by another open transaction (ours is rolled back).
pub fn deadlock() -> SqlError {
    SqlError::new(
        1213,
        "40001",
        "Deadlock found when trying to get lock; try restarting transaction",
    )
}

/// 1114: the memory budget for table data is exhausted.
pub fn table_full(table: &str) -> SqlError {
    SqlError::new(1114, "HY000", format!("The table '{table}' is full"))
}

/// 1193: SET of an unknown system variable.
pub fn unknown_variable(name: &str) -> SqlError {
    SqlError::new(1193, "HY000", format!("Unknown system variable '{name}'"))
}

/// 1231: SET of a variable to a value it cannot take.
pub fn wrong_value_for_var(name: &str, value: &str) -> SqlError {
    SqlError::new(
        1231,
        "42000",
        format!("Variable '{name}' can't be set to the value of '{value}'"),
    )
}

/// 1210: wrong number of parameters for a prepared statement.
pub fn wrong_arguments(what: &str) -> SqlError {
    SqlError::new(1210, "HY000", format!("Incorrect arguments to {what}"))
}

/// 1221: LIMIT / OFFSET that is not a non-negative integer.
pub fn wrong_limit() -> SqlError {
    SqlError::new(1210, "HY000", "Incorrect arguments to LIMIT")
}

/// 1044-style refusal for the system schemas, which hold no tables here.
pub fn access_denied_db(db: &str) -> SqlError {
    SqlError::new(
        1044,
        "42000",
        format!("Access denied for user 'root'@'localhost' to database '{db}'"),
    )
}

/// 1096: `SELECT *` without FROM.
pub fn no_table_used() -> SqlError {
    SqlError::new(1096, "HY000", "No tables used")
}

/// Number of the deadlock error (the whole transaction was rolled back).
pub const DEADLOCK: u16 = 1213;

/// 1241: a subquery used as a value returns several columns.
pub fn operand_columns(n: usize) -> SqlError {
    SqlError::new(
        1241,
        "21000",
        alloc::format!("Operand should contain {n} column(s)"),
    )
}

/// 1242: a scalar subquery returned several rows.
pub fn subquery_rows() -> SqlError {
    SqlError::new(1242, "21000", "Subquery returns more than 1 row")
}

/// 1021 (`ER_DISK_FULL`): the durability log cannot take the commit (`cause` says why).
pub fn disk_full(cause: &str) -> SqlError {
    SqlError::new(
        1021,
        "HY000",
        format!("Disk full ({cause}); waiting for someone to free some space..."),
    )
}
