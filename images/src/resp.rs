//! A minimal RESP client: just enough to check that a server answers.

use anyhow::{bail, Context, Result};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// How long one request may take before the server counts as not answering.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

/// Sends `PING` and expects `+PONG`.
pub fn ping(mut stream: TcpStream) -> Result<()> {
    let reply = command(&mut stream, &["PING"])?;
    if reply != "+PONG" {
        bail!("PING answered {reply:?}");
    }
    Ok(())
}

/// Sends one command as a RESP array and returns the first reply line (e.g. `+OK`, `$3`,
/// `:1`); for a bulk string (`$n`) the payload is returned as `$payload`.
pub fn command(stream: &mut TcpStream, args: &[&str]) -> Result<String> {
    stream.set_read_timeout(Some(REPLY_TIMEOUT))?;
    let mut req = format!("*{}\r\n", args.len());
    for a in args {
        req.push_str(&format!("${}\r\n{a}\r\n", a.len()));
    }
    stream
        .write_all(req.as_bytes())
        .context("send RESP request")?;
    let line = read_line(stream)?;
    if let Some(len) = line.strip_prefix('$') {
        let len: i64 = len
            .parse()
            .with_context(|| format!("bad bulk length in {line:?}"))?;
        if len < 0 {
            return Ok("$-1".into());
        }
        let payload = read_line(stream)?;
        return Ok(format!("${payload}"));
    }
    Ok(line)
}

fn read_line(stream: &mut TcpStream) -> Result<String> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        let n = stream.read(&mut byte).context("read RESP reply")?;
        if n == 0 {
            bail!(
                "connection closed after {:?}",
                String::from_utf8_lossy(&line)
            );
        }
        if byte[0] == b'\n' {
            break;
        }
        line.push(byte[0]);
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(String::from_utf8_lossy(&line).into_owned())
}
