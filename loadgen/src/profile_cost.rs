//! `loadgen profile-cost`: what the unikernel's in-kernel sampling profiler costs. Boots
//! the unikernel once per run, alternately without and with `profile=HZ` (the order flips
//! every round), runs the same workload on each, and prints the median throughput of each
//! side and their ratio. A benchmark: it prints numbers and asserts nothing.

use anyhow::Result;

use crate::bench::{Measurement, RunConfig};
use crate::compare;
use crate::targets::vm::{self, VmKind};
use crate::targets::{self, TargetSpec};

/// What to measure.
pub struct CostConfig {
    /// Rounds; each boots one VM without and one with the profiler.
    pub rounds: usize,
    /// Sampling rate of the profiled runs.
    pub hz: u32,
    /// Where the profiled runs' flame graphs go.
    pub profile_dir: std::path::PathBuf,
    /// The workload run on every VM.
    pub run: RunConfig,
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

fn one_run(cfg: &CostConfig, profiled: bool) -> Result<Measurement> {
    vm::set_profile(if profiled { cfg.hz } else { 0 }, &cfg.profile_dir);
    let target = targets::start(&TargetSpec::Vm(VmKind::Unikernel))?;
    let mut preloaded = None;
    let measurement = compare::run_one(target.as_ref(), &cfg.run, &mut preloaded)?;
    Ok(measurement)
}

/// Runs the rounds and prints each run and the medians.
pub fn run(cfg: &CostConfig) -> Result<()> {
    let (mut off, mut on) = (Vec::new(), Vec::new());
    let (mut off_cycles, mut on_cycles) = (Vec::new(), Vec::new());
    for round in 1..=cfg.rounds.max(1) {
        let order = if round % 2 == 1 {
            [false, true]
        } else {
            [true, false]
        };
        for profiled in order {
            let m = one_run(cfg, profiled)?;
            let cycles = m.guest_cycles_per_op().unwrap_or(0.0);
            println!(
                "round {round}, profile {}: {:.0} ops/s, {:.0} guest cycles/op, {} errors",
                if profiled { "on " } else { "off" },
                m.ops_per_s,
                cycles,
                m.errors
            );
            if profiled {
                on.push(m.ops_per_s);
                on_cycles.push(cycles);
            } else {
                off.push(m.ops_per_s);
                off_cycles.push(cycles);
            }
        }
    }
    let (off_ops, on_ops) = (median(&mut off), median(&mut on));
    let ratio = on_ops / off_ops.max(f64::MIN_POSITIVE);
    println!(
        "profile-cost: {} x {} conn, median of {}: profile off {off_ops:.0} ops/s ({:.0} cycles/op), profile={} {on_ops:.0} ops/s ({:.0} cycles/op); on/off = {ratio:.3} (cost {:.1}%)",
        cfg.run.workload.label,
        cfg.run.connections,
        cfg.rounds.max(1),
        median(&mut off_cycles),
        cfg.hz,
        median(&mut on_cycles),
        (1.0 - ratio) * 100.0
    );
    Ok(())
}
