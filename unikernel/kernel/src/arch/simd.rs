//! SIMD state control. The kernel runs with SSE and x87 off (CR0.EM=1, CR4.OSFXSR=0):
//! any SIMD instruction in ring 0 faults, so interrupt handlers need to save only the
//! general registers. The interrupt-cost benchmark turns SIMD on to measure what
//! saving its state with FXSAVE/XSAVE would cost per interrupt.

use x86_64::registers::control::{Cr0, Cr0Flags, Cr4, Cr4Flags};
use x86_64::registers::xcontrol::{XCr0, XCr0Flags};

use super::cpu::cpuid;

/// Disables x87 and SSE: CR0.EM=1, CR0.MP=0, CR4.OSFXSR=0, CR4.OSXMMEXCPT=0.
pub fn disable() {
    // SAFETY: the kernel is compiled for a soft-float target and never executes x87 or
    // SIMD instructions outside the benchmark, so turning them off changes nothing else.
    unsafe {
        Cr0::update(|cr0| {
            cr0.insert(Cr0Flags::EMULATE_COPROCESSOR);
            cr0.remove(Cr0Flags::MONITOR_COPROCESSOR);
        });
        Cr4::update(|cr4| {
            cr4.remove(Cr4Flags::OSFXSR | Cr4Flags::OSXMMEXCPT_ENABLE | Cr4Flags::OSXSAVE)
        });
    }
}

/// Whether the CPU has XSAVE (CPUID.1:ECX[26]).
pub fn has_xsave() -> bool {
    const XSAVE: u32 = 1 << 26;
    cpuid(1).ecx & XSAVE != 0
}

/// Enables FXSAVE/SSE and, if present, XSAVE with every state component the CPU
/// supports. Returns the XSAVE area size in bytes for the enabled components (0 without
/// XSAVE). Benchmark mode only.
pub fn enable_for_benchmark() -> u32 {
    // SAFETY: enabling SSE/XSAVE is architecturally allowed at any time in ring 0; the
    // kernel's own code still contains no SIMD instructions.
    unsafe {
        Cr0::update(|cr0| {
            cr0.remove(Cr0Flags::EMULATE_COPROCESSOR);
            cr0.insert(Cr0Flags::MONITOR_COPROCESSOR);
        });
        Cr4::update(|cr4| cr4.insert(Cr4Flags::OSFXSR | Cr4Flags::OSXMMEXCPT_ENABLE));
    }
    if !has_xsave() {
        return 0;
    }
    // SAFETY: XSAVE is present (checked above).
    unsafe { Cr4::update(|cr4| cr4.insert(Cr4Flags::OSXSAVE)) };
    let supported = super::cpu::cpuid_sub(0xd, 0);
    let mask = u64::from(supported.eax) | u64::from(supported.edx) << 32;
    let wanted =
        XCr0Flags::from_bits_truncate(mask) & (XCr0Flags::X87 | XCr0Flags::SSE | XCr0Flags::AVX);
    // SAFETY: only components the CPU reports as supported are enabled, and x87+SSE are
    // always included as XCR0 requires.
    unsafe { XCr0::write(wanted | XCr0Flags::X87 | XCr0Flags::SSE) };
    super::cpu::cpuid_sub(0xd, 0).ebx
}
