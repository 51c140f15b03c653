//! CREATE INDEX and DROP INDEX on an existing table.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sqlparser::ast::{self as ast};

use super::create_table::add_index;
use super::object_name;
use crate::sql::catalog::Catalog;
use crate::sql::errors;
use crate::sql::plan::split_name;
use crate::sql::redo::Recorder;
use crate::sql::table::IndexDef;
use crate::sql::{done, Outcome, Session, SqlError};

pub(super) fn create_index(
    catalog: &mut Catalog,
    session: &Session,
    ci: &ast::CreateIndex,
    rec: &mut Recorder,
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
    let def = IndexDef {
        name,
        columns: cols,
        unique: ci.unique,
        primary: false,
    };
    add_index(table, def.clone())?;
    rec.add_index(table, &def);
    catalog.touch();
    Ok(done(0, 0, String::new()))
}

pub(super) fn drop_index(
    catalog: &mut Catalog,
    session: &Session,
    index: &str,
    table: &ast::ObjectName,
    rec: &mut Recorder,
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
    rec.drop_index(table, index);
    catalog.touch();
    Ok(done(0, 0, String::new()))
}
