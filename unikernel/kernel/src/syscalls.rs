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
    pub const CLOSE: u64 = 3;
    pub const SOCKET: u64 = 41;
    pub const SENDTO: u64 = 44;
    pub const RECVFROM: u64 = 45;
    pub const BIND: u64 = 49;
    pub const LISTEN: u64 = 50;
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

/// `epoll_ctl` interest bits in `rsi`.
pub const INTEREST_READ: u64 = 1;
pub const INTEREST_WRITE: u64 = 2;

/// Traps into the kernel with syscall `number` and up to three arguments; returns the
/// raw result (`-errno` on error).
///
/// # Safety
///
/// The kernel reads the arguments of some calls as addresses in the single address
/// space and builds references from them for the duration of the call:
///
/// - [`nr::RECVFROM`]: `a1..a1+a2` must be valid for writes and not accessed by anything
///   else during the call (it becomes a `&mut [u8]`);
/// - [`nr::SENDTO`]: `a1..a1+a2`, and [`nr::WRITE`]: `a0..a0+a1`, must be valid for
///   reads and not written during the call (they become `&[u8]`);
/// - [`nr::EPOLL_WAIT`]: `a0` must point to `a1` writable [`PollEvent`]s, aligned and not
///   accessed by anything else during the call (a null or misaligned `a0` is refused
///   with `EFAULT`, as is a null buffer with a non-zero length above).
///
/// Every other call takes plain values. `trap` must be called from thread context,
/// never from an interrupt or exception handler: the trap's IST stack is not
/// reentrant.
#[inline(always)]
pub unsafe fn trap(number: u64, a0: u64, a1: u64, a2: u64) -> i64 {
    // SAFETY: the caller upholds the contract above, which is exactly what `dispatch`
    // (the handler on the syscall vector) relies on.
    unsafe { crate::arch::traps::syscall_trap(number, a0, a1, a2) as i64 }
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
    let result = call(frame.rax, frame.rdi, frame.rsi, frame.rdx);
    frame.rax = match result {
        Ok(value) => value as u64,
        Err(errno) => (-i64::from(errno.0)) as u64,
    };
}

fn call(number: u64, a0: u64, a1: u64, a2: u64) -> Result<i64, Errno> {
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
        _ => Err(Errno::ENOSYS),
    }
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
