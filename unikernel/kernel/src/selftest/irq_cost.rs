//! Interrupt entry+exit cost with and without saving SIMD state. A software interrupt
//! (`int n`) goes through the same IST gate, stub and dispatcher as a hardware IRQ;
//! three stubs differ only in what they save: general registers (the kernel's real
//! path), plus FXSAVE/FXRSTOR (512 bytes), plus XSAVE/XRSTOR (all enabled components).
//! Prints `bench-irq,<variant>,<round>,<cycles per interrupt>,<ns per interrupt>` lines.

use crate::arch::traps::{self, BenchVector};
use crate::arch::{cpu::rdtsc, simd};
use crate::exit::ExitCode;
use crate::time::tsc;

const ROUNDS: u32 = 5;
const INTERRUPTS_PER_ROUND: u64 = 20_000;
const WARMUP_INTERRUPTS: u64 = 1_000;

#[derive(Clone, Copy)]
enum Variant {
    GeneralRegisters,
    Fxsave,
    Xsave,
}

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::GeneralRegisters => "gpr-only",
            Variant::Fxsave => "gpr+fxsave",
            Variant::Xsave => "gpr+xsave",
        }
    }

    fn raise(self) {
        // SAFETY: the benchmark runs in thread context (from `kernel_entry`).
        unsafe {
            traps::raise_benchmark(match self {
                Variant::GeneralRegisters => BenchVector::GeneralRegisters,
                Variant::Fxsave => BenchVector::Fxsave,
                Variant::Xsave => BenchVector::Xsave,
            })
        };
    }
}

/// Runs every variant the CPU supports and prints one line per round.
pub fn run() -> ExitCode {
    let xsave_bytes = simd::enable_for_benchmark();
    log::info!("bench-irq: SIMD enabled for the benchmark; XSAVE area {xsave_bytes} bytes");
    crate::console::write_fmt(format_args!(
        "bench-irq,variant,round,cycles_per_interrupt,ns_per_interrupt\n"
    ));
    let mut variants = [Some(Variant::GeneralRegisters), Some(Variant::Fxsave), None];
    if simd::has_xsave() {
        variants[2] = Some(Variant::Xsave);
    }
    for variant in variants.into_iter().flatten() {
        for _ in 0..WARMUP_INTERRUPTS {
            variant.raise();
        }
        for round in 1..=ROUNDS {
            let start = rdtsc();
            for _ in 0..INTERRUPTS_PER_ROUND {
                variant.raise();
            }
            let cycles = (rdtsc() - start) / INTERRUPTS_PER_ROUND;
            let ns = tsc::ticks_to_ns(cycles * 1000) as f64 / 1000.0;
            crate::console::write_fmt(format_args!(
                "bench-irq,{},{round},{cycles},{ns:.1}\n",
                variant.name()
            ));
        }
    }
    simd::disable();
    ExitCode::Success
}
