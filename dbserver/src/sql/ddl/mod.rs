//! DDL: CREATE/DROP DATABASE, CREATE/DROP TABLE, CREATE/DROP INDEX, TRUNCATE.
//! (The caller commits the session's open transaction first, as MySQL does.)

mod column_type;
mod create_table;
mod index;

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sqlparser::ast::{self as ast, ObjectType, Statement};

use create_table::create_table;
use index::{create_index, drop_index};

use super::catalog::{is_system_schema, Catalog};
use super::errors;
use super::plan::split_name;
use super::redo::Recorder;
use super::table::{IndexDef, Table};
use super::{done, Outcome, Session, SqlError};

/// Name MySQL gives the primary key.
pub const PRIMARY_KEY_NAME: &str = "PRIMARY";

/// Run a DDL statement.
/// Every change it makes to durable state is recorded in `rec`.
pub fn run(
    catalog: &mut Catalog,
    session: &mut Session,
    stmt: &Statement,
    rec: &mut Recorder,
) -> Result<Outcome, SqlError> {
    match stmt {
        Statement::CreateDatabase {
            db_name,
            if_not_exists,
            ..
        } => create_database(catalog, &object_name(db_name), *if_not_exists, rec),
        Statement::CreateSchema {
            schema_name: ast::SchemaName::Simple(name),
            if_not_exists,
            ..
        } => create_database(catalog, &object_name(name), *if_not_exists, rec),
        Statement::CreateTable(ct) => create_table(catalog, session, ct, rec),
        Statement::CreateIndex(ci) => create_index(catalog, session, ci, rec),
        Statement::Drop {
            object_type,
            if_exists,
            names,
            table,
            ..
        } => match object_type {
            ObjectType::Table => drop_tables(catalog, session, names, *if_exists, rec),
            ObjectType::Database | ObjectType::Schema => {
                let name = names.first().map(object_name).unwrap_or_default();
                drop_database(catalog, session, &name, *if_exists, rec)
            }
            ObjectType::Index => {
                let (Some(index), Some(table)) = (names.first(), table) else {
                    return Err(errors::syntax("", 1));
                };
                drop_index(catalog, session, &object_name(index), table, rec)
            }
            other => Err(errors::unsupported(&format!("DROP {other}"))),
        },
        Statement::Truncate(t) => {
            for target in &t.table_names {
                truncate(catalog, session, &target.name, rec)?;
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
    rec: &mut Recorder,
) -> Result<Outcome, SqlError> {
    if if_not_exists && (catalog.database_exists(name) || is_system_schema(name)) {
        return Ok(done(0, 0, String::new()));
    }
    catalog.create_database(name)?;
    rec.create_database(name);
    Ok(done(1, 0, String::new()))
}

fn drop_database(
    catalog: &mut Catalog,
    session: &mut Session,
    name: &str,
    if_exists: bool,
    rec: &mut Recorder,
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
    rec.drop_database(name);
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
    rec: &mut Recorder,
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
        rec.drop_table(&db, &t);
    }
    Ok(done(0, 0, String::new()))
}

fn truncate(
    catalog: &mut Catalog,
    session: &Session,
    name: &ast::ObjectName,
    rec: &mut Recorder,
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
    // CREATE TABLE replaces the table when replayed.
    rec.create_table(&fresh);
    catalog.remove_table(&db, &t);
    catalog.add_table(fresh);
    Ok(())
}
