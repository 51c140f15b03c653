//! A minimal QMP client (QEMU's JSON monitor protocol over a Unix socket): enough to
//! stop the guest and save a range of its memory to a file. Replies are one JSON object
//! per line; asynchronous events (`"event"`) are skipped, and a reply is recognised by
//! its top-level `"return"` or `"error"` key.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// How long one command may take (saving megabytes of memory under TCG included).
const REPLY_TIMEOUT: Duration = Duration::from_secs(60);
/// Poll interval while QEMU has not created the socket yet.
const CONNECT_POLL: Duration = Duration::from_millis(50);

/// QEMU's arguments for a QMP server on `socket` that does not wait for a client.
pub fn qemu_args(socket: &Path) -> Vec<String> {
    vec![
        "-qmp".into(),
        format!("unix:{},server=on,wait=off", socket.display()),
    ]
}

/// A QMP session in command mode.
pub struct Qmp {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

impl Qmp {
    /// Connects to `socket` (retrying until `timeout` while QEMU starts) and leaves
    /// capabilities negotiation.
    pub fn connect(socket: &Path, timeout: Duration) -> Result<Qmp> {
        let deadline = Instant::now() + timeout;
        let stream = loop {
            match UnixStream::connect(socket) {
                Ok(stream) => break stream,
                Err(e) if Instant::now() >= deadline => {
                    return Err(e).with_context(|| format!("QMP: connect {}", socket.display()))
                }
                Err(_) => std::thread::sleep(CONNECT_POLL),
            }
        };
        stream.set_read_timeout(Some(REPLY_TIMEOUT))?;
        let mut qmp = Qmp {
            reader: BufReader::new(stream.try_clone()?),
            writer: stream,
        };
        let greeting = qmp.read_line()?;
        if !greeting.contains("\"QMP\"") {
            bail!("QMP: unexpected greeting {greeting:?}");
        }
        qmp.execute(r#"{"execute":"qmp_capabilities"}"#)?;
        Ok(qmp)
    }

    /// Pauses the guest's CPUs.
    pub fn stop(&mut self) -> Result<()> {
        self.execute(r#"{"execute":"stop"}"#).map(drop)
    }

    /// Saves `size` bytes of guest virtual memory at `address` (CPU 0's page tables)
    /// to `file` (written by QEMU).
    pub fn memsave(&mut self, address: u64, size: u64, file: &Path) -> Result<()> {
        let filename = file.to_str().context("QMP: memsave path is not UTF-8")?;
        if filename.contains(['"', '\\']) {
            bail!("QMP: memsave path {filename:?} needs JSON escaping");
        }
        let command = format!(
            r#"{{"execute":"memsave","arguments":{{"val":{address},"size":{size},"filename":"{filename}","cpu-index":0}}}}"#
        );
        self.execute(&command).map(drop)
    }

    /// Sends `command` and returns its `"return"` reply line.
    fn execute(&mut self, command: &str) -> Result<String> {
        self.writer.write_all(command.as_bytes())?;
        self.writer.write_all(b"\n")?;
        loop {
            let line = self.read_line()?;
            if line.starts_with("{\"return\"") {
                return Ok(line);
            }
            if line.starts_with("{\"error\"") {
                bail!("QMP: {command} failed: {line}");
            }
        }
    }

    fn read_line(&mut self) -> Result<String> {
        let mut line = String::new();
        let n = self.reader.read_line(&mut line).context("QMP: read")?;
        if n == 0 {
            bail!("QMP: QEMU closed the monitor");
        }
        Ok(line.trim().to_string())
    }
}
