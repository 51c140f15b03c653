//! What the shared run flags mean: the default workload they describe, the VM-target
//! settings they make, and where `--profile`'s flame graphs go.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use super::args::{Common, DistArg};
use crate::targets;
use crate::workload::{KeyDist, OpMix, Workload};

impl Common {
    pub(super) fn defaults(&self) -> Result<Workload> {
        targets::vm::set_accel_request(&self.accel);
        targets::vm::set_net_request(&self.net)?;
        targets::durability::set(targets::durability::Durability::parse(&self.durability)?);
        if self.profile {
            targets::vm::set_profile(self.profile_hz, &profile_staging_dir());
        }
        if self.value_size < crate::workload::MIN_VALUE_SIZE {
            bail!(
                "--value-size must be at least {}",
                crate::workload::MIN_VALUE_SIZE
            );
        }
        if self.rate.is_some_and(|r| !(r.is_finite() && r > 0.0)) {
            bail!("--rate must be a positive number of requests per second");
        }
        if !(0.0..=1.0).contains(&self.read_ratio) {
            bail!("--read-ratio must be within 0..=1");
        }
        Ok(Workload {
            label: String::new(),
            mix: OpMix::Mixed {
                read_ratio: self.read_ratio,
            },
            pipeline: self.pipeline.max(1),
            value_size: self.value_size,
            keyspace: self.keyspace.max(1),
            key_dist: match self.key_dist {
                DistArg::Uniform => KeyDist::Uniform,
                DistArg::Zipfian => KeyDist::Zipfian { theta: self.theta },
            },
            rate_limit: self.rate,
        })
    }
}

/// Where `--profile` writes flame graphs while runs go on: `bench-results/profiles/`
/// (`compare` moves them into its run directory afterwards).
pub(super) fn profile_staging_dir() -> PathBuf {
    PathBuf::from("bench-results").join("profiles")
}

/// Moves the flame graphs `--profile` wrote into `profiles/` beside `report`.
pub(super) fn move_profiles_next_to(report: &std::path::Path) -> Result<()> {
    let staging = profile_staging_dir();
    let Some(run_dir) = report.parent() else {
        return Ok(());
    };
    let dest = run_dir.join("profiles");
    std::fs::create_dir_all(&dest).with_context(|| format!("create {}", dest.display()))?;
    for name in targets::vm::profiles_written() {
        std::fs::rename(staging.join(&name), dest.join(&name))
            .with_context(|| format!("move {name} into {}", dest.display()))?;
    }
    println!("profiles: {}", dest.display());
    Ok(())
}
