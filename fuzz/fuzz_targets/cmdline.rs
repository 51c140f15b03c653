//! The kernel command line: the parser (`unikernel/kernel/src/boot/cmdline.rs`) and the
//! kernel's network settings built on it (`unikernel/kernel/src/net/config.rs`), compiled
//! from the kernel's own source files (the kernel crate itself builds only for ring 0).
//! A bad value must be an error (exit code 0x15 at boot), never a panic.
#![no_main]

extern crate alloc;

use libfuzzer_sys::fuzz_target;

/// The kernel's `boot::cmdline`, from its source.
#[path = "../../unikernel/kernel/src/boot/cmdline.rs"]
pub mod cmdline;
/// The kernel's `net::config`, from its source.
#[path = "../../unikernel/kernel/src/net/config.rs"]
pub mod net_config;

/// The module paths the kernel sources use (`crate::boot::cmdline`).
mod boot {
    pub use crate::cmdline;
}

use boot::cmdline::{CommandLine, KERNEL_KEYS};

/// Keys the appliance declares (unikernel/appliance/src/settings.rs).
const APP_KEYS: &[&str] = &[
    "port",
    "sqlport",
    "sqlpassword",
    "maxclients",
    "maxmemory",
    "requirepass",
    "syscall",
    "server",
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    // The boot command line lives for the whole boot: 'static.
    let text: &'static str = Box::leak(text.to_owned().into_boxed_str());
    let cmdline = CommandLine::parse(text);
    for (key, _) in KERNEL_KEYS {
        let _ = cmdline.get(key);
        let _ = cmdline
            .parse_or(key, 0u16, "a number")
            .map_err(|e| e.to_string());
        let _ = cmdline.parse_or(key, 0usize, "a number");
        let _ = cmdline.choice(key, &["irq", "poll", "info", ""]);
    }
    for key in APP_KEYS {
        let _ = cmdline.parse_or(key, 0u64, "a number");
    }
    // The appliance's sizes (`maxmemory=64mb`, `maxallowedpacket=`).
    for key in ["maxmemory", "maxallowedpacket"] {
        if let Some(value) = cmdline.get(key) {
            let _ = dbserver::config::parse_size(value);
        }
    }
    let unknown = cmdline.unknown_keys(APP_KEYS).count();
    assert!(unknown <= text.len());
    match net_config::NetConfig::from_command_line(&cmdline) {
        Ok(Some(config)) => {
            assert!(config.maxconn > 0, "maxconn=0 accepted");
            assert!(config.socket_buffer_bytes >= 1460, "tiny sockbuf accepted");
            assert!(
                config.mac.is_none_or(|mac| mac[0] & 1 == 0),
                "multicast MAC"
            );
        }
        Ok(None) => {}
        Err(bad) => drop(bad.to_string()),
    }
    drop(cmdline);
    // SAFETY: `text` came from `Box::leak` above and nothing borrows it any more (the
    // command line and every value taken from it are gone), so the box is reclaimed once.
    drop(unsafe { Box::from_raw(text as *const str as *mut str) });
});
