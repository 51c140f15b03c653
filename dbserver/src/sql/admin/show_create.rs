//! SHOW CREATE TABLE and the key kinds SHOW COLUMNS reports, printed as MariaDB prints them.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::sql::ddl::PRIMARY_KEY_NAME;
use crate::sql::table::Table;
use crate::sql::Value;

/// PRI / UNI / MUL / "" as SHOW COLUMNS reports a column.
pub(super) fn key_kind(t: &Table, col: usize) -> &'static str {
    let first = |pred: &dyn Fn(&crate::sql::table::IndexDef) -> bool| {
        t.indexes
            .iter()
            .any(|ix| pred(&ix.def) && ix.def.columns.first() == Some(&col))
    };
    if t.indexes
        .iter()
        .any(|ix| ix.def.primary && ix.def.columns.contains(&col))
    {
        "PRI"
    } else if first(&|d| d.unique && d.columns.len() == 1) {
        "UNI"
    } else if first(&|_| true) {
        "MUL"
    } else {
        ""
    }
}

/// The CREATE TABLE statement of a table, as MariaDB prints it.
pub(super) fn show_create(t: &Table) -> String {
    let mut s = format!("CREATE TABLE `{}` (\n", t.name);
    let mut lines: Vec<String> = Vec::new();
    for c in &t.columns {
        let mut l = format!("  `{}` {}", c.name, c.type_text);
        if !c.nullable {
            l.push_str(" NOT NULL");
        }
        match &c.default {
            Some(Value::Null) | None if c.nullable && !c.auto_increment => {
                l.push_str(" DEFAULT NULL")
            }
            Some(v) if !v.is_null() => {
                let shown = v.display();
                if crate::sql::expr::is_text(c.ty) {
                    l.push_str(&format!(" DEFAULT '{}'", shown.replace('\'', "''")));
                } else {
                    l.push_str(&format!(" DEFAULT {shown}"));
                }
            }
            _ => {}
        }
        if c.auto_increment {
            l.push_str(" AUTO_INCREMENT");
        }
        lines.push(l);
    }
    for ix in &t.indexes {
        let cols: Vec<String> = ix
            .def
            .columns
            .iter()
            .filter_map(|c| t.columns.get(*c))
            .map(|c| format!("`{}`", c.name))
            .collect();
        let cols = cols.join(",");
        lines.push(if ix.def.primary {
            format!("  {} KEY ({cols})", PRIMARY_KEY_NAME)
        } else if ix.def.unique {
            format!("  UNIQUE KEY `{}` ({cols})", ix.def.name)
        } else {
            format!("  KEY `{}` ({cols})", ix.def.name)
        });
    }
    s.push_str(&lines.join(",\n"));
    s.push_str("\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci");
    s
}
