//! The nesting bound checked on tokens before sqlparser sees them: every level of
//! parentheses, calls, CASE, prefix and binary operators costs a measured amount of stack,
//! and a statement whose estimate exceeds the budget is refused with a syntax error.

use alloc::vec::Vec;

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::OPERATOR_CHAIN_FACTOR;
use crate::sql::errors;
use crate::sql::SqlError;

/// Stack the parser and the engine may use for one statement's nesting, in bytes. The
/// ring-0 kernel runs everything on one 1 MiB stack (`KERNEL_STACK_SIZE`); the budget
/// plus the server's own frames below the engine stays under half of it (a 2x margin,
/// checked by `nesting_limits_fit_half_the_kernel_stack`).
pub const STACK_BUDGET_BYTES: usize = 384 * 1024;
/// Stack one nesting level costs (measured on x86_64 release builds of sqlparser 0.64 and
/// this engine, plus a margin): a parenthesis, a function call's argument list, a CASE,
/// a prefix operator (NOT, unary minus), one more binary operator in a chain.
const PAREN_LEVEL_BYTES: usize = 7 * 1024;
const CALL_LEVEL_BYTES: usize = 22 * 1024;
const CASE_LEVEL_BYTES: usize = 11 * 1024;
const PREFIX_OPERATOR_BYTES: usize = 9 * 1024;
const BINARY_OPERATOR_BYTES: usize = 3 * 1024;
/// What a subquery `(SELECT ...` costs beyond its parenthesis: planning it inside the
/// enclosing query's compilation, and running it inside the enclosing row's evaluation.
const SUBQUERY_LEVEL_BYTES: usize = 24 * 1024;

/// One open parenthesis (or CASE) while scanning tokens.
struct Level {
    /// Stack the level itself costs.
    frame: usize,
    /// Operators since the last comma at this level, and their stack cost.
    operators: usize,
    operator_bytes: usize,
    /// Closed by END rather than `)`.
    is_case: bool,
}

/// Refuse token streams whose expression trees would nest deeper than allowed: more
/// than `max_depth` parentheses, operator chains past `max_depth * OPERATOR_CHAIN_FACTOR`,
/// or an estimated parse/evaluation stack past [`STACK_BUDGET_BYTES`].
pub(super) fn check_depth(tokens: &[TokenWithSpan], max_depth: usize) -> Result<(), SqlError> {
    let budget = max_depth.saturating_mul(OPERATOR_CHAIN_FACTOR);
    let mut levels: Vec<Level> = Vec::from([Level {
        frame: 0,
        operators: 0,
        operator_bytes: 0,
        is_case: false,
    }]);
    let mut operators = 0usize;
    let mut bytes = 0usize;
    let mut prev: Option<&Token> = None;
    for t in tokens.iter().map(|t| &t.token) {
        if matches!(t, Token::Whitespace(_)) {
            continue;
        }
        let is_case = matches!(t, Token::Word(w) if w.keyword == Keyword::CASE);
        let is_end = matches!(t, Token::Word(w) if w.keyword == Keyword::END);
        match t {
            _ if is_case || *t == Token::LParen => {
                if levels.len() > max_depth {
                    return Err(errors::too_deep(max_depth));
                }
                let frame = if is_case {
                    CASE_LEVEL_BYTES
                } else if matches!(prev, Some(Token::Word(_))) {
                    CALL_LEVEL_BYTES
                } else {
                    PAREN_LEVEL_BYTES
                };
                levels.push(Level {
                    frame,
                    operators: 0,
                    operator_bytes: 0,
                    is_case,
                });
                bytes += frame;
            }
            _ if (is_end && levels.last().is_some_and(|l| l.is_case))
                || (*t == Token::RParen && levels.len() > 1) =>
            {
                if let Some(l) = levels.pop() {
                    operators -= l.operators;
                    bytes -= l.frame + l.operator_bytes;
                }
            }
            Token::Comma | Token::SemiColon => {
                if let Some(l) = levels.last_mut() {
                    operators -= l.operators;
                    bytes -= l.operator_bytes;
                    l.operators = 0;
                    l.operator_bytes = 0;
                }
            }
            Token::Word(w) if w.keyword == Keyword::SELECT && prev == Some(&Token::LParen) => {
                if let Some(l) = levels.last_mut() {
                    l.frame += SUBQUERY_LEVEL_BYTES;
                }
                bytes += SUBQUERY_LEVEL_BYTES;
            }
            t if is_operator(t) => {
                let cost = if is_prefix(t, prev) {
                    PREFIX_OPERATOR_BYTES
                } else {
                    BINARY_OPERATOR_BYTES
                };
                if let Some(l) = levels.last_mut() {
                    l.operators += 1;
                    l.operator_bytes += cost;
                }
                operators += 1;
                bytes += cost;
            }
            _ => {}
        }
        if operators > budget || bytes > STACK_BUDGET_BYTES {
            return Err(errors::too_deep(max_depth));
        }
        prev = Some(t);
    }
    Ok(())
}

/// Whether an operator token is a prefix operator here (NOT, or a sign after something
/// that is not a value).
pub(super) fn is_prefix(t: &Token, prev: Option<&Token>) -> bool {
    if matches!(t, Token::Word(w) if w.keyword == Keyword::NOT)
        || matches!(t, Token::ExclamationMark | Token::Tilde)
    {
        return true;
    }
    if !matches!(t, Token::Minus | Token::Plus) {
        return false;
    }
    let after_value = match prev {
        Some(Token::Word(w)) => {
            w.quote_style.is_some()
                || matches!(
                    w.keyword,
                    Keyword::NoKeyword
                        | Keyword::NULL
                        | Keyword::TRUE
                        | Keyword::FALSE
                        | Keyword::END
                )
        }
        Some(
            Token::Number(..)
            | Token::SingleQuotedString(_)
            | Token::DoubleQuotedString(_)
            | Token::HexStringLiteral(_)
            | Token::Placeholder(_)
            | Token::RParen,
        ) => true,
        _ => false,
    };
    !after_value
}

pub(super) fn is_operator(t: &Token) -> bool {
    match t {
        Token::Word(w) => matches!(
            w.keyword,
            Keyword::AND
                | Keyword::OR
                | Keyword::XOR
                | Keyword::NOT
                | Keyword::IS
                | Keyword::LIKE
                | Keyword::BETWEEN
                | Keyword::IN
                | Keyword::DIV
                | Keyword::MOD
                | Keyword::REGEXP
                | Keyword::RLIKE
                | Keyword::COLLATE
                | Keyword::INTERVAL
                | Keyword::WHEN
                | Keyword::SELECT
        ),
        Token::Whitespace(_)
        | Token::Number(..)
        | Token::Placeholder(_)
        | Token::LParen
        | Token::RParen
        | Token::Comma
        | Token::SemiColon
        | Token::Period
        | Token::EOF
        | Token::SingleQuotedString(_)
        | Token::DoubleQuotedString(_)
        | Token::HexStringLiteral(_)
        | Token::NationalStringLiteral(_) => false,
        _ => true,
    }
}
