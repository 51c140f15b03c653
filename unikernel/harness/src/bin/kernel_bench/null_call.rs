//! `null-call`: a null system call as a function call and as a trap inside the image
//! (`bench=nullcall`), and a real `getppid` system call on the host.

use anyhow::Result;

use crate::csv_environment::Environment;
use crate::in_image_rows::{in_image_rows, print_medians, write_rows, Row};

pub(crate) fn null_call(out: &std::path::Path, environment: &Environment) -> Result<()> {
    let mut rows = in_image_rows("nullcall")?;
    let rounds = rows
        .iter()
        .map(|r| r.round.clone())
        .collect::<std::collections::BTreeSet<_>>();
    for round in rounds {
        let ns = host_getppid_ns();
        rows.push(Row {
            variant: "host-getppid-syscall".into(),
            round,
            cycles: None,
            ns,
        });
    }
    let path = out.join("null-call.csv");
    write_rows(
        &path,
        environment,
        "path,round,cycles_per_call,ns_per_call",
        &rows,
    )?;
    println!(
        "null system call (median of rounds; {}):",
        environment.accel_reason
    );
    print_medians(&rows, "cycles");
    println!("  (image rows: guest cycles and guest-TSC ns; host row: host wall-clock ns of a real system call)");
    println!("wrote {}", path.display());
    Ok(())
}

/// Host wall-clock ns of one real `getppid` system call (glibc does not cache it).
fn host_getppid_ns() -> f64 {
    const CALLS: u32 = 1_000_000;
    let start = std::time::Instant::now();
    for _ in 0..CALLS {
        std::hint::black_box(std::os::unix::process::parent_id());
    }
    start.elapsed().as_nanos() as f64 / f64::from(CALLS)
}
