//! Index, grouping and DISTINCT keys: values reduced to atoms that are equal exactly when
//! the values are equal under the collation.

use alloc::vec::Vec;

use super::collation::{collation_key, trim_pad, weight};
use super::numeric::float;
use crate::sql::Value;

/// One component of an index, grouping or DISTINCT key: equal atoms = equal values under
/// the collation. Variant order makes NULL sort first and `Max` last.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyAtom {
    Null,
    Int(i64),
    /// A double as a totally ordered integer (see [`ordered_bits`]).
    Double(i64),
    /// An exact decimal normalised to [`MAX_DECIMAL_SCALE`]-independent form: (mantissa
    /// without trailing zeros, scale).
    Decimal(i128, u8),
    Text(Vec<u8>),
    /// Sorts after everything: upper bound of a key-prefix range.
    Max,
}

/// A double mapped to an i64 whose order is the double's order (-0.0 = 0.0).
pub fn ordered_bits(d: f64) -> i64 {
    let d = if d == 0.0 { 0.0 } else { d };
    let bits = d.to_bits() as i64;
    if bits < 0 {
        bits ^ i64::MAX
    } else {
        bits
    }
}

impl KeyAtom {
    /// The key atom of a value (numbers of different kinds that are equal map alike only
    /// when both are integral; columns hold one kind, so index keys are consistent).
    pub fn of(v: &Value) -> KeyAtom {
        match v {
            Value::Null => KeyAtom::Null,
            Value::Int(i) => KeyAtom::Int(*i),
            Value::Double(d) => {
                if float::trunc(*d) == *d && d.abs() < 9.0e18 {
                    KeyAtom::Int(*d as i64)
                } else {
                    KeyAtom::Double(ordered_bits(*d))
                }
            }
            Value::Decimal { mantissa, scale } => {
                let (mut m, mut s) = (*mantissa, *scale);
                while s > 0 && m % 10 == 0 {
                    m /= 10;
                    s -= 1;
                }
                if s == 0 {
                    if let Ok(i) = i64::try_from(m) {
                        return KeyAtom::Int(i);
                    }
                }
                KeyAtom::Decimal(m, s)
            }
            Value::Text(t) => KeyAtom::Text(collation_key(t)),
        }
    }

    /// The index key atom of a column value: exact per kind (a column holds one kind,
    /// decimals at the column's scale), so the atoms of one column order like the values.
    pub fn exact(v: &Value) -> KeyAtom {
        match v {
            Value::Null => KeyAtom::Null,
            Value::Int(i) => KeyAtom::Int(*i),
            Value::Double(d) => KeyAtom::Double(ordered_bits(*d)),
            Value::Decimal { mantissa, scale } => KeyAtom::Decimal(*mantissa, *scale),
            Value::Text(t) => KeyAtom::Text(collation_key(t)),
        }
    }

    /// Whether `v`'s exact atom equals this one (without allocating).
    pub fn matches_exact(&self, v: &Value) -> bool {
        match (self, v) {
            (KeyAtom::Text(k), Value::Text(t)) => {
                let t = trim_pad(t);
                k.len() == t.len() && k.iter().zip(t).all(|(a, b)| *a == weight(*b))
            }
            (KeyAtom::Text(_), _) => false,
            (k, v) => *k == KeyAtom::exact(v),
        }
    }

    /// Bytes this atom occupies beyond its own size (memory accounting).
    pub fn heap_bytes(&self) -> usize {
        match self {
            KeyAtom::Text(t) => t.capacity(),
            _ => 0,
        }
    }
}

/// Bytes a value occupies beyond its own size (memory accounting).
pub fn heap_bytes(v: &Value) -> usize {
    match v {
        Value::Text(t) => t.capacity(),
        _ => 0,
    }
}
