//! Software interrupts raised on purpose: the syscall trap and the interrupt-cost
//! benchmark vectors. Every `int` names its vector from [`super::vectors`].

use core::arch::asm;

use super::vectors;

/// Raises the syscall trap ([`vectors::SYSCALL_TRAP`]) with `rax` = `number` and
/// `rdi`, `rsi`, `rdx`, `r10` = `a0`, `a1`, `a2`, `a3`; returns `rax` as the handler left it.
///
/// The gate's stub saves and restores every general register except RAX (the result)
/// and returns with IRETQ, which restores RFLAGS, so the trap clobbers nothing else.
///
/// # Safety
///
/// The handler registered on the syscall vector may treat the arguments as addresses
/// in the single address space (`syscalls::trap` documents which): every such address
/// must satisfy that handler's contract for the duration of the call. It must also be
/// raised from thread context only, never from an interrupt or exception handler: the
/// trap's IST stack is not reentrant.
#[inline(always)]
pub unsafe fn syscall_trap(number: u64, a0: u64, a1: u64, a2: u64, a3: u64) -> u64 {
    let result: u64;
    // SAFETY: the vector has an IDT gate whose stub preserves every register but RAX;
    // what the handler does with the arguments is the caller's contract (above).
    unsafe {
        asm!(
            "int {v}",
            v = const vectors::SYSCALL_TRAP,
            inlateout("rax") number => result,
            in("rdi") a0,
            in("rsi") a1,
            in("rdx") a2,
            in("r10") a3,
        );
    }
    result
}

/// Which benchmark stub [`raise_benchmark`] goes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchVector {
    /// General registers only ([`vectors::BENCH_GPR`]): the kernel's real path.
    GeneralRegisters,
    /// Also FXSAVE/FXRSTOR ([`vectors::BENCH_FXSAVE`]); needs SIMD enabled.
    Fxsave,
    /// Also XSAVE/XRSTOR ([`vectors::BENCH_XSAVE`]); needs XSAVE enabled.
    Xsave,
}

/// Raises one benchmark software interrupt. The FXSAVE/XSAVE variants need SIMD state
/// enabled (`simd::enable_for_benchmark`); otherwise their stub faults, and the fault
/// is reported and ends the run.
///
/// # Safety
///
/// Thread context only, never from an interrupt or exception handler: the benchmark
/// vectors share the software-trap IST stack with the syscall trap, which is not
/// reentrant.
#[inline(always)]
pub unsafe fn raise_benchmark(vector: BenchVector) {
    // SAFETY: the benchmark vectors have IDT gates whose stubs save and restore all
    // the state they touch; the handler only increments a counter. The caller is in
    // thread context (contract above), so the IST stack is free.
    unsafe {
        match vector {
            BenchVector::GeneralRegisters => asm!("int {v}", v = const vectors::BENCH_GPR),
            BenchVector::Fxsave => asm!("int {v}", v = const vectors::BENCH_FXSAVE),
            BenchVector::Xsave => asm!("int {v}", v = const vectors::BENCH_XSAVE),
        }
    }
}
