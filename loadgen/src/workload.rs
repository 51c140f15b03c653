//! Workload descriptions, their spec syntax, and the deterministic values used to check replies.
//!
//! # Workload spec syntax
//!
//! `KIND[:OPTION]...` where `KIND` is `get`, `set` or `mixed`, and each option is one of
//!
//! | option      | meaning                                              | example    |
//! |-------------|------------------------------------------------------|------------|
//! | `pN`        | pipeline depth (requests in flight per connection)   | `p16`      |
//! | `rF`        | read ratio of `mixed` (0..=1)                        | `r0.9`     |
//! | `vN`        | value size in bytes (≥ 16)                            | `v100`     |
//! | `kN`        | key space: number of distinct keys                  | `k10000`   |
//! | `uniform`   | uniform key choice                                    |            |
//! | `zipf[F]`   | Zipfian key choice, theta `F` (default 0.99)          | `zipf0.9`  |
//! | `qN`        | open loop at `N` requests/s in total (default: closed)| `q5000`    |
//!
//! Options not given come from the command-line defaults. Examples: `get:p1`, `set:p16:v512`,
//! `mixed:r0.9:p4:zipf`.
//!
//! # Values
//!
//! A value is derived from its key id and a 32-bit *version*: 8 hex digits of the version, 8 hex
//! digits of a tag hashed from (key, version), then filler letters seeded by the tag, up to the
//! value size. The preload writes version 0; every later SET writes a version unique to its
//! connection and sequence number. A GET reply is correct when it has the workload's value size,
//! its tag matches *the key that was asked for* and its filler matches the tag. This catches
//! wrong-key, truncated, corrupted and missing (nil) values without a shared map of last-written
//! versions (which would serialise the connection threads); it does not detect a lost update
//! that leaves an older, well-formed value of the same key in place.

use std::fmt;

use thiserror::Error;

/// Smallest value size: the 16-byte version + tag header.
pub const MIN_VALUE_SIZE: usize = 16;
/// Default zipfian skew (YCSB's).
pub const DEFAULT_ZIPF_THETA: f64 = 0.99;

/// A workload spec that does not parse.
#[derive(Debug, Error, PartialEq)]
pub enum SpecError {
    /// Unknown `KIND`.
    #[error("unknown workload kind `{0}` (expected get, set or mixed)")]
    UnknownKind(String),
    /// Unknown option.
    #[error("unknown workload option `{0}`")]
    UnknownOption(String),
    /// A number did not parse or is out of range.
    #[error("bad value in workload option `{0}`")]
    BadNumber(String),
    /// Read ratio given for `get`/`set`.
    #[error("read ratio only applies to `mixed`")]
    RatioWithoutMixed,
}

/// What each request is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OpMix {
    /// GET only.
    Get,
    /// SET only.
    Set,
    /// GET with probability `read_ratio`, else SET.
    Mixed {
        /// Fraction of GETs (0..=1).
        read_ratio: f64,
    },
}

impl OpMix {
    /// The fraction of reads (1 for GET, 0 for SET).
    pub fn read_ratio(&self) -> f64 {
        match self {
            OpMix::Get => 1.0,
            OpMix::Set => 0.0,
            OpMix::Mixed { read_ratio } => *read_ratio,
        }
    }

    /// Whether this workload writes.
    pub fn writes(&self) -> bool {
        self.read_ratio() < 1.0
    }
}

/// How keys are chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum KeyDist {
    /// Every key equally likely.
    Uniform,
    /// Zipfian with skew `theta`.
    Zipfian {
        /// Skew, 0 < theta < 1.
        theta: f64,
    },
}

impl fmt::Display for KeyDist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyDist::Uniform => write!(f, "uniform"),
            KeyDist::Zipfian { theta } => write!(f, "zipfian({theta})"),
        }
    }
}

/// A fully specified workload.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    /// The spec text it was parsed from (used as its name in CSV and report).
    pub label: String,
    /// Request mix.
    pub mix: OpMix,
    /// Requests in flight per connection.
    pub pipeline: u32,
    /// Value size in bytes.
    pub value_size: usize,
    /// Number of distinct keys.
    pub keyspace: u64,
    /// Key distribution.
    pub key_dist: KeyDist,
    /// Open-loop total request rate in requests/s; `None` = closed loop.
    pub rate_limit: Option<f64>,
}

impl Workload {
    /// Parses `spec`, taking unspecified options from `defaults`.
    pub fn parse(spec: &str, defaults: &Workload) -> Result<Self, SpecError> {
        let spec = spec.trim();
        let mut parts = spec.split(':');
        let kind = parts.next().unwrap_or_default();
        let mut w = Workload {
            label: spec.to_string(),
            ..defaults.clone()
        };
        let mut ratio = None;
        w.mix = match kind {
            "get" => OpMix::Get,
            "set" => OpMix::Set,
            "mixed" => OpMix::Mixed {
                read_ratio: defaults.mix.read_ratio(),
            },
            other => return Err(SpecError::UnknownKind(other.to_string())),
        };
        for opt in parts {
            let bad = || SpecError::BadNumber(opt.to_string());
            if opt == "uniform" {
                w.key_dist = KeyDist::Uniform;
            } else if let Some(theta) = opt.strip_prefix("zipf") {
                let theta = if theta.is_empty() {
                    DEFAULT_ZIPF_THETA
                } else {
                    theta.parse().map_err(|_| bad())?
                };
                if !(theta > 0.0 && theta < 1.0) {
                    return Err(bad());
                }
                w.key_dist = KeyDist::Zipfian { theta };
            } else if let Some(n) = opt.strip_prefix('p') {
                w.pipeline = n.parse().ok().filter(|&p| p > 0).ok_or_else(bad)?;
            } else if let Some(n) = opt.strip_prefix('v') {
                w.value_size = n
                    .parse()
                    .ok()
                    .filter(|&v| v >= MIN_VALUE_SIZE)
                    .ok_or_else(bad)?;
            } else if let Some(n) = opt.strip_prefix('k') {
                w.keyspace = n.parse().ok().filter(|&k| k > 0).ok_or_else(bad)?;
            } else if let Some(n) = opt.strip_prefix('q') {
                let rate: f64 = n.parse().map_err(|_| bad())?;
                if !(rate > 0.0 && rate.is_finite()) {
                    return Err(bad());
                }
                w.rate_limit = Some(rate);
            } else if let Some(n) = opt.strip_prefix('r') {
                let r: f64 = n.parse().map_err(|_| bad())?;
                if !(0.0..=1.0).contains(&r) {
                    return Err(bad());
                }
                ratio = Some(r);
            } else {
                return Err(SpecError::UnknownOption(opt.to_string()));
            }
        }
        if let Some(read_ratio) = ratio {
            match w.mix {
                OpMix::Mixed { .. } => w.mix = OpMix::Mixed { read_ratio },
                _ => return Err(SpecError::RatioWithoutMixed),
            }
        }
        Ok(w)
    }
}

/// Writes the name of key `id` (`key:000000000042`, as redis-benchmark names them) into `out`.
pub fn key_name(id: u64, out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(b"key:");
    let mut digits = [b'0'; 12];
    let mut n = id;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.extend_from_slice(&digits);
}

/// Writes the value of `(key, version)` of `size` bytes into `out`.
pub fn make_value(key: u64, version: u32, size: usize, out: &mut Vec<u8>) {
    out.clear();
    let tag = value_tag(key, version);
    push_hex32(out, version);
    push_hex32(out, tag);
    out.extend((MIN_VALUE_SIZE..size).map(|i| filler_byte(tag, i)));
}

/// Why a GET reply's value is not a value of the requested key.
#[derive(Debug, Error, PartialEq)]
pub enum ValueMismatch {
    /// Wrong length.
    #[error("value is {got} bytes, expected {expected}")]
    Length {
        /// Bytes received.
        got: usize,
        /// Workload value size.
        expected: usize,
    },
    /// Header does not hold a version/tag of this key.
    #[error("value header does not belong to key {0}")]
    WrongKey(u64),
    /// Filler corrupted.
    #[error("value filler corrupted at byte {0}")]
    Corrupt(usize),
}

/// Checks that `value` is a well-formed value of `key` with the workload's `size`.
pub fn check_value(key: u64, value: &[u8], size: usize) -> Result<(), ValueMismatch> {
    if value.len() != size || size < MIN_VALUE_SIZE {
        return Err(ValueMismatch::Length {
            got: value.len(),
            expected: size,
        });
    }
    let version = parse_hex32(&value[..8]).ok_or(ValueMismatch::WrongKey(key))?;
    let tag = parse_hex32(&value[8..16]).ok_or(ValueMismatch::WrongKey(key))?;
    if tag != value_tag(key, version) {
        return Err(ValueMismatch::WrongKey(key));
    }
    match (MIN_VALUE_SIZE..size).find(|&i| value[i] != filler_byte(tag, i)) {
        Some(i) => Err(ValueMismatch::Corrupt(i)),
        None => Ok(()),
    }
}

fn value_tag(key: u64, version: u32) -> u32 {
    let mut z = key ^ (u64::from(version) << 32) ^ 0x5DEE_CE66_D1CE_4E5B;
    z = (z ^ (z >> 33)).wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    z = (z ^ (z >> 33)).wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    (z ^ (z >> 33)) as u32
}

fn filler_byte(tag: u32, index: usize) -> u8 {
    b'a' + ((tag as usize + index) % 26) as u8
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn push_hex32(out: &mut Vec<u8>, v: u32) {
    for shift in (0..8).rev() {
        out.push(HEX[((v >> (shift * 4)) & 0xF) as usize]);
    }
}

fn parse_hex32(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |acc, &d| {
        let nibble = match d {
            b'0'..=b'9' => d - b'0',
            b'a'..=b'f' => d - b'a' + 10,
            _ => return None,
        };
        Some(acc << 4 | u32::from(nibble))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Workload {
        Workload {
            label: String::new(),
            mix: OpMix::Get,
            pipeline: 1,
            value_size: 100,
            keyspace: 1000,
            key_dist: KeyDist::Uniform,
            rate_limit: None,
        }
    }

    #[test]
    fn parses_specs() {
        let w = Workload::parse("mixed:r0.9:p16:v512:k50:zipf:q2000", &defaults()).unwrap();
        assert_eq!(w.mix, OpMix::Mixed { read_ratio: 0.9 });
        assert_eq!((w.pipeline, w.value_size, w.keyspace), (16, 512, 50));
        assert_eq!(w.key_dist, KeyDist::Zipfian { theta: 0.99 });
        assert_eq!(w.rate_limit, Some(2000.0));
        assert_eq!(w.label, "mixed:r0.9:p16:v512:k50:zipf:q2000");
        let g = Workload::parse("get:p4:zipf0.5", &defaults()).unwrap();
        assert_eq!((g.mix, g.pipeline), (OpMix::Get, 4));
        assert_eq!(g.key_dist, KeyDist::Zipfian { theta: 0.5 });
    }

    #[test]
    fn rejects_bad_specs() {
        let d = defaults();
        assert!(matches!(
            Workload::parse("del", &d),
            Err(SpecError::UnknownKind(_))
        ));
        assert!(matches!(
            Workload::parse("get:x", &d),
            Err(SpecError::UnknownOption(_))
        ));
        assert!(matches!(
            Workload::parse("get:p0", &d),
            Err(SpecError::BadNumber(_))
        ));
        assert!(matches!(
            Workload::parse("set:v8", &d),
            Err(SpecError::BadNumber(_))
        ));
        assert!(matches!(
            Workload::parse("get:zipf1.5", &d),
            Err(SpecError::BadNumber(_))
        ));
        assert_eq!(
            Workload::parse("get:r0.5", &d),
            Err(SpecError::RatioWithoutMixed)
        );
    }

    #[test]
    fn values_round_trip_and_catch_mistakes() {
        let mut v = Vec::new();
        make_value(42, 7, 100, &mut v);
        assert_eq!(v.len(), 100);
        assert_eq!(check_value(42, &v, 100), Ok(()));
        // Another key's value, a truncated value and a flipped byte are all caught.
        assert_eq!(check_value(43, &v, 100), Err(ValueMismatch::WrongKey(43)));
        assert!(matches!(
            check_value(42, &v[..99], 100),
            Err(ValueMismatch::Length { .. })
        ));
        v[50] = b'#';
        assert_eq!(check_value(42, &v, 100), Err(ValueMismatch::Corrupt(50)));
        make_value(1, 0, MIN_VALUE_SIZE, &mut v);
        assert_eq!(check_value(1, &v, MIN_VALUE_SIZE), Ok(()));
    }

    #[test]
    fn key_names_are_fixed_width() {
        let mut k = Vec::new();
        key_name(42, &mut k);
        assert_eq!(k, b"key:000000000042");
    }
}
