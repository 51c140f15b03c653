//! The syscall layer: the only thing the server knows about the platform it runs on.
//!
//! Three backends implement [`Syscalls`]:
//! - `linux` (in this crate, feature `linux`): real system calls through `libc`.
//! - `call` (in the appliance image): direct function calls into the ring-0 kernel.
//! - `trap` (in the appliance image): the same kernel functions, dispatched through an
//!   IST-delivered trap vector, for the A/B experiment.
//!
//! Every error is an [`Errno`] carrying the Linux value, on every backend.

/// A file descriptor, as on Linux. Negative values are never valid descriptors.
pub type Fd = i32;

/// A Linux errno value (shared with the kernel through `ring0db-contracts`).
pub use ring0db_contracts::Errno;

/// An IPv4 socket address: `addr` in network order as written (`[127, 0, 0, 1]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SockAddrV4 {
    pub addr: [u8; 4],
    pub port: u16,
}

/// The unit of disk I/O: [`Syscalls::pread`] and [`Syscalls::pwrite`] take offsets and
/// lengths that are multiples of it.
pub const SECTOR_SIZE: usize = 512;

/// What a registered descriptor wants to be woken for (level-triggered, like
/// `epoll` without `EPOLLET`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Interest {
    pub readable: bool,
    pub writable: bool,
}

/// One readiness event returned by [`Syscalls::poll_wait`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Event {
    pub fd: Fd,
    pub readable: bool,
    pub writable: bool,
    /// The peer closed or reset the connection (`EPOLLHUP`/`EPOLLRDHUP`/`EPOLLERR`).
    pub hangup: bool,
}

/// The system-call API the server is written against. All sockets are TCP over
/// IPv4 and non-blocking: calls that would block return [`Errno::EAGAIN`].
pub trait Syscalls {
    /// `socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)`.
    fn socket(&self) -> Result<Fd, Errno>;
    /// `bind(2)`; also sets `SO_REUSEADDR` where the platform has it.
    fn bind(&self, fd: Fd, addr: SockAddrV4) -> Result<(), Errno>;
    /// `listen(2)`.
    fn listen(&self, fd: Fd, backlog: u32) -> Result<(), Errno>;
    /// The local port of a bound socket (`getsockname(2)`): the port the platform chose
    /// when `bind` was given port 0. Platforms without port choice keep the default.
    fn local_port(&self, fd: Fd) -> Result<u16, Errno> {
        let _ = fd;
        Err(Errno::ENOSYS)
    }
    /// `accept4(2)` with `SOCK_NONBLOCK`; `EAGAIN` when nobody is waiting.
    fn accept(&self, fd: Fd) -> Result<Fd, Errno>;
    /// `recv(2)`; `Ok(0)` means the peer closed its side.
    fn recv(&self, fd: Fd, buf: &mut [u8]) -> Result<usize, Errno>;
    /// `send(2)`; may write less than `buf.len()`.
    fn send(&self, fd: Fd, buf: &[u8]) -> Result<usize, Errno>;
    /// `close(2)`; also removes the descriptor from the poll set.
    fn close(&self, fd: Fd) -> Result<(), Errno>;
    /// `epoll_ctl(2)`: add or modify `fd`'s interest; an empty interest removes it.
    fn poll_ctl(&self, fd: Fd, interest: Interest) -> Result<(), Errno>;
    /// `epoll_wait(2)`: fill `events`, waiting at most `timeout_ms` (-1: forever,
    /// 0: do not wait). Returns how many entries were filled.
    fn poll_wait(&self, events: &mut [Event], timeout_ms: i32) -> Result<usize, Errno>;
    /// `clock_gettime(CLOCK_MONOTONIC)` in nanoseconds.
    fn clock_ns(&self) -> u64;
    /// `clock_gettime(CLOCK_REALTIME)`: nanoseconds since the Unix epoch, for the
    /// commands that take or report absolute times (`EXPIREAT`, `SET ... EXAT`, `TIME`).
    /// Platforms without a wall clock keep the default, and those commands answer an error.
    fn realtime_ns(&self) -> Result<u64, Errno> {
        Err(Errno::ENOSYS)
    }
    /// `open(path, O_RDWR)` of the disk the durability log lives on: `/dev/vda` in the
    /// guests (the VM's one `virtio-blk` disk), any file or block device on a host. The
    /// log reads and writes it only with the calls below, so its on-disk format is the
    /// same on every platform. Platforms without a disk keep the default.
    fn disk_open(&self, path: &str) -> Result<Fd, Errno> {
        let _ = path;
        Err(Errno::ENOSYS)
    }
    /// The size in bytes of a disk opened with [`Syscalls::disk_open`] (`BLKGETSIZE64`
    /// for a block device, `fstat` for a file).
    fn disk_size(&self, fd: Fd) -> Result<u64, Errno> {
        let _ = fd;
        Err(Errno::ENOSYS)
    }
    /// `pread(2)`: read up to `buf.len()` bytes at byte `offset` of the disk. Callers keep
    /// `offset` and `buf.len()` multiples of [`SECTOR_SIZE`] (the image's block layer
    /// moves whole sectors and answers `EINVAL` otherwise).
    fn pread(&self, fd: Fd, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
        let _ = (fd, buf, offset);
        Err(Errno::ENOSYS)
    }
    /// `pwrite(2)`: write `buf` at byte `offset`; may write less than `buf.len()`. Same
    /// alignment rule as [`Syscalls::pread`]. Written data is durable only after
    /// [`Syscalls::fdatasync`].
    fn pwrite(&self, fd: Fd, buf: &[u8], offset: u64) -> Result<usize, Errno> {
        let _ = (fd, buf, offset);
        Err(Errno::ENOSYS)
    }
    /// `fdatasync(2)`: returns when everything written before it is on stable storage
    /// (a virtio-blk `FLUSH` in the image).
    fn fdatasync(&self, fd: Fd) -> Result<(), Errno> {
        let _ = fd;
        Err(Errno::ENOSYS)
    }
    /// `write(2)` to the log (stderr on Linux, the serial console in the image).
    fn log(&self, msg: &str);
    /// Platform statistics for `INFO` (e.g. busy/idle cycles and kernel calls by kind
    /// in the image): `report(name, value)` once per statistic.
    fn platform_stats(&self, report: &mut dyn FnMut(&str, u64));
    /// 64 bits from the platform's entropy source (getrandom(2) on Linux, RDSEED/RDRAND in
    /// the unikernel), read once at start-up to key the hash tables clients fill
    /// ([`crate::hash`]). The default, for test platforms only, is the monotonic clock:
    /// not secret, so every real backend overrides it.
    fn random_seed(&self) -> u64 {
        self.clock_ns()
    }
}

/// The Linux backend: real system calls through `libc`.
#[cfg(feature = "linux")]
#[allow(unsafe_code)]
pub mod linux;
