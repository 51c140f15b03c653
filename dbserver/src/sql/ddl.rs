//! DDL: CREATE/DROP DATABASE, CREATE/DROP TABLE, CREATE/DROP INDEX, TRUNCATE.
//! (The caller commits the session's open transaction first, as MySQL does.)

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sqlparser::ast::{
    self as ast, ColumnOption, DataType, ExactNumberInfo, ObjectType, Statement, TableConstraint,
};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::Token;

use super::catalog::{is_system_schema, Catalog};
use super::errors;
use super::eval::{eval, Env};
use super::expr::Compiler;
use super::plan::split_name;
use super::table::{Column, IndexDef, Table, WriteError};
use super::{done, Outcome, Session, SqlError, SqlType, Value};

/// Name MySQL gives the primary key.
pub const PRIMARY_KEY_NAME: &str = "PRIMARY";
/// Default precision of DECIMAL without one.
const DEFAULT_DECIMAL_PRECISION: u8 = 10;
/// Largest DECIMAL precision.
const MAX_DECIMAL_PRECISION: u64 = 65;
/// Largest CHAR length.
const MAX_CHAR_LENGTH: u64 = 255;
/// Largest VARCHAR length (characters).
const MAX_VARCHAR_LENGTH: u64 = 65_535;

/// Run a DDL statement.
pub fn run(
    catalog: &mut Catalog,
    session: &mut Session,
    stmt: &Statement,
) -> Result<Outcome, SqlError> {
    match stmt {
        Statement::CreateDatabase {
            db_name,
            if_not_exists,
            ..
        } => create_database(catalog, &object_name(db_name), *if_not_exists),
        Statement::CreateSchema {
            schema_name: ast::SchemaName::Simple(name),
            if_not_exists,
            ..
        } => create_database(catalog, &object_name(name), *if_not_exists),
        Statement::CreateTable(ct) => create_table(catalog, session, ct),
        Statement::CreateIndex(ci) => create_index(catalog, session, ci),
        Statement::Drop {
            object_type,
            if_exists,
            names,
            table,
            ..
        } => match object_type {
            ObjectType::Table => drop_tables(catalog, session, names, *if_exists),
            ObjectType::Database | ObjectType::Schema => {
                let name = names.first().map(object_name).unwrap_or_default();
                drop_database(catalog, session, &name, *if_exists)
            }
            ObjectType::Index => {
                let (Some(index), Some(table)) = (names.first(), table) else {
                    return Err(errors::syntax("", 1));
                };
                drop_index(catalog, session, &object_name(index), table)
            }
            other => Err(errors::unsupported(&format!("DROP {other}"))),
        },
        Statement::Truncate(t) => {
            for target in &t.table_names {
                truncate(catalog, session, &target.name)?;
            }
            Ok(done(0, 0, String::new()))
        }
        _ => Err(errors::unsupported("this statement")),
    }
}

fn object_name(n: &ast::ObjectName) -> String {
    match n.0.last() {
        Some(ast::ObjectNamePart::Identifier(i)) => i.value.clone(),
        _ => n.to_string(),
    }
}

fn create_database(
    catalog: &mut Catalog,
    name: &str,
    if_not_exists: bool,
) -> Result<Outcome, SqlError> {
    if if_not_exists && (catalog.database_exists(name) || is_system_schema(name)) {
        return Ok(done(0, 0, String::new()));
    }
    catalog.create_database(name)?;
    Ok(done(1, 0, String::new()))
}

fn drop_database(
    catalog: &mut Catalog,
    session: &mut Session,
    name: &str,
    if_exists: bool,
) -> Result<Outcome, SqlError> {
    if is_system_schema(name) {
        return Err(errors::access_denied_db(name));
    }
    let tables = catalog.table_names(name).len() as u64;
    if !catalog.drop_database(name) {
        if if_exists {
            return Ok(done(0, 0, String::new()));
        }
        return Err(errors::drop_missing_database(name));
    }
    if session.database() == Some(name) {
        session.database = None;
    }
    Ok(done(tables, 0, String::new()))
}

fn drop_tables(
    catalog: &mut Catalog,
    session: &Session,
    names: &[ast::ObjectName],
    if_exists: bool,
) -> Result<Outcome, SqlError> {
    let mut missing = Vec::new();
    let mut found = Vec::new();
    for n in names {
        let (db, t) = split_name(session, n)?;
        if catalog.table_id(&db, &t).is_some() {
            found.push((db, t));
        } else {
            missing.push(format!("{db}.{t}"));
        }
    }
    if !missing.is_empty() && !if_exists {
        return Err(errors::unknown_table(&missing.join(",")));
    }
    for (db, t) in found {
        catalog.remove_table(&db, &t);
    }
    Ok(done(0, 0, String::new()))
}

fn truncate(
    catalog: &mut Catalog,
    session: &Session,
    name: &ast::ObjectName,
) -> Result<(), SqlError> {
    let (db, t) = split_name(session, name)?;
    let old = catalog.lookup(&db, &t)?;
    let columns = old.columns.clone();
    let defs: Vec<IndexDef> = old.indexes.iter().map(|i| i.def.clone()).collect();
    let id = catalog.new_table_id();
    let mut fresh = Table::new(id, db.clone(), t.clone(), columns);
    for d in defs {
        fresh
            .add_index(d)
            .map_err(|_| errors::unsupported("TRUNCATE"))?;
    }
    catalog.remove_table(&db, &t);
    catalog.add_table(fresh);
    Ok(())
}

/// Type, range and SHOW text of a column type.
/// A column type: SQL type, integer range, unsigned, SHOW text.
type ColumnType = (SqlType, Option<(i64, i64)>, bool, String);

fn column_type(dt: &DataType) -> Result<ColumnType, SqlError> {
    /// (min, max) of signed and unsigned integer types.
    const TINY: (i64, i64) = (i8::MIN as i64, i8::MAX as i64);
    const TINY_U: (i64, i64) = (0, u8::MAX as i64);
    const SMALL: (i64, i64) = (i16::MIN as i64, i16::MAX as i64);
    const SMALL_U: (i64, i64) = (0, u16::MAX as i64);
    const MEDIUM: (i64, i64) = (-8_388_608, 8_388_607);
    const MEDIUM_U: (i64, i64) = (0, 16_777_215);
    const INT: (i64, i64) = (i32::MIN as i64, i32::MAX as i64);
    const INT_U: (i64, i64) = (0, u32::MAX as i64);
    const BIG: (i64, i64) = (i64::MIN, i64::MAX);
    const BIG_U: (i64, i64) = (0, i64::MAX);
    let int = |ty: SqlType, range: (i64, i64), name: &str, width: u64, unsigned: bool| {
        let text = if unsigned {
            format!("{name}({width}) unsigned")
        } else {
            format!("{name}({width})")
        };
        Ok((ty, Some(range), unsigned, text))
    };
    let chars = |l: &Option<ast::CharacterLength>, default: u64| match l {
        Some(ast::CharacterLength::IntegerLength { length, .. }) => *length,
        _ => default,
    };
    match dt {
        DataType::TinyInt(w) => int(SqlType::TinyInt, TINY, "tinyint", w.unwrap_or(4), false),
        DataType::TinyIntUnsigned(w) => {
            int(SqlType::TinyInt, TINY_U, "tinyint", w.unwrap_or(3), true)
        }
        DataType::Bool | DataType::Boolean => int(SqlType::TinyInt, TINY, "tinyint", 1, false),
        DataType::SmallInt(w) => int(SqlType::SmallInt, SMALL, "smallint", w.unwrap_or(6), false),
        DataType::SmallIntUnsigned(w) => {
            int(SqlType::SmallInt, SMALL_U, "smallint", w.unwrap_or(5), true)
        }
        DataType::MediumInt(w) => int(SqlType::Int, MEDIUM, "mediumint", w.unwrap_or(9), false),
        DataType::MediumIntUnsigned(w) => {
            int(SqlType::Int, MEDIUM_U, "mediumint", w.unwrap_or(8), true)
        }
        DataType::Int(w) | DataType::Integer(w) | DataType::Int4(w) => {
            int(SqlType::Int, INT, "int", w.unwrap_or(11), false)
        }
        DataType::IntUnsigned(w) | DataType::IntegerUnsigned(w) => {
            int(SqlType::Int, INT_U, "int", w.unwrap_or(10), true)
        }
        DataType::BigInt(w) | DataType::Int8(w) => {
            int(SqlType::BigInt, BIG, "bigint", w.unwrap_or(20), false)
        }
        DataType::BigIntUnsigned(w) => int(SqlType::BigInt, BIG_U, "bigint", w.unwrap_or(20), true),
        DataType::Char(l) | DataType::Character(l) => {
            let n = chars(l, 1);
            if n > MAX_CHAR_LENGTH {
                return Err(errors::unsupported("CHAR longer than 255"));
            }
            Ok((SqlType::Char(n as u32), None, false, format!("char({n})")))
        }
        DataType::Varchar(l) | DataType::CharacterVarying(l) => {
            let Some(ast::CharacterLength::IntegerLength { length, .. }) = l else {
                return Err(errors::syntax("", 1));
            };
            if *length > MAX_VARCHAR_LENGTH {
                return Err(errors::unsupported("VARCHAR longer than 65535"));
            }
            Ok((
                SqlType::VarChar(*length as u32),
                None,
                false,
                format!("varchar({length})"),
            ))
        }
        DataType::Text | DataType::TinyText | DataType::MediumText | DataType::LongText => {
            Ok((SqlType::Text, None, false, String::from("text")))
        }
        DataType::Double(_) | DataType::DoublePrecision | DataType::Real => {
            Ok((SqlType::Double, None, false, String::from("double")))
        }
        DataType::DoubleUnsigned(_) => {
            Ok((SqlType::Double, None, true, String::from("double unsigned")))
        }
        DataType::Float(_) => Ok((SqlType::Float, None, false, String::from("float"))),
        DataType::Decimal(info) | DataType::Numeric(info) | DataType::Dec(info) => {
            let (p, s) = match info {
                ExactNumberInfo::None => (u64::from(DEFAULT_DECIMAL_PRECISION), 0),
                ExactNumberInfo::Precision(p) => (*p, 0),
                ExactNumberInfo::PrecisionAndScale(p, s) => {
                    (*p, u64::try_from(*s).unwrap_or(u64::MAX))
                }
            };
            if p == 0
                || p > MAX_DECIMAL_PRECISION
                || s > p
                || s > u64::from(super::value::MAX_DECIMAL_SCALE)
            {
                return Err(errors::unsupported("this DECIMAL precision"));
            }
            // Mantissas are i128: 38 digits.
            let p = p.min(38);
            Ok((
                SqlType::Decimal {
                    precision: p as u8,
                    scale: s as u8,
                },
                None,
                false,
                format!("decimal({p},{s})"),
            ))
        }
        other => Err(errors::unsupported(&format!("column type {other}"))),
    }
}

/// Index requests gathered from a CREATE TABLE.
struct IndexRequest {
    name: Option<String>,
    columns: Vec<String>,
    unique: bool,
    primary: bool,
}

fn create_table(
    catalog: &mut Catalog,
    session: &Session,
    ct: &ast::CreateTable,
) -> Result<Outcome, SqlError> {
    if ct.query.is_some() || ct.like.is_some() || ct.clone.is_some() {
        return Err(errors::unsupported("CREATE TABLE ... SELECT/LIKE"));
    }
    let (db, name) = split_name(session, &ct.name)?;
    if !catalog.database_exists(&db) {
        return Err(errors::unknown_database(&db));
    }
    if catalog.table_id(&db, &name).is_some() {
        if ct.if_not_exists {
            return Ok(done(0, 0, String::new()));
        }
        return Err(errors::table_exists(&name));
    }
    if ct.columns.is_empty() {
        return Err(errors::table_needs_column());
    }
    let mut columns: Vec<Column> = Vec::new();
    let mut requests: Vec<IndexRequest> = Vec::new();
    for cd in &ct.columns {
        if columns
            .iter()
            .any(|c| c.name.eq_ignore_ascii_case(&cd.name.value))
        {
            return Err(errors::duplicate_column(&cd.name.value));
        }
        let (ty, int_range, _unsigned, type_text) = column_type(&cd.data_type)?;
        let mut col = Column {
            name: cd.name.value.clone(),
            ty,
            nullable: true,
            default: None,
            auto_increment: false,
            int_range,
            type_text,
        };
        let mut default_expr = None;
        for opt in &cd.options {
            match &opt.option {
                ColumnOption::Null => col.nullable = true,
                ColumnOption::NotNull => col.nullable = false,
                ColumnOption::Default(e) => default_expr = Some(e),
                ColumnOption::PrimaryKey(_) => {
                    col.nullable = false;
                    requests.push(IndexRequest {
                        name: None,
                        columns: Vec::from([col.name.clone()]),
                        unique: true,
                        primary: true,
                    });
                }
                ColumnOption::Unique(_) => requests.push(IndexRequest {
                    name: None,
                    columns: Vec::from([col.name.clone()]),
                    unique: true,
                    primary: false,
                }),
                ColumnOption::DialectSpecific(tokens) => {
                    let auto = tokens.iter().any(
                        |t| matches!(t, Token::Word(w) if w.keyword == Keyword::AUTO_INCREMENT),
                    );
                    if auto {
                        col.auto_increment = true;
                        col.nullable = false;
                    } else {
                        return Err(errors::unsupported("this column option"));
                    }
                }
                ColumnOption::CharacterSet(_)
                | ColumnOption::Collation(_)
                | ColumnOption::Comment(_) => {}
                _ => return Err(errors::unsupported("this column option")),
            }
        }
        if let Some(e) = default_expr {
            col.default = Some(default_value(session, &col, e, &db, &name)?);
        }
        columns.push(col);
    }
    for c in &ct.constraints {
        let cols = |list: &[ast::IndexColumn]| -> Vec<String> {
            list.iter()
                .map(|ic| ic.column.expr.to_string().trim_matches('`').to_string())
                .collect()
        };
        match c {
            TableConstraint::PrimaryKey(pk) => requests.push(IndexRequest {
                name: None,
                columns: cols(&pk.columns),
                unique: true,
                primary: true,
            }),
            TableConstraint::Unique(u) => requests.push(IndexRequest {
                name: u
                    .index_name
                    .as_ref()
                    .or(u.name.as_ref())
                    .map(|i| i.value.clone()),
                columns: cols(&u.columns),
                unique: true,
                primary: false,
            }),
            TableConstraint::Index(ix) => requests.push(IndexRequest {
                name: ix.name.as_ref().map(|i| i.value.clone()),
                columns: cols(&ix.columns),
                unique: false,
                primary: false,
            }),
            _ => return Err(errors::unsupported("FOREIGN KEY and CHECK constraints")),
        }
    }
    let id = catalog.new_table_id();
    let mut table = Table::new(id, db, name, columns);
    if requests.iter().filter(|r| r.primary).count() > 1 {
        return Err(errors::multiple_primary_keys());
    }
    requests.sort_by_key(|r| !r.primary);
    for r in requests {
        let cols = r
            .columns
            .iter()
            .map(|c| {
                table
                    .column_index(c)
                    .ok_or_else(|| errors::key_column_missing(c))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if r.primary {
            for c in &cols {
                if let Some(col) = table.columns.get_mut(*c) {
                    col.nullable = false;
                }
            }
        }
        let index_name = match r.name {
            _ if r.primary => String::from(PRIMARY_KEY_NAME),
            Some(n) => n,
            None => unique_index_name(&table, &r.columns),
        };
        add_index(
            &mut table,
            IndexDef {
                name: index_name,
                columns: cols,
                unique: r.unique,
                primary: r.primary,
            },
        )?;
    }
    let auto_ok = table.columns.iter().enumerate().all(|(i, c)| {
        !c.auto_increment
            || table
                .indexes
                .iter()
                .any(|ix| ix.def.columns.first() == Some(&i))
    });
    if !auto_ok || table.columns.iter().filter(|c| c.auto_increment).count() > 1 {
        return Err(errors::wrong_auto_key());
    }
    catalog.add_table(table);
    Ok(done(0, 0, String::new()))
}

/// MySQL names an unnamed index after its first column (`c`, `c_2`, ...).
fn unique_index_name(table: &Table, columns: &[String]) -> String {
    let base = columns
        .first()
        .cloned()
        .unwrap_or_else(|| String::from("key"));
    let taken = |n: &str| {
        table
            .indexes
            .iter()
            .any(|i| i.def.name.eq_ignore_ascii_case(n))
    };
    if !taken(&base) {
        return base;
    }
    let mut i = 2;
    loop {
        let n = format!("{base}_{i}");
        if !taken(&n) {
            return n;
        }
        i += 1;
    }
}

fn add_index(table: &mut Table, def: IndexDef) -> Result<(), SqlError> {
    if table
        .indexes
        .iter()
        .any(|i| i.def.name.eq_ignore_ascii_case(&def.name))
    {
        return Err(errors::duplicate_key_name(&def.name));
    }
    table.add_index(def).map_err(|e| match e {
        WriteError::Duplicate { entry, key } => errors::duplicate_entry(&entry, &key),
        WriteError::Locked => errors::deadlock(),
    })
}

/// The DEFAULT of a column: a constant, converted to the column's type.
fn default_value(
    session: &Session,
    col: &Column,
    e: &ast::Expr,
    db: &str,
    table: &str,
) -> Result<Value, SqlError> {
    let invalid = || {
        SqlError::new(
            1067,
            "42000",
            format!("Invalid default value for '{}'", col.name),
        )
    };
    let mut c = Compiler::new(&[], "", db, super::DEFAULT_MAX_NESTING_DEPTH);
    let t = c.compile(e).map_err(|_| invalid())?;
    let env = Env::constant(session);
    let v = eval(&t.expr, &env)?.into_owned();
    if v.is_null() && !col.nullable {
        return Err(invalid());
    }
    super::dml::coerce(col, v, 1, db, table).map_err(|_| invalid())
}

fn create_index(
    catalog: &mut Catalog,
    session: &Session,
    ci: &ast::CreateIndex,
) -> Result<Outcome, SqlError> {
    let (db, t) = split_name(session, &ci.table_name)?;
    let Some(name) = &ci.name else {
        return Err(errors::syntax("", 1));
    };
    let name = object_name(name);
    let id = catalog.lookup(&db, &t)?.id;
    let table = catalog
        .table_mut(id)
        .ok_or_else(|| errors::no_such_table(&db, &t))?;
    if ci.if_not_exists
        && table
            .indexes
            .iter()
            .any(|i| i.def.name.eq_ignore_ascii_case(&name))
    {
        return Ok(done(0, 0, String::new()));
    }
    let cols = ci
        .columns
        .iter()
        .map(|ic| {
            let c = ic.column.expr.to_string();
            let c = c.trim_matches('`');
            table
                .column_index(c)
                .ok_or_else(|| errors::key_column_missing(c))
        })
        .collect::<Result<Vec<_>, _>>()?;
    add_index(
        table,
        IndexDef {
            name,
            columns: cols,
            unique: ci.unique,
            primary: false,
        },
    )?;
    catalog.touch();
    Ok(done(0, 0, String::new()))
}

fn drop_index(
    catalog: &mut Catalog,
    session: &Session,
    index: &str,
    table: &ast::ObjectName,
) -> Result<Outcome, SqlError> {
    let (db, t) = split_name(session, table)?;
    let id = catalog.lookup(&db, &t)?.id;
    let table = catalog
        .table_mut(id)
        .ok_or_else(|| errors::no_such_table(&db, &t))?;
    let Some(pos) = table
        .indexes
        .iter()
        .position(|i| i.def.name.eq_ignore_ascii_case(index))
    else {
        return Err(errors::cant_drop_key(index));
    };
    table.drop_index(pos);
    catalog.touch();
    Ok(done(0, 0, String::new()))
}
