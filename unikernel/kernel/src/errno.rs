//! Error numbers of the kernel's system calls: Linux's values, so every syscall
//! backend reports the same errno for the same condition. The values live in
//! `ring0db-contracts`, shared with `dbserver::sys`.

pub use ring0db_contracts::Errno;
