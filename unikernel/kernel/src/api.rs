//! The kernel's API to the application: everything the appliance (or another
//! application linked through [`entry_point!`](crate::entry_point)) may use. The
//! kernel's modules themselves are private; this surface is the contract, the way
//! Asterinas's `ostd` is for its kernel. Grouped by what the application does with it.

/// Sockets on the kernel's TCP/IP stack: a file-descriptor interface in the shape of
/// BSD sockets plus an epoll-like readiness wait, called directly (the `call` path).
pub mod socket {
    /// Serves the network (and the built-in services) until a deadline, or forever.
    pub use crate::net::socket::serve_forever_until;
    /// TSC cycles spent halted waiting for network events.
    pub use crate::net::socket::IDLE_CYCLES;
    /// Socket calls: open, bind, listen, accept, receive, send, close.
    pub use crate::net::socket::{accept, bind, close, listen, recv, send, socket};
    /// Readiness: register interest in a descriptor, wait for ready descriptors.
    pub use crate::net::socket::{poll_ctl, poll_wait, Interest, PollEvent};
    /// Descriptor and stream counts of the socket layer.
    pub use crate::net::socket::{stats, SocketStats};
}

/// The network interface as a whole.
pub mod net {
    /// Packet and doorbell counters of the NIC.
    pub use crate::net::{stats, NetStats};

    /// Whether the network came up at boot (`ip=` was given and the NIC answered).
    pub fn is_up() -> bool {
        crate::net::STACK.lock().is_some()
    }
}

/// The VM's one disk (`/dev/vda`, virtio-blk): the calls of a durability log, with
/// Linux's errno values (see each function), called directly (the `call` path).
pub mod disk {
    /// TSC cycles halted waiting for the disk (idle time, like `socket::IDLE_CYCLES`).
    pub use crate::disk::halted_cycles;
    /// The disk calls: open `/dev/vda`, its size, read, write, flush (`fdatasync`).
    pub use crate::disk::{flush, open, read, size, write};
    /// Request, byte, flush, interrupt and wait counters of the disk.
    pub use crate::disk::{stats, DiskStats};
    /// The one path `open` knows, the descriptor it returns, the unit of transfer.
    pub use crate::disk::{DISK_FD, DISK_PATH, SECTOR_SIZE};
}

/// The same socket calls raised as a software interrupt (`int 0x80`) with Linux's
/// syscall numbers and register convention (the `trap` path), and the disk calls the
/// same way.
pub mod syscalls {
    /// The trap itself, the syscall numbers, and the constants of its arguments.
    pub use crate::syscalls::{
        nr, trap, BLKGETSIZE64, CLOCK_MONOTONIC, CLOCK_REALTIME, INTEREST_READ, INTEREST_WRITE,
    };
}

/// Clocks and counters.
pub mod time {
    /// Reads the CPU's time-stamp counter.
    pub use crate::arch::cpu::rdtsc;
    /// Monotonic nanoseconds since boot.
    pub use crate::time::now_ns;
    /// Wall-clock nanoseconds since the Unix epoch, from the CMOS RTC, if it had a date.
    pub use crate::time::rtc::realtime_ns;
    /// The TSC at kernel entry, and the TSC's frequency in Hz.
    pub use crate::time::tsc::{boot_tsc, hz as tsc_hz};
}

/// Where the CPU's time goes: interrupt handlers and the sampling profiler.
pub mod accounting {
    /// TSC cycles spent in interrupt handlers, and the part of them taken while idle.
    pub use crate::interrupts::{HANDLER_CYCLES, IDLE_HANDLER_CYCLES};
    /// Bytes and allocations live on the kernel heap.
    pub use crate::mem::heap::{stats as heap_stats, HeapStats};
    /// Marks the current code as a kernel call for the profiler's attribution.
    pub use crate::profile::set_in_kernel_call;
}

/// The kernel command line, and the error of a key whose value does not parse.
pub use crate::boot::cmdline::{BadValue, CommandLine};
/// Writes formatted text to the serial console.
pub use crate::console::write_fmt;
/// Kernel error numbers (Linux's values).
pub use crate::errno::Errno;
/// The boot's random seed, and where it came from.
pub use crate::random::{seed, Source as SeedSource};
