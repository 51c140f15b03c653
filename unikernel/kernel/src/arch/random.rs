//! The CPU's random number instructions: RDSEED (a conditioned entropy source) and RDRAND
//! (a DRBG reseeded from it), each present when CPUID says so. QEMU offers both under TCG
//! with `-cpu max` (backed by the host's getrandom), and passes them through under KVM.

use super::cpu::{cpuid, cpuid_sub, max_basic_leaf};

/// Attempts per value: both instructions may transiently fail (CF=0) when the hardware's
/// entropy is drained; Intel recommends 10 retries for RDRAND, RDSEED may need more.
const ATTEMPTS: usize = 64;

/// CPUID.1:ECX[30].
pub fn has_rdrand() -> bool {
    const RDRAND: u32 = 1 << 30;
    cpuid(1).ecx & RDRAND != 0
}

/// CPUID.(EAX=7,ECX=0):EBX[18].
pub fn has_rdseed() -> bool {
    const RDSEED: u32 = 1 << 18;
    max_basic_leaf() >= 7 && cpuid_sub(7, 0).ebx & RDSEED != 0
}

/// 64 bits from RDSEED, `None` if absent or if it kept failing.
pub fn rdseed() -> Option<u64> {
    if !has_rdseed() {
        return None;
    }
    (0..ATTEMPTS).find_map(|_| {
        let value: u64;
        let ok: u8;
        // SAFETY: CPUID reported RDSEED; it writes a register and the flags only.
        unsafe {
            core::arch::asm!(
                "rdseed {value}",
                "setc {ok}",
                value = out(reg) value,
                ok = out(reg_byte) ok,
                options(nomem, nostack),
            )
        };
        if ok == 0 {
            core::hint::spin_loop();
        }
        (ok != 0).then_some(value)
    })
}

/// 64 bits from RDRAND, `None` if absent or if it kept failing.
pub fn rdrand() -> Option<u64> {
    if !has_rdrand() {
        return None;
    }
    (0..ATTEMPTS).find_map(|_| {
        let value: u64;
        let ok: u8;
        // SAFETY: CPUID reported RDRAND; it writes a register and the flags only.
        unsafe {
            core::arch::asm!(
                "rdrand {value}",
                "setc {ok}",
                value = out(reg) value,
                ok = out(reg_byte) ok,
                options(nomem, nostack),
            )
        };
        (ok != 0).then_some(value)
    })
}
