//! Exception reports: name, vector, error code, RIP, RSP, CR2 for #PF, the general
//! registers, the IST stack the handler ran on, and a frame-pointer backtrace. Then
//! QEMU exits with a status that names the class of failure. Breakpoints, debug traps
//! and NMIs are reported and resumed.

use crate::arch::cpu;
use crate::arch::entry::TrapFrame;
use crate::arch::ist::slot_for_vector;
use crate::backtrace;
use crate::console::emergency_write;
use crate::exit::{exit, ExitCode};
use crate::mem::stacks::KnownStack;

const PAGE_FAULT: u8 = 14;
const BREAKPOINT: u8 = 3;
const DEBUG: u8 = 1;
const NMI: u8 = 2;
const INVALID_OPCODE: u8 = 6;
const DEVICE_NOT_AVAILABLE: u8 = 7;
const SIMD_FLOATING_POINT: u8 = 19;

/// Mnemonic and name of each architectural exception.
const EXCEPTION_NAMES: [(&str, &str); 32] = [
    ("#DE", "divide error"),
    ("#DB", "debug"),
    ("NMI", "non-maskable interrupt"),
    ("#BP", "breakpoint"),
    ("#OF", "overflow"),
    ("#BR", "bound range exceeded"),
    ("#UD", "invalid opcode"),
    ("#NM", "device not available"),
    ("#DF", "double fault"),
    ("#CSO", "coprocessor segment overrun"),
    ("#TS", "invalid TSS"),
    ("#NP", "segment not present"),
    ("#SS", "stack-segment fault"),
    ("#GP", "general protection fault"),
    ("#PF", "page fault"),
    ("#15", "reserved"),
    ("#MF", "x87 floating-point error"),
    ("#AC", "alignment check"),
    ("#MC", "machine check"),
    ("#XM", "SIMD floating-point exception"),
    ("#VE", "virtualization exception"),
    ("#CP", "control protection exception"),
    ("#22", "reserved"),
    ("#23", "reserved"),
    ("#24", "reserved"),
    ("#25", "reserved"),
    ("#26", "reserved"),
    ("#27", "reserved"),
    ("#HV", "hypervisor injection exception"),
    ("#VC", "VMM communication exception"),
    ("#SX", "security exception"),
    ("#31", "reserved"),
];

/// Handles exception `frame.vector` (< 32).
pub fn handle(frame: &mut TrapFrame) {
    let vector = frame.vector as u8;
    match vector {
        BREAKPOINT | DEBUG | NMI => {
            report_header(frame, "resumable");
            emergency_write(format_args!(
                "ring0db: {} handled, resuming\n",
                name(vector).1
            ));
        }
        _ => fatal(frame),
    }
}

/// A vector the kernel never expects (nothing is routed to it): reported as fatal.
pub fn unexpected_vector(frame: &TrapFrame) -> ! {
    emergency_write(format_args!(
        "\nring0db: FATAL unexpected interrupt on vector {:#x} at RIP={:#018x}\n",
        frame.vector, frame.rip
    ));
    exit(ExitCode::FatalException)
}

fn name(vector: u8) -> (&'static str, &'static str) {
    EXCEPTION_NAMES
        .get(usize::from(vector))
        .copied()
        .unwrap_or(("#??", "unknown"))
}

fn fatal(frame: &TrapFrame) -> ! {
    let vector = frame.vector as u8;
    let cr2 = (vector == PAGE_FAULT).then(cpu::page_fault_address);
    let overflowed = cr2.and_then(KnownStack::guarded_by);
    let class = if overflowed.is_some() {
        "stack overflow"
    } else {
        "fatal"
    };
    report_header(frame, class);
    if let Some(address) = cr2 {
        emergency_write(format_args!(
            "  CR2={address:#018x} ({})\n",
            describe_page_fault(frame.error_code)
        ));
    }
    if let Some(stack) = overflowed {
        emergency_write(format_args!(
            "ring0db: kernel stack overflow: access to the guard page of the {stack}\n"
        ));
    }
    if matches!(
        vector,
        INVALID_OPCODE | DEVICE_NOT_AVAILABLE | SIMD_FLOATING_POINT
    ) {
        emergency_write(format_args!(
            "  note: SIMD and x87 are disabled in ring 0 (CR0.EM=1, CR4.OSFXSR=0): \
             a SIMD instruction raises #UD/#NM\n"
        ));
    }
    report_registers(frame);
    backtrace::print(frame.rip, frame.rbp);
    exit(if overflowed.is_some() {
        ExitCode::StackOverflow
    } else {
        ExitCode::FatalException
    })
}

/// First lines of every report, including where the handler's own stack is.
fn report_header(frame: &TrapFrame, class: &str) {
    let vector = frame.vector as u8;
    let (mnemonic, long_name) = name(vector);
    emergency_write(format_args!(
        "\nring0db: EXCEPTION {mnemonic} {long_name} ({class}) vector={vector} error_code={:#x}\n  RIP={:#018x} RSP={:#018x} RFLAGS={:#x} CS={:#x}\n",
        frame.error_code, frame.rip, frame.rsp, frame.rflags, frame.cs
    ));
    let expected = slot_for_vector(vector) as usize;
    let actual = KnownStack::containing(frame.address());
    let verdict = if actual == Some(KnownStack::Ist(expected)) {
        "ok"
    } else {
        "WRONG STACK"
    };
    match actual {
        Some(stack) => emergency_write(format_args!("  handler stack: {stack}")),
        None => emergency_write(format_args!(
            "  handler stack: unknown ({:#x})",
            frame.address()
        )),
    }
    emergency_write(format_args!(" expected IST{expected} [{verdict}]\n"));
    match KnownStack::containing(frame.rsp).or_else(|| KnownStack::guarded_by(frame.rsp)) {
        Some(stack) => emergency_write(format_args!("  interrupted RSP is in the {stack}\n")),
        None => emergency_write(format_args!(
            "  interrupted RSP {:#x} is outside every known stack (unmapped or foreign)\n",
            frame.rsp
        )),
    }
}

fn report_registers(frame: &TrapFrame) {
    emergency_write(format_args!(
        "  RAX={:#018x} RBX={:#018x} RCX={:#018x} RDX={:#018x}\n  RSI={:#018x} RDI={:#018x} RBP={:#018x} R8 ={:#018x}\n  R9 ={:#018x} R10={:#018x} R11={:#018x} R12={:#018x}\n  R13={:#018x} R14={:#018x} R15={:#018x}\n",
        frame.rax, frame.rbx, frame.rcx, frame.rdx, frame.rsi, frame.rdi, frame.rbp, frame.r8,
        frame.r9, frame.r10, frame.r11, frame.r12, frame.r13, frame.r14, frame.r15
    ));
}

fn describe_page_fault(error_code: u64) -> &'static str {
    const PRESENT: u64 = 1;
    const WRITE: u64 = 2;
    const INSTRUCTION_FETCH: u64 = 16;
    match (
        error_code & PRESENT != 0,
        error_code & WRITE != 0,
        error_code & INSTRUCTION_FETCH != 0,
    ) {
        (_, _, true) => "instruction fetch",
        (false, true, _) => "write to a non-present page",
        (false, false, _) => "read of a non-present page",
        (true, true, _) => "write protection violation",
        (true, false, _) => "read protection violation",
    }
}
