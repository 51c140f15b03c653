//! `compare`: targets × workloads × rounds, interleaved, into CSV + environment + report.
//!
//! Every target is started once and kept up for the whole comparison (a target used by the
//! KV and the SQL half is booted once). Round *r* runs every KV workload against every KV
//! target, then every SQL workload against every SQL target, before round *r+1* starts, so
//! drifts of the host affect all targets alike.

use std::fs;
use std::path::{Path, PathBuf};

use crate::progress::Progress;
use anyhow::{bail, Context, Result};

use crate::bench::RunConfig;
use crate::csv_out::CsvSink;
use crate::environment;
use crate::report::{self, ENVIRONMENT_TXT, RESULTS_CSV};
use crate::sql::compare::{self as sql_compare, LoadedData, SqlCompareConfig};
use crate::targets::{self, Target, TargetSpec};
use crate::workload::Workload;

mod row;

pub use self::row::{make_row, make_row_for, result_line, run_one, RowTarget};

/// Which halves of the comparison run (`--suite`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suite {
    /// RESP workloads only.
    Kv,
    /// SQL workloads only.
    Sql,
    /// Both (the default).
    All,
}

impl Suite {
    fn kv(self) -> bool {
        self != Suite::Sql
    }
    fn sql(self) -> bool {
        self != Suite::Kv
    }
}

/// What to compare.
#[derive(Debug, Clone)]
pub struct CompareConfig {
    /// Which workloads run.
    pub suite: Suite,
    /// Targets of the KV workloads, in report order.
    pub targets: Vec<TargetSpec>,
    /// KV workloads, in report order.
    pub workloads: Vec<Workload>,
    /// Targets of the SQL workloads, in report order.
    pub sql_targets: Vec<TargetSpec>,
    /// The SQL workloads and their parameters.
    pub sql: SqlCompareConfig,
    /// Rounds.
    pub rounds: usize,
    /// Connections per KV run.
    pub connections: usize,
    /// Warm-up per KV run.
    pub warmup_s: f64,
    /// Measured window per KV run.
    pub duration_s: f64,
    /// Parent directory of the run directory (`bench-results`).
    pub out_root: PathBuf,
    /// Seed of key/op choices.
    pub seed: u64,
}

/// Where a comparison left its results.
#[derive(Debug)]
pub struct CompareOutcome {
    /// The run directory.
    pub dir: PathBuf,
    /// `report.md`.
    pub report: PathBuf,
    /// Terminal summary table.
    pub summary: String,
    /// Runs that failed outright (no row written).
    pub failed_runs: Vec<String>,
}

/// The targets each half uses (indices into the started targets).
struct Plan {
    kv: Vec<usize>,
    sql: Vec<usize>,
    kv_work: usize,
    sql_work: usize,
}

/// Runs the comparison.
pub fn compare(cfg: &CompareConfig) -> Result<CompareOutcome> {
    let kv_specs: &[TargetSpec] = if cfg.suite.kv() { &cfg.targets } else { &[] };
    let sql_specs: &[TargetSpec] = if cfg.suite.sql() {
        &cfg.sql_targets
    } else {
        &[]
    };
    let kv_work = if cfg.suite.kv() {
        cfg.workloads.len()
    } else {
        0
    };
    let sql_work = if cfg.suite.sql() {
        cfg.sql.workloads.len()
    } else {
        0
    };
    if cfg.rounds == 0 || kv_work * kv_specs.len() + sql_work * sql_specs.len() == 0 {
        bail!("compare needs at least one target, one workload and one round");
    }
    let commit = environment::git_commit();
    let run_id = environment::new_run_id(&commit);
    let dir = cfg.out_root.join(&run_id);
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;

    // Every target is booted once, even when both halves use it.
    let mut specs: Vec<&TargetSpec> = Vec::new();
    for spec in kv_specs.iter().chain(sql_specs) {
        if !specs.contains(&spec) {
            specs.push(spec);
        }
    }
    let mut started: Vec<Box<dyn Target>> = Vec::new();
    let mut started_specs = Vec::new();
    let mut skipped = Vec::new();
    for spec in specs {
        eprintln!("starting target {} ...", spec.name());
        match targets::start(spec) {
            Ok(t) => {
                eprintln!(
                    "  {}: accelerator {} ({})",
                    t.name(),
                    t.accelerator(),
                    t.accel_reason()
                );
                started.push(t);
                started_specs.push(spec);
            }
            Err(e) => {
                eprintln!("  WARNING: skipping {}: {e}", spec.name());
                skipped.push(format!("{}: {e}", spec.name()));
            }
        }
    }
    if started.is_empty() {
        bail!("no target could be started:\n  {}", skipped.join("\n  "));
    }
    let pick = |list: &[TargetSpec]| -> Vec<usize> {
        list.iter()
            .filter_map(|s| started_specs.iter().position(|t| *t == s))
            .collect()
    };
    let plan = Plan {
        kv: pick(kv_specs),
        sql: pick(sql_specs),
        kv_work,
        sql_work,
    };
    let refs: Vec<&dyn Target> = started.iter().map(|t| t.as_ref()).collect();
    let mut env_text = environment::describe(&commit, &refs, &skipped);
    if cfg.suite.sql() {
        env_text.push_str(&sql_environment(&cfg.sql));
    }
    write_file(&dir.join(ENVIRONMENT_TXT), &env_text)?;
    if cfg.suite.sql() {
        crate::kml::copy_null_call_table(&cfg.out_root, &dir);
    }

    let mut sink = CsvSink::create(&dir.join(RESULTS_CSV))?;
    let total =
        (cfg.rounds * (plan.kv_work * plan.kv.len() + plan.sql_work * plan.sql.len())) as u64;
    let progress = Progress::new(total);
    let mut preloaded: Vec<Option<(u64, usize)>> = vec![None; refs.len()];
    let mut loaded: Vec<LoadedData> = vec![LoadedData::default(); refs.len()];
    let mut failed_runs = Vec::new();
    for round in 1..=cfg.rounds {
        for (wi, workload) in cfg.workloads.iter().take(plan.kv_work).enumerate() {
            for &ti in &plan.kv {
                let target = refs[ti];
                let what = format!(
                    "round {round}/{} · {} · {}",
                    cfg.rounds,
                    workload.label,
                    target.name()
                );
                progress.start(&what);
                let run_cfg = RunConfig {
                    workload: workload.clone(),
                    connections: cfg.connections,
                    warmup_s: cfg.warmup_s,
                    duration_s: cfg.duration_s,
                    seed: cfg.seed ^ ((round * 1000 + wi) as u64),
                };
                match run_one(target, &run_cfg, &mut preloaded[ti]) {
                    Ok(m) => {
                        let row = make_row(&run_id, &commit, target, &run_cfg, &m);
                        sink.append(&row)?;
                        progress.finish_step(&format!("{what}: {}", result_line(&m)));
                        for e in &m.error_samples {
                            progress.note(&format!("    error: {e}"));
                        }
                    }
                    Err(e) => {
                        progress.finish_step(&format!("{what}: FAILED: {e}"));
                        failed_runs.push(format!("{what}: {e}"));
                    }
                }
            }
        }
        for (wi, &workload) in cfg.sql.workloads.iter().take(plan.sql_work).enumerate() {
            for &ti in &plan.sql {
                let target = refs[ti];
                let what = format!(
                    "round {round}/{} · {} · {}",
                    cfg.rounds,
                    workload.name(),
                    target.name()
                );
                progress.start(&what);
                let seed = cfg.seed ^ ((round * 1000 + 500 + wi) as u64);
                match sql_compare::run_one(target, workload, &cfg.sql, &mut loaded[ti], seed) {
                    Ok(m) => {
                        let row =
                            sql_compare::row(&run_id, &commit, target, workload, &cfg.sql, &m);
                        sink.append(&row)?;
                        progress.finish_step(&format!(
                            "{what}: {}, {} statements",
                            result_line(&m.to_measurement()),
                            m.statements
                        ));
                        for e in &m.error_samples {
                            progress.note(&format!("    error: {e}"));
                        }
                    }
                    Err(e) => {
                        progress.finish_step(&format!("{what}: FAILED: {e}"));
                        failed_runs.push(format!("{what}: {e}"));
                    }
                }
            }
        }
    }
    progress.done();
    drop(sink);
    drop(refs);
    drop(started); // tears VMs and host servers down
    let report = report::render_dir(&dir)?;
    let rows = crate::csv_out::read_rows(&dir.join(RESULTS_CSV))?;
    let summary = report::render_text_summary(&report::summarise(&rows));
    Ok(CompareOutcome {
        dir,
        report,
        summary,
        failed_runs,
    })
}

/// The SQL parameters and MariaDB's settings, for `environment.txt`.
fn sql_environment(sql: &SqlCompareConfig) -> String {
    let names: Vec<&str> = sql.workloads.iter().map(|w| w.name()).collect();
    format!(
        "sql workloads: {} ({} statements; OLTP: {} rows, {} connections, {} s warm-up + {} s; \
         Wisconsin loop count {})\n{}",
        names.join(", "),
        sql.mode.name(),
        sql.table_size,
        sql.connections,
        sql.warmup_s,
        sql.duration_s,
        sql.loop_count,
        mariadb_settings()
    )
}

#[cfg(feature = "vm")]
fn mariadb_settings() -> String {
    format!(
        "mariadb-vm settings (images/mariadb-vm.cnf):\n{}\n",
        ring0db_images::build::mariadb_vm_settings().trim_end()
    )
}

#[cfg(not(feature = "vm"))]
fn mariadb_settings() -> String {
    String::new()
}

fn write_file(path: &Path, text: &str) -> Result<()> {
    fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}
