//! Decoding the kernel's sample buffer (`ring0db_kernel::profile::buffer`) from a dump of
//! guest memory. The word layout mirrors the kernel's; the magic word and the recorded
//! capacity and sample size guard against reading the wrong memory or a stale layout.

use anyhow::{bail, ensure, Result};

/// `"R0PROF01"`, the buffer's first word.
pub const MAGIC: u64 = u64::from_le_bytes(*b"R0PROF01");
/// Words before the first sample.
pub const HEADER_WORDS: usize = 16;
/// Bytes of the header.
pub const HEADER_BYTES: usize = HEADER_WORDS * 8;

const H_MAGIC: usize = 0;
const H_CAPACITY: usize = 1;
const H_SAMPLE_WORDS: usize = 2;
const H_HZ: usize = 3;
const H_WRITTEN: usize = 4;
const H_DROPPED: usize = 5;
const H_HANDLER_RSP_MIN: usize = 6;
const H_HANDLER_RSP_MAX: usize = 7;
const H_IST_START: usize = 8;
const H_IST_END: usize = 9;
const H_OFF_IST: usize = 10;

/// Sample flag: the CPU was idling.
pub const FLAG_IDLE: u64 = 1 << 0;
/// Sample flag: the interrupted code was an interrupt handler (ran on an IST stack).
pub const FLAG_IN_HANDLER: u64 = 1 << 1;
/// Sample flag: the application was inside a kernel call.
pub const FLAG_KERNEL_CALL: u64 = 1 << 3;
const DEPTH_SHIFT: u32 = 8;
const DEPTH_MASK: u64 = 0xff;

/// The buffer's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Samples the buffer holds.
    pub capacity: u64,
    /// Words per sample.
    pub sample_words: u64,
    /// Sampling rate.
    pub hz: u64,
    /// Samples written.
    pub written: u64,
    /// Samples that found the buffer full.
    pub dropped: u64,
    /// Lowest and highest RSP the sampling handler ran at.
    pub handler_rsp: (u64, u64),
    /// The NMI IST stack the handler must run on.
    pub ist: (u64, u64),
    /// Samples whose handler was not on that stack.
    pub off_ist: u64,
}

impl Header {
    /// Decodes the header from the first [`HEADER_BYTES`] of the buffer.
    pub fn decode(bytes: &[u8]) -> Result<Header> {
        ensure!(bytes.len() >= HEADER_BYTES, "profile header: short dump");
        let w = |i: usize| word(bytes, i);
        if w(H_MAGIC) != MAGIC {
            bail!("profile header: no profile buffer here (magic {:#x}); was the image booted with profile=HZ?", w(H_MAGIC));
        }
        let header = Header {
            capacity: w(H_CAPACITY),
            sample_words: w(H_SAMPLE_WORDS),
            hz: w(H_HZ),
            written: w(H_WRITTEN),
            dropped: w(H_DROPPED),
            handler_rsp: (w(H_HANDLER_RSP_MIN), w(H_HANDLER_RSP_MAX)),
            ist: (w(H_IST_START), w(H_IST_END)),
            off_ist: w(H_OFF_IST),
        };
        ensure!(
            header.sample_words >= 2
                && header.sample_words <= 256
                && header.written <= header.capacity,
            "profile header: implausible layout {header:?}"
        );
        Ok(header)
    }

    /// Bytes of the samples written so far.
    pub fn samples_bytes(&self) -> usize {
        (self.written * self.sample_words * 8) as usize
    }

    /// Whether every sample's handler ran inside the NMI IST stack.
    pub fn handler_on_ist(&self) -> bool {
        let inside = |rsp: u64| rsp >= self.ist.0 && rsp < self.ist.1;
        self.written > 0
            && self.off_ist == 0
            && inside(self.handler_rsp.0)
            && inside(self.handler_rsp.1)
    }
}

/// One sample: where the CPU was, and the return addresses of its callers (innermost
/// first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// The interrupted instruction.
    pub rip: u64,
    /// `FLAG_*` bits and the depth.
    pub flags: u64,
    /// Return addresses, innermost first.
    pub callers: Vec<u64>,
}

impl Sample {
    /// The CPU was idling.
    pub fn idle(&self) -> bool {
        self.flags & FLAG_IDLE != 0
    }

    /// The interrupted code was itself an interrupt handler.
    pub fn in_handler(&self) -> bool {
        self.flags & FLAG_IN_HANDLER != 0
    }

    /// The kernel's own mark: kernel work (a kernel call of the application, or an
    /// interrupt handler), as opposed to the application's code.
    pub fn kernel_marked(&self) -> bool {
        self.flags & (FLAG_KERNEL_CALL | FLAG_IN_HANDLER) != 0
    }
}

/// Decodes `header.written` samples from `bytes` (the memory right after the header).
pub fn decode_samples(header: &Header, bytes: &[u8]) -> Result<Vec<Sample>> {
    let words = header.sample_words as usize;
    ensure!(
        bytes.len() >= header.samples_bytes(),
        "profile samples: dump has {} bytes, {} expected",
        bytes.len(),
        header.samples_bytes()
    );
    Ok((0..header.written as usize)
        .map(|index| {
            let chunk = &bytes[index * words * 8..(index + 1) * words * 8];
            let flags = word(chunk, 1);
            let depth = (((flags >> DEPTH_SHIFT) & DEPTH_MASK) as usize).min(words - 2);
            Sample {
                rip: word(chunk, 0),
                flags,
                callers: (0..depth).map(|d| word(chunk, 2 + d)).collect(),
            }
        })
        .collect())
}

fn word(bytes: &[u8], index: usize) -> u64 {
    let mut raw = [0u8; 8];
    raw.copy_from_slice(&bytes[index * 8..index * 8 + 8]);
    u64::from_le_bytes(raw)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Encodes a buffer the way the kernel lays it out.
    pub(crate) fn encode(samples: &[(u64, u64, &[u64])], sample_words: usize) -> Vec<u8> {
        let mut words = vec![0u64; HEADER_WORDS];
        words[H_MAGIC] = MAGIC;
        words[H_CAPACITY] = 1000;
        words[H_SAMPLE_WORDS] = sample_words as u64;
        words[H_HZ] = 1000;
        words[H_WRITTEN] = samples.len() as u64;
        words[H_HANDLER_RSP_MIN] = 0x2100;
        words[H_HANDLER_RSP_MAX] = 0x2f00;
        words[H_IST_START] = 0x2000;
        words[H_IST_END] = 0x3000;
        for (rip, flags, callers) in samples {
            let mut sample = vec![0u64; sample_words];
            sample[0] = *rip;
            sample[1] = flags | (callers.len() as u64) << DEPTH_SHIFT;
            sample[2..2 + callers.len()].copy_from_slice(callers);
            words.extend(sample);
        }
        words.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    #[test]
    fn decodes_header_and_samples_with_their_depth() {
        let bytes = encode(
            &[
                (0x1000, FLAG_IDLE, &[0x2000, 0x3000]),
                (0x1100, FLAG_KERNEL_CALL, &[]),
            ],
            8,
        );
        let header = Header::decode(&bytes).unwrap();
        assert_eq!((header.written, header.hz), (2, 1000));
        assert!(header.handler_on_ist());
        let samples = decode_samples(&header, &bytes[HEADER_BYTES..]).unwrap();
        assert_eq!(samples[0].callers, vec![0x2000, 0x3000]);
        assert!(samples[0].idle() && !samples[1].idle());
        assert!(samples[1].kernel_marked() && !samples[0].kernel_marked());
        assert_eq!(samples[1].rip, 0x1100);
    }

    #[test]
    fn rejects_memory_without_the_magic_and_short_dumps() {
        let mut bytes = encode(&[(0x1000, 0, &[])], 4);
        assert!(decode_samples(
            &Header::decode(&bytes).unwrap(),
            &bytes[HEADER_BYTES..HEADER_BYTES + 8]
        )
        .is_err());
        bytes[0] ^= 0xff;
        assert!(Header::decode(&bytes).is_err());
    }
}
