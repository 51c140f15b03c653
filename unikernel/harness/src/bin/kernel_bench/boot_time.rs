//! `boot-time`: QEMU start → banner on the serial console, N rounds, median.

use std::fs;
use std::time::Duration;

use anyhow::{Context, Result};
use ring0db_harness::time_to_banner;

use crate::csv_environment::Environment;

pub(crate) fn boot_time(
    out: &std::path::Path,
    environment: &Environment,
    rounds: usize,
) -> Result<()> {
    let mut times: Vec<Duration> = Vec::new();
    for round in 1..=rounds {
        let time = time_to_banner("test=boot")?;
        eprintln!("round {round}/{rounds}: {:.1} ms", ms(time));
        times.push(time);
    }
    let path = out.join("boot-time.csv");
    let mut csv = String::from(Environment::HEADER);
    csv.push_str(",round,qemu_start_to_banner_ms\n");
    for (round, time) in times.iter().enumerate() {
        csv.push_str(&format!(
            "{},{},{:.3}\n",
            environment.row(),
            round + 1,
            ms(*time)
        ));
    }
    fs::write(&path, csv).with_context(|| format!("write {}", path.display()))?;
    times.sort();
    println!(
        "boot time (QEMU start -> banner), median of {rounds}: {:.1} ms (min {:.1}, max {:.1})",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1])
    );
    println!("wrote {}", path.display());
    Ok(())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
