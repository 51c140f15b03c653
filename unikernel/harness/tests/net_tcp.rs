//! The unikernel on the network, end to end: the real image in QEMU behind a tap device
//! in a namespace (and user-mode networking), the kernel's built-in echo and status
//! services, real TCP from the host. Every test runs in both `net=irq` and `net=poll`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use ring0db_harness::{NetVm, Network};

const ECHO_PORT: u16 = 7;
const STATUS_PORT: u16 = 8;
const MODES: [&str; 2] = ["irq", "poll"];

fn boot_echo(mode: &str, extra: &str) -> NetVm {
    let cmdline = format!("server=off echo={ECHO_PORT} status={STATUS_PORT} net={mode} {extra}");
    NetVm::boot(Network::Tap, &cmdline).unwrap_or_else(|e| panic!("boot `{cmdline}`: {e:#}"))
}

/// A small deterministic generator, so failures reproduce.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn fill(&mut self, buf: &mut [u8]) {
        for byte in buf {
            *byte = self.next() as u8;
        }
    }
}

/// Sends `message` and reads back exactly as many bytes, which must be identical.
fn round_trip(stream: &mut TcpStream, message: &[u8], reply: &mut Vec<u8>) {
    stream.write_all(message).expect("send");
    reply.resize(message.len(), 0);
    stream.read_exact(reply).expect("echo reply");
    assert!(
        reply == message,
        "echo differs from what was sent ({} bytes)",
        message.len()
    );
}

fn configure(stream: &TcpStream) {
    stream.set_nodelay(true).expect("nodelay");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
}

#[test]
fn ten_thousand_round_trips_on_one_connection() {
    for mode in MODES {
        let vm = boot_echo(mode, "");
        let mut stream = vm.connect(ECHO_PORT).expect("connect");
        configure(&stream);
        let mut rng = Xorshift(0x5eed);
        let (mut message, mut reply) = ([0u8; 64], Vec::new());
        for _ in 0..10_000 {
            rng.fill(&mut message);
            round_trip(&mut stream, &message, &mut reply);
        }
    }
}

#[test]
fn two_hundred_concurrent_connections_echo_random_sizes() {
    const CONNECTIONS: u64 = 200;
    const MESSAGES: usize = 100;
    const MAX_MESSAGE: usize = 16 * 1024;
    for mode in MODES {
        let vm = boot_echo(mode, "");
        let streams: Vec<TcpStream> = (0..CONNECTIONS)
            .map(|_| vm.connect(ECHO_PORT).expect("connect"))
            .collect();
        let workers: Vec<_> = streams
            .into_iter()
            .enumerate()
            .map(|(index, mut stream)| {
                thread::spawn(move || {
                    configure(&stream);
                    let mut rng = Xorshift(index as u64 + 1);
                    let (mut message, mut reply) = (vec![0u8; MAX_MESSAGE], Vec::new());
                    for _ in 0..MESSAGES {
                        let size = 1 + (rng.next() as usize) % MAX_MESSAGE;
                        rng.fill(&mut message[..size]);
                        round_trip(&mut stream, &message[..size], &mut reply);
                    }
                })
            })
            .collect();
        for worker in workers {
            worker
                .join()
                .expect("a connection failed (see its panic above)");
        }
    }
}

#[test]
fn connect_close_cycles_return_sockets_and_heap_to_their_starting_level() {
    const WARMUP_CYCLES: usize = 50;
    const CYCLES: usize = 2_000;
    for mode in MODES {
        let vm = boot_echo(mode, "");
        let cycle = || {
            let mut stream = vm.connect(ECHO_PORT).expect("connect");
            configure(&stream);
            round_trip(&mut stream, b"ping", &mut Vec::new());
        };
        (0..WARMUP_CYCLES).for_each(|_| cycle());
        let before = settled_status(&vm);
        (0..CYCLES).for_each(|_| cycle());
        let after = settled_status(&vm);
        for key in [
            "streams",
            "closing",
            "echo_connections",
            "smoltcp_sockets",
            "heap_allocated_bytes",
            "heap_allocations",
        ] {
            assert_eq!(before.get(key), after.get(key), "`{key}` after {CYCLES} connect/close cycles (net={mode}): before {before:?}, after {after:?}");
        }
    }
}

/// The status once every connection has finished closing (TCP's close handshake
/// completes shortly after the client's last `close`): nothing closing, no echo
/// connection, and two consecutive readings that agree on sockets and heap.
fn settled_status(vm: &NetVm) -> std::collections::HashMap<String, u64> {
    const ATTEMPTS: usize = 100;
    let key = |s: &std::collections::HashMap<String, u64>| {
        (
            s.get("smoltcp_sockets").copied(),
            s.get("heap_allocated_bytes").copied(),
        )
    };
    let mut previous = vm.status(STATUS_PORT).expect("status");
    for _ in 0..ATTEMPTS {
        thread::sleep(Duration::from_millis(100));
        let status = vm.status(STATUS_PORT).expect("status");
        let idle = status.get("closing") == Some(&0) && status.get("echo_connections") == Some(&0);
        if idle && key(&status) == key(&previous) {
            return status;
        }
        previous = status;
    }
    previous
}

#[test]
fn sixteen_mebibytes_each_way_arrive_intact() {
    const TOTAL: usize = 16 * 1024 * 1024;
    const CHUNK: usize = 64 * 1024;
    for mode in MODES {
        let vm = boot_echo(mode, "");
        let stream = vm.connect(ECHO_PORT).expect("connect");
        configure(&stream);
        let mut writer = stream.try_clone().expect("clone");
        let sender = thread::spawn(move || {
            let mut rng = Xorshift(7);
            let mut chunk = vec![0u8; CHUNK];
            for _ in 0..TOTAL / CHUNK {
                rng.fill(&mut chunk);
                writer.write_all(&chunk).expect("send");
            }
        });
        let mut reader = stream;
        let mut expected = Xorshift(7);
        let (mut want, mut got) = (vec![0u8; CHUNK], vec![0u8; CHUNK]);
        for chunk_index in 0..TOTAL / CHUNK {
            expected.fill(&mut want);
            reader.read_exact(&mut got).expect("receive");
            assert!(
                want == got,
                "chunk {chunk_index} of the echoed stream differs (net={mode})"
            );
        }
        sender.join().expect("sender");
    }
}

#[test]
fn connections_beyond_maxconn_wait_in_the_accept_queue_and_are_served_once_others_close() {
    // The echo service's accept queue holds 256: every extra connection completes its
    // handshake (none is refused) but none is served while MAXCONN are open.
    const MAXCONN: usize = 16;
    const EXTRA: usize = 24;
    for mode in MODES {
        let vm = boot_echo(mode, &format!("maxconn={MAXCONN}"));
        let mut served: Vec<TcpStream> = (0..MAXCONN)
            .map(|_| vm.connect(ECHO_PORT).expect("connect"))
            .collect();
        for stream in &mut served {
            configure(stream);
            round_trip(stream, b"before", &mut Vec::new());
        }
        let mut queued: Vec<TcpStream> = (0..EXTRA)
            .map(|i| {
                vm.vm
                    .net()
                    .connect_port(ECHO_PORT, Duration::from_secs(30))
                    .unwrap_or_else(|e| {
                        panic!("connection {i} beyond maxconn={MAXCONN} was refused, not queued (net={mode}): {e}")
                    })
            })
            .collect();
        for stream in &mut queued {
            stream
                .set_read_timeout(Some(Duration::from_millis(300)))
                .expect("timeout");
            stream
                .write_all(b"queued")
                .expect("send to a queued connection");
            let mut byte = [0u8; 1];
            assert!(
                stream.read(&mut byte).is_err(),
                "a connection beyond maxconn={MAXCONN} was served (net={mode})"
            );
        }
        for stream in &mut served {
            round_trip(stream, b"still served", &mut Vec::new());
        }
        // Freeing the served connections lets the queued ones in, in turn.
        drop(served);
        for (i, stream) in queued.iter_mut().enumerate() {
            if i == MAXCONN {
                break;
            }
            stream
                .set_read_timeout(Some(Duration::from_secs(60)))
                .expect("timeout");
            let mut reply = [0u8; 6];
            stream
                .read_exact(&mut reply)
                .expect("queued connection served once others closed");
            assert_eq!(&reply, b"queued");
        }
        let status = vm
            .status(STATUS_PORT)
            .expect("the kernel answers status after the overload");
        assert!(status.contains_key("heap_allocated_bytes"));
    }
}

#[test]
fn a_burst_of_simultaneous_connects_is_never_refused() {
    // Far more SYNs at once than the kernel keeps listening sockets (16): the pool is
    // refilled between bursts of received frames, so none meets a RST.
    const BURST: usize = 96;
    for mode in MODES {
        let vm = boot_echo(mode, "");
        drop(vm.connect(ECHO_PORT).expect("the guest is up"));
        let barrier = std::sync::Barrier::new(BURST);
        let mut streams: Vec<TcpStream> = thread::scope(|scope| {
            let workers: Vec<_> = (0..BURST)
                .map(|_| {
                    scope.spawn(|| {
                        barrier.wait();
                        vm.vm.net().connect_port(ECHO_PORT, Duration::from_secs(60))
                    })
                })
                .collect();
            workers
                .into_iter()
                .enumerate()
                .map(|(i, w)| {
                    w.join().expect("connect thread").unwrap_or_else(|e| {
                        panic!("simultaneous connect {i} of {BURST} failed (net={mode}): {e:#}")
                    })
                })
                .collect()
        });
        for stream in &mut streams {
            configure(stream);
            round_trip(stream, b"burst", &mut Vec::new());
        }
    }
}

#[test]
fn echo_over_user_mode_networking() {
    let vm = NetVm::boot(Network::User, "server=off echo=6379").expect("boot with user networking");
    let mut stream = vm.connect(6379).expect("connect through hostfwd");
    configure(&stream);
    let mut reply = Vec::new();
    for round in 0..1_000u32 {
        round_trip(&mut stream, &round.to_le_bytes(), &mut reply);
    }
}
