//! Kernel benchmarks that boot the real image and print numbers (never asserted):
//!
//! - `boot-time`: QEMU start → banner on the serial console, N rounds, median.
//! - `irq-cost`: interrupt entry+exit in cycles with general registers only, and with
//!   SIMD state saved by FXSAVE or XSAVE (the kernel's `bench=irq` mode).
//! - `null-call`: a null system call as a function call and as a trap inside the image
//!   (`bench=nullcall`), and a real `getppid` system call on the host.
//!
//! - `disk-sync`: a 4 KiB `pwrite` + `fdatasync` on the VM's disk, direct call vs trap
//!   (the kernel's `bench=disk` mode), median latency per round.
//!
//! - `echo-vs-get`: dbserver's GET P=1 throughput against the echo ceiling in the same
//!   booted image, same connection count and request bytes, rounds interleaved.
//!
//! Each writes a CSV under `bench-results/kernel/` with the environment in every row.

mod boot_time;
mod csv_environment;
mod disk_sync;
mod echo;
mod echo_vs_get;
mod in_image_rows;
mod irq_cost;
mod null_call;

use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use crate::boot_time::boot_time;
use crate::csv_environment::Environment;
use crate::disk_sync::disk_sync;
use crate::echo::echo;
use crate::echo_vs_get::echo_vs_get;
use crate::irq_cost::irq_cost;
use crate::null_call::null_call;

#[derive(Parser)]
#[command(about = "Benchmarks of the ring0db kernel, run in QEMU")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Directory for the CSV files.
    #[arg(long, default_value = "bench-results/kernel")]
    out: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// QEMU start → kernel banner, median of N boots.
    BootTime {
        #[arg(long, default_value_t = 5)]
        rounds: usize,
    },
    /// Interrupt entry+exit cost with and without saving SIMD state.
    IrqCost,
    /// Null system call: function call and trap in the image, getppid on the host.
    NullCall,
    /// 4 KiB pwrite + fdatasync on the VM's disk: direct call and trap in the image.
    DiskSync,
    /// The ceiling of the virtual network path: the kernel's built-in echo service,
    /// round trips/s on one connection and MB/s streamed through it, per network mode.
    Echo {
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Seconds of ping-pong per round.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// MiB streamed through the echo (each way) per round.
        #[arg(long, default_value_t = 32)]
        mebibytes: usize,
    },
    /// dbserver's GET at pipeline depth 1 vs the echo ceiling: one image serving both,
    /// `connections` clients each sending loadgen's GET request (a 100-byte value),
    /// echo and GET phases interleaved per round.
    EchoVsGet {
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Seconds per phase.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        #[arg(long, default_value_t = 8)]
        connections: usize,
    },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    fs::create_dir_all(&cli.out).with_context(|| format!("create {}", cli.out.display()))?;
    let environment = Environment::capture()?;
    eprintln!("accelerator: {}", environment.accel_reason);
    match cli.command {
        Command::BootTime { rounds } => boot_time(&cli.out, &environment, rounds),
        Command::IrqCost => irq_cost(&cli.out, &environment),
        Command::NullCall => null_call(&cli.out, &environment),
        Command::DiskSync => disk_sync(&cli.out, &environment),
        Command::Echo {
            rounds,
            seconds,
            mebibytes,
        } => echo(
            &cli.out,
            &environment,
            rounds,
            Duration::from_secs(seconds),
            mebibytes,
        ),
        Command::EchoVsGet {
            rounds,
            seconds,
            connections,
        } => echo_vs_get(
            &cli.out,
            &environment,
            rounds,
            Duration::from_secs(seconds),
            connections,
        ),
    }
}
