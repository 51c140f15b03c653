//! `echo`: the ceiling of the virtual network path, the kernel's built-in echo service:
//! round trips/s on one connection and MB/s streamed through it, per network mode.

use std::fs;
use std::io::Write;
use std::time::Duration;

use anyhow::{Context, Result};
use ring0db_harness::{NetVm, Network};

use crate::csv_environment::Environment;

pub(crate) fn echo(
    out: &std::path::Path,
    environment: &Environment,
    rounds: usize,
    ping_pong: Duration,
    mebibytes: usize,
) -> Result<()> {
    const ECHO_PORT: u16 = 7;
    let mut csv = format!(
        "{},net_mode,round,round_trips_per_s,stream_mb_per_s\n",
        Environment::HEADER
    );
    let mut results: Vec<(&str, f64, f64)> = Vec::new();
    for round in 1..=rounds {
        for mode in ["irq", "poll"] {
            let vm = NetVm::boot(
                Network::Tap,
                &format!("server=off echo={ECHO_PORT} net={mode}"),
            )?;
            let round_trips = echo_round_trips(&vm.connect(ECHO_PORT)?, ping_pong)?;
            let mb_per_s = echo_stream(vm.connect(ECHO_PORT)?, mebibytes)?;
            eprintln!("round {round}/{rounds} net={mode}: {round_trips:.0} round trips/s, {mb_per_s:.1} MB/s");
            csv.push_str(&format!(
                "{},{mode},{round},{round_trips:.0},{mb_per_s:.2}\n",
                environment.row()
            ));
            results.push((mode, round_trips, mb_per_s));
        }
    }
    let path = out.join("echo.csv");
    fs::write(&path, csv).with_context(|| format!("write {}", path.display()))?;
    println!(
        "echo ceiling (median of {rounds}; {}):",
        environment.accel_reason
    );
    for mode in ["irq", "poll"] {
        let median = |pick: fn(&(&str, f64, f64)) -> f64| {
            let mut values: Vec<f64> = results.iter().filter(|r| r.0 == mode).map(pick).collect();
            values.sort_by(f64::total_cmp);
            values[values.len() / 2]
        };
        println!(
            "  net={mode:<4} {:>8.0} round trips/s  {:>7.1} MB/s each way",
            median(|r| r.1),
            median(|r| r.2)
        );
    }
    println!("wrote {}", path.display());
    Ok(())
}

/// 64-byte ping-pong on one connection for `duration`; round trips per second.
fn echo_round_trips(stream: &std::net::TcpStream, duration: Duration) -> Result<f64> {
    use std::io::Read;
    stream.set_nodelay(true)?;
    let mut stream = stream;
    let (message, mut reply) = ([0x5au8; 64], [0u8; 64]);
    let start = std::time::Instant::now();
    let mut count = 0u64;
    while start.elapsed() < duration {
        stream.write_all(&message)?;
        stream.read_exact(&mut reply)?;
        anyhow::ensure!(reply == message, "echo returned different bytes");
        count += 1;
    }
    Ok(count as f64 / start.elapsed().as_secs_f64())
}

/// Streams `mebibytes` through the echo (a writer thread and this reader); MB/s each way.
fn echo_stream(stream: std::net::TcpStream, mebibytes: usize) -> Result<f64> {
    use std::io::Read;
    const CHUNK: usize = 64 * 1024;
    let total = mebibytes * 1024 * 1024;
    let mut writer = stream.try_clone()?;
    let start = std::time::Instant::now();
    let sender = std::thread::spawn(move || -> std::io::Result<()> {
        let chunk = vec![0xa5u8; CHUNK];
        for _ in 0..total / CHUNK {
            writer.write_all(&chunk)?;
        }
        Ok(())
    });
    let (mut reader, mut buffer, mut received) = (stream, vec![0u8; CHUNK], 0);
    while received < total {
        let n = reader.read(&mut buffer)?;
        anyhow::ensure!(n > 0, "echo closed after {received} bytes");
        anyhow::ensure!(
            buffer[..n].iter().all(|b| *b == 0xa5),
            "echo returned different bytes"
        );
        received += n;
    }
    sender
        .join()
        .map_err(|_| anyhow::anyhow!("writer thread panicked"))??;
    Ok(total as f64 / 1e6 / start.elapsed().as_secs_f64())
}
