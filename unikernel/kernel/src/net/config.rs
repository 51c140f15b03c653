//! Network settings from the kernel command line.

use core::str::FromStr;

use smoltcp::wire::{Ipv4Address, Ipv4Cidr};

use crate::boot::cmdline::{BadValue, CommandLine};

/// Connections the socket layer accepts at once, unless `maxconn=` says otherwise:
/// above dbserver's `maxclients` (10000), so the server itself answers the clients past
/// its limit with its protocol's error. Costs nothing at rest: a connection's buffers
/// (2 × `sockbuf`) are allocated when its handshake starts.
pub const DEFAULT_MAXCONN: usize = 10_240;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &'static str) -> Result<Option<NetConfig>, BadValue> {
        NetConfig::from_command_line(&CommandLine::parse(text))
    }

    fn bad_key(text: &'static str) -> String {
        parse(text).unwrap_err().key
    }

    #[test]
    fn no_ip_means_no_network_but_other_keys_are_still_checked() {
        assert_eq!(parse("log=info").unwrap(), None);
        assert_eq!(parse("net=poll maxconn=4").unwrap(), None);
        assert_eq!(bad_key("net=fast"), "net");
        assert_eq!(bad_key("gw=nonsense"), "gw");
    }

    #[test]
    fn a_full_configuration_parses_with_defaults_filled_in() {
        let config = parse("ip=172.31.77.2/24 gw=172.31.77.1 mac=52:54:00:12:34:56")
            .unwrap()
            .unwrap();
        assert_eq!(
            config.ip,
            Ipv4Cidr::new(Ipv4Address::new(172, 31, 77, 2), 24)
        );
        assert_eq!(config.gateway, Some(Ipv4Address::new(172, 31, 77, 1)));
        assert_eq!(config.mac, Some([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]));
        assert_eq!(config.mode, NetMode::Irq);
        assert_eq!(config.maxconn, DEFAULT_MAXCONN);
        assert_eq!(config.socket_buffer_bytes, DEFAULT_SOCKET_BUFFER_BYTES);

        let config = parse("ip=10.0.0.2/8 net=poll maxconn=7 sockbuf=1460")
            .unwrap()
            .unwrap();
        assert_eq!(config.mode, NetMode::Poll);
        assert_eq!(config.maxconn, 7);
        assert_eq!(config.socket_buffer_bytes, 1460);
        assert_eq!(config.gateway, None);
        assert_eq!(config.mac, None);
    }

    #[test]
    fn ip_needs_a_usable_address_and_a_prefix() {
        for bad in [
            "ip=10.0.0.2",
            "ip=10.0.0.2/33",
            "ip=10.0.0.2/x",
            "ip=10.0.0/24",
            "ip=0.0.0.0/24",
            "ip=255.255.255.255/32",
            "ip=224.0.0.1/4",
        ] {
            assert_eq!(bad_key(bad), "ip", "{bad}");
        }
    }

    #[test]
    fn the_gateway_must_be_inside_the_network() {
        assert_eq!(bad_key("ip=10.0.0.2/24 gw=10.0.1.1"), "gw");
        assert!(parse("ip=10.0.0.2/16 gw=10.0.1.1").unwrap().is_some());
    }

    #[test]
    fn mac_must_be_six_unicast_hex_bytes() {
        for bad in [
            "mac=52:54:00:12:34",
            "mac=52:54:00:12:34:56:78",
            "mac=5:54:00:12:34:56",
            "mac=52:54:00:12:34:zz",
            "mac=01:00:5e:00:00:01",
        ] {
            assert_eq!(bad_key(bad), "mac", "{bad}");
        }
    }

    #[test]
    fn maxconn_and_sockbuf_are_range_checked() {
        assert_eq!(bad_key("ip=10.0.0.2/24 maxconn=0"), "maxconn");
        assert_eq!(bad_key("maxconn=-1"), "maxconn");
        assert_eq!(bad_key("sockbuf=1459"), "sockbuf");
        assert_eq!(bad_key("sockbuf=16777217"), "sockbuf");
        assert!(parse("ip=10.0.0.2/24 sockbuf=16777216").unwrap().is_some());
    }
}
