//! Packet framing: a 3-byte little-endian payload length and a 1-byte sequence id per
//! physical packet. A logical packet of 0xFFFFFF bytes or more is split into physical
//! packets of 0xFFFFFF bytes followed by a shorter one (possibly empty).
//!
//! Reading checks every header as soon as it is visible: a wrong sequence id or a
//! declared total past `max_allowed_packet` is an error before any body is buffered.

use super::wire::put_u24;
use alloc::borrow::Cow;
use alloc::vec::Vec;

/// Largest payload of one physical packet; a payload this long continues in the next one.
pub const MAX_PAYLOAD: usize = 0xFF_FFFF;
/// Bytes of a physical packet header.
pub const HEADER_LEN: usize = 4;

/// Offset of the sequence id in a physical packet header.
const SEQ_OFFSET: usize = 3;

/// The sequence id of the physical packet starting `input`, if its header is there.
pub fn header_seq(input: &[u8]) -> Option<u8> {
    input.get(SEQ_OFFSET).copied()
}

/// One complete logical packet at the start of the input.
#[derive(Debug, PartialEq, Eq)]
pub struct Frame<'a> {
    /// The payload, joined when it spanned several physical packets.
    pub payload: Cow<'a, [u8]>,
    /// Input bytes the packet occupied (headers included).
    pub consumed: usize,
    /// Sequence id following the packet's last physical packet.
    pub next_seq: u8,
}

/// A framing error; the stream is unusable afterwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// A physical packet carried `got` where `expected` was due.
    OutOfOrder { got: u8, expected: u8 },
    /// The declared logical packet is larger than the limit.
    TooLarge,
}

/// Read one logical packet whose first physical packet must carry `seq`. `Ok(None)`: the
/// packet is incomplete (nothing consumed).
pub fn read_frame(input: &[u8], seq: u8, max_len: usize) -> Result<Option<Frame<'_>>, FrameError> {
    let mut pos = 0usize;
    let mut total = 0usize;
    let mut expected = seq;
    let mut chunks = 0usize;
    loop {
        let Some(header) = pos
            .checked_add(HEADER_LEN)
            .and_then(|end| input.get(pos..end))
        else {
            return Ok(None);
        };
        let (len, got) = match header {
            [a, b, c, s] => (
                usize::from(*a) | usize::from(*b) << 8 | usize::from(*c) << 16,
                *s,
            ),
            _ => return Ok(None),
        };
        if got != expected {
            return Err(FrameError::OutOfOrder { got, expected });
        }
        total = total.checked_add(len).ok_or(FrameError::TooLarge)?;
        if total > max_len {
            return Err(FrameError::TooLarge);
        }
        let body_end = pos
            .checked_add(HEADER_LEN)
            .and_then(|p| p.checked_add(len))
            .ok_or(FrameError::TooLarge)?;
        if input.len() < body_end {
            return Ok(None);
        }
        pos = body_end;
        expected = expected.wrapping_add(1);
        chunks += 1;
        if len < MAX_PAYLOAD {
            break;
        }
    }
    let payload = if chunks == 1 {
        Cow::Borrowed(input.get(HEADER_LEN..pos).unwrap_or(&[]))
    } else {
        let mut joined = Vec::with_capacity(total);
        let mut p = 0usize;
        while p < pos {
            let len = input.get(p..p.saturating_add(3)).map_or(0, |h| {
                h.iter()
                    .rev()
                    .fold(0usize, |acc, &b| acc << 8 | usize::from(b))
            });
            let start = p.saturating_add(HEADER_LEN);
            let end = start.saturating_add(len);
            joined.extend_from_slice(input.get(start..end).unwrap_or(&[]));
            p = end;
        }
        Cow::Owned(joined)
    };
    Ok(Some(Frame {
        payload,
        consumed: pos,
        next_seq: expected,
    }))
}

/// Write one logical packet: `body` appends the payload to `out`; the header is filled in
/// afterwards (and the payload split when it reaches [`MAX_PAYLOAD`]). Advances `seq`.
pub fn write_packet(out: &mut Vec<u8>, seq: &mut u8, body: impl FnOnce(&mut Vec<u8>)) {
    let start = out.len();
    out.extend_from_slice(&[0; HEADER_LEN]);
    body(out);
    let payload_start = start + HEADER_LEN;
    let len = out.len().saturating_sub(payload_start);
    if len < MAX_PAYLOAD {
        if let Some(h) = out.get_mut(start..payload_start) {
            let [a, b, c, _] = (len as u32).to_le_bytes();
            h.copy_from_slice(&[a, b, c, *seq]);
        }
        *seq = seq.wrapping_add(1);
        return;
    }
    // Rare: re-frame a payload of 16 MiB or more into several physical packets.
    let payload = out.split_off(payload_start);
    out.truncate(start);
    let mut chunks = payload.chunks(MAX_PAYLOAD);
    let mut last_len = 0;
    for chunk in chunks.by_ref() {
        put_u24(out, chunk.len() as u32);
        out.push(*seq);
        *seq = seq.wrapping_add(1);
        out.extend_from_slice(chunk);
        last_len = chunk.len();
    }
    if last_len == MAX_PAYLOAD {
        put_u24(out, 0);
        out.push(*seq);
        *seq = seq.wrapping_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn framed(payload: &[u8], seq: u8) -> Vec<u8> {
        let mut out = Vec::new();
        let mut s = seq;
        write_packet(&mut out, &mut s, |o| o.extend_from_slice(payload));
        out
    }

    #[test]
    fn small_packet_round_trip() {
        let wire = framed(b"\x03select 1", 0);
        assert_eq!(&wire[..4], &[9, 0, 0, 0]);
        let f = read_frame(&wire, 0, 1 << 20).unwrap().unwrap();
        assert_eq!(&*f.payload, b"\x03select 1");
        assert_eq!(f.consumed, wire.len());
        assert_eq!(f.next_seq, 1);
    }

    #[test]
    fn incomplete_consumes_nothing() {
        let wire = framed(b"hello", 0);
        for cut in 0..wire.len() {
            assert_eq!(read_frame(&wire[..cut], 0, 100), Ok(None));
        }
    }

    #[test]
    fn wrong_sequence_id() {
        let wire = framed(b"hello", 3);
        assert_eq!(
            read_frame(&wire, 0, 100),
            Err(FrameError::OutOfOrder {
                got: 3,
                expected: 0
            })
        );
        // Detected from the header alone.
        assert!(read_frame(&wire[..4], 0, 100).is_err());
    }

    #[test]
    fn too_large_from_header_alone() {
        let header = [0xFF, 0xFF, 0xFF, 0];
        assert_eq!(read_frame(&header, 0, 1024), Err(FrameError::TooLarge));
        assert_eq!(read_frame(&[11, 0, 0, 0], 0, 10), Err(FrameError::TooLarge));
        assert_eq!(read_frame(&[10, 0, 0, 0], 0, 10), Ok(None));
    }

    #[test]
    fn split_and_joined_at_max_payload() {
        for len in [
            MAX_PAYLOAD - 1,
            MAX_PAYLOAD,
            MAX_PAYLOAD + 1,
            2 * MAX_PAYLOAD,
        ] {
            let payload: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let mut wire = Vec::new();
            let mut seq = 5;
            write_packet(&mut wire, &mut seq, |o| o.extend_from_slice(&payload));
            let chunks = len / MAX_PAYLOAD + 1;
            assert_eq!(wire.len(), len + 4 * chunks);
            assert_eq!(seq, 5 + chunks as u8);
            // Incomplete: the last byte missing.
            assert_eq!(read_frame(&wire[..wire.len() - 1], 5, usize::MAX), Ok(None));
            let f = read_frame(&wire, 5, usize::MAX).unwrap().unwrap();
            assert_eq!(f.consumed, wire.len());
            assert_eq!(f.next_seq, seq);
            assert!(f.payload.as_ref() == payload.as_slice());
            // A limit one byte below the total refuses it.
            assert_eq!(read_frame(&wire, 5, len - 1), Err(FrameError::TooLarge));
        }
    }

    #[test]
    fn continuation_with_wrong_sequence() {
        let mut wire = vec![0xFF, 0xFF, 0xFF, 0];
        wire.resize(4 + MAX_PAYLOAD, 0);
        wire.extend_from_slice(&[0, 0, 0, 7]);
        assert_eq!(
            read_frame(&wire, 0, usize::MAX),
            Err(FrameError::OutOfOrder {
                got: 7,
                expected: 1
            })
        );
    }
}
