//! Edits the identity map built by the boot code: unmaps guard pages below every stack
//! and maps device memory uncached. 2 MiB pages are split into 4 KiB pages on demand.

use core::ops::Range;
use core::ptr::addr_of_mut;

use x86_64::instructions::tlb;
use x86_64::structures::paging::page_table::PageTableEntry;
use x86_64::structures::paging::{PageTable, PageTableFlags as Flags};
use x86_64::{PhysAddr, VirtAddr};

use super::stacks::{KnownStack, IST_SLOTS};
use super::{frames, PAGE_SIZE};
use crate::arch::boot::BOOT_PAGE_TABLES;

const HUGE_PAGE_SIZE: u64 = 2 * 1024 * 1024;
/// Addresses the single PML4 entry covers (the kernel uses PML4[0] only).
const PML4_ENTRY_SPAN: u64 = 512 * 1024 * 1024 * 1024;
/// Cache-disable + write-through: uncached device memory.
const UNCACHED: Flags = Flags::NO_CACHE.union(Flags::WRITE_THROUGH);

/// Why a mapping change failed.
#[derive(Debug)]
pub enum PagingError {
    OutOfFrames,
    OutsideIdentityMap(u64),
}

impl core::fmt::Display for PagingError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            PagingError::OutOfFrames => f.write_str("no free frame for a page table"),
            PagingError::OutsideIdentityMap(a) => write!(f, "address {a:#x} is beyond 512 GiB"),
        }
    }
}

/// Unmaps the guard page of the kernel stack and of every IST stack.
pub fn unmap_stack_guards() {
    let stacks = core::iter::once(KnownStack::Kernel).chain((1..=IST_SLOTS).map(KnownStack::Ist));
    for stack in stacks {
        if let Err(error) = set_page(stack.guard().start, None) {
            panic!("cannot unmap the guard page of the {stack}: {error}");
        }
    }
}

/// Maps `range` (device registers) uncached, identity. Works above 4 GiB too.
pub fn map_uncached(range: Range<u64>) -> Result<(), PagingError> {
    let page = PAGE_SIZE as u64;
    let mut address = range.start / page * page;
    while address < range.end {
        set_page(address, Some(Flags::PRESENT | Flags::WRITABLE | UNCACHED))?;
        address += page;
    }
    Ok(())
}

/// Sets the 4 KiB page at `address` to identity with `flags`, or unmaps it with `None`.
fn set_page(address: u64, flags: Option<Flags>) -> Result<(), PagingError> {
    if address >= PML4_ENTRY_SPAN {
        return Err(PagingError::OutsideIdentityMap(address));
    }
    // SAFETY: the boot page tables are only modified here, single-threaded, with
    // interrupts off during early boot or under the same discipline later.
    let pml4 = unsafe { &mut *(addr_of_mut!(BOOT_PAGE_TABLES.pml4) as *mut PageTable) };
    let pdpt = next_table(&mut pml4[0])?;
    let pd = next_table(&mut pdpt[((address >> 30) & 0x1ff) as usize])?;
    let pde = &mut pd[((address >> 21) & 0x1ff) as usize];
    if !pde.flags().contains(Flags::PRESENT) {
        // Fill a missing 2 MiB region as an identity mapping first.
        pde.set_addr(
            PhysAddr::new(address & !(HUGE_PAGE_SIZE - 1)),
            Flags::PRESENT | Flags::WRITABLE | Flags::HUGE_PAGE,
        );
    }
    if pde.flags().contains(Flags::HUGE_PAGE) {
        split_huge_page(pde)?;
    }
    let pt = next_table(pde)?;
    let pte = &mut pt[((address >> 12) & 0x1ff) as usize];
    match flags {
        Some(flags) => pte.set_addr(PhysAddr::new(address), flags),
        None => pte.set_unused(),
    }
    tlb::flush(VirtAddr::new(address));
    Ok(())
}

/// The table an entry points to, allocating an empty one if it is not present.
fn next_table(entry: &mut PageTableEntry) -> Result<&'static mut PageTable, PagingError> {
    if !entry.flags().contains(Flags::PRESENT) {
        let frame = frames::alloc_contiguous(1).ok_or(PagingError::OutOfFrames)?;
        entry.set_addr(PhysAddr::new(frame), Flags::PRESENT | Flags::WRITABLE);
    }
    // SAFETY: present non-huge entries point at page tables, identity-mapped.
    Ok(unsafe { &mut *(entry.addr().as_u64() as *mut PageTable) })
}

/// Replaces a 2 MiB mapping with a page table of 512 4 KiB pages with the same flags.
fn split_huge_page(pde: &mut PageTableEntry) -> Result<(), PagingError> {
    let base = pde.addr().as_u64();
    let flags = pde.flags() - Flags::HUGE_PAGE;
    let table_address = frames::alloc_contiguous(1).ok_or(PagingError::OutOfFrames)?;
    // SAFETY: a fresh zeroed frame, identity-mapped, used as a page table from now on.
    let table = unsafe { &mut *(table_address as *mut PageTable) };
    for (index, entry) in table.iter_mut().enumerate() {
        entry.set_addr(PhysAddr::new(base + (index * PAGE_SIZE) as u64), flags);
    }
    pde.set_addr(
        PhysAddr::new(table_address),
        Flags::PRESENT | Flags::WRITABLE,
    );
    tlb::flush_all();
    Ok(())
}
