//! The rows an in-image benchmark (`bench=NAME`) prints on the serial console: booting and
//! parsing them, writing them as CSV, and printing their medians.

use std::fs;
use std::io::Write;

use anyhow::{bail, Context, Result};
use ring0db_harness::boot;

use crate::csv_environment::Environment;

/// One measurement row: the kernel prints `bench-NAME,variant,round,cycles,ns`.
pub(crate) struct Row {
    pub(crate) variant: String,
    pub(crate) round: String,
    pub(crate) cycles: Option<u64>,
    pub(crate) ns: f64,
}

/// Boots with `bench=NAME` and parses its rows.
pub(crate) fn in_image_rows(name: &str) -> Result<Vec<Row>> {
    let run = boot(&format!("bench={name}"))?;
    if run.code() != Some(ring0db_harness::exit_code::SUCCESS) {
        bail!("bench={name} failed ({}):\n{}", run.exit, run.serial);
    }
    let prefix = format!("bench-{name},");
    let rows: Vec<Row> = run
        .serial
        .lines()
        .filter_map(|line| {
            let mut fields = line.strip_prefix(&prefix)?.split(',');
            let (variant, round) = (fields.next()?.to_string(), fields.next()?.to_string());
            let cycles = Some(fields.next()?.parse().ok()?);
            Some(Row {
                variant,
                round,
                cycles,
                ns: fields.next()?.parse().ok()?,
            })
        })
        .collect();
    if rows.is_empty() {
        bail!("the kernel printed no bench-{name} rows:\n{}", run.serial);
    }
    Ok(rows)
}

pub(crate) fn write_rows(
    path: &std::path::Path,
    environment: &Environment,
    header: &str,
    rows: &[Row],
) -> Result<()> {
    let mut file = fs::File::create(path).with_context(|| format!("create {}", path.display()))?;
    writeln!(file, "{},{header}", Environment::HEADER)?;
    for row in rows {
        let cycles = row.cycles.map(|c| c.to_string()).unwrap_or_default();
        writeln!(
            file,
            "{},{},{},{cycles},{:.1}",
            environment.row(),
            row.variant,
            row.round,
            row.ns
        )?;
    }
    Ok(())
}

/// Prints the median per variant, in order of first appearance, with the ratio to the first.
pub(crate) fn print_medians(rows: &[Row], unit: &str) {
    let mut variants: Vec<&str> = Vec::new();
    for row in rows {
        if !variants.contains(&row.variant.as_str()) {
            variants.push(&row.variant);
        }
    }
    let mut baseline = None;
    for variant in variants {
        let median = |value: &dyn Fn(&Row) -> Option<f64>| {
            let mut values: Vec<f64> = rows
                .iter()
                .filter(|r| r.variant == variant)
                .filter_map(value)
                .collect();
            values.sort_by(f64::total_cmp);
            values.get(values.len() / 2).copied()
        };
        let ns = median(&|r| Some(r.ns)).unwrap_or(0.0);
        match median(&|r| r.cycles.map(|c| c as f64)) {
            Some(cycles) => {
                let base = *baseline.get_or_insert(cycles);
                println!(
                    "  {variant:<22} {cycles:>8.0} {unit} {ns:>9.1} ns  ({:.2}x the first)",
                    cycles / base
                );
            }
            None => println!("  {variant:<22} {:>8} {unit} {ns:>9.1} ns", "-"),
        }
    }
}
