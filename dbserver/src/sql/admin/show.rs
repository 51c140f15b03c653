//! SHOW ... and DESCRIBE answered from the catalog: databases, tables, columns, indexes.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sqlparser::ast::{
    self as ast, ShowCreateObject, ShowStatementFilter, ShowStatementFilterPosition,
    ShowStatementOptions, Statement,
};

use super::show_create::{key_kind, show_create};
use super::variables::{Stats, SHOW_COLUMN_CHARS};
use crate::sql::catalog::{Catalog, SYSTEM_SCHEMAS};
use crate::sql::errors;
use crate::sql::plan::split_name;
use crate::sql::table::Table;
use crate::sql::value::like_match;
use crate::sql::{ColumnMeta, ResultSet, Session, SqlError, SqlType, Value};

/// Read-only statements answered from the catalog and the session.
pub struct Admin<'a> {
    pub catalog: &'a Catalog,
    pub session: &'a Session,
    pub stats: &'a Stats,
}

pub(super) fn text(s: &str) -> Value {
    Value::Text(s.as_bytes().to_vec())
}

/// Result metadata for text columns named `names`.
pub(super) fn columns(names: &[&str]) -> Vec<ColumnMeta> {
    names
        .iter()
        .map(|n| ColumnMeta {
            name: n.to_string(),
            org_name: n.to_string(),
            table: String::new(),
            org_table: String::new(),
            schema: String::new(),
            sql_type: SqlType::VarChar(SHOW_COLUMN_CHARS),
            nullable: true,
            primary_key: false,
            unique_key: false,
            multiple_key: false,
            auto_increment: false,
        })
        .collect()
}

fn like_filter(options: &ShowStatementOptions) -> Option<&str> {
    match &options.filter_position {
        Some(ShowStatementFilterPosition::Infix(ShowStatementFilter::Like(p)))
        | Some(ShowStatementFilterPosition::Suffix(ShowStatementFilter::Like(p))) => Some(p),
        _ => None,
    }
}

pub(super) fn matches(pattern: Option<&str>, name: &str) -> bool {
    pattern.is_none_or(|p| like_match(name.as_bytes(), p.as_bytes(), b'\\'))
}

impl Admin<'_> {
    /// Answer a SHOW/DESCRIBE statement; None if it is not one we know.
    pub fn show(&self, stmt: &Statement) -> Result<Option<ResultSet>, SqlError> {
        Ok(Some(match stmt {
            Statement::ShowDatabases { show_options, .. }
            | Statement::ShowSchemas { show_options, .. } => {
                let p = like_filter(show_options);
                let mut names: Vec<&str> = SYSTEM_SCHEMAS.to_vec();
                names.extend(self.catalog.database_names());
                names.sort_unstable();
                ResultSet {
                    columns: columns(&["Database"]),
                    rows: names
                        .into_iter()
                        .filter(|n| matches(p, n))
                        .map(|n| alloc::vec![text(n)])
                        .collect(),
                }
            }
            Statement::ShowTables {
                full, show_options, ..
            } => self.show_tables(*full, show_options)?,
            Statement::ShowColumns {
                full, show_options, ..
            } => {
                let Some(name) = show_options
                    .show_in
                    .as_ref()
                    .and_then(|s| s.parent_name.as_ref())
                else {
                    return Err(errors::syntax("", 1));
                };
                self.describe(name, *full, like_filter(show_options))?
            }
            Statement::ExplainTable { table_name, .. } => self.describe(table_name, false, None)?,
            Statement::ShowCreate {
                obj_type: ShowCreateObject::Table,
                obj_name,
            } => {
                let t = self.table(obj_name)?;
                ResultSet {
                    columns: columns(&["Table", "Create Table"]),
                    rows: alloc::vec![alloc::vec![text(&t.name), text(&show_create(t))]],
                }
            }
            Statement::ShowVariables { filter, .. } => self.show_variables(filter.as_ref()),
            Statement::ShowStatus { filter, .. } => self.show_status(filter.as_ref()),
            Statement::ShowVariable { variable } => {
                let words: Vec<String> = variable
                    .iter()
                    .map(|i| i.value.to_ascii_uppercase())
                    .collect();
                match words
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .as_slice()
                {
                    ["WARNINGS"] | ["ERRORS"] => ResultSet {
                        columns: columns(&["Level", "Code", "Message"]),
                        rows: Vec::new(),
                    },
                    ["ENGINES"] | ["STORAGE", "ENGINES"] => ResultSet {
                        columns: columns(&[
                            "Engine",
                            "Support",
                            "Comment",
                            "Transactions",
                            "XA",
                            "Savepoints",
                        ]),
                        rows: alloc::vec![[
                            "InnoDB",
                            "DEFAULT",
                            "In-memory tables of ring0db",
                            "YES",
                            "NO",
                            "NO"
                        ]
                        .iter()
                        .map(|s| text(s))
                        .collect()],
                    },
                    ["INDEX" | "INDEXES" | "KEYS", "FROM" | "IN", ..] => {
                        let Some(name) = variable.get(2) else {
                            return Err(errors::syntax("", 1));
                        };
                        let mut parts = Vec::from([ast::ObjectNamePart::Identifier(name.clone())]);
                        if let (Some(_), Some(db)) = (variable.get(3), variable.get(4)) {
                            parts.insert(0, ast::ObjectNamePart::Identifier(db.clone()));
                        }
                        self.show_index(&ast::ObjectName(parts))?
                    }
                    _ => return Ok(None),
                }
            }
            Statement::ShowCollation { .. } => ResultSet {
                columns: columns(&[
                    "Collation",
                    "Charset",
                    "Id",
                    "Default",
                    "Compiled",
                    "Sortlen",
                ]),
                rows: alloc::vec![["utf8mb4_general_ci", "utf8mb4", "45", "Yes", "Yes", "1"]
                    .iter()
                    .map(|s| text(s))
                    .collect()],
            },
            _ => return Ok(None),
        }))
    }

    fn table(&self, name: &ast::ObjectName) -> Result<&Table, SqlError> {
        let (db, t) = split_name(self.session, name)?;
        self.catalog.lookup(&db, &t)
    }

    fn show_tables(
        &self,
        full: bool,
        options: &ShowStatementOptions,
    ) -> Result<ResultSet, SqlError> {
        let db = match options
            .show_in
            .as_ref()
            .and_then(|s| s.parent_name.as_ref())
        {
            Some(n) => n.to_string().trim_matches('`').to_string(),
            None => self
                .session
                .database()
                .ok_or_else(errors::no_database)?
                .to_string(),
        };
        if !self.catalog.database_exists(&db) && !crate::sql::catalog::is_system_schema(&db) {
            return Err(errors::unknown_database(&db));
        }
        let p = like_filter(options);
        let mut header = format!("Tables_in_{db}");
        if let Some(p) = p {
            header.push_str(&format!(" ({p})"));
        }
        let mut names = alloc::vec![header.as_str()];
        if full {
            names.push("Table_type");
        }
        let rows = self
            .catalog
            .table_names(&db)
            .into_iter()
            .filter(|n| matches(p, n))
            .map(|n| {
                let mut r = alloc::vec![text(n)];
                if full {
                    r.push(text("BASE TABLE"));
                }
                r
            })
            .collect();
        Ok(ResultSet {
            columns: columns(&names),
            rows,
        })
    }

    fn describe(
        &self,
        name: &ast::ObjectName,
        full: bool,
        pattern: Option<&str>,
    ) -> Result<ResultSet, SqlError> {
        let t = self.table(name)?;
        let names: &[&str] = if full {
            &[
                "Field",
                "Type",
                "Collation",
                "Null",
                "Key",
                "Default",
                "Extra",
                "Privileges",
                "Comment",
            ]
        } else {
            &["Field", "Type", "Null", "Key", "Default", "Extra"]
        };
        let mut rows = Vec::new();
        for (i, c) in t.columns.iter().enumerate() {
            if !matches(pattern, &c.name) {
                continue;
            }
            let key = key_kind(t, i);
            let default = match &c.default {
                Some(v) => match v.to_text() {
                    Some(tx) => Value::Text(tx),
                    None => Value::Null,
                },
                None => Value::Null,
            };
            let collation = if crate::sql::expr::is_text(c.ty) {
                text("utf8mb4_general_ci")
            } else {
                Value::Null
            };
            let mut row = alloc::vec![text(&c.name), text(&c.type_text)];
            if full {
                row.push(collation);
            }
            row.push(text(if c.nullable { "YES" } else { "NO" }));
            row.push(text(key));
            row.push(default);
            row.push(text(if c.auto_increment {
                "auto_increment"
            } else {
                ""
            }));
            if full {
                row.push(text("select,insert,update,references"));
                row.push(text(""));
            }
            rows.push(row);
        }
        Ok(ResultSet {
            columns: columns(names),
            rows,
        })
    }

    fn show_index(&self, name: &ast::ObjectName) -> Result<ResultSet, SqlError> {
        let t = self.table(name)?;
        let names = [
            "Table",
            "Non_unique",
            "Key_name",
            "Seq_in_index",
            "Column_name",
            "Collation",
            "Cardinality",
            "Sub_part",
            "Packed",
            "Null",
            "Index_type",
            "Comment",
            "Index_comment",
            "Ignored",
        ];
        let mut rows = Vec::new();
        for ix in &t.indexes {
            for (seq, c) in ix.def.columns.iter().enumerate() {
                let col = t.columns.get(*c);
                rows.push(alloc::vec![
                    text(&t.name),
                    Value::Int(i64::from(!ix.def.unique)),
                    text(&ix.def.name),
                    Value::Int(seq as i64 + 1),
                    text(col.map_or("", |c| c.name.as_str())),
                    text("A"),
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    text(if col.is_some_and(|c| c.nullable) {
                        "YES"
                    } else {
                        ""
                    }),
                    text("BTREE"),
                    text(""),
                    text(""),
                    text("NO"),
                ]);
            }
        }
        Ok(ResultSet {
            columns: columns(&names),
            rows,
        })
    }
}
