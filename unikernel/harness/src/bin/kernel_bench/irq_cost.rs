//! `irq-cost`: interrupt entry+exit in cycles with general registers only, and with SIMD
//! state saved by FXSAVE or XSAVE (the kernel's `bench=irq` mode).

use anyhow::Result;

use crate::csv_environment::Environment;
use crate::in_image_rows::{in_image_rows, print_medians, write_rows};

pub(crate) fn irq_cost(out: &std::path::Path, environment: &Environment) -> Result<()> {
    let rows = in_image_rows("irq")?;
    let path = out.join("irq-entry.csv");
    write_rows(
        &path,
        environment,
        "variant,round,cycles_per_interrupt,ns_per_interrupt",
        &rows,
    )?;
    println!(
        "interrupt entry+exit (median of rounds, guest cycles; {}):",
        environment.accel_reason
    );
    print_medians(&rows, "cycles");
    println!("wrote {}", path.display());
    Ok(())
}
