//! Interrupt entry stubs and the Rust dispatcher they call.
//!
//! One 16-byte stub per vector pushes a dummy error code where the CPU does not push
//! one, then the vector number, and jumps to a common path that saves the general
//! registers (never SIMD state: the kernel is built without SSE), calls
//! [`interrupt_dispatch`] with a pointer to the [`TrapFrame`], restores and `iretq`s.
//! The dispatcher runs whatever handler the kernel registered for the vector
//! ([`super::interrupts`]); nothing here knows what a vector means above `arch`.
//! Two benchmark-only stubs additionally save SIMD state with FXSAVE or XSAVE.

use core::sync::atomic::{AtomicU64, Ordering};

use super::vectors;

/// Size of one entry stub; stub `v` is at `interrupt_stubs + v * STUB_SIZE`.
const STUB_SIZE: u64 = 16;

/// Register state saved on interrupt entry, lowest address first.
#[derive(Debug)]
#[repr(C)]
pub struct TrapFrame {
    pub r15: u64,
    pub r14: u64,
    pub r13: u64,
    pub r12: u64,
    pub r11: u64,
    pub r10: u64,
    pub r9: u64,
    pub r8: u64,
    pub rbp: u64,
    pub rdi: u64,
    pub rsi: u64,
    pub rdx: u64,
    pub rcx: u64,
    pub rbx: u64,
    pub rax: u64,
    pub vector: u64,
    pub error_code: u64,
    pub rip: u64,
    pub cs: u64,
    pub rflags: u64,
    pub rsp: u64,
    pub ss: u64,
}

impl TrapFrame {
    /// Address of the frame itself: where the handler's stack is.
    pub fn address(&self) -> u64 {
        self as *const TrapFrame as u64
    }
}

// Vectors for which the CPU pushes an error code: 8, 10-14, 17, 21, 29, 30.
core::arch::global_asm!(
    r#"
    .section .text.interrupts, "ax"
    .balign 16
    .global interrupt_stubs
interrupt_stubs:
    .set vec, 0
    .rept 256
    .balign 16
    .if vec < 32
    .if ((0x60227d00 >> vec) & 1) == 0
    pushq $0
    .endif
    .else
    pushq $0
    .endif
    pushq $vec
    jmp interrupt_common
    .set vec, vec + 1
    .endr

    .macro SAVE_GPRS
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    .endm

    .macro RESTORE_GPRS
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    .endm

interrupt_common:
    SAVE_GPRS
    mov %rsp, %rdi
    cld
    call interrupt_dispatch
    RESTORE_GPRS
    add $16, %rsp
    iretq

    .global bench_fxsave_stub
bench_fxsave_stub:
    pushq $0
    pushq ${fx_vector}
    SAVE_GPRS
    mov %rsp, %rbx
    sub $512, %rsp
    and $-64, %rsp
    fxsave64 (%rsp)
    mov %rbx, %rdi
    cld
    call interrupt_dispatch
    fxrstor64 (%rsp)
    mov %rbx, %rsp
    RESTORE_GPRS
    add $16, %rsp
    iretq

    .global bench_xsave_stub
bench_xsave_stub:
    pushq $0
    pushq ${xs_vector}
    SAVE_GPRS
    mov %rsp, %rbx
    sub $4096, %rsp
    and $-64, %rsp
    mov $-1, %eax
    mov $-1, %edx
    xsave64 (%rsp)
    mov %rbx, %rdi
    cld
    call interrupt_dispatch
    mov $-1, %eax
    mov $-1, %edx
    xrstor64 (%rsp)
    mov %rbx, %rsp
    RESTORE_GPRS
    add $16, %rsp
    iretq
    .text
    "#,
    fx_vector = const vectors::BENCH_FXSAVE,
    xs_vector = const vectors::BENCH_XSAVE,
    options(att_syntax)
);

extern "C" {
    static interrupt_stubs: u8;
    static bench_fxsave_stub: u8;
    static bench_xsave_stub: u8;
}

/// Address of the entry stub for `vector`.
pub fn stub_address(vector: u8) -> u64 {
    // Only the addresses of the assembly labels are taken, never their contents.
    match vector {
        vectors::BENCH_FXSAVE => core::ptr::addr_of!(bench_fxsave_stub) as u64,
        vectors::BENCH_XSAVE => core::ptr::addr_of!(bench_xsave_stub) as u64,
        v => core::ptr::addr_of!(interrupt_stubs) as u64 + u64::from(v) * STUB_SIZE,
    }
}

/// Software-interrupt benchmark hits (vectors `BENCH_*`).
pub static BENCH_HITS: AtomicU64 = AtomicU64::new(0);
/// Spurious interrupts seen (APIC spurious vector and PIC IRQ 7/15).
pub static SPURIOUS: AtomicU64 = AtomicU64::new(0);

/// Counts a benchmark software interrupt (vectors `BENCH_*`): register it for them.
pub fn count_bench_hit(_frame: &mut TrapFrame) {
    BENCH_HITS.fetch_add(1, Ordering::Relaxed);
}

/// Counts a spurious interrupt (APIC spurious vector, PIC IRQ 7/15): register it for them.
pub fn count_spurious(_frame: &mut TrapFrame) {
    SPURIOUS.fetch_add(1, Ordering::Relaxed);
}

/// The one Rust entry point of every interrupt and exception: runs the handler the
/// kernel registered for the vector (see [`super::interrupts`]).
#[no_mangle]
extern "C" fn interrupt_dispatch(frame: &mut TrapFrame) {
    super::interrupts::dispatch(frame);
}
