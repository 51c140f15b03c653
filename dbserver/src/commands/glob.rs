//! Redis's glob patterns (`KEYS`, `SCAN MATCH`, `PSUBSCRIBE`, `CONFIG GET`).

/// Glob matching as in Redis's `stringmatchlen` (`*`, `?`, `[...]`, `\` escapes),
/// case-sensitive. Iterative with one backtrack point: linear in practice.
pub(crate) fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        let c = text[t];
        let step = match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
                continue;
            }
            Some(b'?') => Some(1),
            Some(b'[') => class_match(&pattern[p + 1..], c).map(|used| used + 1),
            Some(b'\\') if pattern.get(p + 1) == Some(&c) => Some(2),
            Some(&pc) if pc == c && pc != b'\\' => Some(1),
            _ => None,
        };
        match step {
            Some(n) => {
                p += n;
                t += 1;
            }
            None => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p.min(pattern.len())..].iter().all(|&b| b == b'*')
}

/// Match `c` against a `[...]` class (`rest` starts after `[`); returns the pattern bytes
/// used including `]`.
fn class_match(rest: &[u8], c: u8) -> Option<usize> {
    let end = rest.iter().position(|&b| b == b']')?;
    let mut class = &rest[..end];
    let negate = class.first() == Some(&b'^');
    if negate {
        class = &class[1..];
    }
    let mut hit = false;
    let mut i = 0;
    while i < class.len() {
        if class.get(i + 1) == Some(&b'-') && i + 2 < class.len() {
            let (lo, hi) = (class[i].min(class[i + 2]), class[i].max(class[i + 2]));
            hit |= (lo..=hi).contains(&c);
            i += 3;
        } else {
            hit |= class[i] == c;
            i += 1;
        }
    }
    (hit != negate).then_some(end + 1)
}
