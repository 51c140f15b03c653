//! `loadgen storm`: the connection storm of [`ring0db_images::storm`] against each target,
//! several rounds, medians, CSV.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
pub use ring0db_images::storm::{info, storm, storm_measured, StormPlan, StormReport, INFO_FIELDS};

use crate::environment;
use crate::targets::{self, Target, TargetSpec};

/// `loadgen storm`'s settings.
pub struct StormConfig {
    /// Targets, stormed one after the other.
    pub targets: Vec<TargetSpec>,
    /// The size of each storm.
    pub plan: StormPlan,
    /// Storms per target.
    pub rounds: usize,
    /// Where the run directory is created.
    pub out_dir: PathBuf,
}

/// The median of `values` (upper middle for an even count).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Boot every target once, then run `rounds` rounds, each a storm against every target
/// (interleaved: the host's load drifts over a run, and each round sees the targets
/// within the same minute; the order alternates from round to round). Prints each
/// storm and the medians, and writes `results.csv`, `summary.txt` and `environment.txt`
/// under a new run directory.
pub fn run(cfg: &StormConfig) -> Result<PathBuf> {
    if cfg.rounds == 0 {
        bail!("--rounds must be at least 1");
    }
    let commit = environment::git_commit();
    let dir = cfg.out_dir.join(environment::new_run_id(&commit));
    fs::create_dir_all(&dir).with_context(|| format!("create {}", dir.display()))?;
    let mut csv = String::from(
        "target,round,abandoned,cycles,abandon_s,cycles_s,refused,served_round_trips,served_worst_ms,\
         cycle_phase_round_trips,cycle_phase_guest_busy_s,guest_busy_us_per_cycle",
    );
    for f in INFO_FIELDS {
        csv.push_str(&format!(",{f}_before,{f}_after"));
    }
    csv.push('\n');
    let mut summary = String::new();
    let mut booted = Vec::new();
    let mut skipped = Vec::new();
    for spec in &cfg.targets {
        // A guest that fails to boot (Linux under TCG on a loaded host can panic in its
        // timer check) is recorded as skipped; the other targets still run.
        match targets::start(spec) {
            Ok(target) => booted.push(target),
            Err(e) => {
                eprintln!("skipping {}: {e}", spec.name());
                summary.push_str(&format!("{}: skipped, did not start: {e}\n", spec.name()));
                skipped.push(spec.name());
            }
        }
    }
    let mut results: Vec<Vec<StormReport>> = booted.iter().map(|_| Vec::new()).collect();
    for round in 1..=cfg.rounds {
        let mut order: Vec<usize> = (0..booted.len()).collect();
        if round % 2 == 0 {
            order.reverse();
        }
        for i in order {
            let target = booted[i].as_ref();
            let r = storm_once(target, cfg.plan, round, &mut csv)?;
            results[i].push(r);
        }
    }
    for (target, reports) in booted.iter().zip(&results) {
        let line = median_line(target.name(), cfg, reports);
        print!("{line}");
        summary.push_str(&line);
    }
    let refs: Vec<&dyn Target> = booted.iter().map(|t| t.as_ref()).collect();
    let environment_text = environment::describe(&commit, &refs, &skipped);
    // The VMs go (and a profiled unikernel writes its flame graph) before the files.
    drop(booted);
    write(&dir.join("results.csv"), &csv)?;
    write(&dir.join("summary.txt"), &summary)?;
    write(&dir.join("environment.txt"), &environment_text)?;
    Ok(dir)
}

/// Guest busy microseconds per connect/close cycle of one storm.
fn busy_us_per_cycle(r: &StormReport, plan: StormPlan) -> Option<f64> {
    r.cycle_busy_s.map(|s| s * 1e6 / plan.cycles.max(1) as f64)
}

/// One storm against `target`: printed and appended to `csv`.
fn storm_once(
    target: &dyn Target,
    plan: StormPlan,
    round: usize,
    csv: &mut String,
) -> Result<StormReport> {
    let name = target.name();
    let connect = || target.connect();
    // Guest busy time: the unikernel's TSC counters, the Linux guest's /proc/stat.
    let busy = || target.cpu_sample().and_then(|s| s.busy_s);
    let r =
        storm_measured(&connect, plan, &busy).with_context(|| format!("{name} round {round}"))?;
    let us_per_cycle = busy_us_per_cycle(&r, plan);
    println!(
        "{name} round {round}: {} abandoned in {:.1} s, {} connect/close cycles in {:.1} s, \
         {} refused; served client {} round trips (slowest {:.0} ms, {} during the cycles); \
         guest busy {} µs per cycle; before {:?}; after {:?}",
        plan.abandoned,
        r.abandon_time.as_secs_f64(),
        plan.cycles,
        r.cycle_time.as_secs_f64(),
        r.refused,
        r.served_round_trips,
        r.served_worst.as_secs_f64() * 1e3,
        r.cycle_round_trips,
        us_per_cycle.map_or("?".to_string(), |us| format!("{us:.0}")),
        r.before,
        r.after
    );
    csv.push_str(&format!(
        "{name},{round},{},{},{:.3},{:.3},{},{},{:.1},{},{},{}",
        plan.abandoned,
        plan.cycles,
        r.abandon_time.as_secs_f64(),
        r.cycle_time.as_secs_f64(),
        r.refused,
        r.served_round_trips,
        r.served_worst.as_secs_f64() * 1e3,
        r.cycle_round_trips,
        r.cycle_busy_s.map_or(String::new(), |s| format!("{s:.3}")),
        us_per_cycle.map_or(String::new(), |us| format!("{us:.1}"))
    ));
    for f in INFO_FIELDS {
        let field = |m: &BTreeMap<String, u64>| m.get(*f).map_or(String::new(), u64::to_string);
        csv.push_str(&format!(",{},{}", field(&r.before), field(&r.after)));
    }
    csv.push('\n');
    Ok(r)
}

/// The summary line of one target: medians of its rounds.
fn median_line(name: &str, cfg: &StormConfig, reports: &[StormReport]) -> String {
    let abandon = reports
        .iter()
        .map(|r| r.abandon_time.as_secs_f64())
        .collect();
    let cycles = reports.iter().map(|r| r.cycle_time.as_secs_f64()).collect();
    let busy: Vec<f64> = reports
        .iter()
        .filter_map(|r| busy_us_per_cycle(r, cfg.plan))
        .collect();
    let busy_text = if busy.is_empty() {
        String::new()
    } else {
        format!(", guest busy {:.0} µs per cycle", median(busy))
    };
    format!(
        "{name}: median of {} rounds: {} abandoned {:.1} s, {} cycles {:.1} s{busy_text}\n",
        reports.len(),
        cfg.plan.abandoned,
        median(abandon),
        cfg.plan.cycles,
        median(cycles)
    )
}

fn write(path: &Path, text: &str) -> Result<()> {
    fs::write(path, text).with_context(|| format!("write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 3.0);
        assert!(median(Vec::new()).is_nan());
    }
}
