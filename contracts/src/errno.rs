//! Error numbers of the system-call API: Linux's values, so every backend (Linux system
//! calls, the kernel's function calls, the trap table) reports the same errno for the same
//! condition.

/// A Linux errno value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Errno(pub i32);

impl Errno {
    pub const EPERM: Errno = Errno(1);
    pub const ENOENT: Errno = Errno(2);
    pub const EINTR: Errno = Errno(4);
    pub const EIO: Errno = Errno(5);
    pub const EBADF: Errno = Errno(9);
    pub const EAGAIN: Errno = Errno(11);
    pub const ENOMEM: Errno = Errno(12);
    pub const EFAULT: Errno = Errno(14);
    pub const ENODEV: Errno = Errno(19);
    pub const EINVAL: Errno = Errno(22);
    pub const EMFILE: Errno = Errno(24);
    pub const ENOTTY: Errno = Errno(25);
    pub const ENOSPC: Errno = Errno(28);
    pub const EPIPE: Errno = Errno(32);
    pub const ENAMETOOLONG: Errno = Errno(36);
    pub const ENOSYS: Errno = Errno(38);
    pub const ENOTSOCK: Errno = Errno(88);
    pub const EOPNOTSUPP: Errno = Errno(95);
    pub const EADDRINUSE: Errno = Errno(98);
    pub const EADDRNOTAVAIL: Errno = Errno(99);
    pub const ENETDOWN: Errno = Errno(100);
    pub const ECONNABORTED: Errno = Errno(103);
    pub const ECONNRESET: Errno = Errno(104);
    pub const EISCONN: Errno = Errno(106);
    pub const ENOTCONN: Errno = Errno(107);
}

#[cfg(test)]
mod tests {
    use super::Errno;

    /// The values are Linux's x86-64 ones (asm-generic/errno-base.h and errno.h).
    #[test]
    fn values_are_linux_values() {
        let linux = [
            (Errno::EPERM, 1),
            (Errno::ENOENT, 2),
            (Errno::EINTR, 4),
            (Errno::EIO, 5),
            (Errno::EBADF, 9),
            (Errno::EAGAIN, 11),
            (Errno::ENOMEM, 12),
            (Errno::EFAULT, 14),
            (Errno::ENODEV, 19),
            (Errno::EINVAL, 22),
            (Errno::EMFILE, 24),
            (Errno::ENOTTY, 25),
            (Errno::ENOSPC, 28),
            (Errno::EPIPE, 32),
            (Errno::ENAMETOOLONG, 36),
            (Errno::ENOSYS, 38),
            (Errno::ENOTSOCK, 88),
            (Errno::EOPNOTSUPP, 95),
            (Errno::EADDRINUSE, 98),
            (Errno::EADDRNOTAVAIL, 99),
            (Errno::ENETDOWN, 100),
            (Errno::ECONNABORTED, 103),
            (Errno::ECONNRESET, 104),
            (Errno::EISCONN, 106),
            (Errno::ENOTCONN, 107),
        ];
        for (errno, value) in linux {
            assert_eq!(errno.0, value);
        }
    }
}
