//! Prepared statements over the wire: COM_STMT_PREPARE/EXECUTE with binary rows and
//! long data past the limit.

use super::*;

#[test]
fn prepared_statements_binary_rows() {
    let mut c = with_table();
    let (ins, nparams, cols) = prepare(
        &mut c,
        "INSERT INTO t (id, name, amount, score) VALUES (?, ?, ?, ?)",
    );
    assert_eq!((nparams, cols.len()), (4, 0));
    let body = execute_body(
        ins,
        &[
            (TYPE_LONGLONG, Some(10i64.to_le_bytes().to_vec())),
            (TYPE_VAR_STRING, Some(lenenc(b"ten"))),
            (TYPE_NEWDECIMAL, Some(lenenc(b"10.25"))),
            (TYPE_DOUBLE, None),
        ],
        true,
    );
    assert_eq!(ok_affected(&c.command(COM_STMT_EXECUTE, &body)[0].1), 1);
    // Second execution: types not re-sent; name from long data.
    c.command(
        COM_STMT_SEND_LONG_DATA,
        &[&ins.to_le_bytes()[..], &[1, 0], b"elev"].concat(),
    );
    c.command(
        COM_STMT_SEND_LONG_DATA,
        &[&ins.to_le_bytes()[..], &[1, 0], b"en"].concat(),
    );
    let mut body = Vec::new();
    put_u32(&mut body, ins);
    body.push(0);
    put_u32(&mut body, 1);
    body.push(0b0000_0100); // amount NULL
    body.push(0);
    body.extend_from_slice(&11i64.to_le_bytes());
    body.extend_from_slice(&1.5f64.to_le_bytes());
    assert_eq!(ok_affected(&c.command(COM_STMT_EXECUTE, &body)[0].1), 1);

    let (sel, nparams, cols) = prepare(
        &mut c,
        "SELECT id, name, amount, score FROM t WHERE id >= ? ORDER BY id",
    );
    assert_eq!((nparams, cols.len()), (1, 4));
    let body = execute_body(
        sel,
        &[(TYPE_LONG, Some(10i32.to_le_bytes().to_vec()))],
        true,
    );
    let (cols, rows) = result_set(&c.command(COM_STMT_EXECUTE, &body));
    assert_eq!(cols.len(), 4);
    assert_eq!(rows.len(), 2);
    // Row 10: id LONG, name, amount, score NULL. Bitmap: 4 columns + 2 -> 1 byte; column 3 -> bit 5.
    let mut r = Reader::new(&rows[0]);
    assert_eq!(r.u8(), Ok(0));
    assert_eq!(r.u8(), Ok(1 << 5));
    assert_eq!(r.u32(), Ok(10));
    assert_eq!(r.lenenc_bytes(), Ok(&b"ten"[..]));
    assert_eq!(r.lenenc_bytes(), Ok(&b"10.25"[..]));
    assert!(r.is_empty());
    let mut r = Reader::new(&rows[1]);
    assert_eq!(r.u8(), Ok(0));
    assert_eq!(r.u8(), Ok(1 << 4));
    assert_eq!(r.u32(), Ok(11));
    assert_eq!(r.lenenc_bytes(), Ok(&b"eleven"[..]));
    assert_eq!(r.u64(), Ok(1.5f64.to_bits()));
    assert!(r.is_empty());

    // Short NULL bitmap / truncated values: 1210, connection stays.
    let r = c.command(COM_STMT_EXECUTE, &execute_body(sel, &[], false));
    assert_eq!(err_code(&r[0].1), Some(1210));
    let mut short = execute_body(sel, &[(TYPE_LONG, Some(vec![1, 0, 0, 0]))], true);
    short.truncate(short.len() - 2);
    assert_eq!(
        err_code(&c.command(COM_STMT_EXECUTE, &short)[0].1),
        Some(1210)
    );
    // Reset, close; then the id is unknown.
    assert_eq!(c.command(COM_STMT_RESET, &sel.to_le_bytes())[0].1[0], 0);
    assert!(c.command(COM_STMT_CLOSE, &sel.to_le_bytes()).is_empty());
    let r = c.command(COM_STMT_EXECUTE, &execute_body(sel, &[], false));
    assert_eq!(err_code(&r[0].1), Some(1243));
}

#[test]
fn long_data_past_the_limit_fails_one_execution() {
    let mut c = Client::login(None);
    c.settings.max_allowed_packet = 100;
    let (id, _, _) = prepare(&mut c, "SELECT ? AS x");
    let chunk = [&id.to_le_bytes()[..], &[0, 0], &[b'a'; 60]].concat();
    assert!(c.command(COM_STMT_SEND_LONG_DATA, &chunk).is_empty());
    assert!(c.command(COM_STMT_SEND_LONG_DATA, &chunk).is_empty());
    let body = execute_body(id, &[(TYPE_VAR_STRING, Some(lenenc(b"v")))], true);
    let r = c.command(COM_STMT_EXECUTE, &body);
    assert_eq!(err_code(&r[0].1), Some(1210));
    // The next execution runs with its own value.
    let (_, rows) = result_set(&c.command(COM_STMT_EXECUTE, &body));
    assert_eq!(rows[0], [0, 0, 1, b'v']);
    // Long data within the limit is used once.
    assert!(c.command(COM_STMT_SEND_LONG_DATA, &chunk).is_empty());
    let (_, rows) = result_set(&c.command(COM_STMT_EXECUTE, &body));
    assert_eq!(rows[0].len(), 3 + 60);
    let (_, rows) = result_set(&c.command(COM_STMT_EXECUTE, &body));
    assert_eq!(rows[0], [0, 0, 1, b'v']);
}
