//! Comparison of values as MySQL's `=`/`<` do, and the total order ORDER BY uses.

use core::cmp::Ordering;

use super::collation::collate_cmp;
use super::numeric::{decimal_to_f64, rescale};
use crate::sql::Value;

/// Compare two values as MySQL's `=`/`<` do; None when either is NULL.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    use Value::*;
    Some(match (a, b) {
        (Null, _) | (_, Null) => return None,
        (Text(x), Text(y)) => collate_cmp(x, y),
        (Int(x), Int(y)) => x.cmp(y),
        (Int(x), Decimal { mantissa, scale }) => cmp_decimal(i128::from(*x), 0, *mantissa, *scale),
        (Decimal { mantissa, scale }, Int(y)) => cmp_decimal(*mantissa, *scale, i128::from(*y), 0),
        (
            Decimal {
                mantissa: m1,
                scale: s1,
            },
            Decimal {
                mantissa: m2,
                scale: s2,
            },
        ) => cmp_decimal(*m1, *s1, *m2, *s2),
        _ => a
            .to_f64()
            .partial_cmp(&b.to_f64())
            .unwrap_or(Ordering::Equal),
    })
}

/// Compare two exact decimals, falling back to doubles if rescaling overflows.
fn cmp_decimal(m1: i128, s1: u8, m2: i128, s2: u8) -> Ordering {
    let scale = s1.max(s2);
    match (rescale(m1, s1, scale), rescale(m2, s2, scale)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => decimal_to_f64(m1, s1)
            .partial_cmp(&decimal_to_f64(m2, s2))
            .unwrap_or(Ordering::Equal),
    }
}

/// Ordering for ORDER BY: NULL first, then as [`compare`].
pub fn sort_cmp(a: &Value, b: &Value) -> Ordering {
    match (a.is_null(), b.is_null()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => compare(a, b).unwrap_or(Ordering::Equal),
    }
}
