//! The kernel command line: whitespace-separated `key=value` words (a bare `key` is
//! `key=`). The kernel and the application each declare their keys; a key nobody
//! declares is a warning, a malformed value stops the boot.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

/// Keys the kernel itself reads, with their documentation.
pub const KERNEL_KEYS: &[(&str, &str)] = &[
    (
        "log",
        "log level: error, warn, info (default), debug, trace",
    ),
    (
        "test",
        "run an in-kernel test instead of the application (see selftest)",
    ),
    (
        "bench",
        "run an in-kernel benchmark instead of the application: irq, nullcall",
    ),
    (
        "profile",
        "sample RIP and the frame-pointer chain HZ times a second (19-10000) into the profile buffer",
    ),
    (
        "ip",
        "guest IPv4 address and prefix, e.g. 172.31.77.2/24; without it there is no network",
    ),
    (
        "gw",
        "default gateway, e.g. 172.31.77.1 (inside the ip= network)",
    ),
    (
        "mac",
        "override the NIC's MAC address, e.g. 52:54:00:12:34:56 (unicast)",
    ),
    (
        "net",
        "how to wait for the NIC: irq (default: halt until its interrupt) or poll (spin)",
    ),
    (
        "maxconn",
        "concurrent TCP connections the socket layer accepts (default 1024)",
    ),
    (
        "sockbuf",
        "per-socket TCP receive and send buffer in bytes (default 16384)",
    ),
    (
        "echo",
        "port of the built-in TCP echo service (off when absent)",
    ),
    (
        "status",
        "port of the built-in status service: one line of kernel statistics per connection",
    ),
    (
        "ttl",
        "test=net-up: seconds to serve before exiting (default 30)",
    ),
];

/// A parsed command line. Later words override earlier ones.
pub struct CommandLine {
    words: Vec<(&'static str, &'static str)>,
}

/// A value that does not parse; stops the boot.
#[derive(Debug)]
pub struct BadValue {
    pub key: String,
    pub value: String,
    pub expected: String,
}

impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid value `{}` for `{}=` on the kernel command line: expected {}",
            self.value, self.key, self.expected
        )
    }
}

impl CommandLine {
    /// Splits `text` into words.
    pub fn parse(text: &'static str) -> CommandLine {
        let words = text
            .split_ascii_whitespace()
            .map(|word| word.split_once('=').unwrap_or((word, "")))
            .collect();
        CommandLine { words }
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&'static str> {
        self.words
            .iter()
            .rev()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
    }

    /// The value of `key` parsed as `T`, `default` when absent; `expected` describes
    /// valid values for the error.
    pub fn parse_or<T: FromStr>(
        &self,
        key: &str,
        default: T,
        expected: &str,
    ) -> Result<T, BadValue> {
        match self.get(key) {
            None => Ok(default),
            Some(value) => value.parse().map_err(|_| self.bad(key, value, expected)),
        }
    }

    /// The value of `key` if it is one of `choices`.
    pub fn choice(
        &self,
        key: &str,
        choices: &[&'static str],
    ) -> Result<Option<&'static str>, BadValue> {
        match self.get(key) {
            None => Ok(None),
            Some(value) => match choices.iter().find(|c| **c == value) {
                Some(choice) => Ok(Some(choice)),
                None => Err(self.bad(key, value, &alloc::format!("one of {}", choices.join(", ")))),
            },
        }
    }

    /// A [`BadValue`] for `key=value`.
    pub fn bad(&self, key: &str, value: &str, expected: &str) -> BadValue {
        BadValue {
            key: key.to_string(),
            value: value.to_string(),
            expected: expected.to_string(),
        }
    }

    /// Keys present on the command line that are in neither `kernel_keys` nor `app_keys`.
    pub fn unknown_keys<'a>(
        &'a self,
        app_keys: &'a [&'a str],
    ) -> impl Iterator<Item = &'static str> + 'a {
        self.words.iter().map(|(k, _)| *k).filter(move |key| {
            !KERNEL_KEYS.iter().any(|(known, _)| known == key) && !app_keys.contains(key)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_on_whitespace_and_bare_keys_have_empty_values() {
        let c = CommandLine::parse("  log=debug\tquiet ip=10.0.0.2/24  ");
        assert_eq!(c.get("log"), Some("debug"));
        assert_eq!(c.get("quiet"), Some(""));
        assert_eq!(c.get("ip"), Some("10.0.0.2/24"));
        assert_eq!(c.get("gw"), None);
    }

    #[test]
    fn later_words_override_earlier_ones() {
        let c = CommandLine::parse("log=info log=trace");
        assert_eq!(c.get("log"), Some("trace"));
    }

    #[test]
    fn only_the_first_equals_sign_splits() {
        let c = CommandLine::parse("opt=a=b");
        assert_eq!(c.get("opt"), Some("a=b"));
    }

    #[test]
    fn parse_or_uses_the_default_when_absent_and_reports_bad_values() {
        let c = CommandLine::parse("ttl=5 maxconn=many");
        assert_eq!(c.parse_or("ttl", 30u64, "seconds").unwrap(), 5);
        assert_eq!(c.parse_or("sockbuf", 16u64, "bytes").unwrap(), 16);
        let error = c.parse_or("maxconn", 1usize, "a number").unwrap_err();
        assert_eq!(error.key, "maxconn");
        assert_eq!(error.value, "many");
        assert_eq!(
            error.to_string(),
            "invalid value `many` for `maxconn=` on the kernel command line: expected a number"
        );
    }

    #[test]
    fn choice_accepts_only_listed_values() {
        let c = CommandLine::parse("net=poll log=loud");
        assert_eq!(c.choice("net", &["irq", "poll"]).unwrap(), Some("poll"));
        assert_eq!(c.choice("bench", &["irq"]).unwrap(), None);
        let error = c.choice("log", &["info", "debug"]).unwrap_err();
        assert_eq!(error.expected, "one of info, debug");
    }

    #[test]
    fn unknown_keys_are_those_neither_kernel_nor_app_declares() {
        let c = CommandLine::parse("log=info port=6379 colour=blue ip=1.2.3.4/8 x");
        let unknown: Vec<&str> = c.unknown_keys(&["port"]).collect();
        assert_eq!(unknown, ["colour", "x"]);
    }
}
