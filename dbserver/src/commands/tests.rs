//! Unit tests of command replies, driven through the dispatcher with a fake clock.

use super::*;
use crate::resp::{Limits, Parser};
use crate::sys::{Errno, Event, Fd, Interest, SockAddrV4};
use alloc::string::String;

/// A platform that does nothing; it reports one statistic for `INFO` and has a wall clock
/// (`wall_ms`, `None`: none) the harness keeps in step with its monotonic clock.
struct NullSys {
    wall_ms: Option<u64>,
}

impl Syscalls for NullSys {
    fn socket(&self) -> Result<Fd, Errno> {
        Err(Errno::ENOSYS)
    }
    fn bind(&self, _: Fd, _: SockAddrV4) -> Result<(), Errno> {
        Err(Errno::ENOSYS)
    }
    fn listen(&self, _: Fd, _: u32) -> Result<(), Errno> {
        Err(Errno::ENOSYS)
    }
    fn accept(&self, _: Fd) -> Result<Fd, Errno> {
        Err(Errno::ENOSYS)
    }
    fn recv(&self, _: Fd, _: &mut [u8]) -> Result<usize, Errno> {
        Err(Errno::ENOSYS)
    }
    fn send(&self, _: Fd, _: &[u8]) -> Result<usize, Errno> {
        Err(Errno::ENOSYS)
    }
    fn close(&self, _: Fd) -> Result<(), Errno> {
        Err(Errno::ENOSYS)
    }
    fn poll_ctl(&self, _: Fd, _: Interest) -> Result<(), Errno> {
        Err(Errno::ENOSYS)
    }
    fn poll_wait(&self, _: &mut [Event], _: i32) -> Result<usize, Errno> {
        Err(Errno::ENOSYS)
    }
    fn clock_ns(&self) -> u64 {
        0
    }
    fn realtime_ns(&self) -> Result<u64, Errno> {
        self.wall_ms.map(|ms| ms * 1_000_000).ok_or(Errno::ENOSYS)
    }
    fn log(&self, _: &str) {}
    fn platform_stats(&self, report: &mut dyn FnMut(&str, u64)) {
        report("fake_cycles", 42);
    }
}

struct Harness {
    shared: Shared,
    client: Client,
    dispatcher: Dispatcher,
    now_ms: u64,
    /// The Unix time in ms when `now_ms` is 0 (`None`: the platform has no wall clock).
    wall_offset_ms: Option<u64>,
}

/// The harness's wall clock at `now_ms` 0: 2026-01-01T00:00:00Z.
const WALL_OFFSET_MS: u64 = 1_767_225_600_000;

impl Harness {
    fn new(config: Config) -> Self {
        let authenticated = config.requirepass.is_none();
        Self {
            shared: Shared {
                store: Store::new(),
                config,
                stats: Stats::new(0, COMMANDS.len()),
                sql: crate::sql::Engine::default(),
                log: None,
            },
            client: Client {
                id: 7,
                authenticated,
                ..Client::default()
            },
            dispatcher: Dispatcher::default(),
            now_ms: 1_000_000,
            wall_offset_ms: Some(WALL_OFFSET_MS),
        }
    }

    /// Run one inline command line and return its reply.
    fn run(&mut self, line: &str) -> String {
        let mut input = Vec::from(line.as_bytes());
        input.extend_from_slice(b"\r\n");
        let mut parser = Parser::default();
        let limits = Limits {
            max_bulk_len: usize::MAX,
            unauthenticated: false,
        };
        let n = parser.parse(&input, &limits);
        assert_eq!(n, Ok(Some(input.len())), "{line}");
        let args = parser.args(&input);
        let mut out = Vec::new();
        let sys = NullSys {
            wall_ms: self.wall_offset_ms.map(|w| w + self.now_ms),
        };
        let mut ctx = Ctx {
            shared: &mut self.shared,
            client: &mut self.client,
            sys: &sys,
            now_ms: self.now_ms,
            connected_clients: 1,
            out: &mut out,
        };
        self.dispatcher.execute(&mut ctx, &args);
        String::from_utf8_lossy(&out).into_owned()
    }

    fn check(&mut self, line: &str, want: &str) {
        assert_eq!(self.run(line), want, "reply to {line:?}");
    }
}

fn harness() -> Harness {
    Harness::new(Config::default())
}

mod data_types;
mod expiry;
mod new_commands;
mod resp3_and_mpop;
mod server;
mod suite_fixes;
