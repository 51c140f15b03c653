//! Requests on the event loop: pipelining and split frames, partial sends,
//! backpressure, protocol errors, `maxclients` and `QUIT`.

use super::fake_sys::FakeSys;
use super::{spin, ROOMY};
use crate::config::Config;
use crate::server::Server;
use crate::sys::Interest;
use alloc::string::ToString;
use alloc::vec::Vec;

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
