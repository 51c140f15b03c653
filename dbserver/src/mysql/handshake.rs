//! Connection phase: the server's HandshakeV10, the client's HandshakeResponse41, the
//! AuthSwitchRequest and `mysql_native_password`.

use super::consts::{
    AUTH_SWITCH_HEADER, CHARSET_UTF8MB4_GENERAL_CI, CLIENT_CONNECT_ATTRS, CLIENT_CONNECT_WITH_DB,
    CLIENT_PLUGIN_AUTH, CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA, CLIENT_PROTOCOL_41,
    CLIENT_SECURE_CONNECTION, CLIENT_SSL, HANDSHAKE_RESPONSE_FILLER, NATIVE_PASSWORD_PLUGIN,
    PROTOCOL_VERSION, SALT_LEN, SERVER_CAPABILITIES, SERVER_STATUS_AUTOCOMMIT,
};
use super::wire::{put_nul_terminated, put_u16, put_u32, Reader, Truncated};
use crate::sql::SERVER_VERSION;
use alloc::vec::Vec;
use sha1::{Digest, Sha1};

/// Bytes of the salt sent in the first part of HandshakeV10.
const SALT_PART1: usize = 8;
/// Reserved zero bytes of HandshakeV10 after the auth-plugin-data length.
const HANDSHAKE_RESERVED: usize = 10;
/// Lowest and highest salt byte: printable ASCII, no NUL, no space.
const SALT_MIN: u8 = 0x21;
const SALT_MAX: u8 = 0x7E;

pub type Salt = [u8; SALT_LEN];

/// SplitMix64: a small, well-mixing generator.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A 20-byte salt of printable, non-zero bytes derived from `seed` and `connection_id`.
pub fn make_salt(seed: u64, connection_id: u32) -> Salt {
    let mut state = seed ^ u64::from(connection_id).rotate_left(32);
    // Discard one output so that similar seeds diverge.
    splitmix64(&mut state);
    let span = u64::from(SALT_MAX - SALT_MIN) + 1;
    let mut salt = [0u8; SALT_LEN];
    for b in salt.iter_mut() {
        *b = SALT_MIN + (splitmix64(&mut state) % span) as u8;
    }
    salt
}

/// The HandshakeV10 payload.
pub fn put_handshake_v10(out: &mut Vec<u8>, connection_id: u32, salt: &Salt) {
    out.push(PROTOCOL_VERSION);
    put_nul_terminated(out, SERVER_VERSION.as_bytes());
    put_u32(out, connection_id);
    let (part1, part2) = salt.split_at(SALT_PART1);
    out.extend_from_slice(part1);
    out.push(0);
    let [c0, c1, c2, c3] = SERVER_CAPABILITIES.to_le_bytes();
    out.extend_from_slice(&[c0, c1]);
    out.push(CHARSET_UTF8MB4_GENERAL_CI);
    put_u16(out, SERVER_STATUS_AUTOCOMMIT);
    out.extend_from_slice(&[c2, c3]);
    // Length of the whole auth-plugin-data, terminating NUL included.
    out.push((SALT_LEN + 1) as u8);
    out.extend_from_slice(&[0; HANDSHAKE_RESERVED]);
    put_nul_terminated(out, part2);
    put_nul_terminated(out, NATIVE_PASSWORD_PLUGIN.as_bytes());
}

/// The AuthSwitchRequest payload asking for `mysql_native_password`.
pub fn put_auth_switch(out: &mut Vec<u8>, salt: &Salt) {
    out.push(AUTH_SWITCH_HEADER);
    put_nul_terminated(out, NATIVE_PASSWORD_PLUGIN.as_bytes());
    put_nul_terminated(out, salt);
}

/// What the client said in its HandshakeResponse41.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandshakeResponse<'a> {
    /// The client's capabilities, restricted to the server's.
    pub capabilities: u32,
    pub user: &'a [u8],
    pub auth_response: &'a [u8],
    pub database: Option<&'a [u8]>,
    /// The client's auth plugin ("" when it did not name one).
    pub plugin: &'a [u8],
}

/// Why a handshake response was refused (both are 1043 "Bad handshake").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadHandshake {
    /// Pre-4.1 client, or an SSLRequest (we offer no TLS).
    Unsupported,
    /// Fields ran past the end of the packet.
    Malformed,
}

impl From<Truncated> for BadHandshake {
    fn from(_: Truncated) -> Self {
        BadHandshake::Malformed
    }
}

/// Parse a HandshakeResponse41. Trailing optional fields (plugin name, attributes) may be
/// missing; connection attributes are skipped.
pub fn parse_handshake_response(payload: &[u8]) -> Result<HandshakeResponse<'_>, BadHandshake> {
    let mut r = Reader::new(payload);
    let client = r.u32()?;
    if client & CLIENT_PROTOCOL_41 == 0 {
        return Err(BadHandshake::Unsupported);
    }
    let _max_packet = r.u32()?;
    let _charset = r.u8()?;
    r.bytes(HANDSHAKE_RESPONSE_FILLER)?;
    if client & CLIENT_SSL != 0 && r.is_empty() {
        // SSLRequest: the client wants TLS before it sends the rest.
        return Err(BadHandshake::Unsupported);
    }
    let capabilities = client & SERVER_CAPABILITIES;
    let user = r.nul_terminated()?;
    let auth_response = if capabilities & CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA != 0 {
        r.lenenc_bytes()?
    } else if capabilities & CLIENT_SECURE_CONNECTION != 0 {
        let len = r.u8()?;
        r.bytes(usize::from(len))?
    } else {
        r.nul_terminated()?
    };
    let database = if capabilities & CLIENT_CONNECT_WITH_DB != 0 && !r.is_empty() {
        Some(r.nul_terminated_or_rest())
    } else {
        None
    };
    let plugin = if capabilities & CLIENT_PLUGIN_AUTH != 0 && !r.is_empty() {
        r.nul_terminated_or_rest()
    } else {
        &[]
    };
    if capabilities & CLIENT_CONNECT_ATTRS != 0 && !r.is_empty() {
        // Key/value pairs we ignore; only check that the declared length fits.
        r.lenenc_bytes()?;
    }
    Ok(HandshakeResponse {
        capabilities,
        user,
        auth_response,
        database: database.filter(|d| !d.is_empty()),
        plugin,
    })
}

fn sha1(parts: &[&[u8]]) -> [u8; 20] {
    let mut h = Sha1::new();
    for p in parts {
        h.update(p);
    }
    let digest = h.finalize();
    let mut out = [0u8; 20];
    for (o, d) in out.iter_mut().zip(digest.iter()) {
        *o = *d;
    }
    out
}

/// The client side of `mysql_native_password`:
/// SHA1(password) XOR SHA1(salt + SHA1(SHA1(password))); empty for an empty password.
pub fn native_scramble(password: &[u8], salt: &[u8]) -> Vec<u8> {
    if password.is_empty() {
        return Vec::new();
    }
    let stage1 = sha1(&[password]);
    let stage2 = sha1(&[&stage1]);
    let mix = sha1(&[salt, &stage2]);
    stage1.iter().zip(mix.iter()).map(|(a, b)| a ^ b).collect()
}

/// Check a `mysql_native_password` response against the configured password.
pub fn native_password_ok(password: &str, salt: &Salt, response: &[u8]) -> bool {
    let expected = native_scramble(password.as_bytes(), salt);
    if expected.len() != response.len() {
        return false;
    }
    // Compare without an early exit.
    expected
        .iter()
        .zip(response)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mysql::consts::CLIENT_LONG_PASSWORD;
    use crate::mysql::wire::put_lenenc_bytes;

    #[test]
    fn salt_is_printable_and_varies() {
        let a = make_salt(1, 1);
        let b = make_salt(2, 1);
        let c = make_salt(1, 2);
        assert_ne!(a, b);
        assert_ne!(a, c);
        for s in [a, b, c] {
            assert!(s.iter().all(|&x| (SALT_MIN..=SALT_MAX).contains(&x)));
        }
    }

    #[test]
    fn handshake_layout() {
        let salt = make_salt(7, 9);
        let mut out = Vec::new();
        put_handshake_v10(&mut out, 9, &salt);
        let mut r = Reader::new(&out);
        assert_eq!(r.u8(), Ok(10));
        assert_eq!(r.nul_terminated(), Ok(SERVER_VERSION.as_bytes()));
        assert_eq!(r.u32(), Ok(9));
        assert_eq!(r.bytes(8), Ok(&salt[..8]));
        assert_eq!(r.u8(), Ok(0));
        let low = r.u16().unwrap();
        assert_eq!(r.u8(), Ok(45));
        assert_eq!(r.u16(), Ok(2));
        let high = r.u16().unwrap();
        assert_eq!(u32::from(low) | u32::from(high) << 16, SERVER_CAPABILITIES);
        assert_eq!(r.u8(), Ok(21));
        assert_eq!(r.bytes(10), Ok(&[0u8; 10][..]));
        assert_eq!(r.nul_terminated(), Ok(&salt[8..]));
        assert_eq!(r.nul_terminated(), Ok(b"mysql_native_password".as_ref()));
        assert!(r.is_empty());
    }

    #[test]
    fn scramble_known_vector() {
        // Checked against MySQL: the stored hash of "secret" is
        // *14E65567ABDB5135D0CFD9A70B3032C179A49EE7 (= SHA1(SHA1("secret"))).
        let stage2 = sha1(&[&sha1(&[b"secret"])]);
        assert_eq!(stage2[..4], [0x14, 0xE6, 0x55, 0x67]);
        let salt = make_salt(3, 4);
        let resp = native_scramble(b"secret", &salt);
        assert!(native_password_ok("secret", &salt, &resp));
        assert!(!native_password_ok("other", &salt, &resp));
        assert!(!native_password_ok("secret", &salt, &resp[..19]));
        assert!(native_password_ok("", &salt, &[]));
        assert!(!native_password_ok("", &salt, &resp));
    }

    fn response(caps: u32, user: &[u8], auth: &[u8], db: Option<&[u8]>, plugin: &[u8]) -> Vec<u8> {
        let mut p = Vec::new();
        put_u32(&mut p, caps);
        put_u32(&mut p, 1 << 24);
        p.push(45);
        p.extend_from_slice(&[0; 23]);
        put_nul_terminated(&mut p, user);
        put_lenenc_bytes(&mut p, auth);
        if let Some(db) = db {
            put_nul_terminated(&mut p, db);
        }
        put_nul_terminated(&mut p, plugin);
        p
    }

    #[test]
    fn parse_full_response() {
        let caps = CLIENT_PROTOCOL_41
            | CLIENT_LONG_PASSWORD
            | CLIENT_PLUGIN_AUTH
            | CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA
            | CLIENT_SECURE_CONNECTION
            | CLIENT_CONNECT_WITH_DB
            | CLIENT_CONNECT_ATTRS;
        let mut p = response(
            caps,
            b"root",
            b"12345678901234567890",
            Some(b"db"),
            b"x_plugin",
        );
        // attributes: total length 8, "_os" -> "x"... (ignored)
        p.extend_from_slice(&[7, 3, b'_', b'o', b's', 2, b'l', b'x']);
        let r = parse_handshake_response(&p).unwrap();
        assert_eq!(r.user, b"root");
        assert_eq!(r.auth_response, b"12345678901234567890");
        assert_eq!(r.database, Some(&b"db"[..]));
        assert_eq!(r.plugin, b"x_plugin");
        // Every truncation is an error or a shorter valid response, never a panic.
        for cut in 0..p.len() {
            let _ = parse_handshake_response(&p[..cut]);
        }
        // Attributes claiming more than there is.
        let mut bad = response(caps, b"root", b"", Some(b"db"), b"p");
        bad.extend_from_slice(&[0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        assert_eq!(parse_handshake_response(&bad), Err(BadHandshake::Malformed));
    }

    #[test]
    fn refuse_old_and_ssl() {
        let old = response(CLIENT_LONG_PASSWORD, b"u", b"", None, b"");
        assert_eq!(
            parse_handshake_response(&old),
            Err(BadHandshake::Unsupported)
        );
        let ssl = response(CLIENT_PROTOCOL_41 | CLIENT_SSL, b"", b"", None, b"");
        assert_eq!(
            parse_handshake_response(&ssl[..32]),
            Err(BadHandshake::Unsupported)
        );
    }
}
