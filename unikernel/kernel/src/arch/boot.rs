//! PVH entry: QEMU's `-kernel` loader finds the `XEN_ELFNOTE_PHYS32_ENTRY` note, loads
//! the ELF at its physical addresses and jumps to `pvh_start` in 32-bit protected mode
//! with paging off and `ebx` = physical address of the `hvm_start_info` structure.
//!
//! The assembly below zeroes `.bss`, identity-maps the first 4 GiB with 2 MiB pages,
//! enters long mode and calls [`crate::kernel_entry`] on the guarded kernel stack.

// The one place `arch` names something above it: the boot code must know the stack it
// switches to and the Rust function it calls. Both are only linker symbols here.
#[cfg(not(test))]
use crate::mem::stacks::{KERNEL_STACK, KERNEL_STACK_SIZE};

/// ELF note type of the 32-bit PVH entry point (Xen's `XEN_ELFNOTE_PHYS32_ENTRY`).
#[cfg(not(test))]
const XEN_ELFNOTE_PHYS32_ENTRY: u32 = 18;

/// The boot page tables: one PML4, one PDPT and four page directories of 2 MiB pages
/// (4 GiB identity map). `mem::paging` later edits them in place.
#[repr(C, align(4096))]
pub struct BootPageTables {
    pub pml4: [u64; 512],
    pub pdpt: [u64; 512],
    pub pd: [[u64; 512]; 4],
}

/// Written only by the 32-bit entry code before Rust runs, then owned by `mem::paging`.
#[no_mangle]
pub static mut BOOT_PAGE_TABLES: BootPageTables = BootPageTables {
    pml4: [0; 512],
    pdpt: [0; 512],
    pd: [[0; 512]; 4],
};

// Not on the host (unit tests): a hosted executable has no PVH entry, and its 32-bit
// absolute relocations do not link into a position-independent test binary.
#[cfg(not(test))]
core::arch::global_asm!(
    r#"
    .section .note.pvh, "a", @note
    .balign 4
    .long 4
    .long 4
    .long {note_type}
    .asciz "Xen"
    .balign 4
    .long pvh_start
    .balign 4

    .section .text.boot, "ax"
    .code32
    .global pvh_start
pvh_start:
    cli
    cld
    mov ebp, ebx

    /* Zero .bss (QEMU zero-fills it too; do not rely on it). */
    mov edi, offset __bss_start
    mov ecx, offset __bss_end
    sub ecx, edi
    xor eax, eax
    rep stosb

    /* PML4[0] -> PDPT; PDPT[0..4] -> PD[0..4]; PD entries map 2 MiB pages. */
    mov edi, offset {tables}
    lea eax, [edi + 4096 + 3]
    mov [edi], eax
    lea eax, [edi + 8192 + 3]
    mov [edi + 4096], eax
    add eax, 4096
    mov [edi + 4096 + 8], eax
    add eax, 4096
    mov [edi + 4096 + 16], eax
    add eax, 4096
    mov [edi + 4096 + 24], eax
    add edi, 8192
    xor ecx, ecx
2:
    mov eax, ecx
    shl eax, 21
    or eax, 0x83
    mov [edi + ecx * 8], eax
    mov dword ptr [edi + ecx * 8 + 4], 0
    inc ecx
    cmp ecx, 2048
    jb 2b

    mov eax, offset {tables}
    mov cr3, eax
    mov eax, cr4
    or eax, 0x20
    mov cr4, eax
    mov ecx, 0xC0000080
    rdmsr
    or eax, 0x100
    wrmsr
    mov eax, cr0
    or eax, 0x80010001
    mov cr0, eax

    lgdt [boot_gdt_pointer]
    mov esp, offset {stack} + {stack_size} + 4096
    mov eax, offset long_mode_entry
    push 0x08
    push eax
    retf

    .code64
long_mode_entry:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    mov edi, ebp
    xor ebp, ebp
    call {entry}
    ud2

    .section .rodata
    .balign 16
boot_gdt:
    .quad 0
    .quad 0x00AF9A000000FFFF
    .quad 0x00CF92000000FFFF
boot_gdt_pointer:
    .word boot_gdt_pointer - boot_gdt - 1
    .long boot_gdt
    "#,
    note_type = const XEN_ELFNOTE_PHYS32_ENTRY,
    tables = sym BOOT_PAGE_TABLES,
    stack = sym KERNEL_STACK,
    stack_size = const KERNEL_STACK_SIZE,
    entry = sym crate::kernel_entry,
);
