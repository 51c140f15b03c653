//! The command phase without the SQL engine: command packets, sequence ids,
//! `max_allowed_packet`, split packets, refusal, OK packets and engine errors.

use super::*;

#[test]
fn commands_without_engine() {
    let mut c = Client::login(None);
    assert_eq!(c.command(COM_PING, b"")[0].1[0], 0);
    // COM_SET_OPTION and COM_DEBUG: EOF.
    assert_eq!(c.command(COM_SET_OPTION, &[1, 0])[0].1, [0xFE, 0, 0, 2, 0]);
    assert_eq!(c.command(COM_DEBUG, b"")[0].1[0], 0xFE);
    assert_eq!(c.command(COM_FIELD_LIST, b"t\0")[0].1[0], 0xFE);
    let stats = c.command(COM_STATISTICS, b"");
    assert!(stats[0]
        .1
        .starts_with(b"Uptime: 0  Threads: 1  Questions: "));
    // Unknown and empty commands.
    let r = c.command(0x7A, b"");
    assert_eq!(err_code(&r[0].1), Some(1047));
    assert_eq!(&r[0].1[3..], b"#08S01Unknown command");
    assert_eq!(err_code(&c.command(COM_SLEEP, b"")[0].1), Some(1047));
    let (p, r) = c.send(&frame(0, b""));
    assert!(!p.close);
    assert_eq!(err_code(&r[0].1), Some(1047));
    // Invalid UTF-8 in a statement.
    let r = c.command(COM_QUERY, b"select '\xff\xfe'");
    assert_eq!(err_code(&r[0].1), Some(1300));
    // Unknown statement ids.
    let r = c.command(COM_STMT_EXECUTE, &[9, 0, 0, 0, 0, 1, 0, 0, 0]);
    assert_eq!(err_code(&r[0].1), Some(1243));
    assert_eq!(
        &r[0].1[9..],
        b"Unknown prepared statement handler (9) given to mysqld_stmt_execute"
    );
    assert_eq!(
        err_code(&c.command(COM_STMT_RESET, &[9, 0, 0, 0])[0].1),
        Some(1243)
    );
    assert_eq!(
        err_code(&c.command(COM_STMT_EXECUTE, &[9])[0].1),
        Some(1210)
    );
    // No replies.
    assert!(c.command(COM_STMT_CLOSE, &[9, 0, 0, 0]).is_empty());
    assert!(c
        .command(COM_STMT_SEND_LONG_DATA, &[9, 0, 0, 0, 0, 0, 1])
        .is_empty());
    assert!(c.command(COM_STMT_CLOSE, b"").is_empty());
    // COM_RESET_CONNECTION: OK.
    assert_eq!(c.command(COM_RESET_CONNECTION, b"")[0].1[0], 0);
    // COM_QUIT: no reply, close.
    let (p, r) = c.send(&frame(0, &[COM_QUIT]));
    assert!(p.close);
    assert!(r.is_empty());
}

#[test]
fn out_of_order_command_closes() {
    let mut c = Client::login(None);
    let (p, r) = c.send(&frame(5, &[COM_PING]));
    assert!(p.close);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].0, 6);
    assert_eq!(err_code(&r[0].1), Some(1156));
    assert_eq!(&r[0].1[3..], b"#08S01Got packets out of order");
}

#[test]
fn packet_bigger_than_max_allowed_packet() {
    let mut c = Client::login(None);
    // 64 MiB + 1 declared over five physical packets; refused at the fifth header, with
    // the bodies of the first four (64 MiB - 4) buffered as the protocol requires.
    let mut input = Vec::with_capacity(4 * (MAX_PAYLOAD + 4) + 4);
    for seq in 0..4u8 {
        input.extend_from_slice(&[0xFF, 0xFF, 0xFF, seq]);
        input.resize(input.len() + MAX_PAYLOAD, b' ');
    }
    input.extend_from_slice(&[5, 0, 0, 4]);
    assert_eq!(4 * MAX_PAYLOAD + 5, DEFAULT_MAX_ALLOWED_PACKET + 1);
    let (p, out) = c.feed(&input);
    assert!(p.close);
    let r = packets(&out);
    assert_eq!(err_code(&r[0].1), Some(1153));
    assert_eq!(
        &r[0].1[3..],
        b"#08S01Got a packet bigger than 'max_allowed_packet' bytes"
    );

    // A smaller limit, refused from the first header.
    let mut c = Client::login(None);
    c.settings.max_allowed_packet = 1024;
    let (p, out) = c.feed(&[0x01, 0x04, 0, 0, COM_QUERY]);
    assert!(p.close);
    assert_eq!(err_code(&packets(&out)[0].1), Some(1153));
    // Exactly the limit is fine.
    let mut c = Client::login(None);
    c.settings.max_allowed_packet = 1024;
    let mut q = vec![COM_QUERY];
    q.resize(1024, b' ');
    let (p, r) = c.send(&frame(0, &q));
    assert!(!p.close);
    assert_eq!(r[0].0, 1);
}

#[test]
fn split_command_packet_is_joined() {
    let mut c = Client::login(None);
    // A COM_QUERY of exactly 0xFFFFFF bytes arrives as a full packet plus an empty one;
    // the reply continues the sequence (seq 2).
    let mut q = vec![COM_QUERY];
    q.extend_from_slice(b"select 1 ");
    q.resize(MAX_PAYLOAD, b' ');
    let input = frame(0, &q);
    assert_eq!(input.len(), MAX_PAYLOAD + 8);
    let (p, r) = c.send(&input);
    assert!(!p.close);
    // The result set of `select 1`: count, column, EOF, row, EOF.
    assert_eq!(r.len(), 5);
    assert_eq!(r[0].0, 2);
    assert_eq!(r[3].1, b"\x011");
}

#[test]
fn refusal() {
    let p = refusal_packet(1040, "08004", "Too many connections");
    assert_eq!(p[3], 0);
    assert_eq!(&p[4..], b"\xff\x10\x04#08004Too many connections");
}

#[test]
fn lenenc_claiming_huge_lengths() {
    // COM_STMT_EXECUTE-like and handshake bodies with lenenc lengths of 2^64 - 1.
    let (mut c, _) = Client::new(None);
    let mut resp = Vec::new();
    put_u32(&mut resp, client_caps());
    put_u32(&mut resp, 0);
    resp.push(45);
    resp.extend_from_slice(&[0; 23]);
    resp.extend_from_slice(b"root\0");
    resp.push(0xFE);
    put_u64(&mut resp, u64::MAX);
    let (p, r) = c.send(&frame(1, &resp));
    assert!(p.close);
    assert_eq!(err_code(&r[0].1), Some(1043));
}

#[test]
fn session_status_in_ok() {
    let mut c = Client::login(None);
    let r = c.command(COM_PING, b"");
    let mut rd = Reader::new(&r[0].1);
    rd.u8().unwrap();
    rd.lenenc_int().unwrap();
    rd.lenenc_int().unwrap();
    assert_eq!(rd.u16(), Ok(SERVER_STATUS_AUTOCOMMIT));
}

#[test]
fn engine_errors_keep_the_connection() {
    let mut c = Client::login(None);
    let r = c.query("SELECT * FROM no_such_table_anywhere");
    assert_eq!(r.len(), 1);
    assert!(err_code(&r[0].1).is_some());
    assert_eq!(c.command(COM_PING, b"")[0].1[0], 0);
}
