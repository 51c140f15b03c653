//! MySQL-style syntax errors from sqlparser's errors (`... near '<rest>' at line N`), and
//! recovering a node's source text from its span.

use alloc::string::{String, ToString};

use sqlparser::parser::ParserError;
use sqlparser::tokenizer::{Location, Span};

use crate::sql::errors;
use crate::sql::SqlError;

pub(super) fn parser_error(sql: &str, e: &ParserError, max_depth: usize) -> SqlError {
    match e {
        ParserError::RecursionLimitExceeded => errors::too_deep(max_depth),
        ParserError::TokenizerError(m) | ParserError::ParserError(m) => {
            syntax_error(sql, location_in_message(m))
        }
    }
}

/// sqlparser's messages end with "at Line: L, Column: C".
pub(super) fn location_in_message(m: &str) -> Location {
    let number_after = |key: &str| -> u64 {
        m.rfind(key)
            .and_then(|p| m.get(p + key.len()..))
            .map(|rest| {
                rest.bytes()
                    .take_while(u8::is_ascii_digit)
                    .fold(0u64, |n, d| {
                        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
                    })
            })
            .unwrap_or(0)
    };
    Location {
        line: number_after("Line: "),
        column: number_after("Column: "),
    }
}

pub(super) fn syntax_error(sql: &str, at: Location) -> SqlError {
    let rest = if at.line == 0 {
        ""
    } else {
        byte_offset(sql, at)
            .and_then(|o| sql.get(o..))
            .unwrap_or("")
    };
    errors::syntax(rest, at.line.max(1))
}

/// Byte offset of a (1-based line, 1-based character column) location.
pub(super) fn byte_offset(sql: &str, at: Location) -> Option<usize> {
    let line_index = usize::try_from(at.line.checked_sub(1)?).ok()?;
    let col_index = usize::try_from(at.column.checked_sub(1)?).ok()?;
    let mut line_start = 0usize;
    if line_index > 0 {
        let (nl, _) = sql.match_indices('\n').nth(line_index - 1)?;
        line_start = nl + 1;
    }
    let line = sql.get(line_start..)?;
    match line.char_indices().nth(col_index) {
        Some((o, _)) => Some(line_start + o),
        None => Some(sql.len()),
    }
}

/// The statement text an expression spans (for result column names, as MySQL shows the
/// expression as written). Unbalanced closing parentheses the span leaves out are added.
pub fn span_text(sql: &str, span: Span) -> Option<String> {
    if span.start.line == 0 {
        return None;
    }
    let start = byte_offset(sql, span.start)?;
    let mut end = byte_offset(sql, span.end)?;
    // A function call's span ends at its name: take the argument list too.
    let ends_in_word = sql
        .get(..end)
        .and_then(|t| t.chars().last())
        .is_some_and(|c| c.is_alphanumeric() || c == '_');
    let rest = sql.get(end..).unwrap_or("");
    if ends_in_word && rest.trim_start().starts_with('(') {
        let open = end + (rest.len() - rest.trim_start().len());
        if let Some(close) = matching_paren(sql, open) {
            end = close + 1;
        }
    }
    let text = sql.get(start..end)?.trim();
    if text.is_empty() {
        return None;
    }
    let mut depth = 0i64;
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"' | '`') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            _ => {}
        }
    }
    let mut out = text.to_string();
    if quote.is_none() {
        let rest = sql.get(end..).unwrap_or("");
        let mut extra = rest.chars();
        while depth > 0 {
            match extra.next() {
                Some(')') => {
                    out.push(')');
                    depth -= 1;
                }
                Some(c) if c.is_whitespace() => {}
                _ => break,
            }
        }
    }
    Some(out)
}

/// Byte offset of the `)` matching the `(` at `open` (quotes respected).
pub(super) fn matching_paren(sql: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (i, c) in sql.get(open..)?.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"' | '`') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
    }
    None
}
