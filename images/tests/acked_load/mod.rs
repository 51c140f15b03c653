//! A write load that records every acknowledged write, for the crash tests of the
//! durability log on real VMs (the unikernel in `unikernel/harness/tests/durability.rs`,
//! the Linux guest in `images/tests/linux_guest_durability.rs`, which both include this
//! file). Each connection runs `SET k<id>:<i> v<i>`, `INCR n<id>`, `LPUSH l<id> <i>` in
//! turn and keeps what the server acknowledged; after QEMU is killed, [`check`] asks the
//! rebooted server for every one of them.
#![allow(dead_code)]

use ring0db_images::resp::command_within;
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long one reply may take (TCG on a loaded machine, a flush per group) before the
/// connection counts as dead.
pub const REPLY_LIMIT: Duration = Duration::from_secs(60);
/// How often the main thread looks at the load's progress.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// One command, its reply as one line (`+OK`, `-ERR ...`, `:1`, `$payload`, `$-1`, `*n`),
/// or `None` when the connection is closed or fails before a whole reply arrived.
pub fn request(stream: &mut TcpStream, args: &[&str]) -> Option<String> {
    command_within(stream, args, REPLY_LIMIT).ok()
}

/// [`request`] on a live server: panics when the connection fails.
pub fn must(stream: &mut TcpStream, args: &[&str]) -> String {
    request(stream, args).unwrap_or_else(|| panic!("{args:?}: no reply"))
}

/// An integer reply's value.
pub fn int(reply: &str) -> i64 {
    reply
        .strip_prefix(':')
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("not an integer: {reply:?}"))
}

/// What one connection had acknowledged when the server died.
#[derive(Debug, Default)]
pub struct Acked {
    pub sets: Vec<(String, String)>,
    /// The last value `INCR` answered.
    pub counter: i64,
    /// Every element `LPUSH` acknowledged.
    pub pushed: Vec<String>,
}

/// A running load: one thread per connection.
pub struct Load {
    stop: Arc<AtomicBool>,
    rounds: Arc<AtomicU64>,
    streams: Vec<TcpStream>,
    loaders: Vec<JoinHandle<Result<Acked, String>>>,
}

impl Load {
    /// Starts one loader per connection in `streams`.
    pub fn start(streams: Vec<TcpStream>) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let rounds = Arc::new(AtomicU64::new(0));
        let mut kept = Vec::new();
        let mut loaders = Vec::new();
        for (id, stream) in streams.into_iter().enumerate() {
            kept.push(stream.try_clone().expect("clone the stream"));
            let (stop, rounds) = (stop.clone(), rounds.clone());
            loaders.push(std::thread::spawn(move || {
                let acked = load(stream, id, &stop, &rounds);
                if let Err(e) = &acked {
                    eprintln!("loader {id}: {e}");
                }
                acked
            }));
        }
        Load {
            stop,
            rounds,
            streams: kept,
            loaders,
        }
    }

    /// Waits until the connections have completed `target` rounds between them; panics
    /// after `limit` or when a loader stopped.
    pub fn wait_rounds(&self, target: u64, limit: Duration, serial: impl Fn() -> String) {
        let deadline = Instant::now() + limit;
        while self.rounds.load(Ordering::Relaxed) < target {
            let done = self.rounds.load(Ordering::Relaxed);
            assert!(
                Instant::now() < deadline,
                "the load did {done} of {target} rounds in {limit:?}\n{}",
                serial()
            );
            assert!(
                self.loaders.iter().all(|l| !l.is_finished()),
                "a loader stopped early after {done} rounds (its error is on stderr)\n{}",
                serial()
            );
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// Call right before killing the server: from now on a dead connection is expected.
    pub fn expect_death(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    /// After the kill: closes the connections (no reply can come any more) and returns
    /// what each one had acknowledged.
    pub fn finish(self) -> Vec<Acked> {
        assert!(self.stop.load(Ordering::SeqCst), "expect_death first");
        for stream in &self.streams {
            let _ = stream.shutdown(Shutdown::Both);
        }
        self.loaders
            .into_iter()
            .map(|l| {
                l.join()
                    .expect("loader thread")
                    .unwrap_or_else(|e| panic!("{e}"))
            })
            .collect()
    }
}

fn load(
    mut s: TcpStream,
    id: usize,
    stop: &AtomicBool,
    rounds: &AtomicU64,
) -> Result<Acked, String> {
    let mut acked = Acked::default();
    let (counter, list) = (format!("n{id}"), format!("l{id}"));
    for i in 0u64.. {
        let (key, value, element) = (format!("k{id}:{i}"), format!("v{i}"), i.to_string());
        let commands: [&[&str]; 3] = [
            &["SET", &key, &value],
            &["INCR", &counter],
            &["LPUSH", &list, &element],
        ];
        for (n, args) in commands.iter().enumerate() {
            let Some(reply) = request(&mut s, args) else {
                if stop.load(Ordering::SeqCst) {
                    return Ok(acked);
                }
                return Err(format!("connection {id} died before the kill, at {args:?}"));
            };
            match (n, reply.as_str()) {
                (0, "+OK") => acked.sets.push((key.clone(), value.clone())),
                (1, r) if r.starts_with(':') => acked.counter = int(r),
                (2, r) if r.starts_with(':') => acked.pushed.push(element.clone()),
                _ => return Err(format!("{args:?} answered {reply:?}")),
            }
        }
        rounds.fetch_add(1, Ordering::Relaxed);
    }
    unreachable!("the load runs until the connection dies")
}

/// Asks the server behind `s` for every acknowledged write: each `SET`'s value, each
/// counter at least its acknowledged value (at most one more: a write may reach the log
/// without its reply reaching the client), each list holding every acknowledged element.
pub fn check(s: &mut TcpStream, acked: &[Acked]) {
    for (id, a) in acked.iter().enumerate() {
        for (key, value) in &a.sets {
            assert_eq!(must(s, &["GET", key]), format!("${value}"), "{key}");
        }
        let counter = match must(s, &["GET", &format!("n{id}")]).as_str() {
            "$-1" => 0,
            n => n[1..].parse().expect("a counter"),
        };
        assert!(
            (a.counter..=a.counter + 1).contains(&counter),
            "counter n{id}: {counter}, acknowledged {}",
            a.counter
        );
        let list = format!("l{id}");
        let len = int(&must(s, &["LLEN", &list]));
        let acked_len = a.pushed.len() as i64;
        assert!(
            (acked_len..=acked_len + 1).contains(&len),
            "list {list}: {len} elements, acknowledged {acked_len}"
        );
        // LPUSH puts the newest first: the acknowledged elements are the last ones.
        for (pos, element) in a.pushed.iter().rev().enumerate() {
            let at = (len - acked_len + pos as i64).to_string();
            assert_eq!(
                must(s, &["LINDEX", &list, &at]),
                format!("${element}"),
                "{list}[{at}]"
            );
        }
    }
}

/// With `appendfsync always`, every group write so far was flushed: `aof_fsyncs` equals
/// `aof_writes` in one `INFO persistence` reply (one moment), and is not zero.
pub fn assert_every_group_flushed(s: &mut TcpStream) {
    let info = must(s, &["INFO", "persistence"]);
    let field = |name: &str| -> u64 {
        let line = info.lines().find_map(|l| l.strip_prefix(name)).expect(name);
        line.trim_start_matches(':').trim().parse().expect(name)
    };
    let (fsyncs, writes) = (field("aof_fsyncs"), field("aof_writes"));
    assert!(
        fsyncs > 0 && fsyncs == writes,
        "fsyncs {fsyncs}, group writes {writes}"
    );
}
