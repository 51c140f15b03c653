//! CREATE TABLE: columns, their DEFAULTs, and the indexes the definition asks for.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sqlparser::ast::{self as ast, ColumnOption, TableConstraint};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::Token;

use super::column_type::column_type;
use super::PRIMARY_KEY_NAME;
use crate::sql::catalog::Catalog;
use crate::sql::errors;
use crate::sql::eval::{eval, Env};
use crate::sql::expr::Compiler;
use crate::sql::plan::split_name;
use crate::sql::redo::Recorder;
use crate::sql::table::{Column, IndexDef, Table, WriteError};
use crate::sql::{done, Outcome, Session, SqlError, Value};

/// Index requests gathered from a CREATE TABLE.
pub(super) struct IndexRequest {
    name: Option<String>,
    columns: Vec<String>,
    unique: bool,
    primary: bool,
}

pub(super) fn create_table(
    catalog: &mut Catalog,
    session: &Session,
    ct: &ast::CreateTable,
    rec: &mut Recorder,
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
    rec.create_table(&table);
    catalog.add_table(table);
    Ok(done(0, 0, String::new()))
}

/// MySQL names an unnamed index after its first column (`c`, `c_2`, ...).
pub(super) fn unique_index_name(table: &Table, columns: &[String]) -> String {
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

pub(super) fn add_index(table: &mut Table, def: IndexDef) -> Result<(), SqlError> {
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
pub(super) fn default_value(
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
    let mut c = Compiler::new(&[], "", db, crate::sql::DEFAULT_MAX_NESTING_DEPTH);
    let t = c.compile(e).map_err(|_| invalid())?;
    let env = Env::constant(session);
    let v = eval(&t.expr, &env)?.into_owned();
    if v.is_null() && !col.nullable {
        return Err(invalid());
    }
    crate::sql::dml::coerce(col, v, 1, db, table).map_err(|_| invalid())
}
