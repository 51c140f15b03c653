//! The connection phase: passwords, auth switch, unknown databases, malformed and
//! incomplete handshakes.

use super::*;

#[test]
fn handshake_correct_password() {
    let mut c = Client::login(Some("s3cret"));
    let r = c.command(COM_PING, b"");
    assert_eq!(r, vec![(1, vec![0, 0, 0, 2, 0, 0, 0])]);
}

#[test]
fn handshake_wrong_password() {
    let (mut c, _) = Client::new(Some("s3cret"));
    let scramble = native_scramble(b"wrong", &c.salt);
    let resp = handshake_response(b"bob", &scramble, None, b"mysql_native_password");
    let (p, r) = c.send(&frame(1, &resp));
    assert!(p.close);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].0, 2);
    assert_eq!(err_code(&r[0].1), Some(1045));
    assert_eq!(
        &r[0].1[3..],
        b"#28000Access denied for user 'bob'@'localhost' (using password: YES)"
    );
    // No password at all.
    let (mut c, _) = Client::new(Some("s3cret"));
    let resp = handshake_response(b"bob", b"", None, b"mysql_native_password");
    let (p, r) = c.send(&frame(1, &resp));
    assert!(p.close);
    assert!(r[0].1.ends_with(b"(using password: NO)"));
}

#[test]
fn any_password_without_configured_one() {
    let (mut c, _) = Client::new(None);
    let resp = handshake_response(b"x", b"whatever", None, b"caching_sha2_password");
    let (p, r) = c.send(&frame(1, &resp));
    assert!(!p.close);
    assert_eq!(r[0].1[0], 0);
}

#[test]
fn auth_switch() {
    let (mut c, _) = Client::new(Some("pw"));
    let resp = handshake_response(b"root", &[1; 32], None, b"caching_sha2_password");
    let (p, r) = c.send(&frame(1, &resp));
    assert!(!p.close);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].0, 2);
    let mut expected = vec![0xFE];
    expected.extend_from_slice(b"mysql_native_password\0");
    expected.extend_from_slice(&c.salt);
    expected.push(0);
    assert_eq!(r[0].1, expected);
    let scramble = native_scramble(b"pw", &c.salt);
    let (p, r) = c.send(&frame(3, &scramble));
    assert!(!p.close);
    assert_eq!(r[0].0, 4);
    assert_eq!(r[0].1[0], 0);
    assert_eq!(c.command(COM_PING, b"")[0].1[0], 0);

    // A wrong switch response is denied.
    let (mut c, _) = Client::new(Some("pw"));
    let resp = handshake_response(b"root", &[1; 32], None, b"caching_sha2_password");
    c.send(&frame(1, &resp));
    let (p, r) = c.send(&frame(3, &[7; 20]));
    assert!(p.close);
    assert_eq!(err_code(&r[0].1), Some(1045));
}

#[test]
fn handshake_with_unknown_database_closes() {
    let (mut c, _) = Client::new(None);
    let resp = handshake_response(b"root", b"", Some(b"nosuchdb"), b"mysql_native_password");
    let (p, r) = c.send(&frame(1, &resp));
    assert!(p.close);
    assert!(err_code(&r[0].1).is_some());
}

#[test]
fn bad_handshakes() {
    // Pre-4.1 client.
    let (mut c, _) = Client::new(None);
    let mut old = handshake_response(b"root", b"", None, b"");
    old[1] &= !((CLIENT_PROTOCOL_41 >> 8) as u8);
    let (p, r) = c.send(&frame(1, &old));
    assert!(p.close);
    assert_eq!(err_code(&r[0].1), Some(1043));
    assert_eq!(&r[0].1[3..], b"#08S01Bad handshake");
    // SSLRequest.
    let (mut c, _) = Client::new(None);
    let mut ssl = Vec::new();
    put_u32(&mut ssl, client_caps() | CLIENT_SSL);
    put_u32(&mut ssl, 1 << 24);
    ssl.push(45);
    ssl.extend_from_slice(&[0; 23]);
    let (p, r) = c.send(&frame(1, &ssl));
    assert!(p.close);
    assert_eq!(err_code(&r[0].1), Some(1043));
    // Garbage with the right sequence id.
    let (mut c, _) = Client::new(None);
    let (p, r) = c.send(&frame(1, b"GET / HTTP/1.1\r\n"));
    assert!(p.close);
    assert_eq!(err_code(&r[0].1), Some(1043));
    // Garbage: an HTTP request read as a header (length 0x202054 "GET " seq ' ').
    let (mut c, _) = Client::new(None);
    let (p, out) = c.feed(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(p.close);
    assert_eq!(err_code(&packets(&out)[0].1), Some(1156));
    // Garbage declaring a huge packet with the right sequence id: refused from the header.
    let (mut c, _) = Client::new(None);
    let (p, out) = c.feed(&[0xFF, 0xFF, 0xFF, 1, 0]);
    assert!(p.close);
    assert_eq!(err_code(&packets(&out)[0].1), Some(1153));
    // After closing, nothing more is read or written.
    let (p, out) = c.feed(&frame(0, &[COM_PING]));
    assert!(p.close);
    assert!(out.is_empty());
}

#[test]
fn incomplete_packets_consume_nothing() {
    let (mut c, _) = Client::new(None);
    let resp = frame(1, &handshake_response(b"root", b"", None, b""));
    for cut in 0..resp.len() {
        let (p, out) = c.feed(&resp[..cut]);
        assert_eq!(p, Progress::default());
        assert!(out.is_empty());
    }
    c.send(&resp);
    let ping = frame(0, &[COM_PING]);
    let mut two = ping.clone();
    two.extend_from_slice(&ping[..3]);
    let (p, out) = c.feed(&two);
    assert_eq!(p.consumed, ping.len());
    assert_eq!(packets(&out).len(), 1);
}
