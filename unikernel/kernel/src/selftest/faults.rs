//! Deliberately raised exceptions. Each is reported by `arch::exceptions` (name,
//! vector, registers, the IST stack it ran on) and, except #BP, ends the run.

use core::arch::asm;

use crate::exit::ExitCode;

/// An address the identity map does not cover (PML4[0] maps only what paging created).
pub const UNMAPPED_ADDRESS: u64 = 0x40_0000_0000;
const NON_CANONICAL_ADDRESS: u64 = 0x8000_0000_0000_0000;

pub fn divide_error() -> ExitCode {
    // SAFETY: deliberately divides by zero; the #DE handler reports and exits.
    unsafe { asm!("div {0:e}", in(reg) 0u32, inout("eax") 1u32 => _, inout("edx") 0u32 => _) };
    ExitCode::TestFailed
}

pub fn invalid_opcode() -> ExitCode {
    // SAFETY: deliberately executes UD2; the #UD handler reports and exits.
    unsafe { asm!("ud2") };
    ExitCode::TestFailed
}

pub fn general_protection() -> ExitCode {
    // SAFETY: deliberately loads through a non-canonical address; #GP reports and exits.
    unsafe { asm!("mov {0}, [{0}]", inout(reg) NON_CANONICAL_ADDRESS => _) };
    ExitCode::TestFailed
}

pub fn page_fault() -> ExitCode {
    // SAFETY: deliberately reads an unmapped address; #PF reports and exits.
    unsafe { asm!("mov {0}, [{0}]", inout(reg) UNMAPPED_ADDRESS => _) };
    ExitCode::TestFailed
}

pub fn breakpoint() -> ExitCode {
    // SAFETY: INT3 is handled (reported and resumed) by the #BP handler.
    unsafe { asm!("int3") };
    log::info!("selftest: execution resumed after #BP");
    ExitCode::Success
}

/// Executes `xorps xmm0, xmm0`: with SSE off in CR4 this raises #UD.
pub fn sse_instruction() -> ExitCode {
    // SAFETY: the SSE instruction faults (SSE is disabled); the handler exits. It is
    // encoded as bytes because the kernel target has no SSE feature.
    unsafe { asm!(".byte 0x0f, 0x57, 0xc0") };
    log::error!("selftest: an SSE instruction executed in ring 0 without faulting");
    ExitCode::TestFailed
}
