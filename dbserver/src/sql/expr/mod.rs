//! Compiled expressions: sqlparser's AST resolved against the tables of a statement
//! (column references become positions), with result types inferred for metadata.
//! Compilation recursion follows the AST, whose depth [`super::parse`] bounded.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use super::func::Func;
use super::table::Table;
use super::{SqlType, Value};

mod compile;
mod literal;
mod operators;
mod types;
mod walk;

pub use types::{is_integer, is_text, unify_types};
pub use walk::{conjuncts, has_agg, sources_used};

/// Precision reported for DECIMAL results whose precision we do not track.
pub const DECIMAL_RESULT_PRECISION: u8 = 65;
/// Precision of SUM over integers (MySQL: the argument's plus 22, capped).
pub const SUM_INT_PRECISION: u8 = 32;
/// Default escape character of LIKE.
pub const LIKE_ESCAPE: u8 = b'\\';

/// Arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    IntDiv,
    Mod,
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `<=>`: NULL-safe equality.
    NullSafeEq,
}

/// Logical connectives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogicOp {
    And,
    Or,
    Xor,
}

/// Aggregate functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggKind {
    CountStar,
    Count,
    Sum,
    Avg,
    Min,
    Max,
}

/// One aggregate of a query: evaluated per group, referenced as [`Expr::Agg`].
#[derive(Clone, Debug)]
pub struct AggSpec {
    pub kind: AggKind,
    pub arg: Option<Expr>,
    pub distinct: bool,
    /// Type of the argument (decides the result type of SUM/AVG).
    pub arg_type: SqlType,
}

/// A compiled expression.
#[derive(Clone, Debug)]
pub enum Expr {
    Lit(Value),
    /// The n-th `?` (0-based).
    Param(usize),
    /// Column `col` of the row of source `src`.
    Col(usize, usize),
    /// The n-th aggregate of the group.
    Agg(usize),
    /// The n-th output column of the current result row (ORDER BY alias or position).
    Output(usize),
    /// `@@name`: a system variable, read from the session at run time.
    SysVar(String),
    /// `@name`: a user variable.
    UserVar(String),
    Neg(Box<Expr>, Box<str>),
    Not(Box<Expr>),
    /// Operation, operands, and its text (for 1690 messages).
    Arith(ArithOp, Box<[Expr; 2]>, Box<str>),
    Cmp(CmpOp, Box<[Expr; 2]>),
    Logic(LogicOp, Box<[Expr; 2]>),
    IsNull(Box<Expr>, bool),
    /// `IS [NOT] TRUE/FALSE`: (expr, wanted truth, negated).
    IsBool(Box<Expr>, bool, bool),
    Between(Box<[Expr; 3]>, bool),
    In(Box<Expr>, Vec<Expr>, bool),
    Like(Box<[Expr; 2]>, u8, bool),
    Case(Option<Box<Expr>>, Vec<(Expr, Expr)>, Option<Box<Expr>>),
    Func(Func, Vec<Expr>),
    /// A scalar subquery `(SELECT ...)`: its one value (NULL without rows, 1242 with more).
    Subquery(Box<SubPlan>),
    /// `[NOT] EXISTS (SELECT ...)`.
    Exists(Box<SubPlan>, bool),
    /// `x [NOT] IN (SELECT ...)`.
    InSubquery(Box<Expr>, Box<SubPlan>, bool),
}

/// A compiled subquery. Its plan's first `outer` sources are the enclosing query's (bound
/// to the enclosing row when it runs); `outer_refs` are those it reads (0: uncorrelated,
/// evaluated once per statement execution).
#[derive(Clone, Debug)]
pub struct SubPlan {
    pub plan: super::plan::SelectPlan,
    pub outer: usize,
    pub outer_refs: u64,
}

/// A compiled expression with its inferred type.
#[derive(Clone, Debug)]
pub struct Typed {
    pub expr: Expr,
    pub ty: SqlType,
    pub nullable: bool,
}

/// One table of a statement, as expressions see it.
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    /// The name the query uses: the alias, or the table name.
    pub alias: &'a str,
    pub table: &'a Table,
}

/// What compilation needs: the tables in scope, the statement text, where aggregates go.
pub struct Compiler<'a> {
    pub sources: &'a [Source<'a>],
    /// The statement's text (expression names, error messages).
    pub sql: &'a str,
    /// The current database (1305 messages).
    pub db: &'a str,
    /// Clause named in 1054 messages ("field list", "where clause", ...).
    pub clause: &'static str,
    /// Aggregates found so far; None where aggregates are not allowed.
    pub aggs: Option<&'a mut Vec<AggSpec>>,
    /// Output columns an identifier may name (alias, index) before table columns.
    pub aliases: &'a [(String, usize, SqlType)],
    /// Inside an aggregate's argument (nested aggregates are an error).
    in_aggregate: bool,
    /// Planning environment for subqueries (None: subqueries are refused here).
    pub env: Option<&'a super::plan::PlanEnv<'a>>,
    /// The first `outer` sources belong to enclosing queries (searched after the others).
    pub outer: usize,
    depth: usize,
    max_depth: usize,
}
