//! Instructions the in-kernel self-tests execute on purpose: exceptions, a starved
//! stack, the red-zone probe. Each is a small safe function because the exception it
//! raises is handled on an IST stack and either resumed (#BP, the timer) or reported
//! with the run ended (everything else), so execution never continues in a bad state.

use core::arch::asm;
use core::sync::atomic::AtomicU64;

/// An address the identity map does not cover (PML4[0] maps only what paging created).
pub const UNMAPPED_ADDRESS: u64 = 0x40_0000_0000;
/// An address outside the canonical range.
const NON_CANONICAL_ADDRESS: u64 = 0x8000_0000_0000_0000;

/// Divides by zero: raises #DE.
pub fn divide_by_zero() {
    // SAFETY: deliberately divides by zero; the #DE handler reports and exits.
    unsafe { asm!("div {0:e}", in(reg) 0u32, inout("eax") 1u32 => _, inout("edx") 0u32 => _) };
}

/// Executes UD2: raises #UD.
pub fn invalid_opcode() {
    // SAFETY: deliberately executes UD2; the #UD handler reports and exits.
    unsafe { asm!("ud2") };
}

/// Loads through a non-canonical address: raises #GP.
pub fn load_non_canonical() {
    // SAFETY: deliberately loads through a non-canonical address; #GP reports and exits.
    unsafe { asm!("mov {0}, [{0}]", inout(reg) NON_CANONICAL_ADDRESS => _) };
}

/// Loads from [`UNMAPPED_ADDRESS`]: raises #PF.
pub fn load_unmapped() {
    // SAFETY: deliberately reads an unmapped address; #PF reports and exits.
    unsafe { asm!("mov {0}, [{0}]", inout(reg) UNMAPPED_ADDRESS => _) };
}

/// Executes INT3: #BP is reported and resumed.
pub fn breakpoint() {
    // SAFETY: INT3 is handled (reported and resumed) by the #BP handler.
    unsafe { asm!("int3") };
}

/// Executes `xorps xmm0, xmm0`: with SSE off in CR4 this raises #UD. Returns only if
/// it did not fault.
pub fn sse_instruction() {
    // SAFETY: the SSE instruction faults (SSE is disabled); the handler exits. It is
    // encoded as bytes because the kernel target has no SSE feature. Were SSE enabled,
    // it would only clear xmm0, which the kernel never uses.
    unsafe { asm!(".byte 0x0f, 0x57, 0xc0") };
}

/// Points RSP at [`UNMAPPED_ADDRESS`] and pushes: the #PF must be handled on its IST
/// stack, which reports and exits.
pub fn push_on_unmapped_stack() -> ! {
    // SAFETY: deliberately starves the stack; the #PF handler (on IST) reports and exits,
    // so execution never continues with the bad RSP.
    unsafe { asm!("mov rsp, {0}", "push rax", in(reg) UNMAPPED_ADDRESS, options(noreturn)) }
}

/// Points RSP at [`UNMAPPED_ADDRESS`], enables interrupts and spins until
/// `*counter >= target` (a counter an interrupt handler advances), then disables
/// interrupts and restores RSP. The interrupt must be delivered on an IST stack;
/// otherwise its frame cannot be pushed and the resulting #DF is reported and ends the run.
pub fn spin_with_unmapped_stack(counter: &AtomicU64, target: u64) {
    // SAFETY: RSP is swapped for an unmapped address only inside this block, which
    // touches no stack memory, and restored from r12 before the block ends. The timer
    // interrupt is delivered on its IST stack, so the bad RSP is never used.
    unsafe {
        asm!(
            "mov r12, rsp",
            "mov rsp, {bad}",
            "sti",
            "2:",
            "cmp [{counter}], {target}",
            "jb 2b",
            "cli",
            "mov rsp, r12",
            bad = in(reg) UNMAPPED_ADDRESS,
            counter = in(reg) counter.as_ptr(),
            target = in(reg) target,
            out("r12") _,
        );
    }
}

extern "C" {
    /// Fills the red zone with a pattern and checks it until `*counter >= target`,
    /// re-filling after every mismatch. Returns how many mismatches it saw.
    fn red_zone_probe(counter: *const u64, target: u64) -> u64;
}

core::arch::global_asm!(
    r#"
    .section .text.red_zone_probe, "ax"
    .global red_zone_probe
red_zone_probe:
    xor r8d, r8d
    movabs rax, 0x5aa5f00dcafe0000
3:
    mov ecx, 16
4:
    lea rdx, [rax + rcx]
    mov [rsp + rcx * 8 - 136], rdx
    dec ecx
    jnz 4b
5:
    mov ecx, 16
6:
    lea rdx, [rax + rcx]
    cmp [rsp + rcx * 8 - 136], rdx
    jne 7f
    dec ecx
    jnz 6b
    cmp [rdi], rsi
    jb 5b
    mov rax, r8
    ret
7:
    inc r8
    cmp [rdi], rsi
    jb 3b
    mov rax, r8
    ret
    .text
    "#
);

/// A leaf routine keeps a pattern in the 128 bytes below RSP (the System V red zone)
/// and checks it until `*counter >= target` (advanced by an interrupt handler).
/// Returns how many times it found the pattern changed.
pub fn red_zone_check(counter: &AtomicU64, target: u64) -> u64 {
    // SAFETY: the probe only reads `counter` and writes below its own RSP (the red
    // zone, which this leaf routine owns); the counter is borrowed for the call.
    unsafe { red_zone_probe(counter.as_ptr(), target) }
}
