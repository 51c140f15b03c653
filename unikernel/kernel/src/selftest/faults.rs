//! Deliberately raised exceptions. Each is reported by `exceptions` (name,
//! vector, registers, the IST stack it ran on) and, except #BP, ends the run.

use crate::arch::probes;
use crate::exit::ExitCode;

pub use crate::arch::probes::UNMAPPED_ADDRESS;

pub fn divide_error() -> ExitCode {
    probes::divide_by_zero();
    ExitCode::TestFailed
}

pub fn invalid_opcode() -> ExitCode {
    probes::invalid_opcode();
    ExitCode::TestFailed
}

pub fn general_protection() -> ExitCode {
    probes::load_non_canonical();
    ExitCode::TestFailed
}

pub fn page_fault() -> ExitCode {
    probes::load_unmapped();
    ExitCode::TestFailed
}

pub fn breakpoint() -> ExitCode {
    probes::breakpoint();
    log::info!("selftest: execution resumed after #BP");
    ExitCode::Success
}

/// Executes `xorps xmm0, xmm0`: with SSE off in CR4 this raises #UD.
pub fn sse_instruction() -> ExitCode {
    probes::sse_instruction();
    log::error!("selftest: an SSE instruction executed in ring 0 without faulting");
    ExitCode::TestFailed
}
