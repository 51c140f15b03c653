//! One connection's thread: writes a batch of `pipeline` requests, reads and checks every
//! reply (`ReplyReader` parses them in place from one receive buffer), and keeps its own
//! latency histogram, counts and error samples for [`super::run`] to merge.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use super::{IO_TIMEOUT, MAX_ERROR_SAMPLES, RECV_BUFFER_BYTES};
use crate::metrics::{self, LatencyHistogram};
use crate::workload::{self, OpMix, Workload};
use crate::zipf::{FastRng, KeyChooser};
use ring0db_images::resp::{self, Reply};

pub(super) fn sleep_until(t: Instant) {
    let now = Instant::now();
    if t > now {
        thread::sleep(t - now);
    }
}

#[derive(Clone, Copy)]
pub(super) struct Window {
    pub(super) start: Instant,
    pub(super) measure_start: Instant,
    pub(super) end: Instant,
}

#[derive(Clone, Copy)]
pub(super) struct OpenLoop {
    pub(super) interval: Duration,
    pub(super) phase: Duration,
}

#[derive(Default)]
pub(super) struct WorkerOut {
    pub(super) hist: LatencyHistogram,
    pub(super) ops: u64,
    pub(super) errors: u64,
    pub(super) cpu_s: f64,
    pub(super) error_samples: Vec<String>,
}

impl WorkerOut {
    fn error(&mut self, message: impl FnOnce() -> String) {
        self.errors += 1;
        if self.error_samples.len() < MAX_ERROR_SAMPLES {
            self.error_samples.push(message());
        }
    }
}

/// One request in flight: what was asked.
#[derive(Clone, Copy)]
struct Expect {
    get: bool,
    key: u64,
}

/// One connection's state.
pub(super) struct Conn<'a> {
    pub(super) stream: TcpStream,
    pub(super) workload: &'a Workload,
    pub(super) chooser: &'a KeyChooser,
    pub(super) rng: FastRng,
    pub(super) version_base: u32,
    pub(super) seq: u32,
    pub(super) reader: ReplyReader,
    pub(super) out: WorkerOut,
}

/// Versions are `(connection mod 255 + 1) << 24 | sequence`: they differ between (up to 255)
/// connections and are never 0, the preload's version. Checking does not depend on uniqueness.
const VERSION_SEQ_BITS: u32 = 24;

impl<'a> Conn<'a> {
    pub(super) fn new(
        stream: TcpStream,
        workload: &'a Workload,
        chooser: &'a KeyChooser,
        index: u32,
        seed: u64,
    ) -> Self {
        Self {
            stream,
            workload,
            chooser,
            rng: FastRng::new(seed),
            version_base: (index % 255 + 1) << VERSION_SEQ_BITS,
            seq: 0,
            reader: ReplyReader::new(),
            out: WorkerOut::default(),
        }
    }

    pub(super) fn drive(&mut self, window: Window, schedule: Option<OpenLoop>) {
        let pipeline = self.workload.pipeline as usize;
        let read_ratio = self.workload.mix.read_ratio();
        let always_get = self.workload.mix == OpMix::Get;
        let (mut out, mut key, mut value) = (Vec::new(), Vec::new(), Vec::new());
        let mut expects: Vec<Expect> = Vec::with_capacity(pipeline);
        let mut cpu_at_start: Option<f64> = None;
        let mut batch: u32 = 0;
        loop {
            let intended = match schedule {
                None => Instant::now(),
                Some(s) => window.start + s.phase + s.interval * batch,
            };
            // Stop at the end of the window in real time too: an open-loop connection that fell
            // behind its schedule does not keep sending its backlog (those requests are
            // missing from the histogram, as with wrk2).
            if intended >= window.end || Instant::now() >= window.end {
                break;
            }
            sleep_until(intended);
            batch = batch.wrapping_add(1);
            let measured = intended >= window.measure_start;
            if measured && cpu_at_start.is_none() {
                cpu_at_start = Some(metrics::thread_cpu_s().unwrap_or(0.0));
            }
            out.clear();
            expects.clear();
            for _ in 0..pipeline {
                let key_id = self.chooser.next_key(&mut self.rng);
                let get = always_get || (read_ratio > 0.0 && self.rng.next_f64() < read_ratio);
                workload::key_name(key_id, &mut key);
                if get {
                    resp::encode_get(&mut out, &key);
                } else {
                    let version = self.version_base | (self.seq & ((1 << VERSION_SEQ_BITS) - 1));
                    self.seq = self.seq.wrapping_add(1);
                    workload::make_value(key_id, version, self.workload.value_size, &mut value);
                    resp::encode_set(&mut out, &key, &value);
                }
                expects.push(Expect { get, key: key_id });
            }
            if let Err(e) = self.stream.write_all(&out) {
                self.fail_batch(pipeline, &format!("write failed: {e}"));
                break;
            }
            if let Err(e) = self.read_batch(&expects, intended, measured, window.end) {
                break_with(&mut self.out, e);
                break;
            }
        }
        if let Some(start) = cpu_at_start {
            self.out.cpu_s = (metrics::thread_cpu_s().unwrap_or(start) - start).max(0.0);
        }
    }

    /// Reads and checks every reply of the batch; `Err` ends the connection.
    fn read_batch(
        &mut self,
        expects: &[Expect],
        sent: Instant,
        measured: bool,
        end: Instant,
    ) -> Result<(), (usize, String)> {
        let value_size = self.workload.value_size;
        for (i, exp) in expects.iter().enumerate() {
            let out = &mut self.out;
            let checked = self.reader.next_reply(&mut self.stream, |reply| {
                Ok(check_reply(exp.get, exp.key, &reply, value_size))
            });
            match checked {
                Ok(Ok(())) => {
                    let now = self.reader.last_read;
                    if measured && now <= end {
                        out.ops += 1;
                        out.hist
                            .record_us(now.saturating_duration_since(sent).as_micros() as u64);
                    }
                }
                Ok(Err(message)) => out.error(|| message),
                Err(e) => return Err((expects.len() - i, e)),
            }
        }
        Ok(())
    }

    fn fail_batch(&mut self, outstanding: usize, message: &str) {
        break_with(&mut self.out, (outstanding, message.to_string()));
    }
}

fn break_with(out: &mut WorkerOut, (outstanding, message): (usize, String)) {
    for _ in 0..outstanding.max(1) {
        out.error(|| message.clone());
    }
}

/// Checks one reply: a SET must answer `+OK`, a GET a well-formed value of the key it asked for.
pub fn check_reply(
    get: bool,
    key: u64,
    reply: &Reply<'_>,
    value_size: usize,
) -> Result<(), String> {
    let exp = Expect { get, key };
    match (exp.get, reply) {
        (false, Reply::Simple(b"OK")) => Ok(()),
        (false, other) => Err(format!("SET key {} answered {}", exp.key, describe(other))),
        (true, Reply::Bulk(Some(value))) => workload::check_value(exp.key, value, value_size)
            .map_err(|e| format!("GET key {}: {e}", exp.key)),
        (true, other) => Err(format!("GET key {} answered {}", exp.key, describe(other))),
    }
}

/// A short printable description of a reply for error messages.
pub fn describe(reply: &Reply<'_>) -> String {
    const SHOWN_BYTES: usize = 40;
    let show = |b: &[u8]| String::from_utf8_lossy(&b[..b.len().min(SHOWN_BYTES)]).into_owned();
    match reply {
        Reply::Simple(s) => format!("+{}", show(s)),
        Reply::Error(s) => format!("-{}", show(s)),
        Reply::Integer(i) => format!(":{i}"),
        Reply::Bulk(None) => "nil".to_string(),
        Reply::Bulk(Some(b)) => format!("${} {:?}", b.len(), show(b)),
        Reply::Array(n) => format!("array {n:?}"),
    }
}

/// Buffers a socket's bytes and hands out one parsed reply at a time.
pub(super) struct ReplyReader {
    buf: Vec<u8>,
    start: usize,
    end: usize,
    last_read: Instant,
}

impl ReplyReader {
    pub(super) fn new() -> Self {
        Self {
            buf: vec![0; RECV_BUFFER_BYTES],
            start: 0,
            end: 0,
            last_read: Instant::now(),
        }
    }

    /// Reads until one complete reply is buffered and passes it to `f`.
    pub(super) fn next_reply<T>(
        &mut self,
        stream: &mut TcpStream,
        f: impl FnOnce(Reply<'_>) -> Result<T, String>,
    ) -> Result<T, String> {
        loop {
            match resp::parse_reply(&self.buf[self.start..self.end]) {
                Ok(Some((reply, used))) => {
                    let result = f(reply);
                    self.start += used;
                    if self.start == self.end {
                        self.start = 0;
                        self.end = 0;
                    }
                    return result;
                }
                Ok(None) => self.fill(stream)?,
                Err(e) => return Err(format!("protocol error: {e}")),
            }
        }
    }

    fn fill(&mut self, stream: &mut TcpStream) -> Result<(), String> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        match stream.read(&mut self.buf[self.end..]) {
            Ok(0) => Err("server closed the connection".to_string()),
            Ok(n) => {
                self.end += n;
                self.last_read = Instant::now();
                Ok(())
            }
            Err(e)
                if e.kind() == io::ErrorKind::WouldBlock || e.kind() == io::ErrorKind::TimedOut =>
            {
                Err(format!("no reply within {IO_TIMEOUT:?}"))
            }
            Err(e) => Err(format!("read failed: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_replies() {
        let mut v = Vec::new();
        workload::make_value(5, 3, 32, &mut v);
        assert_eq!(check_reply(true, 5, &Reply::Bulk(Some(&v)), 32), Ok(()));
        assert_eq!(check_reply(false, 5, &Reply::Simple(b"OK"), 32), Ok(()));
        // Another key's value, a nil, a wrong size, an error reply and a bad SET answer fail.
        assert!(check_reply(true, 6, &Reply::Bulk(Some(&v)), 32).is_err());
        assert_eq!(
            check_reply(true, 5, &Reply::Bulk(None), 32),
            Err("GET key 5 answered nil".to_string())
        );
        assert!(check_reply(true, 5, &Reply::Bulk(Some(&v)), 33).is_err());
        assert!(check_reply(true, 5, &Reply::Error(b"ERR"), 32).is_err());
        assert_eq!(
            check_reply(false, 5, &Reply::Error(b"OOM"), 32),
            Err("SET key 5 answered -OOM".to_string())
        );
        assert!(check_reply(false, 5, &Reply::Simple(b"QUEUED"), 32).is_err());
    }
}
