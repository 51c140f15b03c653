//! A blocking RESP client: one command, one reply, over a `TcpStream` (enough to check that a
//! server answers, and for tests).

use super::codec::{encode_command, parse_reply, Reply};
use anyhow::{bail, Context, Result};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// How long one request may take before the server counts as not answering.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

/// Bytes asked of the socket per read while a reply is incomplete.
const READ_CHUNK: usize = 16 * 1024;

/// Sends `PING` and expects `+PONG`.
pub fn ping(mut stream: TcpStream) -> Result<()> {
    let reply = command(&mut stream, &["PING"])?;
    if reply != "+PONG" {
        bail!("PING answered {reply:?}");
    }
    Ok(())
}

/// Sends one command as a RESP array, reads its whole reply and returns it as one line:
/// `+OK`, `-ERR ...`, `:1`, `$payload` for a bulk string (`$-1` for nil), `*n` for an array
/// of `n` elements (`*-1` for nil).
pub fn command(stream: &mut TcpStream, args: &[&str]) -> Result<String> {
    command_within(stream, args, REPLY_TIMEOUT)
}

/// [`command`] with each read waiting at most `timeout` (for replies a flush or a loaded
/// host may delay past [`REPLY_TIMEOUT`]).
pub fn command_within(stream: &mut TcpStream, args: &[&str], timeout: Duration) -> Result<String> {
    stream.set_read_timeout(Some(timeout))?;
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    let mut req = Vec::new();
    encode_command(&mut req, &args);
    stream.write_all(&req).context("send RESP request")?;
    let mut buf = Vec::new();
    let Some(len) = read_reply(stream, &mut buf)? else {
        bail!(
            "connection closed after {:?}",
            String::from_utf8_lossy(&buf)
        );
    };
    let (reply, _) = parse_reply(&buf[..len])?.context("a complete reply parses")?;
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    Ok(match reply {
        Reply::Simple(s) => format!("+{}", text(s)),
        Reply::Error(s) => format!("-{}", text(s)),
        Reply::Integer(i) => format!(":{i}"),
        Reply::Bulk(None) => "$-1".into(),
        Reply::Bulk(Some(payload)) => format!("${}", text(payload)),
        Reply::Array(None) => "*-1".into(),
        Reply::Array(Some(n)) => format!("*{n}"),
    })
}

/// Reads from `stream` into `buf` until `buf` starts with one complete reply and returns that
/// reply's length in bytes (bytes after it, e.g. of pipelined replies, stay in `buf`);
/// `Ok(None)` when the peer closes the connection first. Fails on a read error (the stream's
/// read timeout included) or a reply that breaks RESP framing.
pub fn read_reply(stream: &mut impl Read, buf: &mut Vec<u8>) -> Result<Option<usize>> {
    let mut chunk = [0u8; READ_CHUNK];
    loop {
        if let Some((_, len)) = parse_reply(buf).with_context(|| {
            format!(
                "malformed RESP reply {:?}",
                String::from_utf8_lossy(&buf[..buf.len().min(200)])
            )
        })? {
            return Ok(Some(len));
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Ok(None),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e).context("read RESP reply"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A peer that hands out its bytes a few at a time, as TCP may.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(out.len()).min(3);
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn reads_pipelined_replies_one_at_a_time() {
        let mut peer = Trickle(b"$5\r\nhello\r\n*2\r\n:1\r\n+OK\r\n");
        let mut buf = Vec::new();
        let first = read_reply(&mut peer, &mut buf).unwrap().unwrap();
        assert_eq!(&buf[..first], b"$5\r\nhello\r\n");
        buf.drain(..first);
        let second = read_reply(&mut peer, &mut buf).unwrap().unwrap();
        assert_eq!(&buf[..second], b"*2\r\n:1\r\n+OK\r\n");
        buf.drain(..second);
        assert_eq!(read_reply(&mut peer, &mut buf).unwrap(), None);
    }

    #[test]
    fn closed_mid_reply_and_garbage_are_reported() {
        let mut buf = Vec::new();
        assert_eq!(
            read_reply(&mut Trickle(b"$5\r\nhel"), &mut buf).unwrap(),
            None
        );
        let mut buf = Vec::new();
        let err = read_reply(&mut Trickle(b"?what\r\n"), &mut buf).unwrap_err();
        assert!(
            format!("{err:#}").contains("malformed RESP reply"),
            "{err:#}"
        );
    }
}
