//! The `trap` backend of the syscall layer: the same kernel functions as the `call`
//! backend, reached through `int 0x80` (an IST-delivered interrupt gate) with Linux's
//! syscall numbers and register convention. See `ring0db_kernel::api::syscalls`.

use dbserver::sys::{Errno, Event, Fd, Interest, SockAddrV4, Syscalls};
use ring0db_kernel::api::socket::PollEvent;
use ring0db_kernel::api::syscalls::{
    nr, trap, BLKGETSIZE64, CLOCK_MONOTONIC, CLOCK_REALTIME, INTEREST_READ, INTEREST_WRITE,
};

use crate::kernel_calls::{convert_events, report_platform_stats, timed, CallKind, POLL_BATCH};

/// `open`'s flags: read and write (the only mode the disk has).
const O_RDWR: u64 = 2;

/// A result of `trap` as `Ok(value)` or `Err(errno)`.
fn check(result: i64) -> Result<u64, Errno> {
    if result < 0 {
        Err(Errno(i32::try_from(-result).unwrap_or(i32::MAX)))
    } else {
        Ok(result as u64)
    }
}

/// Kernel calls through the trap vector.
pub struct TrapCalls;

impl Syscalls for TrapCalls {
    fn socket(&self) -> Result<Fd, Errno> {
        timed(CallKind::Socket, || {
            // SAFETY: SOCKET takes no addresses; thread context (the server), not a handler.
            check(unsafe { trap(nr::SOCKET, 0, 0, 0, 0) }).map(|fd| fd as Fd)
        })
    }

    fn bind(&self, fd: Fd, addr: SockAddrV4) -> Result<(), Errno> {
        timed(CallKind::Bind, || {
            let address = u32::from_be_bytes(addr.addr);
            // SAFETY: BIND takes values only (address and port); thread context.
            check(unsafe {
                trap(
                    nr::BIND,
                    fd as u64,
                    u64::from(address),
                    u64::from(addr.port),
                    0,
                )
            })
            .map(drop)
        })
    }

    fn listen(&self, fd: Fd, backlog: u32) -> Result<(), Errno> {
        timed(CallKind::Listen, || {
            // SAFETY: LISTEN takes values only; thread context.
            check(unsafe { trap(nr::LISTEN, fd as u64, u64::from(backlog), 0, 0) }).map(drop)
        })
    }

    fn accept(&self, fd: Fd) -> Result<Fd, Errno> {
        timed(CallKind::Accept, || {
            // SAFETY: ACCEPT4 takes values only; thread context.
            check(unsafe { trap(nr::ACCEPT4, fd as u64, 0, 0, 0) }).map(|fd| fd as Fd)
        })
    }

    fn recv(&self, fd: Fd, buf: &mut [u8]) -> Result<usize, Errno> {
        timed(CallKind::Recv, || {
            // SAFETY: `buf` is an exclusive borrow, so `ptr..ptr+len` is writable and
            // unaliased for the whole call, as RECVFROM requires; thread context.
            check(unsafe {
                trap(
                    nr::RECVFROM,
                    fd as u64,
                    buf.as_mut_ptr() as u64,
                    buf.len() as u64,
                    0,
                )
            })
            .map(|n| n as usize)
        })
    }

    fn send(&self, fd: Fd, buf: &[u8]) -> Result<usize, Errno> {
        timed(CallKind::Send, || {
            // SAFETY: `buf` is a shared borrow, so `ptr..ptr+len` is readable and not written
            // during the call, as SENDTO requires; thread context.
            check(unsafe {
                trap(
                    nr::SENDTO,
                    fd as u64,
                    buf.as_ptr() as u64,
                    buf.len() as u64,
                    0,
                )
            })
            .map(|n| n as usize)
        })
    }

    fn close(&self, fd: Fd) -> Result<(), Errno> {
        timed(CallKind::Close, || {
            // SAFETY: CLOSE takes values only; thread context.
            check(unsafe { trap(nr::CLOSE, fd as u64, 0, 0, 0) }).map(drop)
        })
    }

    fn poll_ctl(&self, fd: Fd, interest: Interest) -> Result<(), Errno> {
        timed(CallKind::PollCtl, || {
            let bits = if interest.readable { INTEREST_READ } else { 0 }
                | if interest.writable { INTEREST_WRITE } else { 0 };
            // SAFETY: EPOLL_CTL takes values only; thread context.
            check(unsafe { trap(nr::EPOLL_CTL, fd as u64, bits, 0, 0) }).map(drop)
        })
    }

    fn poll_wait(&self, events: &mut [Event], timeout_ms: i32) -> Result<usize, Errno> {
        timed(CallKind::PollWait, || {
            let mut batch = [PollEvent::default(); POLL_BATCH];
            let limit = events.len().min(POLL_BATCH);
            // SAFETY: `batch` is a local array of at least `limit` PollEvents, properly
            // aligned and exclusively borrowed for the call, as EPOLL_WAIT requires; thread
            // context.
            let ready = check(unsafe {
                trap(
                    nr::EPOLL_WAIT,
                    batch.as_mut_ptr() as u64,
                    limit as u64,
                    timeout_ms as i64 as u64,
                    0,
                )
            })? as usize;
            let ready = ready.min(limit);
            convert_events(&batch[..ready], events);
            Ok(ready)
        })
    }

    fn clock_ns(&self) -> u64 {
        timed(CallKind::Clock, || {
            // SAFETY: CLOCK_GETTIME takes no addresses (a clock id only); thread context.
            check(unsafe { trap(nr::CLOCK_GETTIME, CLOCK_MONOTONIC, 0, 0, 0) }).unwrap_or(0)
        })
    }

    fn realtime_ns(&self) -> Result<u64, Errno> {
        timed(CallKind::Clock, || {
            // SAFETY: as for `clock_ns`.
            check(unsafe { trap(nr::CLOCK_GETTIME, CLOCK_REALTIME, 0, 0, 0) })
        })
    }

    fn disk_open(&self, path: &str) -> Result<Fd, Errno> {
        timed(CallKind::DiskOpen, || {
            let mut c_path = alloc::vec::Vec::with_capacity(path.len() + 1);
            c_path.extend_from_slice(path.as_bytes());
            c_path.push(0);
            // SAFETY: `c_path` is NUL-terminated and lives, unwritten, for the whole call, as
            // OPEN requires; thread context.
            check(unsafe { trap(nr::OPEN, c_path.as_ptr() as u64, O_RDWR, 0, 0) })
                .map(|fd| fd as Fd)
        })
    }

    fn disk_size(&self, fd: Fd) -> Result<u64, Errno> {
        timed(CallKind::DiskOpen, || {
            let mut size = 0u64;
            // SAFETY: `size` is a local, aligned `u64`, exclusively borrowed for the call, as
            // IOCTL with BLKGETSIZE64 requires; thread context.
            check(unsafe {
                trap(
                    nr::IOCTL,
                    fd as u64,
                    BLKGETSIZE64,
                    &mut size as *mut u64 as u64,
                    0,
                )
            })?;
            Ok(size)
        })
    }

    fn pread(&self, fd: Fd, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
        timed(CallKind::DiskRead, || {
            // SAFETY: `buf` is an exclusive borrow, so `ptr..ptr+len` is writable and
            // unaliased for the whole call, as PREAD64 requires; thread context.
            check(unsafe {
                trap(
                    nr::PREAD64,
                    fd as u64,
                    buf.as_mut_ptr() as u64,
                    buf.len() as u64,
                    offset,
                )
            })
            .map(|n| n as usize)
        })
    }

    fn pwrite(&self, fd: Fd, buf: &[u8], offset: u64) -> Result<usize, Errno> {
        timed(CallKind::DiskWrite, || {
            // SAFETY: `buf` is a shared borrow, so `ptr..ptr+len` is readable and not written
            // during the call, as PWRITE64 requires; thread context.
            check(unsafe {
                trap(
                    nr::PWRITE64,
                    fd as u64,
                    buf.as_ptr() as u64,
                    buf.len() as u64,
                    offset,
                )
            })
            .map(|n| n as usize)
        })
    }

    fn fdatasync(&self, fd: Fd) -> Result<(), Errno> {
        timed(CallKind::DiskSync, || {
            // SAFETY: FDATASYNC takes values only; thread context.
            check(unsafe { trap(nr::FDATASYNC, fd as u64, 0, 0, 0) }).map(drop)
        })
    }

    /// Read once at start-up, so a direct call: the trap path is measured on the calls
    /// the server makes per request.
    fn random_seed(&self) -> u64 {
        ring0db_kernel::api::seed().0
    }

    fn log(&self, msg: &str) {
        timed(CallKind::Log, || {
            // SAFETY: `msg` is a shared borrow, so `ptr..ptr+len` is readable and not written
            // during the call, as WRITE requires; thread context.
            let _ = unsafe { trap(nr::WRITE, msg.as_ptr() as u64, msg.len() as u64, 0, 0) };
        })
    }

    fn platform_stats(&self, report: &mut dyn FnMut(&str, u64)) {
        report_platform_stats(report);
    }
}
