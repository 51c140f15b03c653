//! Generic response packets: OK, ERR and EOF.

use super::consts::{
    EOF_HEADER, ERR_HEADER, MAX_ERROR_MESSAGE, OK_HEADER, SERVER_STATUS_AUTOCOMMIT,
    SERVER_STATUS_IN_TRANS, SQLSTATE_GENERAL,
};
use super::packet::write_packet;
use super::wire::{put_lenenc_bytes, put_lenenc_int, put_u16};
use crate::sql::Session;
use alloc::vec::Vec;

/// The status flags of OK and EOF packets for `session`.
pub fn status_flags(session: &Session) -> u16 {
    let mut flags = 0;
    if session.autocommit() {
        flags |= SERVER_STATUS_AUTOCOMMIT;
    }
    if session.in_transaction() {
        flags |= SERVER_STATUS_IN_TRANS;
    }
    flags
}

/// The payload of an OK packet.
pub fn put_ok(
    out: &mut Vec<u8>,
    affected_rows: u64,
    last_insert_id: u64,
    status: u16,
    warnings: u16,
    info: &str,
) {
    out.push(OK_HEADER);
    put_lenenc_int(out, affected_rows);
    put_lenenc_int(out, last_insert_id);
    put_u16(out, status);
    put_u16(out, warnings);
    // The protocol documentation calls the info "string<EOF>" without
    // CLIENT_SESSION_TRACK, but MySQL's server (net_store_data) and every client library
    // (read_ok_ex, ma_read_ok_packet) use a length-encoded string.
    if !info.is_empty() {
        put_lenenc_bytes(out, info.as_bytes());
    }
}

/// The payload of an ERR packet (protocol 4.1: with SQLSTATE). The message is cut at
/// [`MAX_ERROR_MESSAGE`] bytes (on a character boundary); a SQLSTATE that is not five
/// ASCII characters becomes HY000.
pub fn put_err(out: &mut Vec<u8>, code: u16, sqlstate: &str, message: &str) {
    out.push(ERR_HEADER);
    put_u16(out, code);
    out.push(b'#');
    let state = if sqlstate.len() == 5 && sqlstate.is_ascii() {
        sqlstate
    } else {
        SQLSTATE_GENERAL
    };
    out.extend_from_slice(state.as_bytes());
    let mut end = message.len().min(MAX_ERROR_MESSAGE);
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    out.extend_from_slice(message.as_bytes().get(..end).unwrap_or_default());
}

/// The payload of a (classic) EOF packet.
pub fn put_eof(out: &mut Vec<u8>, warnings: u16, status: u16) {
    out.push(EOF_HEADER);
    put_u16(out, warnings);
    put_u16(out, status);
}

/// A whole ERR packet.
pub fn err_packet(out: &mut Vec<u8>, seq: &mut u8, code: u16, sqlstate: &str, message: &str) {
    write_packet(out, seq, |p| put_err(p, code, sqlstate, message));
}

/// A whole EOF packet.
pub fn eof_packet(out: &mut Vec<u8>, seq: &mut u8, status: u16) {
    write_packet(out, seq, |p| put_eof(p, 0, status));
}

/// A whole OK packet without affected rows or info.
pub fn ok_packet(out: &mut Vec<u8>, seq: &mut u8, status: u16) {
    write_packet(out, seq, |p| put_ok(p, 0, 0, status, 0, ""));
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

    #[test]
    fn err_layout() {
        let mut out = Vec::new();
        put_err(&mut out, 1064, "42000", "bad");
        assert_eq!(out, b"\xff\x28\x04#42000bad");
        out.clear();
        put_err(&mut out, 1, "x", "");
        assert_eq!(out, b"\xff\x01\x00#HY000");
    }

    #[test]
    fn err_message_cut_on_char_boundary() {
        let long: String = core::iter::repeat_n('é', 400).collect();
        let mut out = Vec::new();
        put_err(&mut out, 1, "HY000", &long);
        let msg = &out[9..];
        assert!(msg.len() <= MAX_ERROR_MESSAGE);
        assert!(core::str::from_utf8(msg).is_ok());
    }

    #[test]
    fn ok_layout() {
        let mut out = Vec::new();
        put_ok(&mut out, 300, 7, 2, 1, "Rows matched: 1");
        assert_eq!(&out[..9], &[0, 0xFC, 0x2C, 0x01, 7, 2, 0, 1, 0]);
        assert_eq!(&out[9..], b"\x0fRows matched: 1");
    }
}
