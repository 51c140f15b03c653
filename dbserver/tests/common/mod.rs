//! Shared helpers of the integration tests: start the real `dbserver` binary on a free
//! loopback port, find the Debian Redis clients, and speak raw RESP over TCP.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// How long a server may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// Socket read/write timeout of raw test clients.
pub const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// The Debian package that provides `redis-cli` and `redis-benchmark`.
const CLIENT_PACKAGE: &str = "redis-tools";

/// A `dbserver` child process, killed on drop.
pub struct Server {
    child: Child,
    /// The loopback port it listens on.
    pub port: u16,
}

impl Server {
    /// Start `dbserver` with `extra` flags on a free loopback port and wait until it accepts.
    pub fn start(extra: &[&str]) -> Server {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_dbserver"))
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn dbserver");
        let mut server = Server { child, port };
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if TcpStream::connect(server.addr()).is_ok() {
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("dbserver exited during start: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "dbserver did not listen on port {port}"
            );
            sleep(Duration::from_millis(20));
        }
    }

    /// The server's address.
    pub fn addr(&self) -> SocketAddrV4 {
        SocketAddrV4::new(Ipv4Addr::LOCALHOST, self.port)
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
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind an ephemeral port");
    l.local_addr().expect("local addr").port()
}

/// The path of a Redis client program; fails the test when it is not installed.
pub fn redis_tool(name: &str) -> PathBuf {
    let candidates = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(name))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    candidates
        .into_iter()
        .chain([PathBuf::from("/usr/bin").join(name)])
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("`{name}` is not installed: these tests need the real Redis clients (apt-get install {CLIENT_PACKAGE})")
        })
}

/// Run a Redis client program with a time limit; panics when it does not finish.
pub fn run_tool(name: &str, args: &[&str], stdin: &str, limit: Duration) -> Output {
    let mut child = Command::new(redis_tool(name))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {name}: {e}"));
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin.as_bytes()).expect("write stdin");
    drop(input);
    let deadline = Instant::now() + limit;
    while matches!(child.try_wait(), Ok(None)) {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{name} {args:?} did not finish within {limit:?}");
        }
        sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("collect output")
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
            if let Some(n) = reply_len(&self.buf, 0) {
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

    /// True when the server closed the connection (after any pending replies).
    pub fn closed_by_server(&mut self) -> bool {
        while self.reply().is_some() {}
        true
    }
}

/// A multibulk request.
pub fn encode(args: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Length of the complete reply at `buf[from..]`, if complete.
fn reply_len(buf: &[u8], from: usize) -> Option<usize> {
    let rest = buf.get(from..)?;
    let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
    let line = std::str::from_utf8(&rest[1..line_end]).ok()?;
    let after = from + line_end + 2;
    match rest.first()? {
        b'+' | b'-' | b':' => Some(after),
        b'$' => {
            let n: i64 = line.parse().ok()?;
            if n < 0 {
                return Some(after);
            }
            let end = after + n as usize + 2;
            (buf.len() >= end).then_some(end)
        }
        b'*' => {
            let n: i64 = line.parse().ok()?;
            let mut pos = after;
            for _ in 0..n.max(0) {
                pos = reply_len(buf, pos)?;
            }
            Some(pos)
        }
        _ => panic!("not a RESP reply: {:?}", String::from_utf8_lossy(rest)),
    }
}
