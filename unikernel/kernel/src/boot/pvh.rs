//! The Xen/QEMU PVH `hvm_start_info` structure (version 1) handed over in `ebx`.

use core::mem::size_of;

/// `hvm_start_info.magic`.
pub const START_INFO_MAGIC: u32 = 0x336e_c578;
/// Memory map entry type for usable RAM.
pub const MEMMAP_TYPE_RAM: u32 = 1;
/// The kernel reads at most this many memory-map entries.
pub const MAX_MEMMAP_ENTRIES: usize = 64;
/// Longest command line accepted (QEMU's own limit for `-append` is similar).
pub const MAX_CMDLINE_BYTES: usize = 4096;

#[derive(Clone, Copy)]
#[repr(C)]
struct StartInfo {
    magic: u32,
    version: u32,
    flags: u32,
    nr_modules: u32,
    modlist_paddr: u64,
    cmdline_paddr: u64,
    rsdp_paddr: u64,
    memmap_paddr: u64,
    memmap_entries: u32,
    reserved: u32,
}

#[derive(Clone, Copy)]
#[repr(C)]
struct MemmapEntry {
    addr: u64,
    size: u64,
    kind: u32,
    reserved: u32,
}

#[derive(Clone, Copy)]
#[repr(C)]
struct ModlistEntry {
    paddr: u64,
    size: u64,
    cmdline_paddr: u64,
    reserved: u64,
}

/// A RAM range or boot module, as `[start, start + size)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PhysRange {
    pub start: u64,
    pub size: u64,
}

/// What the kernel takes from the start info.
pub struct PvhInfo {
    pub command_line: &'static str,
    pub ram: [PhysRange; MAX_MEMMAP_ENTRIES],
    pub ram_count: usize,
    pub modules: [PhysRange; 8],
    pub module_count: usize,
    pub rsdp: u64,
}

/// Why the start info could not be used.
#[derive(Debug)]
pub enum PvhError {
    BadMagic(u32),
    NoMemoryMap,
}

impl core::fmt::Display for PvhError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            PvhError::BadMagic(magic) => write!(
                f,
                "PVH start info magic is {magic:#x}, expected {START_INFO_MAGIC:#x}: not booted through PVH"
            ),
            PvhError::NoMemoryMap => f.write_str("PVH start info has no memory map (version 0 loader)"),
        }
    }
}

/// Reads the start info at physical address `address`.
///
/// # Safety
/// `address` must be the value the PVH loader passed in `ebx`, and low memory must be
/// identity-mapped (the boot code maps the first 4 GiB).
pub unsafe fn read(address: u64) -> Result<PvhInfo, PvhError> {
    // SAFETY: the caller guarantees the structure is at `address` and mapped.
    let info = unsafe { (address as *const StartInfo).read_unaligned() };
    if info.magic != START_INFO_MAGIC {
        return Err(PvhError::BadMagic(info.magic));
    }
    if info.version < 1 || info.memmap_paddr == 0 {
        return Err(PvhError::NoMemoryMap);
    }
    let mut result = PvhInfo {
        // SAFETY: the loader's command line is a NUL-terminated string in guest memory.
        command_line: unsafe { c_string(info.cmdline_paddr) },
        ram: [PhysRange::default(); MAX_MEMMAP_ENTRIES],
        ram_count: 0,
        modules: [PhysRange::default(); 8],
        module_count: 0,
        rsdp: info.rsdp_paddr,
    };
    let entries = (info.memmap_entries as usize).min(MAX_MEMMAP_ENTRIES);
    for index in 0..entries {
        let entry_address = info.memmap_paddr + (index * size_of::<MemmapEntry>()) as u64;
        // SAFETY: `index` < memmap_entries, so the entry lies in the loader's table.
        let entry = unsafe { (entry_address as *const MemmapEntry).read_unaligned() };
        if entry.kind == MEMMAP_TYPE_RAM && entry.size > 0 {
            result.ram[result.ram_count] = PhysRange {
                start: entry.addr,
                size: entry.size,
            };
            result.ram_count += 1;
        }
    }
    let modules = (info.nr_modules as usize).min(result.modules.len());
    for index in 0..modules {
        let entry_address = info.modlist_paddr + (index * size_of::<ModlistEntry>()) as u64;
        // SAFETY: `index` < nr_modules, so the entry lies in the loader's module list.
        let entry = unsafe { (entry_address as *const ModlistEntry).read_unaligned() };
        result.modules[index] = PhysRange {
            start: entry.paddr,
            size: entry.size,
        };
        result.module_count += 1;
    }
    Ok(result)
}

/// # Safety
/// `address` is 0 or points at a NUL-terminated string in identity-mapped memory that
/// is never written again.
unsafe fn c_string(address: u64) -> &'static str {
    if address == 0 {
        return "";
    }
    let start = address as *const u8;
    let mut len = 0;
    // SAFETY: per the contract, bytes up to the NUL are readable; the scan is bounded.
    while len < MAX_CMDLINE_BYTES && unsafe { start.add(len).read() } != 0 {
        len += 1;
    }
    // SAFETY: `len` bytes were just read from this range, which is never written again.
    let bytes = unsafe { core::slice::from_raw_parts(start, len) };
    core::str::from_utf8(bytes).unwrap_or("")
}
