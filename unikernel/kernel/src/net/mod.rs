//! Networking: the virtio-net NIC under a smoltcp interface.
//!
//! [`init`] finds the NIC and builds [`STACK`]. The socket layer locks [`STACK`], works
//! on `sockets`, calls [`NetStack::poll`], releases the lock and calls
//! [`wait_for_event`] to idle until the NIC or a timer has something.

pub mod compaction;
pub mod config;
pub mod device;
pub mod interface;
// The socket layer (written against this module's contract).
pub mod listener;
pub mod parking;
pub mod readiness;
pub mod services;
pub mod socket;
pub mod stream;

use core::fmt;
use core::sync::atomic::Ordering;

pub use config::{NetConfig, NetMode};
pub use interface::NetStack;

use crate::arch::cpu;
use crate::drivers::virtio_net::{self, NicError};
use crate::time::{self, timer};

/// The one network stack. `None` until [`init`] succeeds.
pub static STACK: spin::Mutex<Option<NetStack>> = spin::Mutex::new(None);

/// Why networking could not be brought up.
#[derive(Debug)]
pub enum NetInitError {
    Nic(NicError),
    /// `net=irq` but firmware gave the NIC no interrupt line.
    NoInterruptLine,
}

impl fmt::Display for NetInitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetInitError::Nic(error) => write!(f, "network init failed: {error}"),
            NetInitError::NoInterruptLine => f.write_str(
                "network init failed: the NIC has no legacy interrupt line (try net=poll)",
            ),
        }
    }
}

/// Counters for INFO/status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NetStats {
    pub rx_packets: u64,
    pub rx_bytes: u64,
    pub tx_packets: u64,
    pub tx_bytes: u64,
    pub irqs: u64,
    pub tx_queue_full: u64,
    pub polls: u64,
    /// Frames lost to driver errors; 0 on a healthy device.
    pub driver_errors: u64,
    /// Queue notifications sent to the device (at most one per queue per poll).
    pub doorbells: u64,
    /// Rebuilds of the socket set after it became mostly empty slots (`compaction`).
    pub socket_set_compactions: u64,
}

/// Finds the NIC and brings up the interface. `Ok(false)` (logged) when there is no
/// virtio-net device.
pub fn init(config: NetConfig) -> Result<bool, NetInitError> {
    let Some(nic) = virtio_net::probe().map_err(NetInitError::Nic)? else {
        log::warn!("net: no virtio-net device found; networking disabled");
        return Ok(false);
    };
    let irq = match config.mode {
        NetMode::Irq => Some(
            nic.route_interrupt()
                .map_err(NetInitError::Nic)?
                .ok_or(NetInitError::NoInterruptLine)?,
        ),
        NetMode::Poll => None,
    };
    let mac = nic.mac();
    log::info!(
        "net: virtio-net at {}, MAC {}, irq {}",
        nic.location(),
        MacDisplay(mac),
        IrqDisplay(irq.or(nic.irq_line()), config.mode)
    );
    let stack = NetStack::new(config, nic);
    log::info!(
        "net: up: {} gw {} MAC {}, mode {}, maxconn {}, sockbuf {} bytes",
        config.ip,
        GatewayDisplay(config.gateway),
        MacDisplay(config.mac.unwrap_or(mac)),
        match config.mode {
            NetMode::Irq => "irq",
            NetMode::Poll => "poll",
        },
        config.maxconn,
        config.socket_buffer_bytes
    );
    *STACK.lock() = Some(stack);
    Ok(true)
}

/// Idles until something may have happened, at most `timeout_ns`. The caller includes
/// smoltcp's next timer ([`NetStack::poll_delay_ns`]) in `timeout_ns`: it computed it
/// right after its poll, and computing it costs a walk over every socket. `net=irq`: re-enables device interrupts, arms the APIC deadline
/// and halts. `net=poll`: spins on the device's used rings without halting. Returns at
/// once if work is already waiting. Never holds [`STACK`]'s lock while waiting.
pub fn wait_for_event(timeout_ns: Option<u64>) {
    let (mode, wait_ns) = {
        let mut guard = STACK.lock();
        let Some(stack) = guard.as_mut() else {
            drop(guard);
            if let Some(ns) = timeout_ns {
                halt_until(Some(ns));
            }
            return;
        };
        let mode = stack.config.mode;
        let wait_ns = timeout_ns;
        let work_waiting = match mode {
            NetMode::Irq => {
                // Interrupts are off here, so clearing the flag cannot race with the
                // handler; an interrupt raised from now on wakes the `hlt` below.
                virtio_net::take_interrupt_pending();
                stack.arm_interrupts()
            }
            NetMode::Poll => stack.device_has_work(),
        };
        if work_waiting || wait_ns == Some(0) {
            return;
        }
        (mode, wait_ns)
    };
    match mode {
        NetMode::Irq => halt_until(wait_ns),
        NetMode::Poll => spin_until(wait_ns),
    }
}

/// Counters since boot.
pub fn stats() -> NetStats {
    let load = |counter: &core::sync::atomic::AtomicU64| counter.load(Ordering::Relaxed);
    NetStats {
        rx_packets: load(&virtio_net::RX_PACKETS),
        rx_bytes: load(&virtio_net::RX_BYTES),
        tx_packets: load(&virtio_net::TX_PACKETS),
        tx_bytes: load(&virtio_net::TX_BYTES),
        irqs: load(&virtio_net::IRQS),
        tx_queue_full: load(&virtio_net::TX_QUEUE_FULL),
        polls: load(&interface::POLLS),
        driver_errors: load(&virtio_net::ERRORS),
        doorbells: load(&virtio_net::DOORBELLS),
        socket_set_compactions: load(&interface::COMPACTIONS),
    }
}

/// Halts until the NIC interrupts or `wait_ns` passes (forever without a deadline).
fn halt_until(wait_ns: Option<u64>) {
    let start = time::now_ns();
    if let Some(ns) = wait_ns {
        timer::set_deadline_in(ns);
    }
    loop {
        if virtio_net::interrupt_pending() {
            return;
        }
        if let Some(ns) = wait_ns {
            if timer::take_fired() || time::now_ns().saturating_sub(start) >= ns {
                return;
            }
        }
        cpu::wait_for_interrupt();
    }
}

/// Spins until the device has used buffers or `wait_ns` passes.
fn spin_until(wait_ns: Option<u64>) {
    let start = time::now_ns();
    loop {
        if STACK
            .lock()
            .as_mut()
            .is_some_and(|stack| stack.device_has_work())
        {
            return;
        }
        if wait_ns.is_some_and(|ns| time::now_ns().saturating_sub(start) >= ns) {
            return;
        }
        core::hint::spin_loop();
    }
}

/// The earlier of two optional deadlines.
pub fn earliest(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

struct MacDisplay([u8; 6]);

impl fmt::Display for MacDisplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
    }
}

struct GatewayDisplay(Option<smoltcp::wire::Ipv4Address>);

impl fmt::Display for GatewayDisplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(gateway) => write!(f, "{gateway}"),
            None => f.write_str("none"),
        }
    }
}

struct IrqDisplay(Option<u8>, NetMode);

impl fmt::Display for IrqDisplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0, self.1) {
            (Some(line), NetMode::Irq) => write!(f, "{line}"),
            (Some(line), NetMode::Poll) => write!(f, "{line} (unused: net=poll)"),
            (None, _) => f.write_str("none"),
        }
    }
}
