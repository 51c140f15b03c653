//! [`Syscalls`] on Linux: non-blocking IPv4 TCP sockets, level-triggered `epoll`,
//! `CLOCK_MONOTONIC` and stderr, through `libc`.

use super::{Errno, Event, Fd, Interest, SockAddrV4, Syscalls};
use std::io::Write;

/// Events fetched from the kernel per `epoll_wait` call at most.
const EPOLL_BATCH: usize = 256;
/// Nanoseconds per second.
const NS_PER_SEC: u64 = 1_000_000_000;
/// Microseconds per second and nanoseconds per microsecond (rusage times).
const US_PER_SEC: u64 = 1_000_000;
const NS_PER_US: u64 = 1_000;

/// `BLKGETSIZE64` (`_IOR(0x12, 114, size_t)`): a block device's size in bytes.
const BLKGETSIZE64: libc::c_ulong = 0x8008_1272;

/// The Linux backend; owns one epoll instance.
pub struct LinuxSys {
    epoll: Fd,
}

/// The calling thread's errno as an [`Errno`].
fn last_errno() -> Errno {
    Errno(
        std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(Errno::EINVAL.0),
    )
}

/// `Ok(ret)` for a non-negative return value, else the errno.
fn check(ret: libc::c_int) -> Result<libc::c_int, Errno> {
    if ret < 0 {
        Err(last_errno())
    } else {
        Ok(ret)
    }
}

/// `Ok(n)` for a non-negative byte count, else the errno.
fn check_size(ret: libc::ssize_t) -> Result<usize, Errno> {
    usize::try_from(ret).map_err(|_| last_errno())
}

impl LinuxSys {
    /// Create the epoll instance.
    pub fn new() -> Result<Self, Errno> {
        // SAFETY: epoll_create1 takes no pointers; the flag is valid.
        let epoll = check(unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) })?;
        Ok(Self { epoll })
    }
}

impl Drop for LinuxSys {
    fn drop(&mut self) {
        // SAFETY: `epoll` is a descriptor this value owns and closes exactly once.
        unsafe { libc::close(self.epoll) };
    }
}

impl Syscalls for LinuxSys {
    fn socket(&self) -> Result<Fd, Errno> {
        let kind = libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC;
        // SAFETY: socket takes no pointers.
        check(unsafe { libc::socket(libc::AF_INET, kind, 0) })
    }

    fn bind(&self, fd: Fd, addr: SockAddrV4) -> Result<(), Errno> {
        let one: libc::c_int = 1;
        // SAFETY: the option value points to a live c_int and its exact size is passed.
        check(unsafe {
            libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_REUSEADDR,
                (&one as *const libc::c_int).cast(),
                size_of::<libc::c_int>() as libc::socklen_t,
            )
        })?;
        let sin = libc::sockaddr_in {
            sin_family: libc::AF_INET as libc::sa_family_t,
            sin_port: addr.port.to_be(),
            sin_addr: libc::in_addr {
                s_addr: u32::from_ne_bytes(addr.addr),
            },
            sin_zero: [0; 8],
        };
        // SAFETY: `sin` is a valid sockaddr_in that outlives the call; its size is passed.
        check(unsafe {
            libc::bind(
                fd,
                (&sin as *const libc::sockaddr_in).cast(),
                size_of::<libc::sockaddr_in>() as libc::socklen_t,
            )
        })?;
        Ok(())
    }

    fn listen(&self, fd: Fd, backlog: u32) -> Result<(), Errno> {
        let backlog = libc::c_int::try_from(backlog).unwrap_or(libc::c_int::MAX);
        // SAFETY: listen takes no pointers.
        check(unsafe { libc::listen(fd, backlog) }).map(drop)
    }

    fn local_port(&self, fd: Fd) -> Result<u16, Errno> {
        // SAFETY: sockaddr_in is plain old data; all-zero is a valid value.
        let mut sin: libc::sockaddr_in = unsafe { std::mem::zeroed() };
        let mut len = size_of::<libc::sockaddr_in>() as libc::socklen_t;
        // SAFETY: `sin` and `len` are live for the call and `len` holds `sin`'s size.
        check(unsafe {
            libc::getsockname(fd, (&mut sin as *mut libc::sockaddr_in).cast(), &mut len)
        })?;
        Ok(u16::from_be(sin.sin_port))
    }

    fn accept(&self, fd: Fd) -> Result<Fd, Errno> {
        let flags = libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC;
        // SAFETY: null address pointers are allowed when the peer address is not wanted.
        let client =
            check(unsafe { libc::accept4(fd, std::ptr::null_mut(), std::ptr::null_mut(), flags) })?;
        // Replies are small and latency matters: disable Nagle like Redis does.
        let one: libc::c_int = 1;
        // SAFETY: the option value points to a live c_int and its exact size is passed.
        unsafe {
            libc::setsockopt(
                client,
                libc::IPPROTO_TCP,
                libc::TCP_NODELAY,
                (&one as *const libc::c_int).cast(),
                size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        Ok(client)
    }

    fn recv(&self, fd: Fd, buf: &mut [u8]) -> Result<usize, Errno> {
        // SAFETY: `buf` is a valid writable region of `buf.len()` bytes for the call.
        check_size(unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0) })
    }

    fn send(&self, fd: Fd, buf: &[u8]) -> Result<usize, Errno> {
        // SAFETY: `buf` is a valid readable region of `buf.len()` bytes for the call.
        check_size(unsafe { libc::send(fd, buf.as_ptr().cast(), buf.len(), libc::MSG_NOSIGNAL) })
    }

    fn close(&self, fd: Fd) -> Result<(), Errno> {
        // SAFETY: close takes no pointers; closing also drops the fd from the epoll set.
        check(unsafe { libc::close(fd) }).map(drop)
    }

    fn poll_ctl(&self, fd: Fd, interest: Interest) -> Result<(), Errno> {
        if !interest.readable && !interest.writable {
            // SAFETY: EPOLL_CTL_DEL ignores the event pointer; null is allowed.
            return match check(unsafe {
                libc::epoll_ctl(self.epoll, libc::EPOLL_CTL_DEL, fd, std::ptr::null_mut())
            }) {
                Ok(_) | Err(Errno(libc::ENOENT)) => Ok(()),
                Err(e) => Err(e),
            };
        }
        let mut bits = libc::EPOLLRDHUP as u32;
        if interest.readable {
            bits |= libc::EPOLLIN as u32;
        }
        if interest.writable {
            bits |= libc::EPOLLOUT as u32;
        }
        let mut ev = libc::epoll_event {
            events: bits,
            u64: fd as u64,
        };
        // Modify first (the common case once registered), add when not yet registered.
        // SAFETY: `ev` is a valid epoll_event that outlives the call.
        match check(unsafe { libc::epoll_ctl(self.epoll, libc::EPOLL_CTL_MOD, fd, &mut ev) }) {
            Ok(_) => Ok(()),
            Err(Errno(libc::ENOENT)) => {
                // SAFETY: as above.
                check(unsafe { libc::epoll_ctl(self.epoll, libc::EPOLL_CTL_ADD, fd, &mut ev) })
                    .map(drop)
            }
            Err(e) => Err(e),
        }
    }

    fn poll_wait(&self, events: &mut [Event], timeout_ms: i32) -> Result<usize, Errno> {
        let mut raw = [libc::epoll_event { events: 0, u64: 0 }; EPOLL_BATCH];
        let max = events.len().min(EPOLL_BATCH);
        if max == 0 {
            return Ok(0);
        }
        // SAFETY: `raw` has room for `max` (<= EPOLL_BATCH) entries; max fits in c_int.
        let n = check(unsafe {
            libc::epoll_wait(self.epoll, raw.as_mut_ptr(), max as libc::c_int, timeout_ms)
        })?;
        let n = usize::try_from(n).unwrap_or(0).min(max);
        for (dst, src) in events.iter_mut().zip(&raw[..n]) {
            let bits = src.events;
            let hangup = (libc::EPOLLHUP | libc::EPOLLRDHUP | libc::EPOLLERR) as u32;
            *dst = Event {
                fd: src.u64 as Fd,
                readable: bits & libc::EPOLLIN as u32 != 0,
                writable: bits & libc::EPOLLOUT as u32 != 0,
                hangup: bits & hangup != 0,
            };
        }
        Ok(n)
    }

    fn disk_open(&self, path: &str) -> Result<Fd, Errno> {
        let path = std::ffi::CString::new(path).map_err(|_| Errno::EINVAL)?;
        // SAFETY: `path` is a NUL-terminated string that outlives the call.
        check(unsafe { libc::open(path.as_ptr(), libc::O_RDWR | libc::O_CLOEXEC) })
    }

    fn disk_size(&self, fd: Fd) -> Result<u64, Errno> {
        // SAFETY: an all-zero `stat` is a valid value for fstat to overwrite.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: `st` is a valid stat buffer for the call to fill.
        check(unsafe { libc::fstat(fd, &mut st) })?;
        if st.st_mode & libc::S_IFMT != libc::S_IFBLK {
            return u64::try_from(st.st_size).map_err(|_| Errno::EINVAL);
        }
        let mut size: u64 = 0;
        // SAFETY: BLKGETSIZE64 writes one u64 through the pointer, which is valid.
        check(unsafe { libc::ioctl(fd, BLKGETSIZE64, &mut size) })?;
        Ok(size)
    }

    fn pread(&self, fd: Fd, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
        let offset = libc::off_t::try_from(offset).map_err(|_| Errno::EINVAL)?;
        // SAFETY: `buf` is writable for `buf.len()` bytes during the call.
        check_size(unsafe { libc::pread(fd, buf.as_mut_ptr().cast(), buf.len(), offset) })
    }

    fn pwrite(&self, fd: Fd, buf: &[u8], offset: u64) -> Result<usize, Errno> {
        let offset = libc::off_t::try_from(offset).map_err(|_| Errno::EINVAL)?;
        // SAFETY: `buf` is readable for `buf.len()` bytes during the call.
        check_size(unsafe { libc::pwrite(fd, buf.as_ptr().cast(), buf.len(), offset) })
    }

    fn fdatasync(&self, fd: Fd) -> Result<(), Errno> {
        // SAFETY: fdatasync takes no pointers.
        check(unsafe { libc::fdatasync(fd) }).map(drop)
    }

    fn clock_ns(&self) -> u64 {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid timespec for the call to fill.
        unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
        (ts.tv_sec as u64)
            .wrapping_mul(NS_PER_SEC)
            .wrapping_add(ts.tv_nsec as u64)
    }

    fn realtime_ns(&self) -> Result<u64, Errno> {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid timespec for the call to fill.
        if unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) } != 0 {
            return Err(Errno::EINVAL);
        }
        let secs = u64::try_from(ts.tv_sec).map_err(|_| Errno::EINVAL)?;
        let nanos = u64::try_from(ts.tv_nsec).map_err(|_| Errno::EINVAL)?;
        Ok(secs.saturating_mul(NS_PER_SEC).saturating_add(nanos))
    }

    fn random_seed(&self) -> u64 {
        let mut seed = [0u8; 8];
        let mut filled = 0;
        while filled < seed.len() {
            let rest = &mut seed[filled..];
            // SAFETY: `rest` is a writable buffer of `rest.len()` bytes for the call.
            let n = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
            match usize::try_from(n) {
                Ok(n) => filled += n,
                // EINTR: try again; any other error (ENOSYS before Linux 3.17) is fatal
                // here rather than a silently predictable seed.
                Err(_)
                    if std::io::Error::last_os_error().kind()
                        == std::io::ErrorKind::Interrupted => {}
                Err(_) => panic!("getrandom(2) failed: {}", std::io::Error::last_os_error()),
            }
        }
        u64::from_ne_bytes(seed)
    }

    fn log(&self, msg: &str) {
        // Logging must never fail the server.
        let _ = std::io::stderr().write_all(msg.as_bytes());
    }

    fn platform_stats(&self, report: &mut dyn FnMut(&str, u64)) {
        // SAFETY: an all-zero rusage is a valid value for getrusage to overwrite.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `usage` is a valid rusage for the call to fill.
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
            return;
        }
        let ns = |tv: libc::timeval| {
            (tv.tv_sec as u64) * US_PER_SEC * NS_PER_US + (tv.tv_usec as u64) * NS_PER_US
        };
        report("platform_linux", 1);
        report("user_cpu_ns", ns(usage.ru_utime));
        report("system_cpu_ns", ns(usage.ru_stime));
        report("max_rss_kib", usage.ru_maxrss as u64);
        report("voluntary_context_switches", usage.ru_nvcsw as u64);
        report("involuntary_context_switches", usage.ru_nivcsw as u64);
    }
}
