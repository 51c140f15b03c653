//! The durability log of the real `dbserver` binary, with a temporary file as its disk:
//! SIGKILL under a write load loses no acknowledged write, a damaged tail is cut at the
//! last good record, a full log refuses writes (`-MISCONF`) while reads go on, and the
//! rewritten commands (expiries, `SPOP`, `INCRBYFLOAT`, blocking pops, `EXEC`) replay to
//! the same data.

mod common;
#[path = "../../images/tests/durable_sql_scenario/mod.rs"]
mod durable_sql_scenario;

use common::{run_tool, Resp, Server, IO_TIMEOUT, POLL_INTERVAL};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// Byte offset of the log region on a freshly formatted disk (after the superblocks).
const REGION_START: u64 = 4096;
/// Sector size of the log's disk I/O.
const SECTOR: u64 = 512;
/// Time the load may take to reach its target before the test fails.
const LOAD_LIMIT: Duration = Duration::from_secs(120);

/// A zeroed disk file of `bytes`.
fn disk(bytes: u64) -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().expect("temp file");
    file.as_file().set_len(bytes).expect("size the disk");
    file
}

/// `dbserver --appendonly yes --appendfsync <policy> --disk <path> --sql-port off`.
fn start(path: &Path, policy: &str) -> Server {
    let path = path.to_str().expect("utf-8 path");
    Server::start(&[
        "--sql-port",
        "off",
        "--appendonly",
        "yes",
        "--appendfsync",
        policy,
        "--disk",
        path,
    ])
}

/// The start-up line of the log's recovery.
fn recovery_line(server: &Server) -> String {
    let tail = server.log_tail();
    tail.lines()
        .find(|l| l.contains("kept"))
        .unwrap_or_else(|| panic!("no recovery line in:\n{tail}"))
        .to_string()
}

/// A bulk reply's text (`None` for a nil reply); panics on anything else.
fn bulk(reply: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(reply);
    if text == "$-1\r\n" {
        return None;
    }
    let (_, body) = text
        .split_once("\r\n")
        .unwrap_or_else(|| panic!("not a bulk: {text:?}"));
    assert!(text.starts_with('$'), "not a bulk: {text:?}");
    Some(body.trim_end_matches("\r\n").to_string())
}

/// An integer reply's value.
fn int(reply: &[u8]) -> i64 {
    let text = String::from_utf8_lossy(reply);
    text.strip_prefix(':')
        .and_then(|t| t.trim_end().parse().ok())
        .unwrap_or_else(|| panic!("not an integer: {text:?}"))
}

/// Every key with its type, contents (collections sorted) and whether it expires.
fn dump(c: &mut Resp) -> BTreeMap<String, String> {
    let keys = String::from_utf8_lossy(&c.command(&["KEYS", "*"])).into_owned();
    let mut out = BTreeMap::new();
    for key in keys
        .lines()
        .filter(|l| !l.starts_with('*') && !l.starts_with('$'))
    {
        let kind = String::from_utf8_lossy(&c.command(&["TYPE", key])).into_owned();
        let mut value = match kind.trim() {
            "+string" => c.command(&["GET", key]),
            "+list" => c.command(&["LRANGE", key, "0", "-1"]),
            "+hash" => c.command(&["HGETALL", key]),
            "+set" => c.command(&["SMEMBERS", key]),
            "+zset" => c.command(&["ZRANGE", key, "0", "-1", "WITHSCORES"]),
            other => panic!("unexpected type {other}"),
        };
        if kind.trim() == "+set" || kind.trim() == "+hash" {
            let text = String::from_utf8_lossy(&value).into_owned();
            let mut lines: Vec<&str> = text.lines().collect();
            lines.sort_unstable();
            value = lines.join("\n").into_bytes();
        }
        let expires = int(&c.command(&["PTTL", key])) > 0;
        let shown = format!(
            "{} {} expires={expires}",
            kind.trim(),
            String::from_utf8_lossy(&value)
        );
        out.insert(key.to_string(), shown);
    }
    out
}

/// What one loader connection had acknowledged when the server died.
#[derive(Default)]
struct Acked {
    sets: Vec<(String, String)>,
    incrs: i64,
    pushes: i64,
}

/// Write until the connection dies: `SET` (every fifth with `EX`), `INCR` and `RPUSH`,
/// recording every acknowledged write.
fn load(addr: std::net::SocketAddrV4, id: usize, total: Arc<AtomicU64>) -> Acked {
    let mut c = Resp::connect(addr);
    let mut acked = Acked::default();
    for i in 0.. {
        let (key, value) = (format!("k{id}:{i}"), format!("v{i}"));
        let set = if i % 5 == 0 {
            c.command_or_close(&["SET", &key, &value, "EX", "100000"])
        } else {
            c.command_or_close(&["SET", &key, &value])
        };
        match set.as_deref() {
            Some(b"+OK\r\n") => acked.sets.push((key, value)),
            Some(other) => panic!("SET answered {:?}", String::from_utf8_lossy(other)),
            None => break,
        }
        match c.command_or_close(&["INCR", &format!("n{id}")]) {
            Some(r) => acked.incrs = int(&r),
            None => break,
        }
        match c.command_or_close(&["RPUSH", &format!("l{id}"), &i.to_string()]) {
            Some(r) => acked.pushes = int(&r),
            None => break,
        }
        total.fetch_add(1, Ordering::Relaxed);
    }
    acked
}

#[test]
fn sigkill_under_load_loses_no_acknowledged_write() {
    const LOADERS: usize = 4;
    const TARGET_ROUNDS: u64 = 1500;
    let file = disk(64 << 20);
    let server = start(file.path(), "always");
    let total = Arc::new(AtomicU64::new(0));
    let loaders: Vec<_> = (0..LOADERS)
        .map(|id| {
            let (addr, total) = (server.addr(), total.clone());
            thread::spawn(move || load(addr, id, total))
        })
        .collect();
    let deadline = Instant::now() + LOAD_LIMIT;
    while total.load(Ordering::Relaxed) < TARGET_ROUNDS {
        assert!(
            Instant::now() < deadline,
            "the load did not reach {TARGET_ROUNDS} rounds"
        );
        thread::sleep(POLL_INTERVAL);
    }
    // One INFO reply, so that both counters are from the same moment.
    let info = server.connect().command(&["INFO", "persistence"]);
    let info = String::from_utf8_lossy(&info);
    let field = |name: &str| -> u64 {
        let line = info.lines().find_map(|l| l.strip_prefix(name)).expect(name);
        line.trim_start_matches(':').trim().parse().expect(name)
    };
    let (fsyncs, writes) = (field("aof_fsyncs"), field("aof_writes"));
    assert!(
        fsyncs > 0 && fsyncs == writes,
        "fsyncs {fsyncs}, group writes {writes}"
    );
    drop(server); // SIGKILL in the middle of the load.
    let acked: Vec<Acked> = loaders
        .into_iter()
        .map(|l| l.join().expect("loader"))
        .collect();

    let server = start(file.path(), "always");
    assert!(
        recovery_line(&server).contains("clean end"),
        "{}",
        recovery_line(&server)
    );
    let mut c = server.connect();
    for (id, a) in acked.iter().enumerate() {
        for (i, (key, value)) in a.sets.iter().enumerate() {
            assert_eq!(
                bulk(&c.command(&["GET", key])).as_deref(),
                Some(&value[..]),
                "{key}"
            );
            if i % 5 == 0 {
                assert!(int(&c.command(&["TTL", key])) > 0, "{key} lost its expiry");
            }
        }
        // One write may have reached the log without its reply reaching the loader.
        let n = bulk(&c.command(&["GET", &format!("n{id}")])).map_or(0, |v| v.parse().unwrap());
        assert!(
            (a.incrs..=a.incrs + 1).contains(&n),
            "counter {id}: {n}, acked {}",
            a.incrs
        );
        let len = int(&c.command(&["LLEN", &format!("l{id}")]));
        assert!(
            (a.pushes..=a.pushes + 1).contains(&len),
            "list {id}: {len}, acked {}",
            a.pushes
        );
    }
}

/// Start on `path`, `SET key:i i` one by one for `i` in `range` (one group each), kill.
fn write_keys(path: &Path, range: std::ops::Range<usize>) {
    let server = start(path, "always");
    let mut c = server.connect();
    for i in range {
        let reply = c.command(&["SET", &format!("key:{i}"), &i.to_string()]);
        assert_eq!(reply, b"+OK\r\n");
    }
}

/// The keys `key:i` for `i` in `0..n` that the server holds.
fn present(c: &mut Resp, n: usize) -> Vec<usize> {
    (0..n)
        .filter(|i| bulk(&c.command(&["GET", &format!("key:{i}")])).is_some())
        .collect()
}

fn patch(path: &Path, offset: u64, f: impl FnOnce(&mut [u8])) {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .expect("open disk");
    let mut sector = vec![0u8; SECTOR as usize];
    file.seek(SeekFrom::Start(offset)).unwrap();
    file.read_exact(&mut sector).unwrap();
    f(&mut sector);
    file.seek(SeekFrom::Start(offset)).unwrap();
    file.write_all(&sector).unwrap();
}

#[test]
fn a_torn_tail_is_cut_and_reported() {
    let file = disk(1 << 20);
    write_keys(file.path(), 0..50);
    // Each SET was its own one-sector group: tear the last one after its group header.
    let last = REGION_START + 49 * SECTOR;
    patch(file.path(), last, |s| s[40..].fill(0));
    let server = start(file.path(), "always");
    let line = recovery_line(&server);
    let cut = last + 16;
    assert!(line.contains("kept 49 records"), "{line}");
    assert!(line.contains(&format!("at offset {cut}")), "{line}");
    assert!(
        line.contains(&format!("dropped {} bytes", SECTOR - 16)),
        "{line}"
    );
    let mut c = server.connect();
    assert_eq!(present(&mut c, 50), (0..49).collect::<Vec<_>>());
}

#[test]
fn a_corrupt_record_keeps_everything_before_it_and_stays_cut() {
    let file = disk(1 << 20);
    write_keys(file.path(), 0..60);
    // Flip one payload byte of the 31st group: keys 30.. are dropped.
    let bad = REGION_START + 30 * SECTOR;
    patch(file.path(), bad, |s| s[30] ^= 0x20);
    {
        let server = start(file.path(), "always");
        let line = recovery_line(&server);
        assert!(line.contains("kept 30 records"), "{line}");
        assert!(line.contains(&format!("at offset {}", bad + 16)), "{line}");
        assert!(
            line.contains(&format!("dropped {} bytes", 30 * SECTOR - 16)),
            "{line}"
        );
        let mut c = server.connect();
        assert_eq!(present(&mut c, 60), (0..30).collect::<Vec<_>>());
        assert_eq!(c.command(&["SET", "after", "cut"]), b"+OK\r\n");
    }
    // The write after the cut is kept; the dropped records (intact on the disk past it)
    // never come back.
    let server = start(file.path(), "always");
    let mut c = server.connect();
    assert_eq!(present(&mut c, 60), (0..30).collect::<Vec<_>>());
    assert_eq!(bulk(&c.command(&["GET", "after"])).as_deref(), Some("cut"));
}

#[test]
fn a_full_log_refuses_writes_and_keeps_answering_reads() {
    let file = disk(64 << 10);
    let server = start(file.path(), "everysec");
    let port = server.port.to_string();
    let value = "x".repeat(1000);
    let mut c = server.connect();
    let mut acked = Vec::new();
    let refusal = loop {
        let key = format!("big:{}", acked.len());
        let reply = c.command(&["SET", &key, &value]);
        if reply != b"+OK\r\n" {
            break String::from_utf8_lossy(&reply).into_owned();
        }
        acked.push(key);
        assert!(acked.len() < 1000, "a 64 KiB disk took {} KB", acked.len());
    };
    assert!(
        refusal.starts_with("-MISCONF Errors writing to the AOF file: No space left on device"),
        "{refusal}"
    );
    assert!(!acked.is_empty());
    // Reads go on, through the real redis-cli too; writes keep being refused.
    assert_eq!(
        bulk(&c.command(&["GET", &acked[0]])).as_deref(),
        Some(&value[..])
    );
    let out = run_tool(
        "redis-cli",
        &["-p", &port, "SET", "one", "more"],
        "",
        IO_TIMEOUT,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("MISCONF"), "redis-cli SET: {text}");
    let out = run_tool(
        "redis-cli",
        &["-p", &port, "STRLEN", &acked[0]],
        "",
        IO_TIMEOUT,
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "1000");
    assert!(server.info_field("aof_refused_writes") >= 2);
    drop(server);
    // Nothing acknowledged was lost; nothing refused appears.
    let server = start(file.path(), "everysec");
    let mut c = server.connect();
    for key in &acked {
        assert_eq!(int(&c.command(&["STRLEN", key])), 1000, "{key}");
    }
    assert_eq!(int(&c.command(&["EXISTS", "one"])), 0);
    assert_eq!(
        server.info_field("aof_replayed_records"),
        acked.len() as u64
    );
}

#[test]
fn rewritten_commands_replay_to_the_same_data() {
    let file = disk(1 << 20);
    let before = {
        let server = start(file.path(), "always");
        let mut c = server.connect();
        for args in [
            &["SET", "s", "v", "EX", "100000"][..],
            &["SET", "short", "v", "PX", "1"],
            &["SETEX", "sx", "100000", "v"],
            &["SET", "p", "v"],
            &["EXPIRE", "p", "100000"],
            &["INCRBYFLOAT", "f", "1.25"],
            &["HINCRBYFLOAT", "h", "x", "0.5"],
            &["SADD", "set", "a", "b", "c", "d", "e"],
            &["SPOP", "set"],
            &["SPOP", "set", "2"],
            &["RPUSH", "list", "1", "2", "3"],
            &["ZADD", "z", "1", "a", "2", "b", "3", "c"],
            &["BZPOPMIN", "z", "0"],
            &["MULTI"],
            &["INCR", "tx"],
            &["LPUSH", "list", "0"],
            &["EXEC"],
            &["GETEX", "p", "PERSIST"],
        ] {
            let reply = c.command(args);
            assert_ne!(
                reply.first(),
                Some(&b'-'),
                "{args:?}: {:?}",
                String::from_utf8_lossy(&reply)
            );
        }
        // A blocking pop served by another client's push is logged as the pop it did.
        let mut blocked = server.connect();
        blocked
            .send_raw(&common::encode(&["BLPOP", "q", "0"]))
            .unwrap();
        server.wait_for_info("blocked_clients", IO_TIMEOUT, |n| n == 1);
        assert_eq!(int(&c.command(&["RPUSH", "q", "x", "y"])), 2);
        assert_eq!(blocked.reply().unwrap(), b"*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
        let deadline = Instant::now() + IO_TIMEOUT;
        while int(&c.command(&["EXISTS", "short"])) == 1 {
            assert!(Instant::now() < deadline, "a 1 ms key did not expire");
            thread::sleep(POLL_INTERVAL);
        }
        dump(&mut c)
    };
    assert!(before.contains_key("set") && before.contains_key("q"));
    let server = start(file.path(), "always");
    let mut c = server.connect();
    assert_eq!(dump(&mut c), before);
}

#[test]
fn appendonly_without_a_disk_is_a_start_up_error() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dbserver"))
        .args(["--port", "0", "--sql-port", "off", "--appendonly", "yes"])
        .output()
        .expect("run dbserver");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--appendonly yes needs --disk"), "{stderr}");
    // A disk holding something else than a log is refused, not formatted over.
    let file = disk(1 << 20);
    File::options()
        .write(true)
        .open(file.path())
        .unwrap()
        .write_all(b"not a log")
        .unwrap();
    let path = file.path().to_str().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dbserver"))
        .args([
            "--port",
            "0",
            "--sql-port",
            "off",
            "--appendonly",
            "yes",
            "--disk",
            path,
        ])
        .output()
        .expect("run dbserver");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("refusing to format"), "{stderr}");
}

#[test]
fn groups_share_one_fsync_and_everysec_syncs_without_a_write() {
    let file = disk(1 << 20);
    let server = start(file.path(), "everysec");
    let mut c = server.connect();
    assert_eq!(c.command(&["SET", "a", "1"]), b"+OK\r\n");
    // everysec flushes from the event loop's deadline, with no further request.
    server.wait_for_info("aof_fsyncs", IO_TIMEOUT, |n| n >= 1);
    // A pipeline of writes from one client: one group (one pwrite) for the round.
    let before = server.info_field("aof_writes");
    let mut pipeline = Vec::new();
    for i in 0..100 {
        pipeline.extend(common::encode(&["SET", &format!("p{i}"), "v"]));
    }
    c.send_raw(&pipeline).unwrap();
    for _ in 0..100 {
        assert_eq!(c.reply().unwrap(), b"+OK\r\n");
    }
    let groups = server.info_field("aof_writes") - before;
    assert!(
        (1..100).contains(&groups),
        "100 pipelined writes took {groups} group writes"
    );
    assert_eq!(
        server.info_field("aof_records"),
        101,
        "one record per write command"
    );
}

/// A `mysql` crate connection to the server's SQL port.
fn sql(server: &Server, database: Option<&str>) -> mysql::Conn {
    let opts = mysql::OptsBuilder::new()
        .user(Some("root"))
        .db_name(database)
        .ip_or_hostname(Some("127.0.0.1"))
        .tcp_port(server.sql_port)
        .prefer_socket(false);
    mysql::Conn::new(opts).expect("connect to the SQL port")
}

#[test]
fn committed_sql_transactions_survive_sigkill_and_uncommitted_ones_do_not() {
    let file = disk(1 << 20);
    let path = file.path().to_str().unwrap().to_string();
    let args = [
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--disk",
        &path,
    ];
    {
        let server = Server::start(&args);
        let _connections = durable_sql_scenario::write_before_crash(|db| sql(&server, db));
        // KV writes share the log.
        assert_eq!(server.connect().command(&["SET", "kv", "1"]), b"+OK\r\n");
        assert!(server.info_field("aof_records") >= 6);
    } // SIGKILL
    let server = Server::start(&args);
    durable_sql_scenario::check_after_reboot(&mut sql(&server, Some("d")));
    assert_eq!(
        bulk(&server.connect().command(&["GET", "kv"])).as_deref(),
        Some("1")
    );
}

#[test]
fn a_full_log_refuses_sql_writes_with_1021_and_keeps_answering_reads() {
    use mysql::prelude::Queryable;
    // 64 KiB: a 30 KiB region, less than what a SQL commit is assumed to need.
    let file = disk(64 << 10);
    let path = file.path().to_str().unwrap().to_string();
    let server = Server::start(&["--appendonly", "yes", "--disk", &path]);
    let mut c = sql(&server, None);
    let err = c.query_drop("CREATE DATABASE d").unwrap_err();
    match err {
        mysql::Error::MySqlError(e) => {
            assert_eq!(e.code, 1021, "{e:?}");
            assert!(
                e.message.contains("No space left on device"),
                "{}",
                e.message
            );
        }
        other => panic!("expected error 1021, got {other:?}"),
    }
    let one: Option<i64> = c.query_first("SELECT 1").unwrap();
    assert_eq!(one, Some(1));
    assert_eq!(
        server.connect().command(&["SET", "small", "ok"]),
        b"+OK\r\n"
    );
}
