//! Normalises the PVH start info into `hermit-entry`'s [`BootInfo`], the one boot
//! contract inside the kernel. `BootInfo` carries the memory map and the command line
//! through a flattened device tree (as Hermit's own loader does): `/memory@…` nodes,
//! `/chosen/bootargs`, and `/chosen/module@…` for boot modules.

use alloc::format;
use alloc::vec::Vec;
use core::num::{NonZeroU16, NonZeroU64};
use core::ops::Range;

use hermit_entry::boot_info::{BootInfo, HardwareInfo, LoadInfo, PlatformInfo};
use vm_fdt::FdtWriter;

use super::pvh::PvhInfo;
use crate::console::COM1_BASE;

extern "C" {
    static __kernel_start: u8;
    static __kernel_end: u8;
}

/// Builds the `BootInfo` (and its device tree, leaked for the kernel's lifetime).
pub fn normalise(pvh: &PvhInfo) -> Result<BootInfo, vm_fdt::Error> {
    let ram = &pvh.ram[..pvh.ram_count];
    let fdt = build_device_tree(pvh)?.leak();
    let lowest = ram.iter().map(|r| r.start).min().unwrap_or(0);
    let highest = ram.iter().map(|r| r.start + r.size).max().unwrap_or(0);
    Ok(BootInfo {
        hardware_info: HardwareInfo {
            phys_addr_range: lowest..highest,
            serial_port_base: NonZeroU16::new(COM1_BASE),
            device_tree: NonZeroU64::new(fdt.as_ptr() as u64),
        },
        load_info: LoadInfo {
            kernel_image_addr_range: kernel_image(),
            tls_info: None,
        },
        platform_info: PlatformInfo::Fdt,
    })
}

/// Physical range of the loaded kernel image, `.bss` included.
pub fn kernel_image() -> Range<u64> {
    core::ptr::addr_of!(__kernel_start) as u64..core::ptr::addr_of!(__kernel_end) as u64
}

fn build_device_tree(pvh: &PvhInfo) -> Result<Vec<u8>, vm_fdt::Error> {
    let mut fdt = FdtWriter::new()?;
    let root = fdt.begin_node("")?;
    fdt.property_u32("#address-cells", 2)?;
    fdt.property_u32("#size-cells", 2)?;
    fdt.property_string("compatible", "ring0db,pvh")?;
    let chosen = fdt.begin_node("chosen")?;
    fdt.property_string("bootargs", pvh.command_line)?;
    if pvh.rsdp != 0 {
        fdt.property_u64("ring0db,rsdp", pvh.rsdp)?;
    }
    for module in &pvh.modules[..pvh.module_count] {
        let node = fdt.begin_node(&format!("module@{:x}", module.start))?;
        fdt.property_array_u64("reg", &[module.start, module.size])?;
        fdt.end_node(node)?;
    }
    fdt.end_node(chosen)?;
    for region in &pvh.ram[..pvh.ram_count] {
        let node = fdt.begin_node(&format!("memory@{:x}", region.start))?;
        fdt.property_string("device_type", "memory")?;
        fdt.property_array_u64("reg", &[region.start, region.size])?;
        fdt.end_node(node)?;
    }
    fdt.end_node(root)?;
    fdt.finish()
}

fn device_tree(boot: &BootInfo) -> Option<fdt::Fdt<'static>> {
    let address = boot.hardware_info.device_tree?.get();
    // SAFETY: the device tree was built by `normalise` and leaked, so it stays valid.
    unsafe { fdt::Fdt::from_ptr(address as *const u8).ok() }
}

/// Usable RAM ranges from the boot information.
pub fn memory_regions(boot: &BootInfo) -> impl Iterator<Item = Range<u64>> {
    let regions = device_tree(boot).map(|tree| {
        tree.all_nodes()
            .filter(|node| node.name.starts_with("memory@"))
            .filter_map(|node| node.reg()?.next())
            .filter_map(|reg| {
                let start = reg.starting_address as u64;
                Some(start..start + reg.size? as u64)
            })
            .collect::<Vec<_>>()
    });
    regions.unwrap_or_default().into_iter()
}

/// The kernel command line from the boot information.
pub fn command_line(boot: &BootInfo) -> &'static str {
    device_tree(boot)
        .and_then(|tree| tree.chosen().bootargs())
        .unwrap_or("")
}
