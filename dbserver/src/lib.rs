//! The ring0db key-value server: one source for Linux and the unikernel.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod sys;
