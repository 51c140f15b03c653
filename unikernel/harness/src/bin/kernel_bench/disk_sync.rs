//! `disk-sync`: a 4 KiB `pwrite` + `fdatasync`, and a 4 KiB `pwrite` alone, on the VM's
//! virtio-blk disk, as direct kernel calls and through the trap (`bench=disk`): the median
//! latency of each round.

use anyhow::Result;

use crate::csv_environment::Environment;
use crate::in_image_rows::{in_image_rows, print_medians, write_rows};

pub(crate) fn disk_sync(out: &std::path::Path, environment: &Environment) -> Result<()> {
    let rows = in_image_rows("disk")?;
    let path = out.join("disk-sync.csv");
    write_rows(
        &path,
        environment,
        "variant,round,median_cycles,median_ns",
        &rows,
    )?;
    println!(
        "4 KiB pwrite (+ fdatasync) on the VM's disk (median of round medians; {}):",
        environment.accel_reason
    );
    print_medians(&rows, "cycles");
    println!("  (guest cycles and guest-TSC ns; the disk is a raw file with cache=writeback, so each fdatasync is a host fdatasync)");
    println!("wrote {}", path.display());
    Ok(())
}
