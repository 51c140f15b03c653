//! Run ids, UTC timestamps and the `environment.txt` description of the machine. The
//! machine and run-id parts live in `ring0db_images::environment` (shared with the
//! harness); this module adds the targets.

use std::fmt::Write as _;

pub use ring0db_images::environment::{
    civil_from_unix, command_line, cpu_model, describe_machine, git_commit, new_run_id,
    qemu_version, utc_now,
};

use crate::targets::Target;

/// The text of `environment.txt`.
pub fn describe(commit: &str, targets: &[&dyn Target], skipped: &[String]) -> String {
    let mut out = describe_machine(commit);
    for t in targets {
        let _ = writeln!(
            out,
            "target {}: accelerator {} ({})",
            t.name(),
            t.accelerator(),
            t.accel_reason()
        );
    }
    for s in skipped {
        let _ = writeln!(out, "skipped target: {s}");
    }
    let _ = writeln!(out, "command: {}", command_line());
    out
}
