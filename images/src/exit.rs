//! Decoding how a VM ended.

use crate::exit_code;
use std::fmt;
use std::process::ExitStatus;

/// How QEMU (and with it the guest) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuestExit {
    /// The guest wrote `code` to `isa-debug-exit`; QEMU exited with `(code << 1) | 1`.
    /// Our unikernel's codes are in [`exit_code`] (all ≥ 0x10, because QEMU itself exits
    /// with status 1 = guest code 0 on startup errors).
    Guest(u8),
    /// QEMU exited with an even status: 0 after a guest shutdown or reset (`-no-reboot`,
    /// e.g. the Linux guests' `reboot -f`), anything else is a QEMU error.
    Qemu(i32),
    /// QEMU was killed by this signal (e.g. by [`crate::RunningVm`]'s drop).
    Signal(i32),
}

impl GuestExit {
    /// Decodes a QEMU process status.
    pub fn from_status(status: ExitStatus) -> Self {
        use std::os::unix::process::ExitStatusExt;
        match (status.code(), status.signal()) {
            (Some(code), _) => Self::from_code(code),
            (None, Some(sig)) => GuestExit::Signal(sig),
            (None, None) => GuestExit::Qemu(-1),
        }
    }

    /// Decodes a QEMU exit code.
    pub fn from_code(code: i32) -> Self {
        // Status 1 is ambiguous (guest code 0 or a QEMU startup error): treat it as QEMU's.
        if code & 1 == 1 && code != 1 {
            GuestExit::Guest(((code >> 1) & 0x7f) as u8)
        } else {
            GuestExit::Qemu(code)
        }
    }

    /// The guest's debug-exit code, if it wrote one.
    pub fn guest_code(self) -> Option<u8> {
        match self {
            GuestExit::Guest(c) => Some(c),
            _ => None,
        }
    }

    /// True for the unikernel's success code and for a clean guest shutdown (status 0).
    pub fn is_success(self) -> bool {
        matches!(
            self,
            GuestExit::Guest(exit_code::SUCCESS) | GuestExit::Qemu(0)
        )
    }
}

impl fmt::Display for GuestExit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            GuestExit::Guest(c) => match exit_code::name(c) {
                Some(name) => write!(f, "guest exit code {c:#04x} ({name})"),
                None => write!(f, "guest exit code {c:#04x}"),
            },
            GuestExit::Qemu(0) => write!(f, "guest shut down (QEMU status 0)"),
            GuestExit::Qemu(c) => write!(f, "QEMU exited with status {c}"),
            GuestExit::Signal(s) => write!(f, "QEMU killed by signal {s}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_exit_status_decodes() {
        assert_eq!(
            GuestExit::from_code(0x21),
            GuestExit::Guest(exit_code::SUCCESS)
        );
        assert_eq!(
            GuestExit::from_code(0x25),
            GuestExit::Guest(exit_code::PANIC)
        );
        assert_eq!(
            GuestExit::from_code((0x15 << 1) | 1),
            GuestExit::Guest(exit_code::BAD_CMDLINE)
        );
        assert_eq!(GuestExit::from_code(1), GuestExit::Qemu(1));
        assert_eq!(GuestExit::from_code(0), GuestExit::Qemu(0));
        assert!(GuestExit::from_code(0x21).is_success());
        assert!(!GuestExit::from_code(0x23).is_success());
        assert_eq!(
            GuestExit::Guest(0x12).to_string(),
            "guest exit code 0x12 (panic)"
        );
    }
}
