//! Built-in TCP services of the kernel, served from the network poll loop whatever the
//! application does:
//! - `echo=PORT`: echoes every byte back. The ceiling of the virtual network path —
//!   what the database server can at best reach.
//! - `status=PORT`: answers one line of kernel statistics (sockets, heap, network
//!   counters) and closes. Tests use it to check that resources return to their
//!   starting level.

use alloc::boxed::Box;
use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

use embedded_io::{Read, ReadReady, Write};
use smoltcp::iface::SocketHandle;
use smoltcp::socket::tcp;
use spin::Mutex;

use super::compaction::HandleMap;
use super::listener::{release, ListenPool};
use super::socket::SocketStats;
use super::stream::TcpStream;
use super::NetStack;
use crate::boot::cmdline::{BadValue, CommandLine};
use crate::errno::Errno;

/// Accept queue of each built-in service.
const SERVICE_BACKLOG: usize = 256;
/// Bytes moved per echo connection per round (bounded so one busy connection cannot
/// starve the others).
const ECHO_CHUNK_BYTES: usize = 16 * 1024;

struct Service {
    pool: ListenPool,
    connections: Vec<SocketHandle>,
}

struct Services {
    echo: Option<Service>,
    status: Option<Service>,
    scratch: Box<[u8]>,
}

static SERVICES: Mutex<Option<Services>> = Mutex::new(None);

/// The ports of the built-in services (`echo=`, `status=`), each optional.
#[derive(Clone, Copy, Debug, Default)]
pub struct ServicePorts {
    pub echo: Option<u16>,
    pub status: Option<u16>,
}

impl ServicePorts {
    /// Reads `echo=PORT` and `status=PORT`.
    pub fn from_command_line(cmdline: &CommandLine) -> Result<ServicePorts, BadValue> {
        let port = |key: &str| -> Result<Option<u16>, BadValue> {
            cmdline
                .get(key)
                .map(|value| match value.parse::<u16>() {
                    Ok(port) if port != 0 => Ok(port),
                    _ => Err(cmdline.bad(key, value, "a TCP port number (1-65535)")),
                })
                .transpose()
        };
        Ok(ServicePorts {
            echo: port("echo")?,
            status: port("status")?,
        })
    }
}

/// Starts the services whose ports are given (needs the network up).
pub fn start(ports: ServicePorts) -> Result<(), Errno> {
    if ports.echo.is_none() && ports.status.is_none() {
        return Ok(());
    }
    let mut guard = super::STACK.lock();
    let stack = guard.as_mut().ok_or(Errno::ENETDOWN)?;
    let mut open = |port: Option<u16>, name: &str| -> Result<Option<Service>, Errno> {
        port.map(|port| {
            log::info!("net: built-in {name} service on port {port}");
            Ok(Service {
                pool: ListenPool::open(stack, port, SERVICE_BACKLOG)?,
                connections: Vec::new(),
            })
        })
        .transpose()
    };
    let echo = open(ports.echo, "echo")?;
    let status = open(ports.status, "status")?;
    *SERVICES.lock() = Some(Services {
        echo,
        status,
        scratch: vec![0; ECHO_CHUNK_BYTES].into_boxed_slice(),
    });
    Ok(())
}

/// Refills the services' listening pools; called between bursts of received frames.
pub fn replenish(stack: &mut NetStack) {
    let mut guard = SERVICES.lock();
    let Some(services) = guard.as_mut() else {
        return;
    };
    for service in [services.echo.as_mut(), services.status.as_mut()]
        .into_iter()
        .flatten()
    {
        service.pool.replenish(stack);
    }
}

/// After the socket set was rebuilt: the services' new handles.
pub fn remap(map: &HandleMap) {
    let mut guard = SERVICES.lock();
    let Some(services) = guard.as_mut() else {
        return;
    };
    for service in [services.echo.as_mut(), services.status.as_mut()]
        .into_iter()
        .flatten()
    {
        service.pool.remap(map);
        service.connections.iter_mut().for_each(|h| map.apply(h));
    }
}

/// One round of service work; called from every network poll.
pub fn serve(stack: &mut NetStack, sockets: &SocketStats) {
    let mut guard = SERVICES.lock();
    let Some(services) = guard.as_mut() else {
        return;
    };
    if let Some(echo) = services.echo.as_mut() {
        echo.accept_all(stack);
        let scratch = &mut services.scratch;
        echo.connections
            .retain(|handle| echo_once(stack, *handle, scratch));
    }
    let echo_connections = services
        .echo
        .as_ref()
        .map_or(0, |echo| echo.connections.len());
    if let Some(status) = services.status.as_mut() {
        status.accept_all(stack);
        status
            .connections
            .retain(|handle| answer_status(stack, *handle, sockets, echo_connections));
    }
}

impl Service {
    fn accept_all(&mut self, stack: &mut NetStack) {
        // At `maxconn`, established connections stay in the accept queue (and SYNs
        // beyond it are refused), exactly as for the socket layer's `accept`.
        while self.connections.len() < stack.config.maxconn {
            match self.pool.take_established() {
                Some(handle) => self.connections.push(handle),
                None => break,
            }
        }
    }
}

/// Moves received bytes to the send buffer; returns false once the connection is gone.
fn echo_once(stack: &mut NetStack, handle: SocketHandle, scratch: &mut [u8]) -> bool {
    let mut stream = TcpStream::new(stack.sockets.get_mut::<tcp::Socket>(handle));
    let take = stream.send_room().min(scratch.len());
    if take > 0 && stream.read_ready() == Ok(true) {
        if let Ok(received) = stream.read(&mut scratch[..take]) {
            // Cannot fall short: `take` bytes of send room were checked above.
            let _ = stream.write_all(&scratch[..received]);
        }
    }
    finish_if_done(stack, handle)
}

/// Sends the status line once, then closes; returns false once the connection is gone.
fn answer_status(
    stack: &mut NetStack,
    handle: SocketHandle,
    sockets: &SocketStats,
    echo_connections: usize,
) -> bool {
    let ready = TcpStream::new(stack.sockets.get_mut::<tcp::Socket>(handle)).is_idle_established();
    if ready {
        // Sockets and heap are read at the same moment (after this round's accepts), so
        // the line is consistent; the descriptor figures do not change while services run.
        let now = SocketStats {
            smoltcp_sockets: stack.socket_count(),
            socket_slots: stack.slot_count().slots,
            ..*sockets
        };
        let line = status_line(&now, echo_connections);
        let mut stream = TcpStream::new(stack.sockets.get_mut::<tcp::Socket>(handle));
        // A status line that does not fit the send buffer is cut, as before.
        let _ = stream.write_all(line.as_bytes());
        stream.close();
    }
    finish_if_done(stack, handle)
}

/// Closes our side once the peer closed and everything was sent; releases the socket
/// once the connection has ended. Returns whether the connection is still tracked.
fn finish_if_done(stack: &mut NetStack, handle: SocketHandle) -> bool {
    let socket = stack.sockets.get_mut::<tcp::Socket>(handle);
    if !socket.may_recv() && socket.send_queue() == 0 && socket.state() == tcp::State::CloseWait {
        socket.close();
    }
    if matches!(socket.state(), tcp::State::Closed | tcp::State::TimeWait) {
        release(stack, handle);
        return false;
    }
    true
}

/// One line of `key=value` statistics.
pub fn status_line(sockets: &SocketStats, echo_connections: usize) -> alloc::string::String {
    let heap = crate::mem::heap::stats();
    let net = super::stats();
    format!(
        "ring0db-status descriptors={} streams={} closing={} echo_connections={} smoltcp_sockets={} socket_slots={} heap_allocated_bytes={} heap_allocations={} rx_packets={} tx_packets={} doorbells={} parked={}\n",
        sockets.descriptors, sockets.streams, sockets.closing, echo_connections, sockets.smoltcp_sockets, sockets.socket_slots, heap.allocated_bytes, heap.allocations, net.rx_packets, net.tx_packets, net.doorbells, sockets.parked
    )
}
