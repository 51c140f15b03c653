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

#[test]
fn ping_echo_quit() {
    let mut h = harness();
    h.check("PING", "+PONG\r\n");
    h.check("ping hi", "$2\r\nhi\r\n");
    h.check(
        "ping a b",
        "-ERR wrong number of arguments for 'ping' command\r\n",
    );
    h.check("ECHO \"a b\"", "$3\r\na b\r\n");
    h.check(
        "echo",
        "-ERR wrong number of arguments for 'echo' command\r\n",
    );
    h.check("quit", "+OK\r\n");
    assert!(h.client.close_after_reply);
}

#[test]
fn unknown_command_text() {
    let mut h = harness();
    h.check(
        "foo a b",
        "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n",
    );
    h.check(
        "foo",
        "-ERR unknown command 'foo', with args beginning with: \r\n",
    );
    h.check(
        "averyveryverylongcommandname",
        "-ERR unknown command 'averyveryverylongcommandname', with args beginning with: \r\n",
    );
    let long = "x".repeat(300);
    let reply = h.run(&alloc::format!("foo {long}"));
    assert!(reply.len() < 300, "{reply}");
}

#[test]
fn strings() {
    let mut h = harness();
    h.check("GET k", "$-1\r\n");
    h.check("SET k v", "+OK\r\n");
    h.check("get k", "$1\r\nv\r\n");
    h.check("SET k w NX", "$-1\r\n");
    h.check("SET k w XX GET", "$1\r\nv\r\n");
    h.check("SET new w XX", "$-1\r\n");
    h.check("SET k w NX XX", "-ERR syntax error\r\n");
    h.check("SET k w EX", "-ERR syntax error\r\n");
    h.check(
        "SET k w EX x",
        "-ERR value is not an integer or out of range\r\n",
    );
    h.check(
        "SET k w EX 0",
        "-ERR invalid expire time in 'set' command\r\n",
    );
    h.check(
        "SET k w EX 9223372036854775807",
        "-ERR invalid expire time in 'set' command\r\n",
    );
    h.check("APPEND k xyz", ":4\r\n");
    h.check("STRLEN k", ":4\r\n");
    h.check("STRLEN nope", ":0\r\n");
    h.check("MSET a 1 b 2", "+OK\r\n");
    h.check(
        "MSET a 1 b",
        "-ERR wrong number of arguments for 'mset' command\r\n",
    );
    h.check("MGET a nope b", "*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n");
}

#[test]
fn counters() {
    let mut h = harness();
    h.check("INCR n", ":1\r\n");
    h.check("INCRBY n 10", ":11\r\n");
    h.check("DECR n", ":10\r\n");
    h.check("DECRBY n 20", ":-10\r\n");
    h.check(
        "INCRBY n x",
        "-ERR value is not an integer or out of range\r\n",
    );
    h.check("SET n 9223372036854775807", "+OK\r\n");
    h.check("INCR n", "-ERR increment or decrement would overflow\r\n");
    h.check(
        "DECRBY n -9223372036854775808",
        "-ERR value is not an integer or out of range\r\n",
    );
    h.check("SET s abc", "+OK\r\n");
    h.check("INCR s", "-ERR value is not an integer or out of range\r\n");
    h.check("LPUSH l a", ":1\r\n");
    h.check(
        "INCR l",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
}

#[test]
fn keys_and_expiry() {
    let mut h = harness();
    h.check("SET a 1 EX 10", "+OK\r\n");
    h.check("TTL a", ":10\r\n");
    h.check("PTTL a", ":10000\r\n");
    h.now_ms += 9_400;
    h.check("TTL a", ":1\r\n");
    h.now_ms += 600;
    h.check("GET a", "$-1\r\n");
    h.check("TTL a", ":-2\r\n");
    h.check("SET b 1", "+OK\r\n");
    h.check("TTL b", ":-1\r\n");
    h.check("EXPIRE b 5", ":1\r\n");
    h.check("EXPIRE nope 5", ":0\r\n");
    h.check(
        "EXPIRE b x",
        "-ERR value is not an integer or out of range\r\n",
    );
    h.check("EXPIRE b 5 NX", ":0\r\n");
    h.check("EXPIRE b 5 FOO", "-ERR Unsupported option FOO\r\n");
    h.check(
        "EXPIRE b 9223372036854775807",
        "-ERR invalid expire time in 'expire' command\r\n",
    );
    h.check("PERSIST b", ":1\r\n");
    h.check("PERSIST b", ":0\r\n");
    h.check("PEXPIRE b 1500", ":1\r\n");
    h.check("PTTL b", ":1500\r\n");
    h.check("EXISTS b b nope", ":2\r\n");
    h.check("TYPE b", "+string\r\n");
    h.check("TYPE nope", "+none\r\n");
    h.check("KEYS *", "*1\r\n$1\r\nb\r\n");
    // Active expiry removes the key without anyone touching it.
    h.now_ms += 2_000;
    assert_eq!(h.shared.store.expire_due(h.now_ms, 100), 1);
    h.check("DBSIZE", ":0\r\n");
    h.check("SET c 1", "+OK\r\n");
    h.check("EXPIRE c -1", ":1\r\n");
    h.check("EXISTS c", ":0\r\n");
    h.check("SET d 1", "+OK\r\n");
    h.check("DEL d d nope", ":1\r\n");
    h.check("SET k v PX 100", "+OK\r\n");
    h.check("SET k v KEEPTTL", "+OK\r\n");
    h.check("PTTL k", ":100\r\n");
    h.check("SET k v", "+OK\r\n");
    h.check("PTTL k", ":-1\r\n");
}

#[test]
fn lists() {
    let mut h = harness();
    h.check("LPUSH l a b c", ":3\r\n");
    h.check("RPUSH l d", ":4\r\n");
    h.check(
        "LRANGE l 0 -1",
        "*4\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nd\r\n",
    );
    h.check("LRANGE l -2 100", "*2\r\n$1\r\na\r\n$1\r\nd\r\n");
    h.check("LRANGE l 5 10", "*0\r\n");
    h.check("LRANGE l 2 1", "*0\r\n");
    h.check("LRANGE l -100 0", "*1\r\n$1\r\nc\r\n");
    h.check(
        "LRANGE l a 1",
        "-ERR value is not an integer or out of range\r\n",
    );
    h.check("LLEN l", ":4\r\n");
    h.check("LPOP l", "$1\r\nc\r\n");
    h.check("RPOP l 2", "*2\r\n$1\r\nd\r\n$1\r\na\r\n");
    h.check(
        "LPOP l -1",
        "-ERR value is out of range, must be positive\r\n",
    );
    h.check("LPOP l 0", "*0\r\n");
    h.check("RPOP l", "$1\r\nb\r\n");
    h.check("LPOP l", "$-1\r\n");
    h.check("LPOP l 2", "*-1\r\n");
    h.check("EXISTS l", ":0\r\n");
    h.check("SET s x", "+OK\r\n");
    h.check(
        "LPUSH s a",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    h.check(
        "LPOP s",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    h.check(
        "LRANGE s 0 1",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
}

#[test]
fn sets_and_hashes() {
    let mut h = harness();
    h.check("SADD s a b a", ":2\r\n");
    h.check("SCARD s", ":2\r\n");
    h.check("SISMEMBER s a", ":1\r\n");
    h.check("SISMEMBER s z", ":0\r\n");
    assert!(h.run("SMEMBERS s").starts_with("*2\r\n"));
    assert!(h.run("SPOP s").starts_with("$1\r\n"));
    assert!(h.run("SPOP s 5").starts_with("*1\r\n"));
    h.check("SPOP s", "$-1\r\n");
    h.check("SPOP s 3", "*0\r\n");
    h.check("SMEMBERS s", "*0\r\n");
    h.check("HSET h f v g w", ":2\r\n");
    h.check("HSET h f v2", ":0\r\n");
    h.check(
        "HSET h f",
        "-ERR wrong number of arguments for 'hset' command\r\n",
    );
    h.check(
        "HSET h f v g",
        "-ERR wrong number of arguments for 'hset' command\r\n",
    );
    h.check("HMSET h x y", "+OK\r\n");
    h.check("HGET h f", "$2\r\nv2\r\n");
    h.check("HGET h nope", "$-1\r\n");
    h.check("HLEN h", ":3\r\n");
    assert!(h.run("HGETALL h").starts_with("*6\r\n"));
    h.check("HDEL h f g nope", ":2\r\n");
    h.check("HDEL h x", ":1\r\n");
    h.check("EXISTS h", ":0\r\n");
    h.check("HGETALL h", "*0\r\n");
    h.check("SADD h a", ":1\r\n");
    h.check(
        "HGET h a",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
}

#[test]
fn sorted_sets() {
    let mut h = harness();
    h.check("ZADD z 1 a 2 b 1.5 c", ":3\r\n");
    h.check("ZADD z 1 a 2", "-ERR syntax error\r\n");
    h.check("ZADD z x a", "-ERR value is not a valid float\r\n");
    h.check("ZADD z nan a", "-ERR value is not a valid float\r\n");
    h.check(
        "ZADD z NX XX 1 a",
        "-ERR XX and NX options at the same time are not compatible\r\n",
    );
    h.check(
        "ZADD z INCR 1 a 2 b",
        "-ERR INCR option supports a single increment-element pair\r\n",
    );
    h.check("ZADD z INCR 2.5 a", "$3\r\n3.5\r\n");
    h.check("ZADD z CH 0 b -inf d", ":2\r\n");
    h.check("ZCARD z", ":4\r\n");
    h.check("ZSCORE z d", "$4\r\n-inf\r\n");
    h.check("ZSCORE z nope", "$-1\r\n");
    h.check(
        "ZRANGE z 0 -1",
        "*4\r\n$1\r\nd\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n",
    );
    h.check(
        "ZRANGE z 0 1 WITHSCORES",
        "*4\r\n$1\r\nd\r\n$4\r\n-inf\r\n$1\r\nb\r\n$1\r\n0\r\n",
    );
    h.check("ZRANGE z 0 0 REV", "*1\r\n$1\r\na\r\n");
    h.check("ZRANGE z 0 0 BYSCORE", "*1\r\n$1\r\nb\r\n");
    h.check("ZPOPMIN z", "*2\r\n$1\r\nd\r\n$4\r\n-inf\r\n");
    h.check(
        "ZPOPMIN z 10",
        "*6\r\n$1\r\nb\r\n$1\r\n0\r\n$1\r\nc\r\n$3\r\n1.5\r\n$1\r\na\r\n$3\r\n3.5\r\n",
    );
    h.check("ZPOPMIN z", "*0\r\n");
    h.check("ZCARD z", ":0\r\n");
    h.check("SET s x", "+OK\r\n");
    h.check(
        "ZADD s 1 a",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
}

#[test]
fn server_commands() {
    let mut h = harness();
    h.check("SELECT 0", "+OK\r\n");
    h.check("SELECT 1", "-ERR DB index is out of range\r\n");
    h.check(
        "SELECT x",
        "-ERR value is not an integer or out of range\r\n",
    );
    h.check("CONFIG GET save", "*2\r\n$4\r\nsave\r\n$0\r\n\r\n");
    h.check(
        "CONFIG GET appendonly",
        "*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n",
    );
    h.check("CONFIG GET nothing", "*0\r\n");
    assert!(h.run("CONFIG GET max*").starts_with("*6\r\n"));
    h.check("CONFIG SET maxmemory 1mb", "+OK\r\n");
    assert_eq!(h.shared.config.maxmemory, 1 << 20);
    h.check(
        "CONFIG SET maxclients 0",
        "-ERR CONFIG SET failed (possibly related to argument 'maxclients') - Invalid argument '0'\r\n",
    );
    h.check(
        "CONFIG SET bogus 1",
        "-ERR Unknown option or number of arguments for CONFIG SET - 'bogus'\r\n",
    );
    h.check(
        "CONFIG FOO",
        "-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n",
    );
    h.check(
        "CONFIG GET",
        "-ERR wrong number of arguments for 'config|get' command\r\n",
    );
    h.check("COMMAND DOCS", "*0\r\n");
    h.check("COMMAND", "*0\r\n");
    assert_eq!(
        h.run("COMMAND COUNT"),
        alloc::format!(":{}\r\n", COMMANDS.len())
    );
    h.check("CLIENT SETNAME app", "+OK\r\n");
    h.check("CLIENT GETNAME", "$3\r\napp\r\n");
    h.check(
        "CLIENT SETNAME \"a b\"",
        "-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
    );
    h.check("CLIENT ID", ":7\r\n");
    h.check("HELLO 4", "-NOPROTO unsupported protocol version\r\n");
    h.check("HELLO 1", "-NOPROTO unsupported protocol version\r\n");
    assert!(h.run("HELLO 2").starts_with("*14\r\n$6\r\nserver\r\n"));
    h.check("AUTH x", "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n");
    h.check("SET a 1", "+OK\r\n");
    h.check("DBSIZE", ":1\r\n");
    h.check("FLUSHALL", "+OK\r\n");
    h.check("FLUSHDB ASYNC", "+OK\r\n");
    h.check("FLUSHALL x", "-ERR syntax error\r\n");
    h.check("DBSIZE", ":0\r\n");
}

#[test]
fn info_sections() {
    let mut h = harness();
    h.run("SET a 1");
    let info = h.run("INFO");
    for needle in [
        "# Server\r\n",
        "redis_version:",
        "uptime_in_seconds:",
        "connected_clients:1\r\n",
        "maxclients:10000\r\n",
        "used_memory:",
        "total_commands_processed:1\r\n",
        "rejected_connections:0\r\n",
        "# Platform\r\nfake_cycles:42\r\n",
        "db0:keys=1,expires=0",
    ] {
        assert!(info.contains(needle), "{needle:?} missing in {info}");
    }
    assert!(!info.contains("cmdstat_set"));
    assert!(h
        .run("INFO commandstats")
        .contains("cmdstat_set:calls=1,rejected_calls=0,failed_calls=0\r\n"));
    let only_platform = h.run("info platform");
    assert!(only_platform.contains("fake_cycles") && !only_platform.contains("# Server"));
}

#[test]
fn requirepass() {
    let mut h = Harness::new(Config {
        requirepass: Some("sesame".into()),
        ..Config::default()
    });
    h.check("GET a", "-NOAUTH Authentication required.\r\n");
    h.check(
        "foo",
        "-ERR unknown command 'foo', with args beginning with: \r\n",
    );
    h.check("HELLO 2", "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n");
    h.check(
        "AUTH wrong",
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
    );
    h.check(
        "AUTH bob sesame",
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
    );
    h.check("AUTH sesame", "+OK\r\n");
    h.check("GET a", "$-1\r\n");
    let mut h2 = Harness::new(Config {
        requirepass: Some("sesame".into()),
        ..Config::default()
    });
    assert!(h2.run("HELLO 2 AUTH default sesame").starts_with("*14\r\n"));
    h2.check("PING", "+PONG\r\n");
}

#[test]
fn maxmemory_refuses_writes_but_serves_reads() {
    let mut h = Harness::new(Config {
        maxmemory: 1000,
        ..Config::default()
    });
    let value = "v".repeat(600);
    h.check(&alloc::format!("SET big {value}"), "+OK\r\n");
    h.check(&alloc::format!("SET big2 {value}"), "+OK\r\n");
    assert!(h.shared.store.used_bytes() > 1000);
    const OOM: &str = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";
    h.check("SET x 1", OOM);
    h.check("LPUSH l a", OOM);
    h.check("SADD s a", OOM);
    h.check("HSET h f v", OOM);
    h.check("ZADD z 1 a", OOM);
    h.check("INCR n", OOM);
    h.check("APPEND big x", OOM);
    assert!(h.run("GET big").starts_with("$600\r\n"));
    h.check("EXISTS big", ":1\r\n");
    // Deleting frees memory and writes work again.
    h.check("DEL big2", ":1\r\n");
    h.check("SET x 1", "+OK\r\n");
    let used = h.shared.store.used_bytes();
    assert!(h
        .run("INFO memory")
        .contains(&alloc::format!("used_memory:{used}\r\n")));
}

#[test]
fn glob() {
    assert!(glob_match(b"*", b"anything"));
    assert!(glob_match(b"max*", b"maxmemory"));
    assert!(glob_match(b"h?llo", b"hello"));
    assert!(glob_match(b"h[ae]llo", b"hallo"));
    assert!(!glob_match(b"h[^ae]llo", b"hallo"));
    assert!(glob_match(b"h[a-c]llo", b"hbllo"));
    assert!(glob_match(b"a*b*c", b"axxbyyc"));
    assert!(!glob_match(b"a*b*c", b"axxbyy"));
    assert!(glob_match(b"a\\*", b"a*"));
    assert!(!glob_match(b"[", b"x"));
}

#[test]
fn every_command_survives_odd_arguments() {
    let mut h = harness();
    let argsets = [
        "",
        "k",
        "k 1",
        "k -1 x",
        "k 1 2 3",
        "k nan inf",
        "k 99999999999999999999 -99999999999999999999",
    ];
    for cmd in COMMANDS.iter().filter(|c| c.name != "quit") {
        for args in argsets {
            for setup in [
                "SET k 5",
                "LPUSH k a",
                "SADD k a",
                "HSET k a b",
                "ZADD k 1 a",
                "DEL k",
            ] {
                h.run(setup);
                let reply = h.run(&alloc::format!("{} {args}", cmd.name));
                if h.client.blocked.take().is_some() {
                    // A blocking command parked the client: no reply yet.
                    assert_eq!(reply, "", "{} {args}", cmd.name);
                    h.shared.store.blocked_clients = 0;
                    continue;
                }
                assert!(
                    matches!(
                        reply.as_bytes().first(),
                        Some(b'+' | b'-' | b':' | b'$' | b'*')
                    ),
                    "{} {args}: {reply:?}",
                    cmd.name
                );
            }
        }
    }
}

mod expiry;
mod new_commands;
mod resp3_and_mpop;
mod suite_fixes;
