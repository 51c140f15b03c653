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

mod depth;
mod syntax;

use alloc::vec::Vec;

use sqlparser::ast::Statement;
use sqlparser::dialect::MySqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use depth::check_depth;
use syntax::{parser_error, syntax_error};

use super::errors;
use super::SqlError;

pub use syntax::span_text;

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

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

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
