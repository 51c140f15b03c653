//! The Linux guests' agent (port [`CPU_AGENT_PORT`], written by the guest's `/init`): one
//! request line per connection, a reply, then the guest closes. `cpu`: the guest-wide
//! `cpu` line of `/proc/stat` and the server's `/proc/PID/stat` (loadgen's user/system
//! split); `perf`: the guest's `perf script` output when booted with `ring0db.perf=HZ`
//! ([`crate::profile::linux`]).

use std::io::{Read, Write};
use std::time::Duration;

use anyhow::{Context, Result};

use crate::netns::{NetAttach, CPU_AGENT_PORT};

/// Sends `request` to the agent of the guest behind `net` and reads its whole reply (at
/// most `max_bytes`), each read waiting at most `timeout`.
pub fn request(
    net: &NetAttach,
    request: &str,
    timeout: Duration,
    max_bytes: u64,
) -> Result<String> {
    let mut stream = net
        .connect_port(CPU_AGENT_PORT, timeout)
        .context("connect to the guest's agent")?;
    stream.set_read_timeout(Some(timeout))?;
    stream
        .write_all(format!("{request}\n").as_bytes())
        .context("send the agent request")?;
    let mut reply = String::new();
    stream
        .take(max_bytes)
        .read_to_string(&mut reply)
        .context("read the agent's reply")?;
    Ok(reply)
}
