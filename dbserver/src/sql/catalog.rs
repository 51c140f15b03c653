//! The catalog: databases, their tables, and a version that changes with every DDL so
//! cached plans of prepared statements know when to recompile.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::ops::Bound;

use super::errors;
use super::table::{Table, TableId};
use super::SqlError;

/// Schemas SHOW DATABASES lists besides the user's (they hold no tables here).
pub const SYSTEM_SCHEMAS: [&str; 1] = ["information_schema"];

/// Every database and table.
#[derive(Debug, Default)]
pub struct Catalog {
    /// Database name -> (table name -> table id). Names are case-sensitive (as on Linux).
    databases: BTreeMap<String, BTreeMap<String, TableId>>,
    tables: BTreeMap<TableId, Table>,
    next_table_id: TableId,
    /// Bumped by every schema change.
    pub version: u64,
}

impl Catalog {
    pub fn database_exists(&self, db: &str) -> bool {
        self.databases.contains_key(db)
    }

    pub fn database_names(&self) -> impl Iterator<Item = &str> {
        self.databases.keys().map(String::as_str)
    }

    pub fn create_database(&mut self, db: &str) -> Result<(), SqlError> {
        if self.database_exists(db) || is_system_schema(db) {
            return Err(errors::database_exists(db));
        }
        self.databases.insert(String::from(db), BTreeMap::new());
        self.version += 1;
        Ok(())
    }

    /// Drop a database and its tables; false if it did not exist.
    pub fn drop_database(&mut self, db: &str) -> bool {
        let Some(tables) = self.databases.remove(db) else {
            return false;
        };
        for id in tables.values() {
            self.tables.remove(id);
        }
        self.version += 1;
        true
    }

    /// The first database whose name sorts after `after` (the first of all if None).
    pub fn next_database(&self, after: Option<&str>) -> Option<&str> {
        let lo = after.map_or(Bound::Unbounded, Bound::Excluded);
        self.databases
            .range::<str, _>((lo, Bound::Unbounded))
            .next()
            .map(|(name, _)| name.as_str())
    }

    /// The first table of `db` whose name sorts after `after` (the first if None).
    pub fn next_table(&self, db: &str, after: Option<&str>) -> Option<(&str, TableId)> {
        let lo = after.map_or(Bound::Unbounded, Bound::Excluded);
        self.databases
            .get(db)?
            .range::<str, _>((lo, Bound::Unbounded))
            .next()
            .map(|(name, id)| (name.as_str(), *id))
    }

    /// Tables of a database, by name.
    pub fn table_names(&self, db: &str) -> Vec<&str> {
        self.databases
            .get(db)
            .map(|t| t.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    pub fn table_id(&self, db: &str, name: &str) -> Option<TableId> {
        self.databases.get(db)?.get(name).copied()
    }

    /// The table `db.name`, or 1146.
    pub fn lookup(&self, db: &str, name: &str) -> Result<&Table, SqlError> {
        self.table_id(db, name)
            .and_then(|id| self.tables.get(&id))
            .ok_or_else(|| errors::no_such_table(db, name))
    }

    pub fn table(&self, id: TableId) -> Option<&Table> {
        self.tables.get(&id)
    }

    pub fn table_mut(&mut self, id: TableId) -> Option<&mut Table> {
        self.tables.get_mut(&id)
    }

    /// A fresh table id.
    pub fn new_table_id(&mut self) -> TableId {
        self.next_table_id += 1;
        self.next_table_id
    }

    /// Register a table (its db must exist; the caller checked the name is free).
    pub fn add_table(&mut self, table: Table) {
        if let Some(db) = self.databases.get_mut(&table.db) {
            db.insert(table.name.clone(), table.id);
            self.tables.insert(table.id, table);
            self.version += 1;
        }
    }

    /// Remove a table; returns it.
    pub fn remove_table(&mut self, db: &str, name: &str) -> Option<Table> {
        let id = self.databases.get_mut(db)?.remove(name)?;
        self.version += 1;
        self.tables.remove(&id)
    }

    /// Note a schema change that kept table ids (indexes added or dropped).
    pub fn touch(&mut self) {
        self.version += 1;
    }

    /// Bytes of all tables (walks tables, not rows: each table keeps its own count).
    pub fn total_bytes(&self) -> usize {
        self.tables.values().map(Table::bytes).sum()
    }
}

/// `information_schema` and friends: names users cannot create.
pub fn is_system_schema(db: &str) -> bool {
    SYSTEM_SCHEMAS.iter().any(|s| s.eq_ignore_ascii_case(db))
}
