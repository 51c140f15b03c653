//! Tests of statement ids, parameter decoding and the prepare reply.

use super::*;
use crate::mysql::consts::*;
use crate::mysql::wire::put_u64;
use crate::sql::Value;
use alloc::string::ToString;

/// A statement with `params` placeholders, prepared by the engine.
fn prepared(params: u16) -> Prepared {
    let sql = if params == 0 {
        "SELECT 1".to_string()
    } else {
        alloc::format!("SELECT {}", vec!["?"; usize::from(params)].join(", "))
    };
    let p = crate::sql::Engine::default()
        .prepare(&mut crate::sql::Session::new(1), &sql)
        .unwrap();
    assert_eq!(p.params, params);
    p
}

fn stmt(params: u16) -> Statement {
    Statement::new(prepared(params))
}

fn header(id: u32) -> Vec<u8> {
    let mut b = Vec::new();
    put_u32(&mut b, id);
    b.push(0);
    put_u32(&mut b, 1);
    b
}

#[test]
fn all_types_decode() {
    let mut s = stmt(12);
    let mut b = header(1);
    b.extend_from_slice(&[0b0000_0010, 0]); // param 1 NULL
    b.push(1);
    let types: [(u8, u8); 12] = [
        (TYPE_TINY, 0),
        (TYPE_LONG, 0),
        (TYPE_SHORT, 0x80),
        (TYPE_LONG, 0),
        (TYPE_LONGLONG, 0x80),
        (TYPE_DOUBLE, 0),
        (TYPE_FLOAT, 0),
        (TYPE_NEWDECIMAL, 0),
        (TYPE_VAR_STRING, 0),
        (TYPE_DATETIME, 0),
        (TYPE_TIME, 0),
        (TYPE_DATE, 0),
    ];
    for (t, f) in types {
        b.extend_from_slice(&[t, f]);
    }
    b.push(0xFF); // -1
                  // param 1 is NULL: no bytes
    b.extend_from_slice(&0xFFFFu16.to_le_bytes()); // 65535 unsigned
    b.extend_from_slice(&(-7i32).to_le_bytes());
    put_u64(&mut b, u64::MAX);
    b.extend_from_slice(&2.5f64.to_le_bytes());
    b.extend_from_slice(&0.5f32.to_le_bytes());
    put_lenenc_bytes(&mut b, b"-1.25");
    put_lenenc_bytes(&mut b, b"hello");
    b.extend_from_slice(&[7, 0xE8, 0x07, 1, 2, 3, 4, 5]);
    b.extend_from_slice(&[8, 1, 1, 0, 0, 0, 2, 3, 4]);
    b.extend_from_slice(&[4, 0xE8, 0x07, 12, 31]);
    let v = parse_execute(&b, &mut s).unwrap();
    assert_eq!(
        v,
        vec![
            Value::Int(-1),
            Value::Null,
            Value::Int(65535),
            Value::Int(-7),
            Value::Decimal {
                mantissa: u64::MAX as i128,
                scale: 0
            },
            Value::Double(2.5),
            Value::Double(0.5),
            Value::Decimal {
                mantissa: -125,
                scale: 2
            },
            Value::Text(b"hello".to_vec()),
            Value::Text(b"2024-01-02 03:04:05".to_vec()),
            Value::Text(b"-26:03:04".to_vec()),
            Value::Text(b"2024-12-31".to_vec()),
        ]
    );
    // Every truncation fails cleanly.
    for cut in 0..b.len() {
        let mut s = stmt(12);
        assert_eq!(parse_execute(&b[..cut], &mut s), Err(BadArguments));
    }
}

#[test]
fn types_remembered_and_long_data_first() {
    let mut s = stmt(2);
    let mut b = header(1);
    b.extend_from_slice(&[0, 1, TYPE_LONGLONG, 0, TYPE_VAR_STRING, 0]);
    put_u64(&mut b, 5);
    put_lenenc_bytes(&mut b, b"x");
    assert_eq!(
        parse_execute(&b, &mut s).unwrap(),
        vec![Value::Int(5), Value::Text(b"x".to_vec())]
    );
    // Next execution: types not re-sent; param 1 comes from long data.
    s.reset_long_data();
    assert!(s.append_long_data(1, b"lo"));
    assert!(s.append_long_data(1, b"ng"));
    assert!(!s.append_long_data(9, b"ignored"));
    let mut b = header(1);
    b.extend_from_slice(&[0, 0]);
    put_u64(&mut b, 6);
    assert_eq!(
        parse_execute(&b, &mut s).unwrap(),
        vec![Value::Int(6), Value::Text(b"long".to_vec())]
    );
    // No types ever bound: 1210.
    let mut fresh = stmt(1);
    let mut b = header(1);
    b.extend_from_slice(&[0, 0]);
    assert_eq!(parse_execute(&b, &mut fresh), Err(BadArguments));
}

#[test]
fn long_data_limit_per_connection() {
    let mut st = Statements::default();
    let a = st.insert(prepared(1)).unwrap();
    let b = st.insert(prepared(1)).unwrap();
    st.append_long_data(a, 0, &[0; 60], 100);
    st.append_long_data(b, 0, &[0; 30], 100);
    assert_eq!(st.long_data_bytes(), 90);
    // Past the connection's limit: dropped, the statement's next execution fails.
    st.append_long_data(b, 0, &[0; 30], 100);
    assert_eq!(st.long_data_bytes(), 90);
    assert!(st.get_mut(b).unwrap().long_data_overflow());
    assert!(!st.get_mut(a).unwrap().long_data_overflow());
    st.reset_long_data(b);
    assert!(!st.get_mut(b).unwrap().long_data_overflow());
    assert_eq!(st.long_data_bytes(), 60);
    st.remove(a);
    assert_eq!(st.long_data_bytes(), 0);
    // Unknown statements and parameters hold nothing.
    st.append_long_data(b, 5, &[0; 10], 100);
    st.append_long_data(99, 0, &[0; 10], 100);
    assert_eq!(st.long_data_bytes(), 0);
}

#[test]
fn short_null_bitmap_and_bad_types() {
    let mut s = stmt(9);
    let mut b = header(1);
    b.push(0); // bitmap needs 2 bytes
    assert_eq!(parse_execute(&b, &mut s), Err(BadArguments));
    let mut s = stmt(1);
    let mut b = header(1);
    b.extend_from_slice(&[0, 1, 0x77, 0]); // unknown type
    assert_eq!(parse_execute(&b, &mut s), Err(BadArguments));
    let mut b = header(1);
    b.extend_from_slice(&[0, 1, TYPE_DATETIME, 0, 5, 1, 2, 3, 4, 5]); // bad length
    assert_eq!(parse_execute(&b, &mut s), Err(BadArguments));
    let mut b = header(1);
    b.extend_from_slice(&[
        0, 1, TYPE_BLOB, 0, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F,
    ]);
    assert_eq!(parse_execute(&b, &mut s), Err(BadArguments));
}

#[test]
fn decimals() {
    assert_eq!(
        parse_decimal(b"12.50"),
        Some(Value::Decimal {
            mantissa: 1250,
            scale: 2
        })
    );
    assert_eq!(
        parse_decimal(b"-.5"),
        Some(Value::Decimal {
            mantissa: -5,
            scale: 1
        })
    );
    assert_eq!(parse_decimal(b"."), None);
    assert_eq!(parse_decimal(b"1e5"), None);
    assert_eq!(parse_decimal(b""), None);
    assert_eq!(parse_decimal(&[b'9'; 39]), None);
}

#[test]
fn ids_skip_zero_and_limit() {
    let mut st = Statements::default();
    for i in 1..=MAX_STATEMENTS_PER_CONNECTION as u32 {
        assert_eq!(st.insert(prepared(0)), Some(i));
    }
    assert_eq!(st.insert(prepared(0)), None);
    st.remove(3);
    st.next_id = u32::MAX;
    // Wraps past 0 and past ids in use (1, 2) to 3.
    assert_eq!(st.insert(prepared(0)), Some(3));
}
