//! ring0db's host load generator: a pipelined RESP client, workloads, targets (host processes
//! and QEMU guests), metrics, CSV results and a Markdown + SVG report.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod bench;
pub mod chart;
pub mod cli;
pub mod compare;
pub mod cpu;
pub mod csv_out;
pub mod environment;
pub mod kml;
pub mod metrics;
pub mod profile_cost;
mod progress;
pub mod report;
pub mod scaling;
pub mod selftest;
pub mod sql;
pub mod storm;
pub mod summary;
pub mod targets;
pub mod workload;
pub mod zipf;
