//! From SQL text to a `sqlparser` statement: tokenize (MySQL dialect; `/*! ... */`
//! versioned comments become SQL), number `?` placeholders in textual order (`?1`, `?2`,
//! ...), rewrite the MySQL-isms sqlparser lacks (`a MOD b`, `||` as OR), bound the
//! nesting depth before the parser sees the tokens, then parse with a recursion limit.
//!
//! Depth bound: sqlparser counts its recursion for parentheses and prefix operators, but
//! chains of binary operators (`a+a+a+...`) build deep left-leaning trees in a loop. We
//! estimate the tree depth from the tokens (open parentheses plus operators since the
//! last comma at each level) and refuse statements whose estimate exceeds
//! `max_nesting_depth * OPERATOR_CHAIN_FACTOR`. Everything downstream (compilation,
//! evaluation, dropping the AST) recurses at most that deep.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sqlparser::ast::Statement;
use sqlparser::dialect::MySqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Location, Span, Token, TokenWithSpan, Tokenizer};

use super::errors;
use super::SqlError;

/// How many operator levels one unit of `max_nesting_depth` buys in a chain like
/// `a AND b AND c` (each operator nests the tree one level deeper).
pub const OPERATOR_CHAIN_FACTOR: usize = 4;

/// A parsed statement and what the executor needs to know about its text.
pub struct Parsed {
    pub statement: Statement,
    /// Number of `?` placeholders.
    pub params: usize,
}

/// Statements sqlparser cannot parse but MySQL clients send; handled before parsing.
pub enum Special {
    /// `SET CHARACTER SET x` / `SET CHARSET x`: accepted and ignored.
    SetCharset,
}

/// Parse one statement.
pub fn parse(sql: &str, max_depth: usize) -> Result<Result<Parsed, Special>, SqlError> {
    let dialect = MySqlDialect {};
    let mut params = 0usize;
    let mut tokens: Vec<TokenWithSpan> = Vec::new();
    Tokenizer::new(&dialect, sql)
        .tokenize_with_location_into_buf_with_mapper(&mut tokens, |mut t| {
            if matches!(&t.token, Token::Placeholder(p) if p == "?") {
                params += 1;
                t.token = Token::Placeholder(alloc::format!("?{params}"));
            }
            t
        })
        .map_err(|e| syntax_error(sql, e.location))?;
    rewrite_mysql_operators(&mut tokens);
    let words: Vec<&Token> = tokens
        .iter()
        .map(|t| &t.token)
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect();
    if words
        .iter()
        .all(|t| matches!(t, Token::SemiColon | Token::EOF))
    {
        return Err(errors::empty_query());
    }
    if is_set_charset(&words) {
        return Ok(Err(Special::SetCharset));
    }
    check_depth(&tokens, max_depth)?;
    let mut parser = Parser::new(&dialect)
        .with_recursion_limit(max_depth)
        .with_tokens_with_locations(tokens);
    let mut statements = parser
        .parse_statements()
        .map_err(|e| parser_error(sql, &e, max_depth))?;
    if statements.len() != 1 {
        let rest = sql.find(';').map_or("", |p| sql.get(p + 1..).unwrap_or(""));
        return Err(errors::syntax(rest.trim_start(), 1));
    }
    let statement = statements.pop().ok_or_else(errors::empty_query)?;
    Ok(Ok(Parsed { statement, params }))
}

/// `a MOD b` (infix MOD is not in sqlparser) becomes `a % b`; `||` is OR in MySQL's
/// default SQL mode.
fn rewrite_mysql_operators(tokens: &mut [TokenWithSpan]) {
    for i in 0..tokens.len() {
        let is_infix_mod = matches!(&tokens[i].token, Token::Word(w) if w.keyword == Keyword::MOD)
            && !matches!(next_significant(tokens, i + 1), Some(Token::LParen));
        if is_infix_mod {
            tokens[i].token = Token::Mod;
        } else if tokens[i].token == Token::StringConcat {
            tokens[i].token = Token::make_keyword("OR");
        }
    }
}

fn next_significant(tokens: &[TokenWithSpan], from: usize) -> Option<&Token> {
    tokens
        .get(from..)?
        .iter()
        .map(|t| &t.token)
        .find(|t| !matches!(t, Token::Whitespace(_)))
}

fn is_set_charset(words: &[&Token]) -> bool {
    let kw = |i: usize, k: Keyword| matches!(words.get(i), Some(Token::Word(w)) if w.keyword == k);
    let word = |i: usize, s: &str| matches!(words.get(i), Some(Token::Word(w)) if w.value.eq_ignore_ascii_case(s));
    kw(0, Keyword::SET)
        && ((kw(1, Keyword::CHARACTER) && kw(2, Keyword::SET)) || word(1, "CHARSET"))
}

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
fn check_depth(tokens: &[TokenWithSpan], max_depth: usize) -> Result<(), SqlError> {
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
fn is_prefix(t: &Token, prev: Option<&Token>) -> bool {
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

fn is_operator(t: &Token) -> bool {
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

fn parser_error(sql: &str, e: &ParserError, max_depth: usize) -> SqlError {
    match e {
        ParserError::RecursionLimitExceeded => errors::too_deep(max_depth),
        ParserError::TokenizerError(m) | ParserError::ParserError(m) => {
            syntax_error(sql, location_in_message(m))
        }
    }
}

/// sqlparser's messages end with "at Line: L, Column: C".
fn location_in_message(m: &str) -> Location {
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

fn syntax_error(sql: &str, at: Location) -> SqlError {
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
fn byte_offset(sql: &str, at: Location) -> Option<usize> {
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
fn matching_paren(sql: &str, open: usize) -> Option<usize> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_parentheses_are_an_error_not_a_crash() {
        let mut sql = String::from("SELECT ");
        for _ in 0..10_000 {
            sql.push('(');
        }
        sql.push('1');
        for _ in 0..10_000 {
            sql.push(')');
        }
        let err = parse(&sql, 64).err().unwrap();
        assert_eq!(err.code, 1064);
    }

    #[test]
    fn long_operator_chains_are_bounded() {
        let mut sql = String::from("SELECT a");
        for _ in 0..100_000 {
            sql.push_str("+a");
        }
        assert_eq!(parse(&sql, 64).err().unwrap().code, 1064);
        let mut sql = String::from("SELECT ");
        for _ in 0..100_000 {
            sql.push_str("NOT ");
        }
        sql.push('1');
        assert_eq!(parse(&sql, 64).err().unwrap().code, 1064);
        let mut sql = String::from("SELECT ");
        for _ in 0..100_000 {
            sql.push('-');
        }
        sql.push('1');
        assert_eq!(parse(&sql, 64).err().unwrap().code, 1064);
    }

    #[test]
    fn many_values_are_not_nesting() {
        let mut sql = String::from("INSERT INTO t VALUES (1)");
        for i in 0..5_000 {
            sql.push_str(&alloc::format!(",({i})"));
        }
        assert!(parse(&sql, 64).is_ok());
    }

    #[test]
    fn placeholders_are_numbered() {
        let p = parse("SELECT c FROM t WHERE id BETWEEN ? AND ?", 64)
            .unwrap()
            .ok()
            .unwrap();
        assert_eq!(p.params, 2);
    }

    #[test]
    fn syntax_errors_quote_the_rest() {
        let e = parse("SELECT * FORM t", 64).err().unwrap();
        assert_eq!(e.code, 1064);
        assert!(
            e.message.contains("near 'FORM t' at line 1"),
            "{}",
            e.message
        );
    }
}
