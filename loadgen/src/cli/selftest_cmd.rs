//! `loadgen selftest`'s RESP part: loadgen's capacity against an in-process sink, against
//! linux-host, and the cross-check against redis-benchmark.

use anyhow::{Context, Result};

use crate::bench::{self, RunConfig};
use crate::compare;
use crate::selftest;
use crate::targets::{self, TargetSpec};
use crate::workload::{KeyDist, OpMix, Workload};

#[allow(clippy::too_many_arguments)]
pub(super) fn selftest_cmd(
    connections: usize,
    pipelines: &[u32],
    warmup_s: f64,
    duration_s: f64,
    linux_host: bool,
    cross_check: Option<String>,
    requests: u64,
    value_size: usize,
) -> Result<()> {
    println!("loadgen capacity against an in-process sink (answers +OK without parsing):");
    for (p, m) in selftest::sink_capacity(connections, pipelines, warmup_s, duration_s)? {
        println!("  {}", selftest::sink_line(connections, p, &m));
    }
    if linux_host {
        let t = targets::start(&TargetSpec::LinuxHost)?;
        let w = Workload::parse(
            "get:p64",
            &Workload {
                label: String::new(),
                mix: OpMix::Get,
                pipeline: 64,
                value_size,
                keyspace: 10_000,
                key_dist: KeyDist::Uniform,
                rate_limit: None,
            },
        )?;
        let cfg = RunConfig {
            workload: w,
            connections,
            warmup_s,
            duration_s,
            seed: 3,
        };
        let m = compare::run_one(t.as_ref(), &cfg, &mut None)?;
        println!(
            "  linux-host get:p64, {connections} connections: {}",
            compare::result_line(&m)
        );
    }
    if let Some(name) = cross_check {
        let t = targets::start(&TargetSpec::parse(&name)?)?;
        let addr = t.loopback_addr().context(
            "cross-check needs a target with a loopback address (HOST:PORT or linux-host)",
        )?;
        println!(
            "cross-check against {} ({} connections, value {value_size} B):",
            t.name(),
            selftest::CROSS_CHECK_CONNECTIONS
        );
        let theirs = selftest::redis_benchmark(addr, requests, value_size)?;
        let ours = selftest::loadgen_cross_check(t.as_ref(), value_size, warmup_s, duration_s)?;
        println!("  (the two should agree within about ±15%; more means a busy host or a client bottleneck)");
        for (test, m) in &ours {
            let rb = theirs.iter().find(|r| &r.test == test).map(|r| r.ops_per_s);
            let ratio = rb.map_or_else(|| "-".to_string(), |rb| format!("{:.2}", m.ops_per_s / rb));
            println!(
                "  {test}: redis-benchmark {} ops/s, loadgen {:.0} ops/s (errors {}), loadgen/redis-benchmark {ratio}",
                rb.map_or_else(|| "-".to_string(), |v| format!("{v:.0}")),
                m.ops_per_s,
                m.errors
            );
        }
    }
    let _ = bench::MAX_ERROR_SAMPLES;
    Ok(())
}
