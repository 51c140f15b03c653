//! Questions asked of a compiled expression by walking it: which sources it reads,
//! whether it holds an aggregate, and its AND-ed parts.

use alloc::vec::Vec;

use super::{Expr, LogicOp};

/// The columns an expression reads: a bit per source (sources beyond 63 share bit 63).
pub fn sources_used(e: &Expr) -> u64 {
    let mut mask = 0u64;
    visit(e, &mut |x| match x {
        Expr::Col(s, _) => mask |= 1u64 << (*s).min(63),
        Expr::Subquery(sub) | Expr::Exists(sub, _) | Expr::InSubquery(_, sub, _) => {
            mask |= sub.outer_refs
        }
        _ => {}
    });
    mask
}

/// Whether an expression contains an aggregate, output reference or parameter.
pub fn has_agg(e: &Expr) -> bool {
    let mut found = false;
    visit(e, &mut |x| {
        if matches!(x, Expr::Agg(_) | Expr::Output(_)) {
            found = true;
        }
    });
    found
}

/// Call `f` on every node (recursion bounded by the compiled depth).
pub fn visit(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(e);
    match e {
        Expr::Neg(x, _) | Expr::Not(x) | Expr::IsNull(x, _) | Expr::IsBool(x, _, _) => visit(x, f),
        Expr::Arith(_, xs, _) | Expr::Cmp(_, xs) | Expr::Logic(_, xs) | Expr::Like(xs, _, _) => {
            xs.iter().for_each(|x| visit(x, f))
        }
        Expr::Between(xs, _) => xs.iter().for_each(|x| visit(x, f)),
        Expr::In(x, list, _) => {
            visit(x, f);
            list.iter().for_each(|x| visit(x, f));
        }
        Expr::Case(op, arms, else_) => {
            if let Some(o) = op {
                visit(o, f);
            }
            for (c, r) in arms {
                visit(c, f);
                visit(r, f);
            }
            if let Some(x) = else_ {
                visit(x, f);
            }
        }
        Expr::Func(_, args) => args.iter().for_each(|x| visit(x, f)),
        // A subquery's own expressions belong to its plan (see `SubPlan::outer_refs`).
        Expr::InSubquery(x, _, _) => visit(x, f),
        Expr::Subquery(_) | Expr::Exists(..) => {}
        Expr::Lit(_)
        | Expr::Param(_)
        | Expr::Col(..)
        | Expr::Agg(_)
        | Expr::Output(_)
        | Expr::SysVar(_)
        | Expr::UserVar(_) => {}
    }
}

/// Split a condition into its AND-ed parts.
pub fn conjuncts(e: Expr, out: &mut Vec<Expr>) {
    let mut stack = Vec::from([e]);
    while let Some(e) = stack.pop() {
        match e {
            Expr::Logic(LogicOp::And, both) => {
                let [a, b] = *both;
                stack.push(b);
                stack.push(a);
            }
            other => out.push(other),
        }
    }
}
