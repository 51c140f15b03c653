//! SET and USE: assigning session and user variables, choosing the current database.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sqlparser::ast::{self as ast, Set};

use crate::sql::errors;
use crate::sql::eval::{eval, Env};
use crate::sql::expr::Compiler;
use crate::sql::{done, Outcome, Session, SqlError, Value};

/// The database a USE statement names.
pub fn use_target(u: &ast::Use) -> Result<String, SqlError> {
    match u {
        ast::Use::Object(n) | ast::Use::Database(n) | ast::Use::Schema(n) => Ok(match n.0.last() {
            Some(ast::ObjectNamePart::Identifier(i)) => i.value.clone(),
            _ => n.to_string(),
        }),
        _ => Err(errors::unsupported("this USE")),
    }
}

/// SET statements.
pub fn set(session: &mut Session, set: &Set) -> Result<Outcome, SqlError> {
    match set {
        Set::SetNames { .. } | Set::SetNamesDefault {} | Set::SetTransaction { .. } => {}
        Set::SingleAssignment {
            variable, values, ..
        } => {
            let [value] = values.as_slice() else {
                return Err(errors::unsupported("SET of a list"));
            };
            assign(session, variable, value)?;
        }
        Set::MultipleAssignments { assignments } => {
            for a in assignments {
                assign(session, &a.name, &a.value)?;
            }
        }
        _ => return Err(errors::unsupported("this SET")),
    }
    Ok(done(0, 0, String::new()))
}

fn assign(
    session: &mut Session,
    variable: &ast::ObjectName,
    value: &ast::Expr,
) -> Result<(), SqlError> {
    let parts: Vec<String> = variable
        .0
        .iter()
        .map(|p| p.to_string().to_ascii_lowercase())
        .collect();
    let name = match parts.as_slice() {
        [scope, n] if matches!(scope.as_str(), "@@session" | "@@global" | "@@local") => n.clone(),
        [n] => n.trim_start_matches("@@").to_string(),
        _ => return Err(errors::unsupported("this variable name")),
    };
    let value = match value {
        // `SET x = ON` / `SET sql_mode = TRADITIONAL`: a bare word is a string.
        ast::Expr::Identifier(id) if id.quote_style.is_none() && !id.value.starts_with('@') => {
            Value::Text(id.value.as_bytes().to_vec())
        }
        e => {
            let mut c = Compiler::new(
                &[],
                "",
                session.database().unwrap_or(""),
                crate::sql::DEFAULT_MAX_NESTING_DEPTH,
            );
            let t = c.compile(e)?;
            let env = Env::constant(session);
            eval(&t.expr, &env)?.into_owned()
        }
    };
    if let Some(user_var) = name.strip_prefix('@') {
        session.user_vars.insert(user_var.to_string(), value);
        return Ok(());
    }
    if name == "autocommit" {
        session.autocommit = match &value {
            Value::Text(t) if t.eq_ignore_ascii_case(b"on") => true,
            Value::Text(t) if t.eq_ignore_ascii_case(b"off") => false,
            v => v
                .truth()
                .ok_or_else(|| errors::wrong_value_for_var("autocommit", "NULL"))?,
        };
        return Ok(());
    }
    if value.is_null() || value == Value::Text(b"DEFAULT".to_vec()) {
        session.variables.remove(&name);
    } else {
        session.variables.insert(name, value);
    }
    Ok(())
}
