//! Network settings from the kernel command line.

use core::str::FromStr;

use smoltcp::wire::{Ipv4Address, Ipv4Cidr};

use crate::boot::cmdline::{BadValue, CommandLine};

/// Connections the socket layer accepts at once, unless `maxconn=` says otherwise.
pub const DEFAULT_MAXCONN: usize = 1024;
/// Per-socket receive and send buffer, unless `sockbuf=` says otherwise.
pub const DEFAULT_SOCKET_BUFFER_BYTES: usize = 16 * 1024;
/// Smallest useful socket buffer: one full-sized TCP segment.
const MIN_SOCKET_BUFFER_BYTES: usize = 1460;
/// Largest socket buffer smoltcp's window scaling handles comfortably.
const MAX_SOCKET_BUFFER_BYTES: usize = 16 * 1024 * 1024;

/// How the kernel waits for network work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetMode {
    /// Halt until the NIC interrupts (or a timer deadline passes).
    Irq,
    /// Spin on the NIC's used rings, never halting.
    Poll,
}

/// Parsed from `ip=`, `gw=`, `mac=`, `net=`, `maxconn=` and `sockbuf=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetConfig {
    pub ip: Ipv4Cidr,
    pub gateway: Option<Ipv4Address>,
    pub mac: Option<[u8; 6]>,
    pub mode: NetMode,
    pub maxconn: usize,
    pub socket_buffer_bytes: usize,
}

impl NetConfig {
    /// `Ok(None)` without `ip=` (no network); every present key is validated either way.
    pub fn from_command_line(c: &CommandLine) -> Result<Option<NetConfig>, BadValue> {
        let ip = c.get("ip").map(|value| parse_cidr(c, value)).transpose()?;
        let gateway = c
            .get("gw")
            .map(|value| {
                parse_address(value)
                    .ok_or_else(|| c.bad("gw", value, "an IPv4 address like 172.31.77.1"))
            })
            .transpose()?;
        let mac = c
            .get("mac")
            .map(|value| {
                parse_mac(value).ok_or_else(|| {
                    c.bad("mac", value, "a unicast MAC address like 52:54:00:12:34:56")
                })
            })
            .transpose()?;
        let mode = match c.choice("net", &["irq", "poll"])? {
            Some("poll") => NetMode::Poll,
            _ => NetMode::Irq,
        };
        let maxconn = c.parse_or(
            "maxconn",
            DEFAULT_MAXCONN,
            "a number of connections, at least 1",
        )?;
        if maxconn == 0 {
            return Err(c.bad("maxconn", "0", "a number of connections, at least 1"));
        }
        let sockbuf_expected = "a buffer size in bytes from 1460 to 16777216";
        let socket_buffer_bytes =
            c.parse_or("sockbuf", DEFAULT_SOCKET_BUFFER_BYTES, sockbuf_expected)?;
        if !(MIN_SOCKET_BUFFER_BYTES..=MAX_SOCKET_BUFFER_BYTES).contains(&socket_buffer_bytes) {
            return Err(c.bad("sockbuf", c.get("sockbuf").unwrap_or(""), sockbuf_expected));
        }
        let Some(ip) = ip else {
            return Ok(None);
        };
        if let Some(gateway) = gateway {
            if !ip.contains_addr(&gateway) {
                let expected = alloc::format!("an IPv4 address inside {}", ip.network());
                return Err(c.bad("gw", c.get("gw").unwrap_or(""), &expected));
            }
        }
        Ok(Some(NetConfig {
            ip,
            gateway,
            mac,
            mode,
            maxconn,
            socket_buffer_bytes,
        }))
    }
}

fn parse_cidr(c: &CommandLine, value: &str) -> Result<Ipv4Cidr, BadValue> {
    let bad = || {
        c.bad(
            "ip",
            value,
            "an IPv4 address with a prefix length, like 172.31.77.2/24",
        )
    };
    let (address, prefix) = value.split_once('/').ok_or_else(bad)?;
    let address = parse_address(address).ok_or_else(bad)?;
    let prefix = u8::from_str(prefix)
        .ok()
        .filter(|p| *p <= 32)
        .ok_or_else(bad)?;
    if address.is_unspecified() || address.is_broadcast() || address.is_multicast() {
        return Err(bad());
    }
    Ok(Ipv4Cidr::new(address, prefix))
}

fn parse_address(value: &str) -> Option<Ipv4Address> {
    Ipv4Address::from_str(value).ok()
}

/// Six colon-separated hex bytes; multicast (group bit set) is rejected.
fn parse_mac(value: &str) -> Option<[u8; 6]> {
    let mut mac = [0u8; 6];
    let mut parts = value.split(':');
    for byte in &mut mac {
        let part = parts.next()?;
        if part.len() != 2 {
            return None;
        }
        *byte = u8::from_str_radix(part, 16).ok()?;
    }
    let unicast = mac[0] & 1 == 0;
    (parts.next().is_none() && unicast).then_some(mac)
}
