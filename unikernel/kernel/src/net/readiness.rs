//! Fair readiness reporting: `poll_wait` visits descriptors from where the previous call
//! stopped, wrapping around, so when more descriptors are ready than one call can return
//! (dbserver asks for 1024; Linux programs often 256), the next call continues with the
//! ones not yet reported and none starves behind the low descriptor numbers.

/// Visits the slots `0..len` starting at `*cursor` and wrapping around, storing what
/// `probe` returns for each into `out` until `out` is full. The cursor moves one past
/// the last slot stored. Returns how many were stored.
pub fn fair_scan<T>(
    cursor: &mut usize,
    len: usize,
    out: &mut [T],
    mut probe: impl FnMut(usize) -> Option<T>,
) -> usize {
    if len == 0 || out.is_empty() {
        return 0;
    }
    let start = *cursor % len;
    let mut count = 0;
    for index in (start..len).chain(0..start) {
        if count == out.len() {
            break;
        }
        if let Some(item) = probe(index) {
            out[count] = item;
            count += 1;
            *cursor = index + 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use alloc::vec;
    use alloc::vec::Vec;

    use super::*;

    #[test]
    fn more_ready_than_fit_are_all_reported_in_turn() {
        const SLOTS: usize = 1000;
        const PER_CALL: usize = 256;
        let mut cursor = 0;
        let mut seen = vec![0u32; SLOTS];
        let mut out = [0usize; PER_CALL];
        let calls = SLOTS.div_ceil(PER_CALL);
        for _ in 0..calls {
            let n = fair_scan(&mut cursor, SLOTS, &mut out, Some);
            assert_eq!(n, PER_CALL);
            for &slot in &out[..n] {
                seen[slot] += 1;
            }
        }
        assert!(
            seen.iter().all(|&times| times >= 1),
            "every ready slot is reported within {calls} calls"
        );
    }

    #[test]
    fn only_ready_slots_are_reported_and_the_scan_wraps() {
        let ready = [2usize, 5, 7];
        let mut cursor = 6;
        let mut out = [0usize; 2];
        let probe = |slot: usize| ready.contains(&slot).then_some(slot);
        assert_eq!(fair_scan(&mut cursor, 8, &mut out, probe), 2);
        assert_eq!(out, [7, 2]);
        assert_eq!(cursor, 3);
        assert_eq!(fair_scan(&mut cursor, 8, &mut out, probe), 2);
        assert_eq!(out, [5, 7]);
        let mut none: Vec<usize> = Vec::new();
        assert_eq!(fair_scan(&mut cursor, 8, &mut none, probe), 0);
        assert_eq!(fair_scan(&mut cursor, 0, &mut out, probe), 0);
    }
}
