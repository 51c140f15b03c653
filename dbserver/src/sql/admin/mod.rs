//! Session and administration statements: SET, USE, SHOW ..., DESCRIBE, and the system
//! variables (`@@version_comment`, `@@autocommit`, ...).

mod set;
mod show;
mod show_create;
mod variables;

pub use set::{set, use_target};
pub use show::Admin;
pub use variables::{system_variable, variable_type, Stats};
