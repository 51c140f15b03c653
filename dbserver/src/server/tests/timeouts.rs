//! Connections the server closes or cleans up: peer close with active expiry, the
//! handshake and idle timeouts, and the output-buffer limits.

use super::fake_sys::FakeSys;
use super::{spin, ROOMY};
use crate::config::Config;
use crate::server::{Server, NS_PER_MS};

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
