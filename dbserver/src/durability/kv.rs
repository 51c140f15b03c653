//! The payload of a KV record: one or more Redis commands, each `argc: u32` then every
//! argument as `len: u32` and its bytes (little-endian).

use alloc::vec::Vec;

/// Append one command to a KV payload.
pub fn encode_command(payload: &mut Vec<u8>, args: &[&[u8]]) {
    payload.extend_from_slice(&(args.len() as u32).to_le_bytes());
    for a in args {
        payload.extend_from_slice(&(a.len() as u32).to_le_bytes());
        payload.extend_from_slice(a);
    }
}

/// Bytes [`encode_command`] appends for `args`.
pub fn encoded_len<'a>(args: impl Iterator<Item = &'a [u8]>) -> usize {
    args.fold(4, |n, a| n + 4 + a.len())
}

/// One decoded command: its argument bytes and their ranges (as [`crate::resp::Args`]
/// takes them).
pub type Command = (Vec<u8>, Vec<(usize, usize)>);

/// Decode every command of a KV payload; `None` if it is malformed (a record whose CRC
/// verified but whose payload does not decode was not written by this code).
pub fn decode_commands(payload: &[u8]) -> Option<Vec<Command>> {
    let mut at = 0;
    let mut commands = Vec::new();
    let take_u32 = |at: &mut usize| -> Option<usize> {
        let v = u32::from_le_bytes(payload.get(*at..*at + 4)?.try_into().ok()?);
        *at += 4;
        Some(v as usize)
    };
    while at < payload.len() {
        let argc = take_u32(&mut at)?;
        if argc == 0 || argc > payload.len() {
            return None;
        }
        let mut data = Vec::new();
        let mut ranges = Vec::with_capacity(argc);
        for _ in 0..argc {
            let len = take_u32(&mut at)?;
            let arg = payload.get(at..at.checked_add(len)?)?;
            at += len;
            let start = data.len();
            data.extend_from_slice(arg);
            ranges.push((start, data.len()));
        }
        commands.push((data, ranges));
    }
    Some(commands)
}
