//! VM targets (`unikernel`, `unikernel-trap`, `linux-vm`, `redis-vm`), booted through the
//! `ring0db-images` crate.
//!
//! All knowledge of `ring0db-images` lives in this one module.

use super::{Target, TargetError};

/// The VM targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VmKind {
    /// The ring-0 unikernel, system calls as function calls.
    Unikernel,
    /// The same unikernel with trap-based system-call dispatch.
    UnikernelTrap,
    /// `dbserver` as a Linux program in a Linux guest.
    LinuxVm,
    /// Debian's redis-server in the Linux guest.
    RedisVm,
}

impl VmKind {
    /// All VM targets.
    pub const ALL: [VmKind; 4] = [
        VmKind::Unikernel,
        VmKind::UnikernelTrap,
        VmKind::LinuxVm,
        VmKind::RedisVm,
    ];

    /// The target name.
    pub fn name(self) -> &'static str {
        match self {
            VmKind::Unikernel => "unikernel",
            VmKind::UnikernelTrap => "unikernel-trap",
            VmKind::LinuxVm => "linux-vm",
            VmKind::RedisVm => "redis-vm",
        }
    }

    /// The kind named `name`, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// Boots a VM target.
pub fn start(kind: VmKind) -> Result<Box<dyn Target>, TargetError> {
    Err(TargetError::Unimplemented(
        kind.name().to_string(),
        "VM targets need the ring0db-images API, which has not landed in images/src yet".to_string(),
    ))
}
