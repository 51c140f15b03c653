//! Shared helpers of the integration tests: start the real `dbserver` binary on ephemeral
//! loopback ports (it names them on stderr), run real client programs with a time limit,
//! and speak raw RESP over TCP (with the workspace's one RESP codec, `ring0db_images::resp`).
#![allow(dead_code)]

pub mod mariadb;
pub mod process;

use ring0db_images::resp;
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddrV4, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStderr, Command, Output, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long a server may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// Socket read/write timeout of raw test clients.
pub const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// Interval between two looks at a state the test waits for (inside a deadline loop).
pub const POLL_INTERVAL: Duration = Duration::from_millis(10);
/// The Debian package that provides `redis-cli` and `redis-benchmark`.
const CLIENT_PACKAGE: &str = "redis-tools";
/// How many of the server's last stderr lines are kept for failure messages.
const LOG_TAIL_LINES: usize = 50;
/// What the server prints once a listener is bound: `PREFIX ADDR:PORT (PROTOCOL)`.
const LISTENING_PREFIX: &str = "dbserver: listening on ";
/// Flags every test server gets: loopback only, ephemeral ports for both protocols.
const BASE_ARGS: &[&str] = &["--bind", "127.0.0.1", "--port", "0"];
/// The flag that selects the MySQL port (`0` unless a test passes its own, e.g. `off`).
const SQL_PORT_FLAG: &str = "--sql-port";
/// Lines the durability log prints before the server listens (format, recovery, replay).
const LOG_START_PREFIXES: &[&str] = &[
    "dbserver: formatted the log disk ",
    "dbserver: log ",
    "dbserver: replay",
];

/// The last lines a child printed, shared with the thread that drains its pipe.
#[derive(Clone, Default)]
pub struct LogTail(Arc<Mutex<VecDeque<String>>>);

impl LogTail {
    fn push(&self, line: String) {
        let mut lines = self.0.lock().expect("log lock");
        if lines.len() == LOG_TAIL_LINES {
            lines.pop_front();
        }
        lines.push_back(line);
    }

    /// The kept lines, one per line.
    pub fn text(&self) -> String {
        let lines = self.0.lock().expect("log lock");
        lines.iter().map(|l| format!("{l}\n")).collect()
    }
}

/// A `dbserver` child process, killed on drop.
pub struct Server {
    child: Child,
    /// The loopback port of the Redis protocol.
    pub port: u16,
    /// The loopback port of the MySQL protocol (0 when started with `--sql-port off`).
    pub sql_port: u16,
    log: LogTail,
    drain: Option<JoinHandle<()>>,
}

impl Server {
    /// Start `dbserver --port 0 --sql-port 0` with `extra` flags and wait until it names
    /// its ports on stderr (a test may pass its own `--sql-port`, e.g. `off`).
    pub fn start(extra: &[&str]) -> Server {
        let own_sql_port = extra.contains(&SQL_PORT_FLAG);
        let sql_off = extra
            .windows(2)
            .any(|w| w[0] == SQL_PORT_FLAG && w[1].eq_ignore_ascii_case("off"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_dbserver"));
        command.args(BASE_ARGS);
        if !own_sql_port {
            command.args([SQL_PORT_FLAG, "0"]);
        }
        let mut child = command
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn dbserver");
        let log = LogTail::default();
        let (lines_tx, lines_rx) = mpsc::channel();
        let stderr = child.stderr.take().expect("piped stderr");
        let drain = Some(drain_lines(stderr, log.clone(), lines_tx));
        let mut server = Server {
            child,
            port: 0,
            sql_port: 0,
            log,
            drain,
        };
        server.port = server.await_listening(&lines_rx, "RESP", extra);
        if !sql_off {
            server.sql_port = server.await_listening(&lines_rx, "MySQL", extra);
        }
        server
    }

    /// The port of the next stderr line (after the durability log's start-up lines),
    /// which must be `listening on 127.0.0.1:PORT (protocol)`.
    fn await_listening(&mut self, lines: &Receiver<String>, protocol: &str, args: &[&str]) -> u16 {
        let deadline = Instant::now() + START_TIMEOUT;
        let next = || lines.recv_timeout(deadline.saturating_duration_since(Instant::now()));
        let mut received = next();
        while matches!(&received, Ok(l) if LOG_START_PREFIXES.iter().any(|p| l.starts_with(p))) {
            received = next();
        }
        let line = match received {
            Ok(line) => line,
            Err(RecvTimeoutError::Timeout) => panic!(
                "dbserver {args:?} did not report its {protocol} port within {START_TIMEOUT:?}; \
                 stderr so far:\n{}",
                self.log.text()
            ),
            Err(RecvTimeoutError::Disconnected) => {
                let status = self.child.wait().expect("wait for dbserver");
                panic!(
                    "dbserver {args:?} exited ({status}) before reporting its {protocol} port; \
                     stderr:\n{}",
                    self.log.text()
                )
            }
        };
        parse_listening(&line, protocol).unwrap_or_else(|| {
            panic!(
                "dbserver {args:?}: expected `{LISTENING_PREFIX}127.0.0.1:PORT ({protocol})`, \
                 got {line:?}; stderr so far:\n{}",
                self.log.text()
            )
        })
    }

    /// The Redis protocol's address.
    pub fn addr(&self) -> SocketAddrV4 {
        SocketAddrV4::new(Ipv4Addr::LOCALHOST, self.port)
    }

    /// The MySQL protocol's address.
    pub fn sql_addr(&self) -> SocketAddrV4 {
        assert_ne!(
            self.sql_port, 0,
            "this server runs without the SQL listener"
        );
        SocketAddrV4::new(Ipv4Addr::LOCALHOST, self.sql_port)
    }

    /// The last lines the server printed on stderr.
    pub fn log_tail(&self) -> String {
        self.log.text()
    }

    /// The server's process id (for `/proc/PID/...`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// True while the process runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// A raw RESP connection.
    pub fn connect(&self) -> Resp {
        Resp::connect(self.addr())
    }

    /// `INFO` field `name` as a number.
    pub fn info_field(&self, name: &str) -> u64 {
        let mut c = self.connect();
        let info = c.command(&["INFO", "everything"]);
        let text = String::from_utf8_lossy(&info);
        let prefix = format!("{name}:");
        text.lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no INFO field {name} in {text}"))
    }

    /// Wait until INFO field `name` satisfies `ok`; panics with the last value after
    /// `timeout`.
    pub fn wait_for_info(&self, name: &str, timeout: Duration, ok: impl Fn(u64) -> bool) -> u64 {
        let deadline = Instant::now() + timeout;
        loop {
            let value = self.info_field(name);
            if ok(value) {
                return value;
            }
            assert!(
                Instant::now() < deadline,
                "INFO {name} stayed {value} for {timeout:?}"
            );
            thread::sleep(POLL_INTERVAL);
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(drain) = self.drain.take() {
            let _ = drain.join();
        }
    }
}

/// `Some(port)` when `line` is `dbserver: listening on 127.0.0.1:PORT (protocol)`.
fn parse_listening(line: &str, protocol: &str) -> Option<u16> {
    let rest = line.strip_prefix(LISTENING_PREFIX)?;
    let addr = rest.strip_suffix(&format!(" ({protocol})"))?;
    let port = addr.strip_prefix("127.0.0.1:")?;
    port.parse().ok().filter(|&p| p != 0)
}

/// A thread that reads `stderr` to its end, keeping the last lines in `log` and handing
/// each line to `lines` while someone listens.
fn drain_lines(stderr: ChildStderr, log: LogTail, lines: Sender<String>) -> JoinHandle<()> {
    thread::spawn(move || {
        let mut reader = BufReader::new(stderr);
        let mut raw = Vec::new();
        while matches!(reader.read_until(b'\n', &mut raw), Ok(n) if n > 0) {
            let line = String::from_utf8_lossy(&raw).trim_end().to_string();
            raw.clear();
            log.push(line.clone());
            let _ = lines.send(line);
        }
    })
}

/// The path of program `name` found on PATH (or in /usr/bin, /usr/sbin); fails the test
/// naming Debian `package` when it is not installed.
pub fn program(name: &str, package: &str) -> PathBuf {
    let dirs = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    dirs.into_iter()
        .chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/sbin")])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("`{name}` is not installed: these tests need it (apt-get install {package})")
        })
}

/// The path of a Redis client program; fails the test when it is not installed.
pub fn redis_tool(name: &str) -> PathBuf {
    program(name, CLIENT_PACKAGE)
}

/// Run a Redis client program with a time limit; panics when it does not finish.
pub fn run_tool(name: &str, args: &[&str], stdin: &str, limit: Duration) -> Output {
    let mut command = Command::new(redis_tool(name));
    command.args(args);
    run_limited(command, stdin, limit)
}

/// Run `command` with `stdin` as its input; kill it and panic (showing what it printed)
/// when it has not finished within `limit`. Output is read while it runs, so a chatty
/// program never blocks on a full pipe.
pub fn run_limited(mut command: Command, stdin: &str, limit: Duration) -> Output {
    let what = format!("{command:?}");
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {what}: {e}"));
    let input = stdin.as_bytes().to_vec();
    let mut pipe = child.stdin.take().expect("stdin");
    let feeder = thread::spawn(move || {
        // The program may exit without reading everything: that is its business.
        let _ = pipe.write_all(&input);
    });
    let stdout = read_all(child.stdout.take().expect("stdout"));
    let stderr = read_all(child.stderr.take().expect("stderr"));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for child") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let out = String::from_utf8_lossy(&stdout.join().expect("stdout reader")).into_owned();
            let err = String::from_utf8_lossy(&stderr.join().expect("stderr reader")).into_owned();
            panic!("{what} did not finish within {limit:?}\nstdout:\n{out}\nstderr:\n{err}");
        }
        thread::sleep(POLL_INTERVAL);
    };
    let _ = feeder.join();
    Output {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

/// A thread that reads `source` to its end.
fn read_all(mut source: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut all = Vec::new();
        let _ = source.read_to_end(&mut all);
        all
    })
}

/// A raw RESP client.
pub struct Resp {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Resp {
    /// Connect to `addr`.
    pub fn connect(addr: SocketAddrV4) -> Resp {
        let stream = TcpStream::connect(addr).expect("connect");
        stream.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
        stream.set_write_timeout(Some(IO_TIMEOUT)).expect("timeout");
        Resp {
            stream,
            buf: Vec::new(),
        }
    }

    /// Send raw bytes (errors ignored: the server may have closed the connection).
    pub fn send_raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// Send a command as a multibulk request and read one reply (raw bytes).
    pub fn command(&mut self, args: &[&str]) -> Vec<u8> {
        self.send_raw(&encode(args)).expect("send");
        self.reply().expect("a reply")
    }

    /// Read one complete reply; `None` when the connection closed first.
    pub fn reply(&mut self) -> Option<Vec<u8>> {
        loop {
            if let Some(n) = reply_len(&self.buf) {
                return Some(self.buf.drain(..n).collect());
            }
            let mut chunk = [0u8; 64 * 1024];
            match self.stream.read(&mut chunk) {
                Ok(0) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return None,
                Err(e) => panic!("read failed: {e}"),
            }
        }
    }

    /// Send a command; `None` when the server closed the connection instead of replying.
    pub fn command_or_close(&mut self, args: &[&str]) -> Option<Vec<u8>> {
        self.send_raw(&encode(args)).ok()?;
        self.reply()
    }

    /// True when the server closes the connection (after any pending replies, which are
    /// discarded) within [`IO_TIMEOUT`]; false when it is still open then.
    pub fn closed_by_server(&mut self) -> bool {
        self.closed_within(IO_TIMEOUT)
    }

    /// True when the connection reaches end-of-file or is reset within `limit` (pending
    /// input is discarded); false when it is still open after `limit`.
    pub fn closed_within(&mut self, limit: Duration) -> bool {
        self.buf.clear();
        ring0db_images::tcp::closed_within(&mut self.stream, limit)
            .unwrap_or_else(|e| panic!("read failed: {e}"))
    }
}

/// A multibulk request.
pub fn encode(args: &[&str]) -> Vec<u8> {
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    let mut out = Vec::new();
    resp::encode_command(&mut out, &args);
    out
}

/// Length of the complete reply at the start of `buf`, if complete; panics on bytes that
/// break RESP framing.
fn reply_len(buf: &[u8]) -> Option<usize> {
    match resp::parse_reply(buf) {
        Ok(reply) => reply.map(|(_, len)| len),
        Err(e) => panic!(
            "not a RESP reply ({e}): {:?}",
            String::from_utf8_lossy(&buf[..buf.len().min(200)])
        ),
    }
}
