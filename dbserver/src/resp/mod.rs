//! RESP2: an incremental request parser (multibulk and inline) and the reply encoder.
//!
//! The parser never copies multibulk arguments: it records `(start, end)` ranges into the
//! connection's read buffer. Inline commands (rare: `PING` typed in telnet, redis-benchmark's
//! `PING_INLINE`) are unescaped into a small scratch buffer owned by the parser.
//! The reply encoder lives in [`reply`] and is re-exported here.

mod reply;
pub mod resp3;
pub use reply::*;

use alloc::vec::Vec;
use core::fmt;

/// Longest inline request, and longest `*<n>` / `$<n>` header line (Redis: `PROTO_INLINE_MAX_SIZE`).
pub const INLINE_MAX_BYTES: usize = 64 * 1024;
/// Most arguments one multibulk request may announce (Redis: 1024 * 1024).
pub const MULTIBULK_MAX_ARGS: usize = 1024 * 1024;
/// Most arguments a client that still has to authenticate may announce (as Redis 7).
pub const UNAUTHENTICATED_MAX_ARGS: usize = 10;
/// Longest bulk argument a client that still has to authenticate may send (as Redis 7).
pub const UNAUTHENTICATED_MAX_BULK_BYTES: usize = 16 * 1024;
/// Bytes of the `\r\n` that terminates every RESP line.
const CRLF_LEN: usize = 2;

/// Limits the parser enforces on one connection.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Longest bulk argument accepted (`proto-max-bulk-len`).
    pub max_bulk_len: usize,
    /// The client has not authenticated yet although a password is required.
    pub unauthenticated: bool,
}

/// Why a request is not valid RESP. The server answers `-ERR Protocol error: <message>`
/// and closes the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtocolError {
    /// `*<n>` is not a number or too large.
    InvalidMultibulkLength,
    /// `$<n>` is not a number, negative or larger than the limit.
    InvalidBulkLength,
    /// A multibulk argument did not start with `$`; carries the byte found instead.
    ExpectedDollar(u8),
    /// No `\r\n` after a `*<n>` header within [`INLINE_MAX_BYTES`].
    TooBigMultibulkCount,
    /// No `\r\n` after a `$<n>` header within [`INLINE_MAX_BYTES`].
    TooBigBulkCount,
    /// An inline request longer than [`INLINE_MAX_BYTES`].
    TooBigInlineRequest,
    /// An inline request with an unterminated quote.
    UnbalancedQuotes,
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidMultibulkLength => f.write_str("invalid multibulk length"),
            Self::InvalidBulkLength => f.write_str("invalid bulk length"),
            Self::ExpectedDollar(b) => write!(f, "expected '$', got '{}'", printable(*b)),
            Self::TooBigMultibulkCount => f.write_str("too big mbulk count string"),
            Self::TooBigBulkCount => f.write_str("too big bulk count string"),
            Self::TooBigInlineRequest => f.write_str("too big inline request"),
            Self::UnbalancedQuotes => f.write_str("unbalanced quotes in request"),
        }
    }
}

/// A byte as a `char` that cannot break the reply line.
fn printable(b: u8) -> char {
    if b.is_ascii_graphic() || b == b' ' {
        b as char
    } else {
        '?'
    }
}

/// The arguments of one parsed request: ranges into a byte buffer.
#[derive(Clone, Copy)]
pub struct Args<'a> {
    data: &'a [u8],
    ranges: &'a [(usize, usize)],
}

impl<'a> Args<'a> {
    /// Arguments over `data` (for tests and callers that build requests themselves).
    pub fn new(data: &'a [u8], ranges: &'a [(usize, usize)]) -> Self {
        Self { data, ranges }
    }

    /// Number of arguments, the command name included.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// True when the request had no arguments at all.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Argument `i`, or an empty slice when out of range.
    pub fn get(&self, i: usize) -> &'a [u8] {
        self.ranges
            .get(i)
            .and_then(|&(s, e)| self.data.get(s..e))
            .unwrap_or(&[])
    }

    /// Arguments from `from` on.
    pub fn iter_from(&self, from: usize) -> impl Iterator<Item = &'a [u8]> + Clone + 'a {
        let data = self.data;
        self.ranges
            .get(from..)
            .unwrap_or(&[])
            .iter()
            .map(move |&(s, e)| data.get(s..e).unwrap_or(&[]))
    }
}

/// Incremental request parser; one per connection. It keeps its position inside a
/// partially received multibulk request, so a large request is scanned only once.
#[derive(Default)]
pub struct Parser {
    /// Arguments still expected in the current multibulk request (0: between requests).
    remaining: usize,
    /// Bytes of the current request already parsed.
    pos: usize,
    /// Argument ranges, relative to the start of the current request.
    ranges: Vec<(usize, usize)>,
    /// Unescaped inline arguments.
    scratch: Vec<u8>,
    /// The last complete request was inline (its ranges point into `scratch`).
    inline: bool,
}

impl Parser {
    /// Parse one request from `buf`, which starts where the previous request ended.
    /// `Ok(Some(n))`: a request of `n` bytes is complete; read it with [`Parser::args`]
    /// (it may have no arguments: empty lines and `*0` are skipped by the caller).
    /// `Ok(None)`: more bytes are needed; call again with the same start and more data.
    pub fn parse(&mut self, buf: &[u8], limits: &Limits) -> Result<Option<usize>, ProtocolError> {
        if self.remaining == 0 && self.pos == 0 {
            self.ranges.clear();
            self.inline = false;
            match buf.first() {
                None => return Ok(None),
                Some(b'*') => {}
                Some(_) => return self.parse_inline(buf),
            }
            let Some((count, next)) = header(buf, 1, ProtocolError::TooBigMultibulkCount)? else {
                return Ok(None);
            };
            let max_args = if limits.unauthenticated {
                UNAUTHENTICATED_MAX_ARGS
            } else {
                MULTIBULK_MAX_ARGS
            };
            let count = count.ok_or(ProtocolError::InvalidMultibulkLength)?;
            if count > max_args as i64 {
                return Err(ProtocolError::InvalidMultibulkLength);
            }
            if count <= 0 {
                return Ok(Some(next));
            }
            // `count <= MULTIBULK_MAX_ARGS`, so the conversion is exact.
            self.remaining = count as usize;
            self.pos = next;
            // Reserve modestly: the count is client-controlled.
            self.ranges
                .reserve(self.remaining.min(UNAUTHENTICATED_MAX_ARGS));
        }
        self.parse_bulks(buf, limits)
    }

    /// The arguments of the request `parse` just completed; `buf` must be the slice that
    /// was passed to that call.
    pub fn args<'a>(&'a self, buf: &'a [u8]) -> Args<'a> {
        let data = if self.inline { &self.scratch[..] } else { buf };
        Args::new(data, &self.ranges)
    }

    /// Parse the `$<len>\r\n<bytes>\r\n` arguments of a multibulk request.
    fn parse_bulks(&mut self, buf: &[u8], limits: &Limits) -> Result<Option<usize>, ProtocolError> {
        let max_bulk = if limits.unauthenticated {
            limits.max_bulk_len.min(UNAUTHENTICATED_MAX_BULK_BYTES)
        } else {
            limits.max_bulk_len
        };
        while self.remaining > 0 {
            let Some(&first) = buf.get(self.pos) else {
                return Ok(None);
            };
            if first != b'$' {
                return Err(ProtocolError::ExpectedDollar(first));
            }
            let Some((len, data_start)) =
                header(buf, self.pos + 1, ProtocolError::TooBigBulkCount)?
            else {
                return Ok(None);
            };
            let len = len
                .and_then(|l| usize::try_from(l).ok())
                .filter(|&l| l <= max_bulk)
                .ok_or(ProtocolError::InvalidBulkLength)?;
            let data_end = data_start
                .checked_add(len)
                .ok_or(ProtocolError::InvalidBulkLength)?;
            let next = data_end
                .checked_add(CRLF_LEN)
                .ok_or(ProtocolError::InvalidBulkLength)?;
            if next > buf.len() {
                return Ok(None);
            }
            self.ranges.push((data_start, data_end));
            self.pos = next;
            self.remaining -= 1;
        }
        let consumed = self.pos;
        self.pos = 0;
        Ok(Some(consumed))
    }

    /// Parse an inline request: one line, split on spaces, with Redis's quoting rules.
    fn parse_inline(&mut self, buf: &[u8]) -> Result<Option<usize>, ProtocolError> {
        let Some(nl) = buf.iter().position(|&b| b == b'\n') else {
            if buf.len() > INLINE_MAX_BYTES {
                return Err(ProtocolError::TooBigInlineRequest);
            }
            return Ok(None);
        };
        if nl > INLINE_MAX_BYTES {
            return Err(ProtocolError::TooBigInlineRequest);
        }
        let mut line = &buf[..nl];
        if let [rest @ .., b'\r'] = line {
            line = rest;
        }
        self.inline = true;
        self.scratch.clear();
        split_args(line, &mut self.scratch, &mut self.ranges)?;
        Ok(Some(nl + 1))
    }
}

/// Read a `<number>\r\n` header starting at `from`. `Ok(None)`: incomplete.
/// The number is `None` when it is not a valid integer.
#[allow(clippy::type_complexity)]
fn header(
    buf: &[u8],
    from: usize,
    too_long: ProtocolError,
) -> Result<Option<(Option<i64>, usize)>, ProtocolError> {
    let rest = buf.get(from..).unwrap_or(&[]);
    let Some(cr) = rest.iter().position(|&b| b == b'\r') else {
        if rest.len() > INLINE_MAX_BYTES {
            return Err(too_long);
        }
        return Ok(None);
    };
    if cr > INLINE_MAX_BYTES {
        return Err(too_long);
    }
    // Like Redis, the byte after `\r` is taken to be `\n` without looking.
    let next = from + cr + CRLF_LEN;
    if next > buf.len() {
        return Ok(None);
    }
    Ok(Some((parse_i64(&rest[..cr]), next)))
}

/// Parse a decimal integer the way Redis's `string2ll` does: optional `-`, no `+`,
/// no leading zeros, no spaces, must fit in an `i64`.
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, s),
    };
    match digits {
        [b'0'] if !neg => return Some(0),
        [b'1'..=b'9', ..] => {}
        _ => return None,
    }
    let mut v: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        let digit = i64::from(d - b'0');
        v = if neg {
            v.checked_mul(10)?.checked_sub(digit)?
        } else {
            v.checked_mul(10)?.checked_add(digit)?
        };
    }
    Some(v)
}

/// Split an inline line like Redis's `sdssplitargs`: spaces separate arguments,
/// `"..."` understands `\n \r \t \b \a \\ \" \xHH`, `'...'` understands `\'`, and a
/// closing quote must be followed by a space or the end of the line.
fn split_args(
    line: &[u8],
    out: &mut Vec<u8>,
    ranges: &mut Vec<(usize, usize)>,
) -> Result<(), ProtocolError> {
    let mut i = 0;
    loop {
        while line.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        if i >= line.len() {
            return Ok(());
        }
        let start = out.len();
        let mut in_double = false;
        let mut in_single = false;
        loop {
            let c = line.get(i).copied();
            if in_double {
                match c {
                    None => return Err(ProtocolError::UnbalancedQuotes),
                    Some(b'\\') => {
                        let hex = line.get(i + 2..i + 4).and_then(hex_byte);
                        match (line.get(i + 1), hex) {
                            (Some(b'x'), Some(byte)) => {
                                out.push(byte);
                                i += 3;
                            }
                            (Some(&e), _) => {
                                out.push(unescape(e));
                                i += 1;
                            }
                            (None, _) => return Err(ProtocolError::UnbalancedQuotes),
                        }
                    }
                    Some(b'"') => {
                        if line.get(i + 1).is_some_and(|b| !b.is_ascii_whitespace()) {
                            return Err(ProtocolError::UnbalancedQuotes);
                        }
                        i += 1;
                        break;
                    }
                    Some(b) => out.push(b),
                }
            } else if in_single {
                match c {
                    None => return Err(ProtocolError::UnbalancedQuotes),
                    Some(b'\\') if line.get(i + 1) == Some(&b'\'') => {
                        out.push(b'\'');
                        i += 1;
                    }
                    Some(b'\'') => {
                        if line.get(i + 1).is_some_and(|b| !b.is_ascii_whitespace()) {
                            return Err(ProtocolError::UnbalancedQuotes);
                        }
                        i += 1;
                        break;
                    }
                    Some(b) => out.push(b),
                }
            } else {
                match c {
                    None => break,
                    Some(b) if b.is_ascii_whitespace() => break,
                    Some(b'"') => in_double = true,
                    Some(b'\'') => in_single = true,
                    Some(b) => out.push(b),
                }
            }
            i += 1;
        }
        ranges.push((start, out.len()));
    }
}

/// The byte a `\<e>` escape inside double quotes stands for.
fn unescape(e: u8) -> u8 {
    match e {
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'b' => 0x08,
        b'a' => 0x07,
        other => other,
    }
}

/// Two hex digits as a byte.
fn hex_byte(h: &[u8]) -> Option<u8> {
    let digit = |c: u8| (c as char).to_digit(16);
    match h {
        [a, b] => Some((digit(*a)? * 16 + digit(*b)?) as u8),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
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
}
