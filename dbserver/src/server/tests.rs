//! The event loop against an in-memory platform: partial frames, partial sends,
//! backpressure, protocol errors and `maxclients`, all deterministic.

use super::*;
use crate::sys::SockAddrV4;
use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::ToString;
use core::cell::RefCell;

const LISTENER: Fd = 3;

#[derive(Default)]
struct Sock {
    /// Bytes the client sent that the server has not read yet.
    input: VecDeque<u8>,
    /// Bytes the server sent.
    output: Vec<u8>,
    peer_closed: bool,
    interest: Interest,
    /// Bytes the socket accepts before `send` returns EAGAIN.
    send_budget: usize,
}

#[derive(Default)]
struct State {
    next_fd: Fd,
    listener_readable: bool,
    waiting: VecDeque<Fd>,
    socks: BTreeMap<Fd, Sock>,
    closed: Vec<Fd>,
    clock_ns: u64,
}

/// An in-memory platform: the test plays the clients.
#[derive(Default)]
struct FakeSys {
    st: RefCell<State>,
}

impl FakeSys {
    /// A client connects; returns its server-side fd.
    fn connect(&self, send_budget: usize) -> Fd {
        let mut st = self.st.borrow_mut();
        st.next_fd += 1;
        let fd = LISTENER + st.next_fd;
        st.socks.insert(
            fd,
            Sock {
                send_budget,
                ..Sock::default()
            },
        );
        st.waiting.push_back(fd);
        fd
    }

    fn write(&self, fd: Fd, bytes: &[u8]) {
        self.st
            .borrow_mut()
            .socks
            .get_mut(&fd)
            .expect("sock")
            .input
            .extend(bytes);
    }

    fn take_output(&self, fd: Fd) -> Vec<u8> {
        core::mem::take(
            &mut self
                .st
                .borrow_mut()
                .socks
                .get_mut(&fd)
                .expect("sock")
                .output,
        )
    }

    fn set_budget(&self, fd: Fd, budget: usize) {
        self.st
            .borrow_mut()
            .socks
            .get_mut(&fd)
            .expect("sock")
            .send_budget = budget;
    }

    fn interest(&self, fd: Fd) -> Interest {
        self.st
            .borrow()
            .socks
            .get(&fd)
            .map(|s| s.interest)
            .unwrap_or_default()
    }

    fn is_closed(&self, fd: Fd) -> bool {
        self.st.borrow().closed.contains(&fd)
    }
}

impl Syscalls for FakeSys {
    fn socket(&self) -> Result<Fd, Errno> {
        Ok(LISTENER)
    }
    fn bind(&self, _: Fd, _: SockAddrV4) -> Result<(), Errno> {
        Ok(())
    }
    fn listen(&self, _: Fd, _: u32) -> Result<(), Errno> {
        Ok(())
    }
    fn accept(&self, _: Fd) -> Result<Fd, Errno> {
        self.st
            .borrow_mut()
            .waiting
            .pop_front()
            .ok_or(Errno::EAGAIN)
    }
    fn recv(&self, fd: Fd, buf: &mut [u8]) -> Result<usize, Errno> {
        let mut st = self.st.borrow_mut();
        let sock = st.socks.get_mut(&fd).ok_or(Errno::EBADF)?;
        if sock.input.is_empty() {
            return if sock.peer_closed {
                Ok(0)
            } else {
                Err(Errno::EAGAIN)
            };
        }
        let n = buf.len().min(sock.input.len());
        for (dst, src) in buf.iter_mut().zip(sock.input.drain(..n)) {
            *dst = src;
        }
        Ok(n)
    }
    fn send(&self, fd: Fd, buf: &[u8]) -> Result<usize, Errno> {
        let mut st = self.st.borrow_mut();
        let sock = st.socks.get_mut(&fd).ok_or(Errno::EBADF)?;
        let n = buf.len().min(sock.send_budget);
        if n == 0 {
            return Err(Errno::EAGAIN);
        }
        sock.send_budget -= n;
        sock.output.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn close(&self, fd: Fd) -> Result<(), Errno> {
        let mut st = self.st.borrow_mut();
        if let Some(s) = st.socks.get_mut(&fd) {
            s.interest = Interest::default();
        }
        st.closed.push(fd);
        Ok(())
    }
    fn poll_ctl(&self, fd: Fd, interest: Interest) -> Result<(), Errno> {
        let mut st = self.st.borrow_mut();
        if fd == LISTENER {
            st.listener_readable = interest.readable;
        } else {
            st.socks.get_mut(&fd).ok_or(Errno::EBADF)?.interest = interest;
        }
        Ok(())
    }
    fn poll_wait(&self, events: &mut [Event], _timeout_ms: i32) -> Result<usize, Errno> {
        let st = self.st.borrow();
        let mut ready = Vec::new();
        if st.listener_readable && !st.waiting.is_empty() {
            ready.push(Event {
                fd: LISTENER,
                readable: true,
                ..Event::default()
            });
        }
        for (&fd, s) in &st.socks {
            let readable = s.interest.readable && (!s.input.is_empty() || s.peer_closed);
            let writable = s.interest.writable && s.send_budget > 0;
            if readable || writable {
                ready.push(Event {
                    fd,
                    readable,
                    writable,
                    hangup: s.peer_closed,
                });
            }
        }
        let n = ready.len().min(events.len());
        events[..n].copy_from_slice(&ready[..n]);
        Ok(n)
    }
    fn clock_ns(&self) -> u64 {
        self.st.borrow().clock_ns
    }
    fn log(&self, _: &str) {}
    fn platform_stats(&self, _: &mut dyn FnMut(&str, u64)) {}
}

/// Plenty of socket buffer.
const ROOMY: usize = usize::MAX;

fn spin(server: &mut Server<'_, FakeSys>, rounds: usize) {
    for _ in 0..rounds {
        server.poll_once().expect("poll");
    }
}

#[test]
fn pipelined_and_split_requests() {
    let sys = FakeSys::default();
    let mut server = Server::new(&sys, Config::default()).expect("server");
    let fd = sys.connect(ROOMY);
    spin(&mut server, 1);
    assert_eq!(server.clients(), 1);
    sys.write(fd, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nv");
    spin(&mut server, 2);
    assert_eq!(sys.take_output(fd), b"");
    sys.write(fd, b"1\r\nGET k\r\nPING\r\n*1\r\n$4\r\nPI");
    spin(&mut server, 2);
    assert_eq!(sys.take_output(fd), b"+OK\r\n$2\r\nv1\r\n+PONG\r\n");
    sys.write(fd, b"NG\r\n");
    spin(&mut server, 1);
    assert_eq!(sys.take_output(fd), b"+PONG\r\n");
}

#[test]
fn partial_sends_deliver_everything_in_order() {
    let sys = FakeSys::default();
    let mut server = Server::new(&sys, Config::default()).expect("server");
    let fd = sys.connect(7);
    let mut want = Vec::new();
    for i in 0..200u32 {
        let req = alloc::format!("ECHO message-{i}\r\n");
        sys.write(fd, req.as_bytes());
        want.extend_from_slice(
            alloc::format!("${}\r\nmessage-{i}\r\n", 8 + i.to_string().len()).as_bytes(),
        );
    }
    let mut got = Vec::new();
    for _ in 0..10_000 {
        spin(&mut server, 1);
        got.extend(sys.take_output(fd));
        sys.set_budget(fd, 7);
        if got.len() >= want.len() {
            break;
        }
    }
    assert_eq!(got, want);
    assert_eq!(
        sys.interest(fd),
        Interest {
            readable: true,
            writable: false
        }
    );
}

#[test]
fn backpressure_stops_reading_until_output_drains() {
    let sys = FakeSys::default();
    let mut server = Server::new(&sys, Config::default()).expect("server");
    let fd = sys.connect(0);
    spin(&mut server, 1);
    // A 1 MiB value, then enough GETs to exceed the high-water mark.
    let value = alloc::vec![b'x'; 1 << 20];
    let mut req = alloc::format!("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${}\r\n", value.len()).into_bytes();
    req.extend_from_slice(&value);
    req.extend_from_slice(b"\r\n");
    let gets = 40;
    for _ in 0..gets {
        req.extend_from_slice(b"GET k\r\n");
    }
    sys.write(fd, &req);
    for _ in 0..200 {
        spin(&mut server, 1);
    }
    assert_eq!(
        sys.interest(fd),
        Interest {
            readable: false,
            writable: true
        }
    );
    sys.set_budget(fd, ROOMY);
    spin(&mut server, 3);
    let out = sys.take_output(fd);
    let one = 1 + 7 + 2 + value.len() + 2; // "$1048576\r\n" + value + "\r\n"
    assert_eq!(out.len(), 5 + gets * one);
    assert_eq!(
        sys.interest(fd),
        Interest {
            readable: true,
            writable: false
        }
    );
}

#[test]
fn protocol_error_closes_after_reply() {
    let sys = FakeSys::default();
    let mut server = Server::new(&sys, Config::default()).expect("server");
    let fd = sys.connect(ROOMY);
    let other = sys.connect(ROOMY);
    sys.write(fd, b"PING\r\n*1\r\n$-3\r\nPING\r\n");
    sys.write(other, b"PING\r\n");
    spin(&mut server, 2);
    assert_eq!(
        sys.take_output(fd),
        b"+PONG\r\n-ERR Protocol error: invalid bulk length\r\n"
    );
    assert!(sys.is_closed(fd));
    assert_eq!(sys.take_output(other), b"+PONG\r\n");
    assert!(!sys.is_closed(other));
    assert_eq!(server.clients(), 1);
}

#[test]
fn maxclients_and_quit() {
    let sys = FakeSys::default();
    let config = Config {
        maxclients: 1,
        ..Config::default()
    };
    let mut server = Server::new(&sys, config).expect("server");
    let a = sys.connect(ROOMY);
    let b = sys.connect(ROOMY);
    spin(&mut server, 1);
    assert_eq!(
        sys.take_output(b),
        b"-ERR max number of clients reached\r\n"
    );
    assert!(sys.is_closed(b));
    sys.write(a, b"QUIT\r\nPING\r\n");
    spin(&mut server, 1);
    assert_eq!(sys.take_output(a), b"+OK\r\n");
    assert!(sys.is_closed(a));
    assert_eq!(server.clients(), 0);
}

#[test]
fn peer_close_frees_the_connection_and_active_expiry_runs() {
    let sys = FakeSys::default();
    let mut server = Server::new(&sys, Config::default()).expect("server");
    let fd = sys.connect(ROOMY);
    sys.write(fd, b"SET k v PX 50\r\n");
    spin(&mut server, 2);
    assert_eq!(server.shared.store.len(), 1);
    sys.st
        .borrow_mut()
        .socks
        .get_mut(&fd)
        .expect("sock")
        .peer_closed = true;
    sys.st.borrow_mut().clock_ns = 1_000 * NS_PER_MS;
    spin(&mut server, 2);
    assert!(sys.is_closed(fd));
    assert_eq!(server.clients(), 0);
    // Nobody touched the key: the housekeeping round removed it.
    assert_eq!(server.shared.store.len(), 0);
}

fn set_clock_ms(sys: &FakeSys, ms: u64) {
    sys.st.borrow_mut().clock_ns = ms * NS_PER_MS;
}

#[test]
fn handshake_timeout_closes_a_trickling_client_but_not_a_served_one() {
    let sys = FakeSys::default();
    let config = Config {
        handshake_timeout: 5,
        ..Config::default()
    };
    let mut server = Server::new(&sys, config).expect("server");
    let loris = sys.connect(ROOMY);
    let served = sys.connect(ROOMY);
    spin(&mut server, 1);
    sys.write(served, b"PING\r\n");
    // One byte a second: never a complete request.
    for (second, byte) in b"GET ".iter().enumerate() {
        set_clock_ms(&sys, second as u64 * 1000);
        sys.write(loris, &[*byte]);
        spin(&mut server, 1);
    }
    assert_eq!(sys.take_output(served), b"+PONG\r\n");
    set_clock_ms(&sys, 4_999);
    spin(&mut server, 1);
    assert!(!sys.is_closed(loris));
    set_clock_ms(&sys, 5_000);
    spin(&mut server, 1);
    assert!(sys.is_closed(loris));
    assert!(!sys.is_closed(served), "the idle timeout is off by default");
    assert_eq!(server.clients(), 1);
    assert_eq!(server.shared.stats.timedout_clients, 1);
}

#[test]
fn idle_timeout_counts_from_the_last_request() {
    let sys = FakeSys::default();
    let config = Config {
        timeout: 2,
        ..Config::default()
    };
    let mut server = Server::new(&sys, config).expect("server");
    let fd = sys.connect(ROOMY);
    sys.write(fd, b"PING\r\n");
    spin(&mut server, 2);
    set_clock_ms(&sys, 1_500);
    sys.write(fd, b"PING\r\n");
    spin(&mut server, 1);
    set_clock_ms(&sys, 3_400);
    spin(&mut server, 1);
    assert!(!sys.is_closed(fd));
    assert_eq!(sys.take_output(fd), b"+PONG\r\n+PONG\r\n");
    set_clock_ms(&sys, 3_500);
    spin(&mut server, 1);
    assert!(sys.is_closed(fd));
    // A runtime change re-arms the others: a fresh client with the new, longer timeout.
    let other = sys.connect(ROOMY);
    sys.write(other, b"PING\r\n");
    spin(&mut server, 2);
    server.shared.config.timeout = 100;
    set_clock_ms(&sys, 10_000);
    spin(&mut server, 1);
    assert!(!sys.is_closed(other));
}

#[test]
fn output_buffer_limits_close_clients_that_do_not_read() {
    let sys = FakeSys::default();
    let config = Config {
        client_output_buffer_limit: crate::config::OutputBufferLimit {
            hard_bytes: 10_000,
            soft_bytes: 1_000,
            soft_seconds: 5,
        },
        ..Config::default()
    };
    let mut server = Server::new(&sys, config).expect("server");
    let value = "v".repeat(3_000);
    let setter = sys.connect(ROOMY);
    sys.write(setter, alloc::format!("SET big {value}\r\n").as_bytes());
    spin(&mut server, 2);
    assert_eq!(sys.take_output(setter), b"+OK\r\n");
    // Above the hard limit at once: closed in the same round.
    let greedy = sys.connect(0);
    sys.write(greedy, b"GET big\r\nGET big\r\nGET big\r\nGET big\r\n");
    spin(&mut server, 2);
    assert!(sys.is_closed(greedy));
    // Above the soft limit: closed once it has stayed there for 5 s.
    let slow = sys.connect(0);
    sys.write(slow, b"GET big\r\n");
    spin(&mut server, 2);
    set_clock_ms(&sys, 4_900);
    spin(&mut server, 1);
    assert!(!sys.is_closed(slow));
    set_clock_ms(&sys, 5_000);
    spin(&mut server, 1);
    assert!(sys.is_closed(slow));
    assert_eq!(
        server
            .shared
            .stats
            .client_output_buffer_limit_disconnections,
        2
    );
    // A client that drains its output below the soft limit in time stays.
    let reader = sys.connect(0);
    sys.write(reader, b"GET big\r\n");
    spin(&mut server, 2);
    sys.set_budget(reader, ROOMY);
    set_clock_ms(&sys, 20_000);
    spin(&mut server, 2);
    assert!(!sys.is_closed(reader));
    assert!(sys.take_output(reader).starts_with(b"$3000\r\n"));
}
