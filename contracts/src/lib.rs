//! Contracts between ring0db's crates that are otherwise independent: values one side
//! writes and another side reads, kept in one place so they cannot drift apart.
//!
//! - [`Errno`]: the error numbers of the system-call API (the kernel's socket layer, the
//!   trap table and every `dbserver::sys::Syscalls` backend use Linux's values).
//! - [`ExitCode`]: what the unikernel writes to QEMU's `isa-debug-exit` device, and what
//!   the host tooling (`images`) decodes from QEMU's exit status.
//!
//! `no_std`, no dependencies: the ring-0 kernel, the portable server core and the host
//! tools all link it.

#![no_std]

mod errno;
mod exit;

pub use errno::Errno;
pub use exit::ExitCode;
