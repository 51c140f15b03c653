//! Kernel benchmarks that boot the real image and print numbers (never asserted):
//!
//! - `boot-time`: QEMU start → banner on the serial console, N rounds, median.
//! - `irq-cost`: interrupt entry+exit in cycles with general registers only, and with
//!   SIMD state saved by FXSAVE or XSAVE (the kernel's `bench=irq` mode).
//!
//! Each writes a CSV under `bench-results/kernel/` with the environment in every row.

use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use ring0db_harness::{accelerator, boot, time_to_banner};

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
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    fs::create_dir_all(&cli.out).with_context(|| format!("create {}", cli.out.display()))?;
    let environment = Environment::capture()?;
    eprintln!("accelerator: {}", environment.accel_reason);
    match cli.command {
        Command::BootTime { rounds } => boot_time(&cli.out, &environment, rounds),
        Command::IrqCost => irq_cost(&cli.out, &environment),
    }
}

fn boot_time(out: &std::path::Path, environment: &Environment, rounds: usize) -> Result<()> {
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

fn irq_cost(out: &std::path::Path, environment: &Environment) -> Result<()> {
    let run = boot("bench=irq")?;
    if run.code() != Some(ring0db_harness::exit_code::SUCCESS) {
        bail!("bench=irq failed ({}):\n{}", run.exit, run.serial);
    }
    let rows: Vec<(&str, &str, u64, f64)> = run
        .serial
        .lines()
        .filter_map(|line| {
            let mut fields = line.strip_prefix("bench-irq,")?.split(',');
            let (variant, round) = (fields.next()?, fields.next()?);
            Some((
                variant,
                round,
                fields.next()?.parse().ok()?,
                fields.next()?.parse().ok()?,
            ))
        })
        .collect();
    if rows.is_empty() {
        bail!("the kernel printed no bench-irq rows:\n{}", run.serial);
    }
    let path = out.join("irq-entry.csv");
    let mut file = fs::File::create(&path).with_context(|| format!("create {}", path.display()))?;
    writeln!(
        file,
        "{},variant,round,cycles_per_interrupt,ns_per_interrupt",
        Environment::HEADER
    )?;
    for (variant, round, cycles, ns) in &rows {
        writeln!(
            file,
            "{},{variant},{round},{cycles},{ns}",
            environment.row()
        )?;
    }
    let mut baseline = None;
    println!(
        "interrupt entry+exit (median of rounds; guest cycles; {}):",
        environment.accel_reason
    );
    for variant in ["gpr-only", "gpr+fxsave", "gpr+xsave"] {
        let mut cycles: Vec<u64> = rows
            .iter()
            .filter(|r| r.0 == variant)
            .map(|r| r.2)
            .collect();
        if cycles.is_empty() {
            continue;
        }
        cycles.sort_unstable();
        let median = cycles[cycles.len() / 2];
        let base = *baseline.get_or_insert(median);
        println!(
            "  {variant:<11} {median:>7} cycles  ({:.2}x gpr-only)",
            median as f64 / base as f64
        );
    }
    println!("wrote {}", path.display());
    Ok(())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Where a number was measured; repeated in every CSV row so rows stand alone.
struct Environment {
    utc_time: String,
    git_commit: String,
    accelerator: String,
    accel_reason: String,
    cpu_model: String,
    qemu_version: String,
}

impl Environment {
    const HEADER: &'static str =
        "utc_time,git_commit,accelerator,accel_reason,cpu_model,qemu_version";

    fn capture() -> Result<Environment> {
        let accel = accelerator()?;
        Ok(Environment {
            utc_time: command_output("date", &["-u", "+%Y-%m-%dT%H:%M:%SZ"]),
            git_commit: command_output("git", &["rev-parse", "--short=12", "HEAD"]),
            accelerator: format!("{:?}", accel.accel).to_lowercase(),
            accel_reason: accel.reason,
            cpu_model: fs::read_to_string("/proc/cpuinfo")
                .ok()
                .and_then(|info| {
                    info.lines()
                        .find(|l| l.starts_with("model name"))
                        .and_then(|l| l.split(':').nth(1))
                        .map(|m| m.trim().to_string())
                })
                .unwrap_or_default(),
            qemu_version: command_output("qemu-system-x86_64", &["--version"])
                .lines()
                .next()
                .unwrap_or_default()
                .to_string(),
        })
    }

    fn row(&self) -> String {
        [
            &self.utc_time,
            &self.git_commit,
            &self.accelerator,
            &self.accel_reason,
            &self.cpu_model,
            &self.qemu_version,
        ]
        .iter()
        .map(|field| csv_field(field))
        .collect::<Vec<_>>()
        .join(",")
    }
}

fn command_output(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}
