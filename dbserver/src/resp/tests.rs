//! The RESP parser: split points, malformed input, limits, inline quoting, integers.

use super::*;
use alloc::string::ToString;
use alloc::vec;

const LIMITS: Limits = Limits {
    max_bulk_len: 512 * 1024 * 1024,
    unauthenticated: false,
};

/// Parse every request in `input`; `None` when the input ends mid-request.
fn parse_all(input: &[u8], limits: &Limits) -> Result<Vec<Vec<Vec<u8>>>, ProtocolError> {
    let mut p = Parser::default();
    let mut pos = 0;
    let mut out = Vec::new();
    while let Some(n) = p.parse(&input[pos..], limits)? {
        let args = p.args(&input[pos..]);
        if !args.is_empty() {
            out.push(args.iter_from(0).map(<[u8]>::to_vec).collect());
        }
        pos += n;
    }
    Ok(out)
}

fn argv(parts: &[&str]) -> Vec<Vec<u8>> {
    parts.iter().map(|s| s.as_bytes().to_vec()).collect()
}

#[test]
fn parses_multibulk_and_inline() {
    let got = parse_all(
        b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n  set a  \"b c\"\n",
        &LIMITS,
    )
    .unwrap();
    assert_eq!(
        got,
        vec![
            argv(&["GET", "k"]),
            argv(&["PING"]),
            argv(&["set", "a", "b c"])
        ]
    );
}

#[test]
fn every_split_point_gives_the_same_requests() {
    let input: &[u8] = b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n*1\r\n$4\r\nPING\r\nECHO 'x y'\r\n*0\r\n";
    let want = parse_all(input, &LIMITS).unwrap();
    assert_eq!(want.len(), 3);
    for split in 0..=input.len() {
        let mut p = Parser::default();
        let mut got = Vec::new();
        let mut start = 0;
        for end in [split, input.len()] {
            while start < end {
                let Some(n) = p.parse(&input[start..end], &LIMITS).unwrap() else {
                    break;
                };
                let args = p.args(&input[start..end]);
                if !args.is_empty() {
                    got.push(args.iter_from(0).map(<[u8]>::to_vec).collect::<Vec<_>>());
                }
                start += n;
            }
        }
        assert_eq!(got, want, "split at {split}");
    }
}

#[test]
fn byte_by_byte_arrival() {
    let input: &[u8] = b"*2\r\n$4\r\nECHO\r\n$10\r\n0123456789\r\n";
    let mut p = Parser::default();
    for end in 0..input.len() {
        assert_eq!(p.parse(&input[..end], &LIMITS), Ok(None), "at {end}");
    }
    assert_eq!(p.parse(input, &LIMITS), Ok(Some(input.len())));
    assert_eq!(p.args(input).get(1), b"0123456789");
}

#[test]
fn malformed_lengths_are_protocol_errors() {
    let cases: &[(&[u8], ProtocolError)] = &[
        (b"*abc\r\n", ProtocolError::InvalidMultibulkLength),
        (b"*99999999999\r\n", ProtocolError::InvalidMultibulkLength),
        (
            b"*99999999999999999999999\r\n",
            ProtocolError::InvalidMultibulkLength,
        ),
        (b"*1\r\n$-1\r\n", ProtocolError::InvalidBulkLength),
        (b"*1\r\n$x\r\n", ProtocolError::InvalidBulkLength),
        (
            b"*1\r\n$99999999999999\r\n",
            ProtocolError::InvalidBulkLength,
        ),
        (
            b"*1\r\n$9223372036854775807\r\n",
            ProtocolError::InvalidBulkLength,
        ),
        (b"*1\r\nfoo\r\n", ProtocolError::ExpectedDollar(b'f')),
        (b"ECHO \"abc\r\n", ProtocolError::UnbalancedQuotes),
        (b"ECHO 'a'b\r\n", ProtocolError::UnbalancedQuotes),
    ];
    for (input, want) in cases {
        assert_eq!(parse_all(input, &LIMITS), Err(*want), "{:?}", input);
    }
    assert_eq!(
        ProtocolError::ExpectedDollar(0).to_string(),
        "expected '$', got '?'"
    );
}

#[test]
fn huge_inline_and_header_lines_are_rejected() {
    let line = vec![b'a'; 1024 * 1024];
    assert_eq!(
        parse_all(&line, &LIMITS),
        Err(ProtocolError::TooBigInlineRequest)
    );
    let mut with_nl = line.clone();
    with_nl.push(b'\n');
    assert_eq!(
        parse_all(&with_nl, &LIMITS),
        Err(ProtocolError::TooBigInlineRequest)
    );
    let mut mb = b"*".to_vec();
    mb.extend_from_slice(&line);
    assert_eq!(
        parse_all(&mb, &LIMITS),
        Err(ProtocolError::TooBigMultibulkCount)
    );
    let mut b = b"*1\r\n$".to_vec();
    b.extend_from_slice(&line);
    assert_eq!(parse_all(&b, &LIMITS), Err(ProtocolError::TooBigBulkCount));
}

#[test]
fn limits_apply() {
    let small = Limits {
        max_bulk_len: 4,
        unauthenticated: false,
    };
    assert_eq!(
        parse_all(b"*1\r\n$5\r\nhello\r\n", &small),
        Err(ProtocolError::InvalidBulkLength)
    );
    assert!(parse_all(b"*1\r\n$4\r\nhell\r\n", &small).is_ok());
    let unauth = Limits {
        unauthenticated: true,
        ..LIMITS
    };
    assert_eq!(
        parse_all(b"*11\r\n", &unauth),
        Err(ProtocolError::InvalidMultibulkLength)
    );
    assert_eq!(
        parse_all(b"*1\r\n$20000\r\n", &unauth),
        Err(ProtocolError::InvalidBulkLength)
    );
}

#[test]
fn binary_garbage_never_panics() {
    let mut seed: u32 = 0x1234_5678;
    for round in 0..2000 {
        let mut input = Vec::new();
        for _ in 0..(round % 64) {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let alphabet = b"*$\r\n-0123456789abc\"' \\x";
            let pick = alphabet[seed as usize % alphabet.len()];
            input.push(if seed & 0x100 != 0 {
                pick
            } else {
                (seed >> 8) as u8
            });
        }
        let _ = parse_all(&input, &LIMITS);
    }
}

#[test]
fn empty_requests_are_skipped() {
    assert_eq!(
        parse_all(b"\r\n\n*0\r\n*-1\r\nPING\r\n", &LIMITS).unwrap(),
        vec![argv(&["PING"])]
    );
}

#[test]
fn inline_escapes() {
    let got = parse_all(b"set \"a\\x41\\n\" 'it\\'s'\n", &LIMITS).unwrap();
    assert_eq!(
        got,
        vec![vec![b"set".to_vec(), b"aA\n".to_vec(), b"it's".to_vec()]]
    );
}

#[test]
fn integers_like_redis() {
    assert_eq!(parse_i64(b"0"), Some(0));
    assert_eq!(parse_i64(b"-12"), Some(-12));
    assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
    assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
    for bad in [
        &b""[..],
        b"-",
        b"01",
        b"-0",
        b"+1",
        b" 1",
        b"1 ",
        b"9223372036854775808",
        b"1a",
    ] {
        assert_eq!(parse_i64(bad), None, "{:?}", bad);
    }
}
