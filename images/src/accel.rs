//! Choosing the accelerator (KVM or TCG), with the reason recorded for every run.

use anyhow::{bail, Result};
use std::fmt;
use std::str::FromStr;

/// What the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Accel {
    /// KVM only when `/dev/kvm` opens read-write AND the CPU flags show vmx/svm; else TCG.
    #[default]
    Auto,
    /// Always TCG (software emulation).
    Tcg,
    /// Always KVM; fails when `/dev/kvm` cannot be opened.
    Kvm,
}

/// The accelerator QEMU actually runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accelerator {
    /// QEMU's tiny code generator (software emulation).
    Tcg,
    /// Linux KVM.
    Kvm,
}

/// The resolved accelerator and a one-line human reason, printed and recorded for every run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccelChoice {
    /// The accelerator passed to QEMU.
    pub accel: Accelerator,
    /// Why, e.g. `tcg: /dev/kvm present but CPU has no vmx/svm flag (nested software module; slow)`.
    pub reason: String,
}

impl Accel {
    /// Resolves the request against this machine.
    pub fn resolve(self) -> Result<AccelChoice> {
        let kvm_open = kvm_opens_rw();
        let cpu_flag = cpu_has_virt_flag();
        resolve_with(self, kvm_open, cpu_flag)
    }
}

/// Pure decision, separated for tests.
fn resolve_with(req: Accel, kvm_open: Result<(), String>, cpu_flag: bool) -> Result<AccelChoice> {
    let choice = |accel, reason: String| Ok(AccelChoice { accel, reason });
    match req {
        Accel::Tcg => choice(Accelerator::Tcg, "tcg: forced (--accel tcg)".into()),
        Accel::Kvm => match kvm_open {
            Ok(()) if cpu_flag => choice(Accelerator::Kvm, "kvm: forced (--accel kvm)".into()),
            Ok(()) => choice(
                Accelerator::Kvm,
                "kvm: forced (--accel kvm) although the CPU has no vmx/svm flag (nested software module; slow)".into(),
            ),
            Err(e) => bail!("--accel kvm: cannot open /dev/kvm read-write ({e}); use --accel tcg or auto"),
        },
        Accel::Auto => match (kvm_open, cpu_flag) {
            (Ok(()), true) => choice(Accelerator::Kvm, "kvm: /dev/kvm opens and CPU has vmx/svm".into()),
            (Ok(()), false) => choice(
                Accelerator::Tcg,
                "tcg: /dev/kvm present but CPU has no vmx/svm flag (nested software module; slow)".into(),
            ),
            (Err(e), _) => choice(Accelerator::Tcg, format!("tcg: /dev/kvm unusable ({e})")),
        },
    }
}

fn kvm_opens_rw() -> Result<(), String> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/kvm")
        .map(drop)
        .map_err(|e| e.to_string())
}

fn cpu_has_virt_flag() -> bool {
    std::fs::read_to_string("/proc/cpuinfo")
        .map(|text| cpuinfo_has_virt_flag(&text))
        .unwrap_or(false)
}

fn cpuinfo_has_virt_flag(cpuinfo: &str) -> bool {
    cpuinfo
        .lines()
        .filter(|l| l.starts_with("flags"))
        .flat_map(|l| l.split_whitespace())
        .any(|f| f == "vmx" || f == "svm")
}

impl Accelerator {
    /// The name QEMU's `-accel` takes.
    pub fn qemu_name(self) -> &'static str {
        match self {
            Accelerator::Tcg => "tcg",
            Accelerator::Kvm => "kvm",
        }
    }
}

impl fmt::Display for Accelerator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.qemu_name())
    }
}

impl fmt::Display for AccelChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl FromStr for Accel {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "auto" => Ok(Accel::Auto),
            "tcg" => Ok(Accel::Tcg),
            "kvm" => Ok(Accel::Kvm),
            _ => bail!("unknown accelerator {s:?}: use auto, tcg or kvm"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_needs_both_device_and_flag() {
        let no_dev = || Err("No such file or directory".to_string());
        let r = resolve_with(Accel::Auto, Ok(()), false).unwrap();
        assert_eq!(r.accel, Accelerator::Tcg);
        assert!(r.reason.contains("no vmx/svm"));
        assert_eq!(
            resolve_with(Accel::Auto, Ok(()), true).unwrap().accel,
            Accelerator::Kvm
        );
        assert_eq!(
            resolve_with(Accel::Auto, no_dev(), true).unwrap().accel,
            Accelerator::Tcg
        );
        assert!(resolve_with(Accel::Kvm, no_dev(), true).is_err());
        assert_eq!(
            resolve_with(Accel::Tcg, Ok(()), true).unwrap().accel,
            Accelerator::Tcg
        );
    }

    #[test]
    fn cpuinfo_flags_are_words() {
        assert!(cpuinfo_has_virt_flag("flags\t\t: fpu vme vmx sse\n"));
        assert!(!cpuinfo_has_virt_flag(
            "flags\t\t: fpu vmxx sse\nmodel name: svm\n"
        ));
    }

    #[test]
    fn this_machine_resolves() {
        let r = Accel::Auto.resolve().unwrap();
        assert!(r.reason.starts_with(r.accel.qemu_name()));
    }
}
