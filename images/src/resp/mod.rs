//! The one RESP client of the workspace: [`codec`] encodes commands and parses replies without
//! allocating (loadgen's hot path uses it directly); [`client`] is a blocking one-command client
//! built on it (image readiness checks, tests). `dbserver`'s integration tests use the codec
//! too.

pub mod client;
pub mod codec;

pub use client::{command, command_within, ping, read_reply, REPLY_TIMEOUT};
pub use codec::{
    encode_command, encode_get, encode_set, parse_reply, Reply, RespError, MAX_ARRAY_DEPTH,
};
