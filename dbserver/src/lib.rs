//! The ring0db key-value server: one source for Linux and the unikernel.
//!
//! The core (everything but [`sys::linux`]) is `no_std` + `alloc` and free of `unsafe`;
//! it talks to the platform only through [`sys::Syscalls`].
#![no_std]
#![cfg_attr(not(feature = "linux"), forbid(unsafe_code))]
#![cfg_attr(feature = "linux", deny(unsafe_code))]

extern crate alloc;
#[cfg(any(test, feature = "linux"))]
extern crate std;

pub mod commands;
pub mod config;
pub mod durability;
pub mod hash;
pub mod mysql;
pub mod resp;
pub mod server;
pub mod sql;
pub mod stats;
pub mod store;
pub mod sys;

pub use config::Config;
pub use server::{run, Server};
