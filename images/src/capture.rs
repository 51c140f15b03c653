//! Capturing a QEMU pipe (the serial console, QEMU's stderr) in memory: reader threads
//! append to a [`Capture`], waiters search it line by line with a deadline.

use std::fs::File;
use std::io::{Read, Write};
use std::process::{ChildStderr, ChildStdout};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A pipe's bytes so far, with a condition variable that wakes waiters on new data.
#[derive(Default)]
pub(crate) struct Capture {
    state: Mutex<CaptureState>,
    cond: Condvar,
}

#[derive(Default)]
pub(crate) struct CaptureState {
    /// Everything read so far.
    pub(crate) bytes: Vec<u8>,
    /// Offset after the line last returned by `wait_for_line`.
    cursor: usize,
    /// The pipe has been read to its end.
    pub(crate) eof: bool,
}

impl Capture {
    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, CaptureState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn wait<'a>(
        &self,
        guard: std::sync::MutexGuard<'a, CaptureState>,
        timeout: Duration,
    ) -> std::sync::MutexGuard<'a, CaptureState> {
        match self.cond.wait_timeout(guard, timeout) {
            Ok((g, _)) => g,
            Err(e) => e.into_inner().0,
        }
    }

    pub(crate) fn append(&self, data: &[u8]) {
        self.lock().bytes.extend_from_slice(data);
        self.cond.notify_all();
    }

    /// Waits (bounded) until the pipe has been read to its end.
    pub(crate) fn wait_eof(&self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        let mut st = self.lock();
        while !st.eof {
            let now = Instant::now();
            if now >= deadline {
                return;
            }
            st = self.wait(st, deadline - now);
        }
    }

    pub(crate) fn close(&self) {
        self.lock().eof = true;
        self.cond.notify_all();
    }
}

impl CaptureState {
    /// The first complete line after the cursor containing `needle` (at EOF also the final
    /// partial line); advances the cursor past it.
    pub(crate) fn take_line_containing(&mut self, needle: &str) -> Option<String> {
        let mut start = self.cursor;
        while start < self.bytes.len() {
            let rest = &self.bytes[start..];
            let (line, next) = match rest.iter().position(|&b| b == b'\n') {
                Some(i) => (&rest[..i], start + i + 1),
                None if self.eof => (rest, self.bytes.len()),
                None => return None,
            };
            let text = String::from_utf8_lossy(line);
            if text.contains(needle) {
                self.cursor = next;
                return Some(text.trim_end_matches('\r').to_owned());
            }
            start = next;
        }
        None
    }
}

pub(crate) fn spawn_serial_reader(
    mut out: ChildStdout,
    cap: Arc<Capture>,
    mut log: File,
    echo: bool,
) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        loop {
            match out.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let _ = log.write_all(&buf[..n]);
                    if echo {
                        let mut stdout = std::io::stdout().lock();
                        let _ = stdout.write_all(&buf[..n]);
                        let _ = stdout.flush();
                    }
                    cap.append(&buf[..n]);
                }
            }
        }
        let _ = log.flush();
        cap.close();
    })
}

pub(crate) fn spawn_stderr_reader(mut err: ChildStderr, cap: Arc<Capture>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = err.read(&mut buf) {
            cap.append(&buf[..n]);
        }
        cap.close();
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_found_in_order_after_the_cursor() {
        let mut st = CaptureState {
            bytes: b"boot\r\nready 1\nready 2\npart".to_vec(),
            ..Default::default()
        };
        assert_eq!(st.take_line_containing("ready").as_deref(), Some("ready 1"));
        assert_eq!(st.take_line_containing("ready").as_deref(), Some("ready 2"));
        assert_eq!(st.take_line_containing("part"), None);
        st.eof = true;
        assert_eq!(st.take_line_containing("part").as_deref(), Some("part"));
        assert_eq!(st.take_line_containing("boot"), None);
    }
}
