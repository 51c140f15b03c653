//! Tests of column definitions, text and binary row encodings and row streaming.

use super::*;
use crate::mysql::packet::read_frame;
use crate::mysql::wire::Reader;
use alloc::string::{String, ToString};
use alloc::vec;

pub(crate) fn col(name: &str, t: SqlType) -> ColumnMeta {
    ColumnMeta {
        name: name.to_string(),
        org_name: name.to_string(),
        table: "t".to_string(),
        org_table: "t".to_string(),
        schema: "d".to_string(),
        sql_type: t,
        nullable: true,
        primary_key: false,
        unique_key: false,
        multiple_key: false,
        auto_increment: false,
    }
}

fn text(v: &Value, t: SqlType) -> String {
    let mut out = Vec::new();
    put_value_text(&mut out, v, t);
    String::from_utf8(out).unwrap()
}

#[test]
fn value_text() {
    assert_eq!(text(&Value::Int(-42), SqlType::BigInt), "-42");
    let dec = |m, s| Value::Decimal {
        mantissa: m,
        scale: s,
    };
    let d = SqlType::Decimal {
        precision: 10,
        scale: 2,
    };
    assert_eq!(text(&dec(12345, 2), d), "123.45");
    assert_eq!(text(&dec(-5, 2), d), "-0.05");
    assert_eq!(text(&dec(5, 0), d), "5");
    assert_eq!(text(&dec(0, 4), d), "0.0000");
    assert_eq!(text(&dec(i128::MIN, 38), d).len(), 41);
    assert_eq!(text(&Value::Double(1.5), SqlType::Double), "1.5");
    assert_eq!(text(&Value::Double(100.0), SqlType::Double), "100");
    assert_eq!(text(&Value::Double(1e20), SqlType::Double), "1e20");
    // As MariaDB prints them.
    for (d, t) in [
        (1e14, "100000000000000"),
        (1e15, "1e15"),
        (1.2345678901234568e17, "1.2345678901234568e17"),
        (1e-5, "0.00001"),
        (1.5e-7, "0.00000015"),
        (1e-15, "0.000000000000001"),
        (1e-16, "1e-16"),
        (-1.5e-20, "-1.5e-20"),
        (1.0 / 3.0, "0.3333333333333333"),
        (0.0, "0"),
    ] {
        assert_eq!(text(&Value::Double(d), SqlType::Double), t);
    }
    assert_eq!(text(&Value::Double(0.1f32 as f64), SqlType::Float), "0.1");
    for (f, t) in [
        (123456789.0f32, "123457000"),
        (2.7182817, "2.71828"),
        (1e20, "1e20"),
        (1.5e-7, "0.00000015"),
        (-2.5, "-2.5"),
    ] {
        assert_eq!(text(&Value::Double(f64::from(f)), SqlType::Float), t);
    }
    assert_eq!(text(&Value::Text(b"abc".to_vec()), SqlType::Text), "abc");
}

#[test]
fn column_definition_layout() {
    let mut c = col("id", SqlType::Int);
    c.nullable = false;
    c.primary_key = true;
    c.auto_increment = true;
    let mut out = Vec::new();
    put_column_definition(&mut out, &c);
    let mut r = Reader::new(&out);
    assert_eq!(r.lenenc_bytes(), Ok(&b"def"[..]));
    assert_eq!(r.lenenc_bytes(), Ok(&b"d"[..]));
    assert_eq!(r.lenenc_bytes(), Ok(&b"t"[..]));
    assert_eq!(r.lenenc_bytes(), Ok(&b"t"[..]));
    assert_eq!(r.lenenc_bytes(), Ok(&b"id"[..]));
    assert_eq!(r.lenenc_bytes(), Ok(&b"id"[..]));
    assert_eq!(r.lenenc_int(), Ok(0x0c));
    assert_eq!(r.u16(), Ok(63));
    assert_eq!(r.u32(), Ok(11));
    assert_eq!(r.u8(), Ok(TYPE_LONG));
    assert_eq!(
        r.u16(),
        Ok(NOT_NULL_FLAG | PRI_KEY_FLAG | AUTO_INCREMENT_FLAG | NUM_FLAG | BINARY_FLAG)
    );
    assert_eq!(r.u8(), Ok(0));
    assert_eq!(r.u16(), Ok(0));
    assert!(r.is_empty());

    let w = wire_type(SqlType::VarChar(10));
    assert_eq!((w.code, w.charset, w.length, w.decimals), (253, 45, 40, 0));
    let w = wire_type(SqlType::Double);
    assert_eq!((w.code, w.charset, w.decimals), (5, 63, 31));
    let w = wire_type(SqlType::Decimal {
        precision: 10,
        scale: 2,
    });
    assert_eq!((w.code, w.length, w.decimals), (246, 12, 2));
    let w = wire_type(SqlType::Text);
    assert_eq!(w.code, 252);
}

#[test]
fn binary_row_layout() {
    let types = [
        SqlType::BigInt,
        SqlType::Int,
        SqlType::SmallInt,
        SqlType::TinyInt,
        SqlType::Double,
        SqlType::Float,
        SqlType::Decimal {
            precision: 5,
            scale: 1,
        },
        SqlType::VarChar(5),
        SqlType::Text,
    ];
    let row = vec![
        Value::Int(-2),
        Value::Int(70000),
        Value::Int(-300),
        Value::Null,
        Value::Double(2.5),
        Value::Double(0.5),
        Value::Decimal {
            mantissa: 15,
            scale: 1,
        },
        Value::Text(b"hey".to_vec()),
        Value::Null,
    ];
    let mut out = Vec::new();
    put_binary_row(&mut out, &row, &types, &mut Vec::new());
    let mut r = Reader::new(&out);
    assert_eq!(r.u8(), Ok(0));
    // 9 columns + 2 offset bits = 11 bits: 2 bytes. Column 3 -> bit 5, column 8 -> bit 10.
    assert_eq!(r.bytes(2), Ok(&[1 << 5, 1 << 2][..]));
    assert_eq!(r.u64(), Ok((-2i64) as u64));
    assert_eq!(r.u32(), Ok(70000));
    assert_eq!(r.u16(), Ok((-300i16) as u16));
    assert_eq!(r.u64(), Ok(2.5f64.to_bits()));
    assert_eq!(r.u32(), Ok(0.5f32.to_bits()));
    assert_eq!(r.lenenc_bytes(), Ok(&b"1.5"[..]));
    assert_eq!(r.lenenc_bytes(), Ok(&b"hey"[..]));
    assert!(r.is_empty());
}

#[test]
fn mismatched_values_do_not_panic() {
    let types = [
        SqlType::TinyInt,
        SqlType::Double,
        SqlType::Int,
        SqlType::BigInt,
    ];
    let row = vec![
        Value::Int(1000),
        Value::Text(b"x".to_vec()),
        Value::Decimal {
            mantissa: i128::MAX,
            scale: 255,
        },
    ];
    let mut out = Vec::new();
    put_binary_row(&mut out, &row, &types, &mut Vec::new());
    put_text_row(&mut out, &row, &types, &mut Vec::new());
}

#[test]
fn stream_respects_high_water() {
    let cols = vec![col("a", SqlType::BigInt), col("b", SqlType::VarChar(20))];
    let rows: Vec<Vec<Value>> = (0..1000)
        .map(|i| vec![Value::Int(i), Value::Text(b"some text".to_vec())])
        .collect();
    let mut out = Vec::new();
    let mut seq = 1;
    let mut s = RowStream::start(&mut out, &mut seq, &cols, rows, RowFormat::Text, 2);
    let mut all = Vec::new();
    let mut rounds = 0;
    loop {
        let done = s.pump(&mut out, &mut seq, 1024, 2);
        assert!(out.len() < 1024 + 64);
        all.extend_from_slice(&out);
        out.clear();
        rounds += 1;
        if done {
            break;
        }
    }
    assert!(rounds > 10);
    // Parse it all back: count, 2 defs, EOF, 1000 rows, EOF.
    let mut pos = 0;
    let mut seq = 1u8;
    let mut packets = Vec::new();
    while pos < all.len() {
        let f = read_frame(&all[pos..], seq, usize::MAX).unwrap().unwrap();
        pos += f.consumed;
        seq = f.next_seq;
        packets.push(f.payload.into_owned());
    }
    assert_eq!(packets.len(), 1 + 2 + 1 + 1000 + 1);
    assert_eq!(packets[0], [2]);
    assert_eq!(packets[3][0], 0xFE);
    assert_eq!(packets[4], b"\x010\x09some text");
    assert_eq!(packets[1004], [0xFE, 0, 0, 2, 0]);
}
