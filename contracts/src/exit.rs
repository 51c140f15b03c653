//! Why the unikernel stopped: the code it writes to QEMU's `isa-debug-exit` device
//! (`iobase=0xf4`). QEMU then exits with status `(code << 1) | 1`. Every code is at least
//! 0x10, because QEMU itself exits with status 1 (= guest code 0) on startup errors.

/// A guest exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ExitCode {
    /// The kernel (or its test) finished successfully.
    Success = 0x10,
    /// A kernel test failed.
    TestFailed = 0x11,
    /// The kernel panicked.
    Panic = 0x12,
    /// A fatal CPU exception was reported.
    FatalException = 0x13,
    /// A stack overflow hit a guard page.
    StackOverflow = 0x14,
    /// The kernel command line could not be parsed.
    BadCommandLine = 0x15,
}

impl ExitCode {
    /// Every code.
    pub const ALL: [ExitCode; 6] = [
        ExitCode::Success,
        ExitCode::TestFailed,
        ExitCode::Panic,
        ExitCode::FatalException,
        ExitCode::StackOverflow,
        ExitCode::BadCommandLine,
    ];

    /// The byte written to the device.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The code `code`, if it is one of ours.
    pub fn from_code(code: u8) -> Option<ExitCode> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    /// QEMU's exit status for this code: `(code << 1) | 1`.
    pub const fn qemu_status(self) -> i32 {
        ((self as i32) << 1) | 1
    }

    /// A short name, for messages.
    pub const fn name(self) -> &'static str {
        match self {
            ExitCode::Success => "success",
            ExitCode::TestFailed => "test failed",
            ExitCode::Panic => "panic",
            ExitCode::FatalException => "fatal exception",
            ExitCode::StackOverflow => "stack overflow",
            ExitCode::BadCommandLine => "bad command line",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ExitCode;

    #[test]
    fn codes_round_trip_and_match_the_readme_table() {
        for c in ExitCode::ALL {
            assert_eq!(ExitCode::from_code(c.code()), Some(c));
            assert!(c.code() >= 0x10, "{c:?}");
        }
        assert_eq!(ExitCode::Success.qemu_status(), 33);
        assert_eq!(ExitCode::TestFailed.qemu_status(), 35);
        assert_eq!(ExitCode::Panic.qemu_status(), 37);
        assert_eq!(ExitCode::FatalException.qemu_status(), 39);
        assert_eq!(ExitCode::from_code(0), None);
    }
}
