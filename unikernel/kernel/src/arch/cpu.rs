//! Small CPU helpers: TSC, CPUID, halting.

use core::arch::x86_64::{__cpuid, __cpuid_count, CpuidResult};

/// Reads the time-stamp counter.
#[inline(always)]
pub fn rdtsc() -> u64 {
    // SAFETY: RDTSC is available on every x86-64 CPU and has no side effects.
    unsafe { core::arch::x86_64::_rdtsc() }
}

/// The frame pointer (RBP) of the function this is inlined into. Only the panic
/// handler walks frames, and host unit tests use std's, hence the `cfg`.
#[cfg(not(test))]
#[inline(always)]
pub fn frame_pointer() -> u64 {
    let rbp: u64;
    // SAFETY: reads a register; no memory access.
    unsafe {
        core::arch::asm!("mov {}, rbp", out(reg) rbp, options(nomem, nostack, preserves_flags))
    };
    rbp
}

/// CR2: the linear address of the last page fault.
pub fn page_fault_address() -> u64 {
    x86_64::registers::control::Cr2::read_raw()
}

/// CPUID leaf `leaf`, subleaf 0.
pub fn cpuid(leaf: u32) -> CpuidResult {
    __cpuid(leaf)
}

/// CPUID leaf `leaf`, subleaf `subleaf`.
pub fn cpuid_sub(leaf: u32, subleaf: u32) -> CpuidResult {
    __cpuid_count(leaf, subleaf)
}

/// Highest basic CPUID leaf.
pub fn max_basic_leaf() -> u32 {
    cpuid(0).eax
}

/// The hypervisor as the guest sees it: CPUID.1:ECX[31] and the 0x4000_0000 signature
/// ("TCGTCGTCGTCG" under QEMU's TCG, "KVMKVMKVM" under KVM).
pub fn hypervisor_signature() -> Option<[u8; 12]> {
    const HYPERVISOR_PRESENT: u32 = 1 << 31;
    if cpuid(1).ecx & HYPERVISOR_PRESENT == 0 {
        return None;
    }
    let leaf = cpuid(0x4000_0000);
    let mut signature = [0u8; 12];
    signature[0..4].copy_from_slice(&leaf.ebx.to_le_bytes());
    signature[4..8].copy_from_slice(&leaf.ecx.to_le_bytes());
    signature[8..12].copy_from_slice(&leaf.edx.to_le_bytes());
    Some(signature)
}

/// A readable accelerator name from the hypervisor signature.
pub fn accelerator_name() -> &'static str {
    match hypervisor_signature() {
        Some(sig) if sig.starts_with(b"TCGTCGTCG") => "tcg",
        Some(sig) if sig.starts_with(b"KVMKVMKVM") => "kvm",
        Some(sig) if sig.starts_with(b"Microsoft Hv") => "hyper-v",
        Some(_) => "other hypervisor",
        None => "none (bare metal?)",
    }
}

/// Halts with interrupts off, forever.
pub fn halt_forever() -> ! {
    loop {
        x86_64::instructions::interrupts::disable();
        x86_64::instructions::hlt();
    }
}

/// Enables interrupts and halts until the next one, atomically (`sti; hlt`), so a
/// wake-up between the check and the halt cannot be lost.
pub fn wait_for_interrupt() {
    x86_64::instructions::interrupts::enable_and_hlt();
    x86_64::instructions::interrupts::disable();
}
