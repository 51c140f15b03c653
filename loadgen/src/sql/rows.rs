//! The OLTP table's rows, generated deterministically from their id, so every reply can be
//! checked without shared state (modelled on sysbench's `oltp_common.lua`: `sbtest1` with
//! `id`, `k`, `c CHAR(120)`, `pad CHAR(60)`).

/// Digits per group of `c` and `pad` (sysbench's `###########`).
const GROUP_DIGITS: usize = 11;
/// Groups in `c`: id, version, then eight groups derived from both (119 characters).
const C_GROUPS: usize = 10;
/// Groups in `pad` (59 characters).
const PAD_GROUPS: usize = 5;
/// 10^11: values of one group.
const GROUP_MODULUS: u64 = 100_000_000_000;
/// Salt separating `pad` and `k` from `c`.
const PAD_SALT: u64 = 0x9AD0_9AD0_9AD0_9AD0;
const K_SALT: u64 = 0x4B4B_4B4B_0000_0001;

/// SplitMix64's finaliser: a well-mixed 64-bit hash of `x`.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn push_group(out: &mut String, value: u64) {
    if !out.is_empty() {
        out.push('-');
    }
    out.push_str(&format!(
        "{:0width$}",
        value % GROUP_MODULUS,
        width = GROUP_DIGITS
    ));
}

fn groups(seed: u64, count: usize, out: &mut String) {
    for g in 0..count {
        push_group(out, mix(seed ^ mix(g as u64)));
    }
}

/// `c` of row `id` at `version`: `ID-VERSION-` and eight groups hashed from both.
pub fn c_value(id: u64, version: u64) -> String {
    let mut out = String::with_capacity(C_GROUPS * (GROUP_DIGITS + 1));
    push_group(&mut out, id);
    push_group(&mut out, version);
    groups(
        mix(id) ^ mix(version.wrapping_add(1)),
        C_GROUPS - 2,
        &mut out,
    );
    out
}

/// `pad` of row `id`.
pub fn pad_value(id: u64) -> String {
    let mut out = String::with_capacity(PAD_GROUPS * (GROUP_DIGITS + 1));
    groups(mix(id ^ PAD_SALT), PAD_GROUPS, &mut out);
    out
}

/// Initial `k` of row `id` in a table of `table_size` rows: 1..=table_size.
pub fn k_value(id: u64, table_size: u64) -> u64 {
    1 + mix(id ^ K_SALT) % table_size.max(1)
}

/// Checks that `c` is a well-formed `c` of row `id` (any version); returns the version.
pub fn check_c(id: u64, c: &str) -> Result<u64, String> {
    let group = |i: usize| -> Option<u64> {
        let start = i * (GROUP_DIGITS + 1);
        c.get(start..start + GROUP_DIGITS)?.parse().ok()
    };
    let (Some(got_id), Some(version)) = (group(0), group(1)) else {
        return Err(format!("row {id}: malformed c {c:?}"));
    };
    if got_id != id % GROUP_MODULUS {
        return Err(format!("row {id}: c belongs to row {got_id}: {c:?}"));
    }
    if c != c_value(id, version) {
        return Err(format!("row {id}: c corrupted: {c:?}"));
    }
    Ok(version)
}

/// The row id a well-formed `c` names.
pub fn c_id(c: &str) -> Option<u64> {
    c.get(..GROUP_DIGITS)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_have_sysbench_widths_and_check() {
        let c = c_value(42, 7);
        assert_eq!(c.len(), 119);
        assert_eq!(pad_value(42).len(), 59);
        assert_eq!(check_c(42, &c), Ok(7));
        assert_eq!(c_id(&c), Some(42));
        assert!(check_c(43, &c).is_err());
        let mut bad = c.clone();
        bad.replace_range(100..101, if &c[100..101] == "0" { "1" } else { "0" });
        assert!(check_c(42, &bad).is_err());
        assert!(check_c(42, &c[..60]).is_err());
        assert!((1..=10).contains(&k_value(5, 10)));
    }
}
