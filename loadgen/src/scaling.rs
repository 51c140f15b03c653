//! `loadgen scaling`: throughput of a few active connections while N more are held open
//! and idle. Each target boots once; every round measures every N on every target,
//! interleaved (target A at all N, then target B, ...), and the table shows the median
//! over rounds, each N's throughput relative to N = 0 of the same target, and the ratio
//! to the reference (second) target.

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::bench::RunConfig;
use crate::compare;
use crate::environment;
use crate::targets::{self, Target, TargetSpec};

/// What to measure.
pub struct ScalingConfig {
    /// Targets; the last one is the reference of the ratio column.
    pub targets: Vec<TargetSpec>,
    /// Idle connection counts.
    pub idle: Vec<usize>,
    /// The active workload (GET P=1 by default).
    pub run: RunConfig,
    /// Rounds (median over them).
    pub rounds: usize,
    /// Directory the run directory is created in.
    pub out_root: PathBuf,
}

/// One measurement.
struct Sample {
    target: String,
    idle: usize,
    round: usize,
    ops_per_s: f64,
    errors: u64,
    host_cpu_us_per_op: Option<f64>,
}

/// Runs the benchmark; prints the table and returns the CSV's path.
pub fn scaling(cfg: &ScalingConfig) -> Result<PathBuf> {
    if cfg.targets.is_empty() || cfg.idle.is_empty() || cfg.rounds == 0 {
        bail!("scaling needs at least one target, one idle count and one round");
    }
    let running: Vec<Box<dyn Target>> = cfg
        .targets
        .iter()
        .map(|spec| targets::start(spec).with_context(|| format!("starting {spec:?}")))
        .collect::<Result<_>>()?;
    let mut samples = Vec::new();
    let mut preloaded = vec![None; running.len()];
    for round in 1..=cfg.rounds {
        for (target, preloaded) in running.iter().zip(preloaded.iter_mut()) {
            for &idle in &cfg.idle {
                let held = hold_idle(target.as_ref(), idle).with_context(|| {
                    format!("{}: opening {idle} idle connections", target.name())
                })?;
                let m = compare::run_one(target.as_ref(), &cfg.run, preloaded)
                    .with_context(|| format!("{} with {idle} idle", target.name()))?;
                println!(
                    "round {round}/{} · {} · {idle} idle: {}",
                    cfg.rounds,
                    target.name(),
                    compare::result_line(&m)
                );
                samples.push(Sample {
                    target: target.name().to_string(),
                    idle,
                    round,
                    ops_per_s: m.ops_per_s,
                    errors: m.errors,
                    host_cpu_us_per_op: m.host_cpu_us_per_op(),
                });
                drop(held);
            }
        }
    }
    let names: Vec<String> = running.iter().map(|t| t.name().to_string()).collect();
    println!("{}", table(&samples, &names, &cfg.idle));
    let commit = environment::git_commit();
    let dir = cfg
        .out_root
        .join(format!("{}-scaling", environment::new_run_id(&commit)));
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let refs: Vec<&dyn Target> = running.iter().map(|t| t.as_ref()).collect();
    fs::write(
        dir.join("environment.txt"),
        environment::describe(&commit, &refs, &[]),
    )?;
    let csv = dir.join("scaling.csv");
    write_csv(&csv, &samples)?;
    fs::write(
        dir.join("table.md"),
        table(&samples, &names, &cfg.idle) + "\n",
    )?;
    Ok(csv)
}

/// Opens `count` connections and checks the server answers each (so it has really
/// accepted them, not just the kernel's handshake); they stay open until dropped.
fn hold_idle(target: &dyn Target, count: usize) -> Result<Vec<TcpStream>> {
    let mut held = Vec::with_capacity(count);
    for i in 0..count {
        let mut stream = target
            .connect()
            .with_context(|| format!("idle connection {i}"))?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        stream.write_all(b"PING\r\n")?;
        let mut reply = [0u8; 7];
        stream
            .read_exact(&mut reply)
            .with_context(|| format!("PING on idle connection {i}"))?;
        if &reply != b"+PONG\r\n" {
            bail!("idle connection {i}: unexpected reply {reply:?}");
        }
        held.push(stream);
    }
    Ok(held)
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}

fn median_of(samples: &[Sample], target: &str, idle: usize) -> Option<f64> {
    let mut values: Vec<f64> = samples
        .iter()
        .filter(|s| s.target == target && s.idle == idle)
        .map(|s| s.ops_per_s)
        .collect();
    median(&mut values)
}

/// Markdown table: median ops/s per target and N, % of the target's N = 0 (or its
/// smallest N), and the first target's ratio to the last one.
fn table(samples: &[Sample], targets: &[String], idle: &[usize]) -> String {
    let mut out = String::from("| idle connections |");
    for t in targets {
        out += &format!(" {t} ops/s | {t} vs fewest idle |");
    }
    if targets.len() >= 2 {
        out += &format!(" {} / {} |", targets[0], targets[targets.len() - 1]);
    }
    out += "\n|---:|";
    for _ in targets {
        out += "---:|---:|";
    }
    if targets.len() >= 2 {
        out += "---:|";
    }
    let base = idle.iter().min().copied().unwrap_or(0);
    for &n in idle {
        out += &format!("\n| {n} |");
        for t in targets {
            let m = median_of(samples, t, n);
            let b = median_of(samples, t, base);
            out += &format!(
                " {} | {} |",
                m.map_or("-".into(), |v| format!("{v:.0}")),
                match (m, b) {
                    (Some(m), Some(b)) if b > 0.0 => format!("{:.0}%", 100.0 * m / b),
                    _ => "-".into(),
                }
            );
        }
        if targets.len() >= 2 {
            let first = median_of(samples, &targets[0], n);
            let last = median_of(samples, &targets[targets.len() - 1], n);
            out += &match (first, last) {
                (Some(a), Some(b)) if b > 0.0 => format!(" {:.2}× |", a / b),
                _ => " - |".into(),
            };
        }
    }
    out
}

fn write_csv(path: &Path, samples: &[Sample]) -> Result<()> {
    let mut out =
        String::from("target,idle_connections,round,ops_per_s,errors,host_cpu_us_per_op\n");
    for s in samples {
        out += &format!(
            "{},{},{},{:.1},{},{}\n",
            s.target,
            s.idle,
            s.round,
            s.ops_per_s,
            s.errors,
            s.host_cpu_us_per_op
                .map_or(String::new(), |v| format!("{v:.2}"))
        );
    }
    fs::write(path, out).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(target: &str, idle: usize, ops_per_s: f64) -> Sample {
        Sample {
            target: target.into(),
            idle,
            round: 1,
            ops_per_s,
            errors: 0,
            host_cpu_us_per_op: None,
        }
    }

    #[test]
    fn the_table_shows_medians_relative_values_and_ratios() {
        let samples = [
            sample("a", 0, 100.0),
            sample("a", 0, 300.0),
            sample("a", 0, 200.0),
            sample("a", 10, 180.0),
            sample("b", 0, 50.0),
            sample("b", 10, 60.0),
        ];
        let t = table(&samples, &["a".into(), "b".into()], &[0, 10]);
        assert!(t.contains("| 0 | 200 | 100% | 50 | 100% | 4.00× |"), "{t}");
        assert!(t.contains("| 10 | 180 | 90% | 60 | 120% | 3.00× |"), "{t}");
    }
}
