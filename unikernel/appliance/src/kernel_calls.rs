//! The `call` backend of the syscall layer: `dbserver`'s system calls as plain
//! function calls into the kernel — no trap, no mode switch, no stack switch. Also
//! the per-kind call counters, the kernel-time accounting and the platform statistics
//! both in-image backends report.
//!
//! **Where the CPU goes.** Every kernel call of either backend runs inside [`timed`], which
//! adds the TSC cycles from just before the call (for `trap`: before `int 0x80`) to just
//! after it returns into [`KERNEL_CYCLES`]. `poll_wait` halts inside the kernel when there is
//! nothing to do, and the disk calls halt while the device works; the kernel counts those
//! halted cycles as idle (`socket::IDLE_CYCLES`, `disk::halted_cycles`). So over any window: system = kernel-call cycles − idle cycles
//! (the socket layer, smoltcp, the network poll and the device, the trap's entry and exit),
//! busy = elapsed − idle, and user = busy − system (the server). The kernel times its timer
//! and device interrupt handlers (`interrupts::HANDLER_CYCLES`); handler cycles outside
//! every kernel call (the server was interrupted) and those that woke the CPU from its idle
//! halt are added to system (and the latter taken off idle). The accounting costs two
//! `rdtsc`, two loads and two atomic adds per call, measured once at start-up
//! ([`calibrate_accounting`]) and reported as `accounting_cycles_per_call`.

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use dbserver::sys::{Errno, Event, Fd, Interest, SockAddrV4, Syscalls};
use ring0db_kernel::api::disk;
use ring0db_kernel::api::socket::{self, PollEvent};

/// Events fetched from the kernel per `poll_wait`.
pub const POLL_BATCH: usize = 256;

/// Kinds of kernel call, for `INFO`.
#[derive(Clone, Copy)]
pub enum CallKind {
    Socket,
    Bind,
    Listen,
    Accept,
    Recv,
    Send,
    Close,
    PollCtl,
    PollWait,
    Clock,
    Log,
    DiskOpen,
    DiskRead,
    DiskWrite,
    DiskSync,
}

const KINDS: usize = 15;
const KIND_NAMES: [&str; KINDS] = [
    "socket",
    "bind",
    "listen",
    "accept",
    "recv",
    "send",
    "close",
    "poll_ctl",
    "poll_wait",
    "clock",
    "log",
    "disk_open",
    "pread",
    "pwrite",
    "fdatasync",
];

static CALLS: [AtomicU64; KINDS] = [const { AtomicU64::new(0) }; KINDS];
static TRAP_MODE: AtomicBool = AtomicBool::new(false);
/// TSC cycles spent inside kernel calls (idle halts in `poll_wait` included).
static KERNEL_CYCLES: AtomicU64 = AtomicU64::new(0);
/// Cycles one [`timed`] wrapper adds to a call, measured by [`calibrate_accounting`].
static ACCOUNTING_CYCLES_PER_CALL: AtomicU64 = AtomicU64::new(0);
/// Interrupt-handler cycles (`interrupts::HANDLER_CYCLES`) that fell inside kernel calls.
static HANDLER_CYCLES_IN_CALLS: AtomicU64 = AtomicU64::new(0);
/// Iterations of the accounting sequence timed at start-up.
const CALIBRATION_ROUNDS: u64 = 100_000;

/// Counts one kernel call of `kind`.
pub fn count(kind: CallKind) {
    CALLS[kind as usize].fetch_add(1, Ordering::Relaxed);
}

/// Runs the kernel call `call` of `kind`: counts it, adds its TSC cycles to the
/// kernel's share, and marks it for the profiler's samples.
#[inline(always)]
pub fn timed<T>(kind: CallKind, call: impl FnOnce() -> T) -> T {
    count(kind);
    let handlers = &ring0db_kernel::api::accounting::HANDLER_CYCLES;
    let handlers_before = handlers.load(Ordering::Relaxed);
    let start = ring0db_kernel::api::time::rdtsc();
    ring0db_kernel::api::accounting::set_in_kernel_call(true);
    let result = call();
    ring0db_kernel::api::accounting::set_in_kernel_call(false);
    let cycles = ring0db_kernel::api::time::rdtsc().wrapping_sub(start);
    KERNEL_CYCLES.fetch_add(cycles, Ordering::Relaxed);
    let in_call = handlers
        .load(Ordering::Relaxed)
        .wrapping_sub(handlers_before);
    HANDLER_CYCLES_IN_CALLS.fetch_add(in_call, Ordering::Relaxed);
    result
}

/// Measures what [`timed`] adds to a call (two `rdtsc`, one atomic add, on a scratch
/// counter) and keeps it for `INFO`. Call once before the server starts.
pub fn calibrate_accounting() {
    static SCRATCH: AtomicU64 = AtomicU64::new(0);
    let rdtsc = ring0db_kernel::api::time::rdtsc;
    let begin = rdtsc();
    let handlers = &ring0db_kernel::api::accounting::HANDLER_CYCLES;
    for _ in 0..CALIBRATION_ROUNDS {
        let before = handlers.load(Ordering::Relaxed);
        let start = rdtsc();
        SCRATCH.fetch_add(rdtsc().wrapping_sub(start), Ordering::Relaxed);
        SCRATCH.fetch_add(
            handlers.load(Ordering::Relaxed).wrapping_sub(before),
            Ordering::Relaxed,
        );
    }
    let per_call = rdtsc().wrapping_sub(begin) / CALIBRATION_ROUNDS;
    ACCOUNTING_CYCLES_PER_CALL.store(per_call, Ordering::Relaxed);
    log::info!("appliance: kernel-time accounting costs {per_call} cycles per kernel call");
}

/// Records which backend is in use, for `INFO`.
pub fn set_trap_mode(trap: bool) {
    TRAP_MODE.store(trap, Ordering::Relaxed);
}

/// Converts a kernel errno (same Linux values) to the server's.
pub fn errno(e: ring0db_kernel::api::Errno) -> Errno {
    Errno(e.0)
}

/// Copies kernel poll events into the server's event type.
pub fn convert_events(from: &[PollEvent], to: &mut [Event]) {
    for (event, kernel) in to.iter_mut().zip(from) {
        *event = Event {
            fd: kernel.fd,
            readable: kernel.readable,
            writable: kernel.writable,
            hangup: kernel.hangup,
        };
    }
}

/// Reports busy/idle cycles, kernel calls by kind, heap and network counters.
pub fn report_platform_stats(report: &mut dyn FnMut(&str, u64)) {
    let since_boot = ring0db_kernel::api::time::rdtsc() - ring0db_kernel::api::time::boot_tsc();
    let halted = socket::IDLE_CYCLES
        .load(Ordering::Relaxed)
        .saturating_add(disk::halted_cycles())
        .min(since_boot);
    let handlers = ring0db_kernel::api::accounting::HANDLER_CYCLES.load(Ordering::Relaxed);
    // Handlers that woke the CPU from its halt ran inside the idle window: they are kernel
    // work, not idle. Handlers outside every kernel call interrupted the server.
    let idle_handlers = ring0db_kernel::api::accounting::IDLE_HANDLER_CYCLES
        .load(Ordering::Relaxed)
        .min(halted);
    let outside_calls = handlers.saturating_sub(HANDLER_CYCLES_IN_CALLS.load(Ordering::Relaxed));
    let idle = halted - idle_handlers;
    report("tsc_hz", ring0db_kernel::api::time::tsc_hz());
    let busy = since_boot - idle;
    // Idle halts happen inside poll_wait and the disk calls, so they are part of the
    // kernel-call cycles.
    let system = KERNEL_CYCLES
        .load(Ordering::Relaxed)
        .saturating_sub(halted)
        .saturating_add(idle_handlers)
        .saturating_add(outside_calls)
        .min(busy);
    report("busy_cycles", busy);
    report("idle_cycles", idle);
    report("system_cycles", system);
    report("irq_handler_cycles", handlers);
    report("user_cycles", busy - system);
    report(
        "accounting_cycles_per_call",
        ACCOUNTING_CYCLES_PER_CALL.load(Ordering::Relaxed),
    );
    report(
        "syscalls_via_trap",
        u64::from(TRAP_MODE.load(Ordering::Relaxed)),
    );
    let mut total = 0;
    for (name, calls) in KIND_NAMES.iter().zip(&CALLS) {
        let calls = calls.load(Ordering::Relaxed);
        total += calls;
        report(&alloc::format!("kernel_calls_{name}"), calls);
    }
    report("kernel_calls_total", total);
    let heap = ring0db_kernel::api::accounting::heap_stats();
    report("heap_allocated_bytes", heap.allocated_bytes as u64);
    let sockets = socket::stats();
    report("kernel_sockets", sockets.smoltcp_sockets as u64);
    report("kernel_socket_slots", sockets.socket_slots as u64);
    let net = ring0db_kernel::api::net::stats();
    report("kernel_socket_set_compactions", net.socket_set_compactions);
    report("net_rx_packets", net.rx_packets);
    report("net_tx_packets", net.tx_packets);
    let disk = disk::stats();
    report("disk_size_bytes", disk.size_bytes);
    report("disk_requests", disk.requests);
    report("disk_read_bytes", disk.read_bytes);
    report("disk_written_bytes", disk.written_bytes);
    report("disk_flushes", disk.flushes);
    report("disk_irqs", disk.irqs);
    report("disk_wait_cycles", disk.wait_cycles);
    report("disk_errors", disk.errors);
}

/// Direct function calls into the kernel.
pub struct KernelCalls;

impl Syscalls for KernelCalls {
    fn socket(&self) -> Result<Fd, Errno> {
        timed(CallKind::Socket, || socket::socket().map_err(errno))
    }

    fn bind(&self, fd: Fd, addr: SockAddrV4) -> Result<(), Errno> {
        timed(CallKind::Bind, || {
            socket::bind(fd, addr.addr, addr.port).map_err(errno)
        })
    }

    fn listen(&self, fd: Fd, backlog: u32) -> Result<(), Errno> {
        timed(CallKind::Listen, || {
            socket::listen(fd, backlog).map_err(errno)
        })
    }

    fn accept(&self, fd: Fd) -> Result<Fd, Errno> {
        timed(CallKind::Accept, || socket::accept(fd).map_err(errno))
    }

    fn recv(&self, fd: Fd, buf: &mut [u8]) -> Result<usize, Errno> {
        timed(CallKind::Recv, || socket::recv(fd, buf).map_err(errno))
    }

    fn send(&self, fd: Fd, buf: &[u8]) -> Result<usize, Errno> {
        timed(CallKind::Send, || socket::send(fd, buf).map_err(errno))
    }

    fn close(&self, fd: Fd) -> Result<(), Errno> {
        timed(CallKind::Close, || socket::close(fd).map_err(errno))
    }

    fn poll_ctl(&self, fd: Fd, interest: Interest) -> Result<(), Errno> {
        timed(CallKind::PollCtl, || {
            let interest = socket::Interest {
                readable: interest.readable,
                writable: interest.writable,
            };
            socket::poll_ctl(fd, interest).map_err(errno)
        })
    }

    fn poll_wait(&self, events: &mut [Event], timeout_ms: i32) -> Result<usize, Errno> {
        timed(CallKind::PollWait, || {
            let mut batch = [PollEvent::default(); POLL_BATCH];
            let limit = events.len().min(POLL_BATCH);
            let ready = socket::poll_wait(&mut batch[..limit], timeout_ms).map_err(errno)?;
            convert_events(&batch[..ready], events);
            Ok(ready)
        })
    }

    fn clock_ns(&self) -> u64 {
        timed(CallKind::Clock, ring0db_kernel::api::time::now_ns)
    }

    fn realtime_ns(&self) -> Result<u64, Errno> {
        timed(CallKind::Clock, || {
            ring0db_kernel::api::time::realtime_ns().ok_or(Errno::EINVAL)
        })
    }

    fn disk_open(&self, path: &str) -> Result<Fd, Errno> {
        timed(CallKind::DiskOpen, || disk::open(path).map_err(errno))
    }

    fn disk_size(&self, fd: Fd) -> Result<u64, Errno> {
        timed(CallKind::DiskOpen, || disk::size(fd).map_err(errno))
    }

    fn pread(&self, fd: Fd, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
        timed(CallKind::DiskRead, || {
            disk::read(fd, buf, offset).map_err(errno)
        })
    }

    fn pwrite(&self, fd: Fd, buf: &[u8], offset: u64) -> Result<usize, Errno> {
        timed(CallKind::DiskWrite, || {
            disk::write(fd, buf, offset).map_err(errno)
        })
    }

    fn fdatasync(&self, fd: Fd) -> Result<(), Errno> {
        timed(CallKind::DiskSync, || disk::flush(fd).map_err(errno))
    }

    fn random_seed(&self) -> u64 {
        ring0db_kernel::api::seed().0
    }

    fn log(&self, msg: &str) {
        timed(CallKind::Log, || {
            ring0db_kernel::api::write_fmt(format_args!("{msg}"));
        })
    }

    fn platform_stats(&self, report: &mut dyn FnMut(&str, u64)) {
        report_platform_stats(report);
    }
}
