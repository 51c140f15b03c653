//! TSC frequency and tick/ns conversion.

use core::sync::atomic::{AtomicU64, Ordering};

use crate::arch::cpu::{cpuid, max_basic_leaf, rdtsc};

static BOOT_TSC: AtomicU64 = AtomicU64::new(0);
static TSC_HZ: AtomicU64 = AtomicU64::new(0);
/// ns = ticks * NS_PER_TICK_FIXED >> 32.
static NS_PER_TICK_FIXED: AtomicU64 = AtomicU64::new(0);
/// One PIT window for calibration, and how many are taken (the median wins: a single
/// window is easily stretched when the host deschedules the vCPU).
const CALIBRATION_US: u64 = 4_000;
const CALIBRATION_WINDOWS: usize = 5;
/// The hypervisor timing leaf (QEMU/KVM/VMware): EAX = TSC kHz.
const HYPERVISOR_TIMING_LEAF: u32 = 0x4000_0010;

/// Where the frequency came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TscSource {
    CpuidCrystal,
    CpuidHypervisor,
    Pit,
}

/// Records the TSC at kernel entry (the origin of uptime).
pub fn mark_boot(tsc: u64) {
    BOOT_TSC.store(tsc, Ordering::Relaxed);
}

/// The TSC value at kernel entry.
pub fn boot_tsc() -> u64 {
    BOOT_TSC.load(Ordering::Relaxed)
}

/// TSC frequency in Hz (0 before calibration).
pub fn hz() -> u64 {
    TSC_HZ.load(Ordering::Relaxed)
}

/// Determines the TSC frequency: CPUID leaf 0x15, then the hypervisor timing leaf,
/// then a 10 ms PIT measurement.
pub fn calibrate() -> (u64, TscSource) {
    let (hz, source) = if let Some(hz) = from_cpuid_crystal() {
        (hz, TscSource::CpuidCrystal)
    } else if let Some(hz) = from_hypervisor_leaf() {
        (hz, TscSource::CpuidHypervisor)
    } else {
        (from_pit(), TscSource::Pit)
    };
    TSC_HZ.store(hz, Ordering::Relaxed);
    NS_PER_TICK_FIXED.store(
        ((1_000_000_000u128 << 32) / u128::from(hz.max(1))) as u64,
        Ordering::Relaxed,
    );
    (hz, source)
}

/// Converts TSC ticks to nanoseconds.
pub fn ticks_to_ns(ticks: u64) -> u64 {
    ((u128::from(ticks) * u128::from(NS_PER_TICK_FIXED.load(Ordering::Relaxed))) >> 32) as u64
}

fn from_cpuid_crystal() -> Option<u64> {
    if max_basic_leaf() < 0x15 {
        return None;
    }
    let leaf = cpuid(0x15);
    (leaf.eax != 0 && leaf.ebx != 0 && leaf.ecx != 0)
        .then(|| u64::from(leaf.ecx) * u64::from(leaf.ebx) / u64::from(leaf.eax))
}

fn from_hypervisor_leaf() -> Option<u64> {
    crate::arch::cpu::hypervisor_signature()?;
    if cpuid(0x4000_0000).eax < HYPERVISOR_TIMING_LEAF {
        return None;
    }
    let khz = cpuid(HYPERVISOR_TIMING_LEAF).eax;
    (khz != 0).then(|| u64::from(khz) * 1000)
}

fn from_pit() -> u64 {
    super::pit::median_of(CALIBRATION_WINDOWS, || {
        let start = rdtsc();
        let end = super::pit::measure(CALIBRATION_US, rdtsc);
        (end - start) * 1_000_000 / CALIBRATION_US
    })
}
