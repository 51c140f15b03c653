//! Text-protocol result sets from the real SQL engine: column definitions and rows,
//! transaction status flags, the database chosen at handshake, and backpressure on large
//! results.

use super::*;

#[test]
fn text_result_set_from_engine() {
    let mut c = with_table();
    let r = c.query("SELECT id, name, amount, score, note FROM t ORDER BY id");
    let (cols, rows) = result_set(&r);
    let names: Vec<&[u8]> = cols.iter().map(|c| c.name.as_slice()).collect();
    assert_eq!(names, [&b"id"[..], b"name", b"amount", b"score", b"note"]);
    assert_eq!(cols[0].type_code, TYPE_LONG);
    assert_eq!(cols[0].charset, u16::from(CHARSET_BINARY));
    assert_ne!(cols[0].flags & (NOT_NULL_FLAG | PRI_KEY_FLAG | NUM_FLAG), 0);
    assert_eq!(cols[1].type_code, TYPE_VAR_STRING);
    assert_eq!(cols[1].charset, u16::from(CHARSET_UTF8MB4_GENERAL_CI));
    assert_ne!(cols[1].flags & NOT_NULL_FLAG, 0);
    assert_eq!(cols[2].type_code, TYPE_NEWDECIMAL);
    assert_eq!(cols[2].decimals, 2);
    assert_eq!(cols[3].type_code, TYPE_DOUBLE);
    assert_eq!(cols[4].type_code, TYPE_BLOB);
    let s = |v: &str| Some(v.to_string());
    let rows: Vec<_> = rows.iter().map(|r| text_row(r, 5)).collect();
    assert_eq!(
        rows,
        vec![
            vec![s("1"), s("one"), s("1.50"), s("0.5"), None],
            vec![s("2"), s("two"), None, s("-2"), s("x")],
            vec![s("3"), s("three"), s("-3.25"), None, s("")],
        ]
    );
    // Errors keep the connection; the database is remembered.
    let r = c.query("SELECT * FROM nope");
    assert_eq!(err_code(&r[0].1), Some(1146));
    assert_eq!(
        err_code(&c.command(COM_INIT_DB, b"nosuchdb")[0].1),
        Some(1049)
    );
    let (_, rows) = result_set(&c.query("SELECT COUNT(*) FROM t"));
    assert_eq!(text_row(&rows[0], 1), vec![s("3")]);
}

#[test]
fn transaction_status_flags() {
    let mut c = with_table();
    assert_eq!(
        ok_status(&c.query("BEGIN")[0].1),
        SERVER_STATUS_IN_TRANS | SERVER_STATUS_AUTOCOMMIT
    );
    ok_affected(&c.query("UPDATE t SET name = 'uno' WHERE id = 1")[0].1);
    assert_eq!(ok_status(&c.query("COMMIT")[0].1), SERVER_STATUS_AUTOCOMMIT);
}

#[test]
fn handshake_selects_database() {
    let mut c = with_table();
    c.conn.close(&mut c.engine);
    // A second connection on the same engine names the database in its handshake.
    let mut out = Vec::new();
    let conn = MysqlConn::new(8, 1, &mut out);
    let mut c2 = Client {
        conn,
        engine: core::mem::take(&mut c.engine),
        settings: ProtocolSettings::default(),
        salt: Vec::new(),
    };
    let resp = handshake_response(b"root", b"", Some(b"d"), b"mysql_native_password");
    let (p, r) = c2.send(&frame(1, &resp));
    assert!(!p.close);
    assert_eq!(r[0].1[0], 0);
    let (_, rows) = result_set(&c2.query("SELECT name FROM t WHERE id = 2"));
    assert_eq!(text_row(&rows[0], 1), vec![Some("two".to_string())]);
}

#[test]
fn large_result_streams_with_backpressure() {
    let mut c = with_table();
    for chunk in 0..20 {
        let values: Vec<String> = (0..100)
            .map(|i| {
                let id = 100 + chunk * 100 + i;
                alloc::format!("({id}, 'name {id}', {id}.5, {id}, 'some note text for row {id}')")
            })
            .collect();
        let sql = alloc::format!("INSERT INTO t VALUES {}", values.join(", "));
        assert_eq!(ok_affected(&c.query(&sql)[0].1), 100);
    }
    // A SELECT of 2003 rows pipelined with a PING, against a 4 KiB high-water mark.
    let mut input = frame(0, b"\x03SELECT * FROM t ORDER BY id");
    input.extend_from_slice(&frame(0, &[COM_PING]));
    let mut all = Vec::new();
    let mut pos = 0;
    let mut calls = 0;
    loop {
        let mut out = Vec::new();
        let p = c
            .conn
            .process(&input[pos..], &mut c.engine, &c.settings, &mut out, 4096);
        assert!(!p.close);
        assert!(out.len() < 4096 + 512);
        pos += p.consumed;
        all.extend_from_slice(&out);
        calls += 1;
        if !p.held_back {
            break;
        }
        // The PING waits for the rows.
        assert!(pos < input.len());
    }
    assert_eq!(pos, input.len());
    assert!(calls > 20);
    let r = packets(&all);
    let ping = r.last().unwrap().clone();
    assert_eq!((ping.0, ping.1[0]), (1, 0));
    let (_, rows) = result_set(&r[..r.len() - 1]);
    assert_eq!(rows.len(), 2003);
    assert_eq!(text_row(&rows[2002], 5)[1], Some("name 2099".to_string()));
}

#[test]
fn trailing_nul_of_a_statement_is_ignored() {
    let mut c = Client::login(None);
    let (_, rows) = result_set(&c.command(COM_QUERY, b"SELECT 1 AS one\0"));
    assert_eq!(text_row(&rows[0], 1), vec![Some("1".to_string())]);
    let (id, _, _) = prepare(&mut c, "SELECT ? AS x\0");
    assert!(id > 0);
}
