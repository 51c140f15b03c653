//! Where a number was measured (time, commit, accelerator, CPU, QEMU), as the leading
//! columns of every CSV row.

use anyhow::Result;
use ring0db_harness::accelerator;
use ring0db_images::environment;

/// Where a number was measured; repeated in every CSV row so rows stand alone.
pub(crate) struct Environment {
    utc_time: String,
    git_commit: String,
    accelerator: String,
    pub(crate) accel_reason: String,
    cpu_model: String,
    qemu_version: String,
}

impl Environment {
    pub(crate) const HEADER: &'static str =
        "utc_time,git_commit,accelerator,accel_reason,cpu_model,qemu_version";

    pub(crate) fn capture() -> Result<Environment> {
        let accel = accelerator()?;
        Ok(Environment {
            utc_time: environment::utc_now().0,
            git_commit: environment::git_commit(),
            accelerator: accel.accel.qemu_name().to_string(),
            accel_reason: accel.reason,
            cpu_model: environment::cpu_model(),
            qemu_version: environment::qemu_version(),
        })
    }

    pub(crate) fn row(&self) -> String {
        [
            &self.utc_time,
            &self.git_commit,
            &self.accelerator,
            &self.accel_reason,
            &self.cpu_model,
            &self.qemu_version,
        ]
        .iter()
        .map(|field| csv_field(field))
        .collect::<Vec<_>>()
        .join(",")
    }
}

fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}
