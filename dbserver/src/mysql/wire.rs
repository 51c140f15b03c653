//! Primitive wire types: fixed-width little-endian integers, length-encoded integers and
//! strings, NUL-terminated strings. The [`Reader`] checks every bound and returns
//! [`Truncated`] instead of panicking.

use super::consts::{LENENC_ONE_BYTE_MAX, LENENC_U16, LENENC_U24, LENENC_U64, NULL_CELL};
use alloc::vec::Vec;

/// The input ended (or a length pointed) past the end of the packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Truncated;

/// A bounds-checked cursor over one packet's payload.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// The next `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], Truncated> {
        let end = self.pos.checked_add(n).ok_or(Truncated)?;
        let s = self.buf.get(self.pos..end).ok_or(Truncated)?;
        self.pos = end;
        Ok(s)
    }

    /// Everything left.
    pub fn rest(&mut self) -> &'a [u8] {
        let s = self.buf.get(self.pos..).unwrap_or(&[]);
        self.pos = self.buf.len();
        s
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Truncated> {
        let s = self.bytes(N)?;
        let mut a = [0u8; N];
        for (d, s) in a.iter_mut().zip(s) {
            *d = *s;
        }
        Ok(a)
    }

    pub fn u8(&mut self) -> Result<u8, Truncated> {
        Ok(self.array::<1>()?[0])
    }
    pub fn u16(&mut self) -> Result<u16, Truncated> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    pub fn u24(&mut self) -> Result<u32, Truncated> {
        let [a, b, c] = self.array()?;
        Ok(u32::from_le_bytes([a, b, c, 0]))
    }
    pub fn u32(&mut self) -> Result<u32, Truncated> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    pub fn u64(&mut self) -> Result<u64, Truncated> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// A length-encoded integer. `0xFB` (NULL) and `0xFF` are not integers: Truncated.
    pub fn lenenc_int(&mut self) -> Result<u64, Truncated> {
        match self.u8()? {
            b if b <= LENENC_ONE_BYTE_MAX => Ok(u64::from(b)),
            LENENC_U16 => Ok(u64::from(self.u16()?)),
            LENENC_U24 => Ok(u64::from(self.u24()?)),
            LENENC_U64 => self.u64(),
            _ => Err(Truncated),
        }
    }

    /// A length-encoded string; a length past the end of the packet is Truncated.
    pub fn lenenc_bytes(&mut self) -> Result<&'a [u8], Truncated> {
        let len = self.lenenc_int()?;
        let len = usize::try_from(len).map_err(|_| Truncated)?;
        self.bytes(len)
    }

    /// A NUL-terminated string (without the NUL); missing NUL is Truncated.
    pub fn nul_terminated(&mut self) -> Result<&'a [u8], Truncated> {
        let rest = self.buf.get(self.pos..).ok_or(Truncated)?;
        let n = rest.iter().position(|&b| b == 0).ok_or(Truncated)?;
        let s = self.bytes(n)?;
        self.pos = self.pos.saturating_add(1);
        Ok(s)
    }

    /// A NUL-terminated string, or the rest of the packet when the NUL is missing.
    pub fn nul_terminated_or_rest(&mut self) -> &'a [u8] {
        match self.nul_terminated() {
            Ok(s) => s,
            Err(Truncated) => self.rest(),
        }
    }
}

// ---- Writers ----

pub fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}
pub fn put_u24(out: &mut Vec<u8>, v: u32) {
    let [a, b, c, _] = v.to_le_bytes();
    out.extend_from_slice(&[a, b, c]);
}
pub fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}
pub fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

pub fn put_lenenc_int(out: &mut Vec<u8>, v: u64) {
    if v <= u64::from(LENENC_ONE_BYTE_MAX) {
        out.push(v as u8);
    } else if let Ok(v) = u16::try_from(v) {
        out.push(LENENC_U16);
        put_u16(out, v);
    } else if v < 1 << 24 {
        out.push(LENENC_U24);
        put_u24(out, v as u32);
    } else {
        out.push(LENENC_U64);
        put_u64(out, v);
    }
}

pub fn put_lenenc_bytes(out: &mut Vec<u8>, s: &[u8]) {
    put_lenenc_int(out, s.len() as u64);
    out.extend_from_slice(s);
}

pub fn put_nul_terminated(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(s);
    out.push(0);
}

/// The NULL cell of a text row.
pub fn put_null_cell(out: &mut Vec<u8>) {
    out.push(NULL_CELL);
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn lenenc_round_trip() {
        for v in [
            0,
            1,
            250,
            251,
            252,
            0xFFFF,
            0x1_0000,
            0xFF_FFFF,
            0x100_0000,
            u64::MAX,
        ] {
            let mut b = Vec::new();
            put_lenenc_int(&mut b, v);
            let mut r = Reader::new(&b);
            assert_eq!(r.lenenc_int(), Ok(v));
            assert!(r.is_empty());
        }
    }

    #[test]
    fn lenenc_truncated_and_huge() {
        assert_eq!(Reader::new(&[]).lenenc_int(), Err(Truncated));
        assert_eq!(Reader::new(&[0xFC, 1]).lenenc_int(), Err(Truncated));
        assert_eq!(Reader::new(&[0xFD, 1, 2]).lenenc_int(), Err(Truncated));
        assert_eq!(
            Reader::new(&[0xFE, 1, 2, 3, 4]).lenenc_int(),
            Err(Truncated)
        );
        assert_eq!(Reader::new(&[0xFB]).lenenc_int(), Err(Truncated));
        assert_eq!(Reader::new(&[0xFF]).lenenc_int(), Err(Truncated));
        // A string claiming u64::MAX bytes.
        let mut b = vec![0xFE];
        b.extend_from_slice(&u64::MAX.to_le_bytes());
        b.extend_from_slice(b"abc");
        assert_eq!(Reader::new(&b).lenenc_bytes(), Err(Truncated));
        // A string claiming one byte more than there is.
        assert_eq!(
            Reader::new(&[4, b'a', b'b', b'c']).lenenc_bytes(),
            Err(Truncated)
        );
        assert_eq!(
            Reader::new(&[3, b'a', b'b', b'c']).lenenc_bytes(),
            Ok(&b"abc"[..])
        );
    }

    #[test]
    fn fixed_and_nul() {
        let mut r = Reader::new(&[1, 2, 3, b'x', 0, b'y']);
        assert_eq!(r.u16(), Ok(0x0201));
        assert_eq!(r.u8(), Ok(3));
        assert_eq!(r.nul_terminated(), Ok(&b"x"[..]));
        assert_eq!(r.nul_terminated(), Err(Truncated));
        assert_eq!(r.nul_terminated_or_rest(), b"y");
        assert_eq!(r.u32(), Err(Truncated));
        assert_eq!(r.bytes(usize::MAX), Err(Truncated));
    }
}
