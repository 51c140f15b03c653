//! The ring0db kernel: a single-address-space, ring-0 unikernel for x86-64.
//!
//! Boot path: PVH entry (`arch::boot`) → [`kernel_entry`] → boot info, command line,
//! GDT/TSS/IDT with every vector on an IST stack, memory, interrupt controllers, time →
//! the application (linked in by the appliance crate through [`entry_point!`]) or an
//! in-kernel test/benchmark selected with `test=`/`bench=` on the command line.
//!
//! The application sees only the crate root (`entry_point!`, `App`, `Kernel`,
//! `ExitCode`) and [`api`]; every other module is private.
//!
//! Unsafe code is denied crate-wide and allowed only in the low layers that cannot do
//! without it, each with its reason at the module declaration below.
#![cfg_attr(not(test), no_std)]
#![deny(unsafe_code)]

extern crate alloc;

// Unsafe allowed: the CPU itself (entry stubs, IDT/GDT/TSS loading, control registers,
// MSRs, port and memory-mapped I/O of the interrupt controllers and legacy devices,
// `int`, deliberate faults); each instruction sits behind a small function.
#[allow(unsafe_code)]
mod arch;
mod backtrace;
// Unsafe allowed: reads the PVH start info and the device tree from physical addresses
// the loader handed over.
#[allow(unsafe_code)]
mod boot;
mod console;
mod disk;
// Unsafe allowed: virtio-drivers' `Hal` and PCI access traits are unsafe to implement,
// and DMA buffers are shared with the device through raw pointers.
#[allow(unsafe_code)]
mod drivers;
mod errno;
mod exceptions;
mod exit;
mod irq;
// Unsafe allowed: page tables, frames and the heap are raw memory by definition
// (identity-mapped physical memory, the boot page tables, the allocator's arenas).
#[allow(unsafe_code)]
mod mem;
mod net;
mod profile;
mod random;
mod selftest;
// Unsafe allowed: `trap` is an `unsafe fn` (it raises the syscall vector), and the
// dispatcher rebuilds the caller's buffers from the addresses in its registers.
#[allow(unsafe_code)]
mod syscalls;
mod time;

pub mod api;
mod config;
mod interrupts;
// On the host (unit tests) std provides the panic handler.
#[cfg(not(test))]
mod panic;

use hermit_entry::boot_info::BootInfo;

pub use boot::CommandLine;
pub use config::KernelConfig;
pub use exit::ExitCode;
pub use mem::MemoryLayout;

use crate::arch::{apic, cpu, gdt, idt, ioapic, pic, simd};
use crate::mem::paging;

/// What the kernel hands to the application.
pub struct Kernel {
    /// What the loader handed over (memory map, command line, device tree).
    pub boot_info: BootInfo,
    /// The kernel command line, parsed into keys and values.
    pub cmdline: CommandLine,
    /// The kernel's own settings from the command line.
    pub config: KernelConfig,
    /// RAM and heap sizes as set up at boot.
    pub memory: MemoryLayout,
}

/// The application linked into the image: its name, the command-line keys it reads,
/// and its main function.
pub struct App {
    /// Shown in the boot banner.
    pub name: &'static str,
    /// The command-line keys the application reads (others are warned about).
    pub keys: &'static [&'static str],
    /// Runs the application; its result is the guest's exit code.
    pub main: fn(&Kernel) -> ExitCode,
}

/// Declares the application of an image: `ring0db_kernel::entry_point!(App { ... });`
#[macro_export]
macro_rules! entry_point {
    ($app:expr) => {
        #[no_mangle]
        static RING0DB_APP: $crate::App = $app;
    };
}

#[cfg(not(test))]
extern "Rust" {
    static RING0DB_APP: App;
}

// Unsafe allowed: reading the extern static the appliance defines.
#[cfg(not(test))]
#[allow(unsafe_code)]
fn app() -> &'static App {
    // SAFETY: the appliance defines RING0DB_APP through `entry_point!` with this type;
    // linking fails if it is missing.
    unsafe { &RING0DB_APP }
}

/// Host unit tests link no application.
#[cfg(test)]
fn app() -> &'static App {
    static UNIT_TESTS: App = App {
        name: "unit-tests",
        keys: &[],
        main: |_| ExitCode::Success,
    };
    &UNIT_TESTS
}

/// Rust entry from the boot assembly, on the kernel stack, interrupts off.
// Unsafe allowed: `#[no_mangle]` (the boot assembly calls this symbol) and reading the
// PVH start info at the address the loader passed.
#[allow(unsafe_code)]
#[no_mangle]
extern "C" fn kernel_entry(start_info: u64) -> ! {
    time::tsc::mark_boot(cpu::rdtsc());
    console::init_logger(log::LevelFilter::Info);
    mem::heap::init_bootstrap();
    gdt::init(mem::stacks::ist_tops());
    idt::init();
    interrupts::install();
    simd::disable();

    // SAFETY: `start_info` is what the PVH loader passed in ebx; low memory is mapped.
    let pvh = unsafe { boot::pvh::read(start_info) }
        .unwrap_or_else(|error| stop_boot(&error, ExitCode::FatalException));
    let boot_info =
        boot::normalise(&pvh).unwrap_or_else(|error| stop_boot(&error, ExitCode::FatalException));
    let cmdline = CommandLine::parse(boot::command_line(&boot_info));
    let config = KernelConfig::from_command_line(&cmdline)
        .unwrap_or_else(|error| stop_boot(&error, ExitCode::BadCommandLine));
    console::set_level(config.log_level);
    let net_config = net::NetConfig::from_command_line(&cmdline)
        .unwrap_or_else(|error| stop_boot(&error, ExitCode::BadCommandLine));
    let service_ports = net::services::ServicePorts::from_command_line(&cmdline)
        .unwrap_or_else(|error| stop_boot(&error, ExitCode::BadCommandLine));

    let idt_report = idt::self_check();
    if !idt_report.all_on_ist() {
        log::error!(
            "idt: vector {:?} has no IST stack",
            idt_report.first_bad_vector
        );
        stop_boot(
            &"IDT self-check failed: every vector must use an IST stack",
            ExitCode::FatalException,
        );
    }
    log::info!(
        "idt: self-check ok: {}/{} present vectors use an IST stack (#DF=IST1 NMI=IST2 #MC=IST3 exceptions=IST4 IRQs=IST5 traps=IST6 #BP/#DB=IST7)",
        idt_report.with_ist, idt_report.present
    );

    let memory = mem::init(&boot_info);
    init_interrupt_controllers();
    let (tsc_hz, tsc_source) = time::tsc::calibrate();
    let apic_per_ms = time::timer::calibrate();
    log::debug!("time: TSC {tsc_hz} Hz from {tsc_source:?}; APIC timer {apic_per_ms} ticks/ms");
    match time::rtc::init() {
        Some(unix_seconds) => {
            log::debug!("time: wall clock from the CMOS RTC: {unix_seconds} s since the epoch")
        }
        None => log::warn!("time: the CMOS RTC gave no plausible date; no wall clock"),
    }
    if let Some(hz) = config.profile_hz {
        profile::start(hz);
    }
    init_network(net_config);
    start_services(service_ports);
    disk::init();

    let kernel = Kernel {
        boot_info,
        cmdline,
        config,
        memory,
    };
    for key in kernel.cmdline.unknown_keys(app().keys) {
        log::warn!("cmdline: unknown key `{key}` ignored");
    }
    print_banner(&kernel, tsc_hz);

    let code = if let Some(test) = kernel.config.test {
        selftest::run(test, &kernel)
    } else if let Some(bench) = kernel.config.bench {
        selftest::run_benchmark(bench, &kernel)
    } else {
        (app().main)(&kernel)
    };
    exit::exit(code)
}

fn init_interrupt_controllers() {
    pic::disable();
    let apic_base = apic::physical_base();
    map_device(apic_base, "local APIC");
    apic::init(apic_base);
    map_device(ioapic::DEFAULT_BASE, "IOAPIC");
    ioapic::init(ioapic::DEFAULT_BASE);
}

/// Brings up the NIC and smoltcp when `ip=` is given; a NIC that fails to come up
/// stops the boot.
fn init_network(config: Option<net::NetConfig>) {
    let Some(config) = config else {
        log::info!("net: no ip= on the command line; networking disabled");
        return;
    };
    if let Err(error) = net::init(config) {
        stop_boot(&error, ExitCode::FatalException);
    }
}

/// Starts the kernel's built-in echo and status services, if asked for.
fn start_services(ports: net::services::ServicePorts) {
    if let Err(errno) = net::services::start(ports) {
        log::error!(
            "net: cannot start the built-in services (errno {})",
            errno.0
        );
        stop_boot(
            &"built-in services need the network: give ip=ADDR/PREFIX",
            ExitCode::BadCommandLine,
        );
    }
}

/// Maps one page of device registers uncached, or stops the boot.
fn map_device(base: u64, what: &str) {
    if let Err(error) = paging::map_uncached(base..base + mem::PAGE_SIZE as u64) {
        panic!("cannot map the {what} at {base:#x}: {error}");
    }
}

fn print_banner(kernel: &Kernel, tsc_hz: u64) {
    let ready_us = time::uptime_ns() / 1000;
    console::write_fmt(format_args!(
        "ring0db {} ({}): accelerator {}, {} MiB RAM, {} MiB heap, TSC {}.{:03} MHz, ready {}.{:03} ms after kernel entry\n",
        env!("CARGO_PKG_VERSION"),
        app().name,
        cpu::accelerator_name(),
        kernel.memory.ram_bytes >> 20,
        kernel.memory.heap_bytes >> 20,
        tsc_hz / 1_000_000,
        tsc_hz / 1000 % 1000,
        ready_us / 1000,
        ready_us % 1000,
    ));
}

/// Stops the boot with a one-line reason and `code`.
fn stop_boot(reason: &dyn core::fmt::Display, code: ExitCode) -> ! {
    console::write_fmt(format_args!("ring0db: boot stopped: {reason}\n"));
    exit::exit(code)
}
