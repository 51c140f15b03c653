//! Command-line interface: the clap definitions ([`args`]), what the shared flags mean
//! ([`common`]) and the dispatch of each subcommand to the library (here and in
//! [`selftest_cmd`]).

mod args;
mod common;
mod selftest_cmd;

use anyhow::{bail, Context, Result};
use clap::Parser;

use self::args::{
    Cmd, DEFAULT_KV_TARGETS, DEFAULT_KV_WORKLOADS, DEFAULT_SQL_TARGETS, DEFAULT_SQL_WORKLOADS,
};
use self::common::{move_profiles_next_to, profile_staging_dir};
use self::selftest_cmd::selftest_cmd;
use crate::bench::RunConfig;
use crate::compare::Suite;
use crate::compare::{self, CompareConfig};
use crate::report;
use crate::sql::cli::SqlRunParams;
use crate::sql::compare::SqlCompareConfig;
use crate::sql::crosscheck::SqlCrossCheck;
use crate::sql::SqlWorkload;
use crate::targets::{self, TargetSpec};
use crate::workload::Workload;

pub use self::args::Cli;

/// Parses the command line and runs it.
pub fn main() -> Result<()> {
    match Cli::parse().command {
        Cmd::Run {
            target,
            workload,
            common,
            sql,
        } => {
            if let Some(sql_workload) = SqlWorkload::parse(&workload) {
                let params = SqlRunParams {
                    connections: common.connections,
                    warmup_s: common.warmup,
                    duration_s: common.duration,
                    seed: common.seed,
                };
                return crate::sql::cli::run(target.as_deref(), sql_workload, &sql, &params);
            }
            let target = target.context("--target is required for RESP workloads")?;
            let spec = TargetSpec::parse(&target)?;
            let workload = Workload::parse(&workload, &common.defaults()?)?;
            let t = targets::start(&spec)?;
            eprintln!(
                "target {}: accelerator {} ({})",
                t.name(),
                t.accelerator(),
                t.accel_reason()
            );
            let cfg = RunConfig {
                workload,
                connections: common.connections,
                warmup_s: common.warmup,
                duration_s: common.duration,
                seed: common.seed,
            };
            let mut preloaded = None;
            let m = compare::run_one(t.as_ref(), &cfg, &mut preloaded)?;
            println!(
                "{} {}: {}",
                t.name(),
                cfg.workload.label,
                compare::result_line(&m)
            );
            for e in &m.error_samples {
                println!("  error: {e}");
            }
            if m.errors > 0 {
                bail!("{} wrong or missing replies", m.errors);
            }
            Ok(())
        }
        Cmd::Compare {
            targets,
            workloads,
            rounds,
            suite,
            sql_targets,
            sql_workloads,
            sql_duration,
            sql_warmup,
            sql_connections,
            table_size,
            loop_count,
            statements,
            out_dir,
            common,
        } => {
            let defaults = common.defaults()?;
            let kv_named = targets.is_some() || workloads.is_some();
            let sql_named = sql_targets.is_some() || sql_workloads.is_some();
            let suite = match (suite, kv_named, sql_named) {
                (Some(s), _, _) => s.suite(),
                (None, true, false) => Suite::Kv,
                (None, false, true) => Suite::Sql,
                (None, _, _) => Suite::All,
            };
            let list = |given: Option<Vec<String>>, default: &str| {
                given.unwrap_or_else(|| default.split(',').map(str::to_string).collect())
            };
            let targets = list(targets, DEFAULT_KV_TARGETS);
            let workloads = list(workloads, DEFAULT_KV_WORKLOADS);
            let sql_targets = list(sql_targets, DEFAULT_SQL_TARGETS);
            let sql_workloads = list(sql_workloads, DEFAULT_SQL_WORKLOADS);
            let sql = SqlCompareConfig {
                workloads: sql_workloads
                    .iter()
                    .map(|w| {
                        SqlWorkload::parse(w).with_context(|| format!("unknown SQL workload `{w}`"))
                    })
                    .collect::<Result<_>>()?,
                table_size: table_size.max(1),
                loop_count,
                connections: sql_connections.max(1),
                warmup_s: sql_warmup,
                duration_s: sql_duration,
                mode: statements.mode(),
            };
            let cfg = CompareConfig {
                suite,
                sql_targets: sql_targets
                    .iter()
                    .map(|t| TargetSpec::parse(t))
                    .collect::<Result<_, _>>()?,
                sql,
                targets: targets
                    .iter()
                    .map(|t| TargetSpec::parse(t))
                    .collect::<Result<_, _>>()?,
                workloads: workloads
                    .iter()
                    .map(|w| Workload::parse(w, &defaults))
                    .collect::<Result<_, _>>()?,
                rounds,
                connections: common.connections,
                warmup_s: common.warmup,
                duration_s: common.duration,
                out_root: out_dir,
                seed: common.seed,
            };
            let outcome = compare::compare(&cfg)?;
            if common.profile {
                move_profiles_next_to(&outcome.report)?;
            }
            println!("{}", outcome.summary);
            for f in &outcome.failed_runs {
                println!("FAILED: {f}");
            }
            println!("report: {}", outcome.report.display());
            if !outcome.failed_runs.is_empty() {
                bail!("{} runs failed", outcome.failed_runs.len());
            }
            Ok(())
        }
        Cmd::Storm {
            targets,
            abandoned,
            cycles,
            rounds,
            out_dir,
            profile,
            profile_hz,
        } => {
            if profile {
                crate::targets::vm::set_profile(profile_hz, &profile_staging_dir());
            }
            let targets = targets
                .iter()
                .map(|t| TargetSpec::parse(t))
                .collect::<Result<Vec<_>, _>>()?;
            let plan = crate::storm::StormPlan { abandoned, cycles };
            let cfg = crate::storm::StormConfig {
                targets,
                plan,
                rounds,
                out_dir,
            };
            let dir = crate::storm::run(&cfg)?;
            if profile {
                move_profiles_next_to(&dir.join("summary.txt"))?;
            }
            println!("results: {}", dir.display());
            Ok(())
        }
        Cmd::ProfileCost {
            workload,
            rounds,
            common,
        } => {
            let workload = Workload::parse(&workload, &common.defaults()?)?;
            crate::profile_cost::run(&crate::profile_cost::CostConfig {
                rounds,
                hz: common.profile_hz,
                profile_dir: profile_staging_dir(),
                run: RunConfig {
                    workload,
                    connections: common.connections,
                    warmup_s: common.warmup,
                    duration_s: common.duration,
                    seed: common.seed,
                },
            })
        }
        Cmd::Scaling {
            targets,
            idle,
            workload,
            rounds,
            out_dir,
            common,
        } => {
            let defaults = common.defaults()?;
            let cfg = crate::scaling::ScalingConfig {
                targets: targets
                    .iter()
                    .map(|t| TargetSpec::parse(t))
                    .collect::<Result<_, _>>()?,
                idle,
                run: RunConfig {
                    workload: Workload::parse(&workload, &defaults)?,
                    connections: common.connections,
                    warmup_s: common.warmup,
                    duration_s: common.duration,
                    seed: common.seed,
                },
                rounds,
                out_root: out_dir,
            };
            let csv = crate::scaling::scaling(&cfg)?;
            println!("csv: {}", csv.display());
            Ok(())
        }
        Cmd::Report { dir } => {
            let path = report::render_dir(&dir)
                .with_context(|| format!("rendering report of {}", dir.display()))?;
            println!("report: {}", path.display());
            Ok(())
        }
        Cmd::Selftest {
            connections,
            pipelines,
            warmup,
            duration,
            linux_host,
            cross_check,
            requests,
            value_size,
            cross_check_sql,
            sql_table_size,
            sql_connections,
            sql_statements,
        } => {
            selftest_cmd(
                connections,
                &pipelines,
                warmup,
                duration,
                linux_host,
                cross_check,
                requests,
                value_size,
            )?;
            if cross_check_sql.is_empty() {
                return Ok(());
            }
            let cfg = SqlCrossCheck {
                table_size: sql_table_size,
                connections: sql_connections,
                duration_s: duration,
                statements: sql_statements,
                seed: 11,
            };
            crate::sql::crosscheck::run(&cross_check_sql, &cfg)
        }
    }
}
