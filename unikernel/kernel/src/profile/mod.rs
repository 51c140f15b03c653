//! The sampling profiler (`profile=HZ`). PIT channel 0 pulses ISA IRQ 0 `HZ` times a
//! second; the IOAPIC delivers that line as an NMI, which runs on its own IST stack
//! (IST2) and can interrupt anything, interrupt handlers and interrupts-off code
//! included. The handler records the interrupted RIP and its frame-pointer chain into
//! [`buffer::RING0DB_PROFILE`] and returns; the host reads the buffer out of guest memory
//! and symbolises it against `images/out/ring0db.elf` (`images::profile`).
//!
//! Neither the APIC timer (the kernel's deadlines) nor interrupt-driven idle change: an
//! NMI wakes `hlt` like any interrupt, and `poll_wait` re-checks its conditions.

pub mod buffer;

use core::sync::atomic::{AtomicBool, Ordering};

use crate::arch::entry::TrapFrame;
use crate::arch::ist::IstSlot;
use crate::arch::{ioapic, pio};
use crate::boot::cmdline::{BadValue, CommandLine};
use crate::mem::stacks::KnownStack;
use crate::time::pit::PIT_HZ;

/// Lowest sampling rate: the PIT's 16-bit divisor cannot go slower than ~18.2 Hz.
pub const MIN_HZ: u32 = 19;
/// Highest sampling rate accepted (each sample costs a few microseconds under TCG).
pub const MAX_HZ: u32 = 10_000;
/// The GSI the PIT's IRQ 0 arrives on (QEMU's `pc` machine: the MADT's override 0 -> 2).
const PIT_GSI: u32 = 2;

static ARMED: AtomicBool = AtomicBool::new(false);
/// Set while the application is inside a kernel call (see [`set_in_kernel_call`]).
static IN_KERNEL_CALL: AtomicBool = AtomicBool::new(false);

/// Marks the application as inside (`true`) or outside a kernel call, so samples record
/// whether they hit kernel or server work. The appliance's kernel-call wrapper calls it;
/// it is two relaxed stores per call.
#[inline(always)]
pub fn set_in_kernel_call(inside: bool) {
    IN_KERNEL_CALL.store(inside, Ordering::Relaxed);
}

/// The rate asked for with `profile=HZ`, if any.
pub fn rate_from_command_line(cmdline: &CommandLine) -> Result<Option<u32>, BadValue> {
    let Some(value) = cmdline.get("profile") else {
        return Ok(None);
    };
    let expected = "a sampling rate in Hz from 19 to 10000";
    match value.parse::<u32>() {
        Ok(hz) if (MIN_HZ..=MAX_HZ).contains(&hz) => Ok(Some(hz)),
        _ => Err(cmdline.bad("profile", value, expected)),
    }
}

/// The NMI IST stack the sampling handler runs on.
pub fn handler_stack() -> KnownStack {
    KnownStack::Ist(IstSlot::Nmi as usize)
}

/// Starts sampling at `hz` (already validated).
pub fn start(hz: u32) {
    buffer::reset(hz, handler_stack().usable());
    ARMED.store(true, Ordering::Release);
    let divisor = (PIT_HZ / u64::from(hz)).clamp(1, u64::from(u16::MAX)) as u16;
    pio::pit_channel0_periodic(divisor);
    ioapic::route_nmi(PIT_GSI);
    log::info!(
        "profile: sampling at {hz} Hz on NMI (IST{}), buffer RING0DB_PROFILE holds {} samples of up to {} frames",
        IstSlot::Nmi as usize,
        buffer::CAPACITY,
        buffer::MAX_DEPTH
    );
}

/// Stops sampling (the buffer keeps what it has).
pub fn stop() {
    ioapic::mask(PIT_GSI);
    pio::pit_channel0_stop();
    ARMED.store(false, Ordering::Release);
}

/// Whether sampling is on.
pub fn armed() -> bool {
    ARMED.load(Ordering::Acquire)
}

/// Called for every NMI: records a sample and returns `true` while sampling is on;
/// `false` means the NMI is not the profiler's.
pub fn on_nmi(frame: &TrapFrame) -> bool {
    if !armed() {
        return false;
    }
    let handler_rsp = frame.address();
    let on_own_ist = handler_stack().usable().contains(&handler_rsp);
    buffer::record(
        frame,
        buffer::Context {
            idle: crate::interrupts::is_idle(),
            in_kernel_call: IN_KERNEL_CALL.load(Ordering::Relaxed),
        },
        handler_rsp,
        on_own_ist,
    );
    true
}

/// Logs what was sampled and where the handler ran; `true` when every sample's handler
/// ran on the NMI IST stack.
pub fn report() -> bool {
    let ist = handler_stack().usable();
    let (low, high) = buffer::handler_rsp_range();
    let inside = buffer::off_ist() == 0 && ist.contains(&low) && ist.contains(&high);
    log::info!(
        "profile: {} samples, {} dropped; handler RSP {low:#x}..={high:#x} on IST{} stack {:#x}..{:#x}: {}",
        buffer::written(),
        buffer::dropped(),
        IstSlot::Nmi as usize,
        ist.start,
        ist.end,
        if inside { "inside [ok]" } else { "OUTSIDE [bad]" }
    );
    inside
}
