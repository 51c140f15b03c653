//! `loadgen storm`: the connection storm of [`ring0db_images::storm`] against each target,
//! several rounds, medians, CSV.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
pub use ring0db_images::storm::{info, storm, storm_measured, StormPlan, StormReport, INFO_FIELDS};

use crate::environment;
use crate::targets::{self, TargetSpec};

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

/// Boot each target once, run `rounds` storms against it, print each round and the
/// medians, and write `results.csv` and `environment.txt` under a new run directory.
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
    let mut environment_text = String::new();
    let mut summary = String::new();
    for spec in &cfg.targets {
        // A guest that fails to boot (Linux under TCG on a loaded host can panic in its
        // timer check) is recorded as skipped; the other targets still run.
        let target = match targets::start(spec) {
            Ok(target) => target,
            Err(e) => {
                eprintln!("skipping {}: {e}", spec.name());
                let line = format!("{}: skipped, did not start: {e}\n", spec.name());
                summary.push_str(&line);
                continue;
            }
        };
        let name = target.name().to_string();
        let connect = || target.connect();
        // Guest busy time: the unikernel's TSC counters, the Linux guest's /proc/stat.
        let busy = || target.cpu_sample().and_then(|s| s.busy_s);
        let (mut abandon, mut cycles, mut busy_per_cycle) = (Vec::new(), Vec::new(), Vec::new());
        for round in 1..=cfg.rounds {
            let r = storm_measured(&connect, cfg.plan, &busy)
                .with_context(|| format!("{name} round {round}"))?;
            let us_per_cycle = r
                .cycle_busy_s
                .map(|s| s * 1e6 / cfg.plan.cycles.max(1) as f64);
            println!(
                "{name} round {round}: {} abandoned in {:.1} s, {} connect/close cycles in \
                 {:.1} s, {} refused; served client {} round trips (slowest {:.0} ms, {} during \
                 the cycles); guest busy {} µs per cycle; before {:?}; after {:?}",
                cfg.plan.abandoned,
                r.abandon_time.as_secs_f64(),
                cfg.plan.cycles,
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
                cfg.plan.abandoned,
                cfg.plan.cycles,
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
                let field =
                    |m: &BTreeMap<String, u64>| m.get(*f).map_or(String::new(), u64::to_string);
                csv.push_str(&format!(",{},{}", field(&r.before), field(&r.after)));
            }
            csv.push('\n');
            abandon.push(r.abandon_time.as_secs_f64());
            cycles.push(r.cycle_time.as_secs_f64());
            busy_per_cycle.extend(us_per_cycle);
        }
        let busy_text = if busy_per_cycle.is_empty() {
            String::new()
        } else {
            format!(", guest busy {:.0} µs per cycle", median(busy_per_cycle))
        };
        let line = format!(
            "{name}: median of {} rounds: {} abandoned {:.1} s, {} cycles {:.1} s{busy_text}\n",
            cfg.rounds,
            cfg.plan.abandoned,
            median(abandon),
            cfg.plan.cycles,
            median(cycles)
        );
        print!("{line}");
        summary.push_str(&line);
        // One VM at a time: the next target boots after this one is gone.
        environment_text.push_str(&environment::describe(&commit, &[target.as_ref()], &[]));
    }
    write(&dir.join("results.csv"), &csv)?;
    write(&dir.join("summary.txt"), &summary)?;
    write(&dir.join("environment.txt"), &environment_text)?;
    Ok(dir)
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
