//! The SQL engine: catalog, tables, indexes, planner and executor behind one API.
//!
//! Statements are parsed with `sqlparser` (MySQL dialect, bounded recursion); planning and
//! execution are ours. The engine is protocol-agnostic: the MySQL front-end
//! ([`crate::mysql`]) turns packets into calls of [`Engine`] and [`Outcome`]s into packets.
//!
//! Isolation: READ COMMITTED with first-writer-wins row locks, no waiting (see [`txn`]).
//!
//! The public types live in [`types`], [`session`] and [`engine`]; [`statement`] runs one
//! statement. Modules, in the order a statement meets them: [`parse`] (text to AST), [`plan`] and
//! [`expr`] (compile a SELECT/UPDATE/DELETE against the [`catalog`]), [`exec`] and
//! [`eval`] (run it over [`table`] storage), [`dml`], [`ddl`], [`admin`] (SET/SHOW),
//! [`txn`] (commit, rollback, statement undo), [`redo`] (payloads of commits for the
//! durability log: capture, replay, dump), [`value`] (types, collation, formatting),
//! [`errors`] (MySQL error constructors).

mod admin;
mod catalog;
mod ddl;
mod dml;
mod engine;
mod errors;
mod eval;
mod exec;
mod expr;
mod func;
mod parse;
mod plan;
mod redo;
mod session;
mod statement;
mod table;
#[cfg(test)]
mod tests;
mod txn;
mod types;
mod value;

pub use engine::{Engine, EngineLimits, Prepared, DEFAULT_MAX_NESTING_DEPTH};
pub use errors::disk_full;
pub use redo::{DumpCursor, RedoError, DUMP_CHUNK_BYTES};
pub use session::Session;
pub use types::{ColumnMeta, Outcome, ResultSet, SqlError, SqlType, Value, SERVER_VERSION};

use statement::done;
