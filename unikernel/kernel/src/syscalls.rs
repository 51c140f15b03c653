//! The kernel's system-call table for trap dispatch (`syscall=trap`).
//!
//! Calling convention (Linux's register ABI, our own argument encoding where Linux
//! would pass a `sockaddr` or `epoll_event`): `rax` = Linux syscall number, arguments
//! in `rdi`, `rsi`, `rdx`, `r10`; the result comes back in `rax`, `-errno` on error.
//! The trap is `int 0x80` on an interrupt gate with its own IST stack (IST6): from ring
//! 0 the CPU does not switch stacks by itself, and `syscall`/`sysret` always return to
//! ring 3, so an IST-delivered vector is the trap that keeps the caller's stack (and
//! red zone) untouched. The same kernel functions serve direct calls (`syscall=call`).

use crate::arch::entry::TrapFrame;
use crate::errno::Errno;
use crate::net::socket::{self, Interest, PollEvent};

/// Syscall numbers (Linux x86-64 values).
pub mod nr {
    pub const WRITE: u64 = 1;
    pub const OPEN: u64 = 2;
    pub const CLOSE: u64 = 3;
    pub const IOCTL: u64 = 16;
    pub const PREAD64: u64 = 17;
    pub const PWRITE64: u64 = 18;
    pub const SOCKET: u64 = 41;
    pub const SENDTO: u64 = 44;
    pub const RECVFROM: u64 = 45;
    pub const BIND: u64 = 49;
    pub const LISTEN: u64 = 50;
    pub const FDATASYNC: u64 = 75;
    pub const GETPPID: u64 = 110;
    pub const CLOCK_GETTIME: u64 = 228;
    pub const EPOLL_WAIT: u64 = 232;
    pub const EPOLL_CTL: u64 = 233;
    pub const ACCEPT4: u64 = 288;
}

/// `clock_gettime`'s clock in `rdi` (Linux's ids): the wall clock; any other id is the
/// monotonic clock. The result is nanoseconds in `rax`, not a `timespec`.
pub const CLOCK_REALTIME: u64 = 0;
pub const CLOCK_MONOTONIC: u64 = 1;

/// The one `ioctl` request: the disk's size in bytes, written to the `u64` at `rdx`.
pub const BLKGETSIZE64: u64 = 0x8008_1272;
/// Longest path `open` reads (Linux's `PATH_MAX`, NUL included).
const PATH_MAX: usize = 4096;

/// `epoll_ctl` interest bits in `rsi`.
pub const INTEREST_READ: u64 = 1;
pub const INTEREST_WRITE: u64 = 2;

/// Traps into the kernel with syscall `number` and up to four arguments; returns the
/// raw result (`-errno` on error).
///
/// # Safety
///
/// The kernel reads the arguments of some calls as addresses in the single address
/// space and builds references from them for the duration of the call:
///
/// - [`nr::RECVFROM`]: `a1..a1+a2`, and [`nr::PREAD64`]: `a1..a1+a2`, must be valid for
///   writes and not accessed by anything else during the call (it becomes a `&mut [u8]`);
/// - [`nr::SENDTO`] and [`nr::PWRITE64`]: `a1..a1+a2`, and [`nr::WRITE`]: `a0..a0+a1`,
///   must be valid for reads and not written during the call (they become `&[u8]`);
/// - [`nr::OPEN`]: `a0` must point to a NUL-terminated path, readable up to its NUL (at
///   most 4096 bytes are read; no NUL within them is `ENAMETOOLONG`);
/// - [`nr::IOCTL`] with [`BLKGETSIZE64`]: `a2` must point to a writable, aligned `u64`;
/// - [`nr::EPOLL_WAIT`]: `a0` must point to `a1` writable [`PollEvent`]s, aligned and not
///   accessed by anything else during the call (a null or misaligned `a0` is refused
///   with `EFAULT`, as is a null buffer with a non-zero length above).
///
/// Every other call takes plain values. `trap` must be called from thread context,
/// never from an interrupt or exception handler: the trap's IST stack is not
/// reentrant.
#[inline(always)]
pub unsafe fn trap(number: u64, a0: u64, a1: u64, a2: u64, a3: u64) -> i64 {
    // SAFETY: the caller upholds the contract above, which is exactly what `dispatch`
    // (the handler on the syscall vector) relies on.
    unsafe { crate::arch::traps::syscall_trap(number, a0, a1, a2, a3) as i64 }
}

/// The null system call (`getppid`: there is no parent; always 0), as a plain function.
#[inline(never)]
pub fn getppid() -> i64 {
    0
}

/// Serves one trap: reads the call from `frame`, writes the result to `frame.rax`.
///
/// Only the syscall vector may run this: its register values come from a caller of
/// [`trap`], which promised that the addresses in them are valid (see its `# Safety`).
pub(crate) fn dispatch(frame: &mut TrapFrame) {
    let result = call(frame.rax, [frame.rdi, frame.rsi, frame.rdx, frame.r10]);
    frame.rax = match result {
        Ok(value) => value as u64,
        Err(errno) => (-i64::from(errno.0)) as u64,
    };
}

fn call(number: u64, [a0, a1, a2, a3]: [u64; 4]) -> Result<i64, Errno> {
    let fd = a0 as i32;
    match number {
        nr::GETPPID => Ok(getppid()),
        nr::CLOCK_GETTIME => match a0 {
            CLOCK_REALTIME => crate::time::rtc::realtime_ns()
                .map(|ns| ns as i64)
                .ok_or(Errno::EINVAL),
            _ => Ok(crate::time::now_ns() as i64),
        },
        nr::SOCKET => socket::socket().map(i64::from),
        nr::BIND => socket::bind(fd, (a1 as u32).to_be_bytes(), a2 as u16).map(|()| 0),
        nr::LISTEN => socket::listen(fd, a1 as u32).map(|()| 0),
        nr::ACCEPT4 => socket::accept(fd).map(i64::from),
        nr::RECVFROM => {
            // SAFETY: single address space: the caller of `trap` passed one of its own
            // buffers, writable and unaliased for the call (its contract).
            let buf = unsafe { buffer_mut(a1, a2)? };
            socket::recv(fd, buf).map(|n| n as i64)
        }
        nr::SENDTO => {
            // SAFETY: as above.
            let buf = unsafe { buffer(a1, a2)? };
            socket::send(fd, buf).map(|n| n as i64)
        }
        nr::CLOSE => socket::close(fd).map(|()| 0),
        nr::EPOLL_CTL => {
            let interest = Interest {
                readable: a1 & INTEREST_READ != 0,
                writable: a1 & INTEREST_WRITE != 0,
            };
            socket::poll_ctl(fd, interest).map(|()| 0)
        }
        nr::EPOLL_WAIT => {
            if a0 == 0 || !a0.is_multiple_of(core::mem::align_of::<PollEvent>() as u64) {
                return Err(Errno::EFAULT);
            }
            // SAFETY: the caller of `trap` passed a pointer to `a1` writable PollEvents,
            // unaliased for the call (its contract); null and misalignment are refused above.
            let events =
                unsafe { core::slice::from_raw_parts_mut(a0 as *mut PollEvent, a1 as usize) };
            socket::poll_wait(events, a2 as i32).map(|n| n as i64)
        }
        nr::WRITE => {
            // SAFETY: as for RECVFROM.
            let bytes = unsafe { buffer(a0, a1)? };
            crate::console::write_fmt(format_args!(
                "{}",
                core::str::from_utf8(bytes).unwrap_or("<non-UTF-8 log message>")
            ));
            Ok(a1 as i64)
        }
        nr::OPEN | nr::PREAD64 | nr::PWRITE64 | nr::FDATASYNC | nr::IOCTL => {
            disk_call(number, [a0, a1, a2, a3])
        }
        _ => Err(Errno::ENOSYS),
    }
}

/// The disk calls of [`call`].
fn disk_call(number: u64, [a0, a1, a2, a3]: [u64; 4]) -> Result<i64, Errno> {
    let fd = a0 as i32;
    match number {
        nr::OPEN => {
            // SAFETY: the caller of `trap` passed a NUL-terminated path (its contract).
            let path = unsafe { c_string(a0)? };
            let path = core::str::from_utf8(path).map_err(|_| Errno::ENOENT)?;
            crate::disk::open(path).map(i64::from)
        }
        nr::PREAD64 => {
            // SAFETY: as for RECVFROM.
            let buf = unsafe { buffer_mut(a1, a2)? };
            crate::disk::read(fd, buf, a3).map(|n| n as i64)
        }
        nr::PWRITE64 => {
            // SAFETY: as for SENDTO.
            let buf = unsafe { buffer(a1, a2)? };
            crate::disk::write(fd, buf, a3).map(|n| n as i64)
        }
        nr::FDATASYNC => crate::disk::flush(fd).map(|()| 0),
        nr::IOCTL if a1 == BLKGETSIZE64 => {
            let size = crate::disk::size(fd)?;
            if a2 == 0 || !a2.is_multiple_of(core::mem::align_of::<u64>() as u64) {
                return Err(Errno::EFAULT);
            }
            // SAFETY: the caller of `trap` passed a writable, aligned `u64` (its
            // contract); null and misalignment are refused above.
            unsafe { (a2 as *mut u64).write(size) };
            Ok(0)
        }
        nr::IOCTL => crate::disk::size(fd).and(Err(Errno::ENOTTY)),
        _ => Err(Errno::ENOSYS),
    }
}

/// The bytes before the NUL of the string at `address`.
///
/// # Safety
/// `address` must point to a NUL-terminated string readable up to its NUL, or to at
/// least [`PATH_MAX`] readable bytes.
unsafe fn c_string<'a>(address: u64) -> Result<&'a [u8], Errno> {
    if address == 0 {
        return Err(Errno::EFAULT);
    }
    let start = address as *const u8;
    for len in 0..PATH_MAX {
        // SAFETY: bytes up to and including the NUL are readable (the contract); the scan
        // stops at the first NUL.
        if unsafe { start.add(len).read() } == 0 {
            // SAFETY: the `len` bytes before the NUL were just read.
            return Ok(unsafe { core::slice::from_raw_parts(start, len) });
        }
    }
    Err(Errno::ENAMETOOLONG)
}

/// # Safety
/// `address..address+len` must be readable memory of the calling code.
unsafe fn buffer<'a>(address: u64, len: u64) -> Result<&'a [u8], Errno> {
    if address == 0 && len != 0 {
        return Err(Errno::EFAULT);
    }
    // SAFETY: per the contract; an empty slice needs only a non-null dangling pointer.
    Ok(unsafe {
        core::slice::from_raw_parts(
            if len == 0 {
                core::ptr::NonNull::dangling().as_ptr()
            } else {
                address as *const u8
            },
            len as usize,
        )
    })
}

/// # Safety
/// `address..address+len` must be writable memory of the calling code, not aliased.
unsafe fn buffer_mut<'a>(address: u64, len: u64) -> Result<&'a mut [u8], Errno> {
    if address == 0 && len != 0 {
        return Err(Errno::EFAULT);
    }
    // SAFETY: per the contract.
    Ok(unsafe {
        core::slice::from_raw_parts_mut(
            if len == 0 {
                core::ptr::NonNull::dangling().as_ptr()
            } else {
                address as *mut u8
            },
            len as usize,
        )
    })
}
