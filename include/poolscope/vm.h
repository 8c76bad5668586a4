/*
 * vm.h - the mm layer: virtual to physical translation over a dump.
 *
 * x86 non-PAE, x86 PAE and x64 four-level paging with large pages and
 * Windows transition PTEs (formats.md §6). A reader tells apart an address
 * that is invalid, one whose page is not in this dump, and one that is paged
 * out. For triage dumps, which hold no page tables, reads are served from the
 * virtual blocks the dump stores.
 */
#ifndef POOLSCOPE_VM_H
#define POOLSCOPE_VM_H

#include <stddef.h>
#include <stdint.h>

#include "poolscope/dump.h"
#include "poolscope/error.h"

/* An address space. It caches translations, so one ps_vm must not be used by
 * two threads at once; give each thread its own (they are cheap). */
typedef struct ps_vm ps_vm;

/* One level of a page walk, for !pte and !vtop. */
typedef struct ps_pt_level {
	uint64_t entry_pa;   /* physical address of the entry */
	uint64_t entry;      /* its value */
} ps_pt_level;

typedef enum ps_page_state {
	PS_PAGE_VALID = 0,   /* hardware-valid */
	PS_PAGE_TRANSITION,  /* software transition PTE: still in RAM */
	PS_PAGE_PROTOTYPE,   /* prototype PTE: not resolved here */
	PS_PAGE_PAGEFILE,    /* in a paging file */
	PS_PAGE_DEMAND_ZERO, /* never committed / demand zero */
	PS_PAGE_INVALID      /* not mapped at all */
} ps_page_state;

typedef struct ps_translation {
	uint64_t va;
	uint64_t pa;          /* valid for VALID and TRANSITION */
	uint64_t page_size;   /* 0x1000, 0x200000, 0x400000 or 0x40000000 */
	ps_page_state state;
	int level_count;      /* entries walked, top level first */
	ps_pt_level levels[4];
	int present_in_dump;  /* the final page's bytes are stored in the dump */
} ps_translation;

/* Build an address space over `d` (which must outlive it) with the given
 * paging mode and directory table base (CR3 / DirectoryTableBase). */
ps_status ps_vm_create(const ps_dump *d, ps_paging mode, uint64_t dtb, ps_vm **out, ps_error *err);

/* The dump's own kernel address space (header mode and DTB; triage dumps get
 * a block-backed space). */
ps_status ps_vm_create_kernel(const ps_dump *d, ps_vm **out, ps_error *err);

void ps_vm_destroy(ps_vm *vm);

const ps_dump *ps_vm_dump(const ps_vm *vm);
ps_paging ps_vm_paging(const ps_vm *vm);
uint64_t ps_vm_dtb(const ps_vm *vm);
/* Pointer size of the address space: 4 or 8. */
unsigned ps_vm_pointer_size(const ps_vm *vm);

/* Walk the page tables for `va`. Returns PS_OK and fills *t even for
 * unmapped addresses (t->state says which); fails only for a walk that cannot
 * be done (a table page missing from the dump: PS_ENOTPRESENT). */
ps_status ps_vm_translate(ps_vm *vm, uint64_t va, ps_translation *t, ps_error *err);

/* Copy `len` bytes at `va`. On failure *done (if not NULL) says how many
 * leading bytes were copied, and the status says why the next byte could not
 * be read: PS_EINVALID, PS_ENOTPRESENT or PS_EPAGEDOUT. */
ps_status ps_vm_read(ps_vm *vm, uint64_t va, void *buf, size_t len, size_t *done, ps_error *err);

ps_status ps_vm_read_u8(ps_vm *vm, uint64_t va, uint8_t *v, ps_error *err);
ps_status ps_vm_read_u16(ps_vm *vm, uint64_t va, uint16_t *v, ps_error *err);
ps_status ps_vm_read_u32(ps_vm *vm, uint64_t va, uint32_t *v, ps_error *err);
ps_status ps_vm_read_u64(ps_vm *vm, uint64_t va, uint64_t *v, ps_error *err);
/* A pointer of the space's size, zero-extended on x86. */
ps_status ps_vm_read_ptr(ps_vm *vm, uint64_t va, uint64_t *v, ps_error *err);

/* Next readable page at or after `va` and below `end`, for scans that skip
 * holes quickly: sets *next to the page-aligned start (or `va` itself when it
 * is readable). PS_ENOTFOUND when none. Hostile page tables that map vast
 * ranges the dump does not hold end the search with PS_EFORMAT, *next set to
 * where it stopped so the caller can go on from there (docs/paging.md). */
ps_status ps_vm_next_readable(ps_vm *vm, uint64_t va, uint64_t end, uint64_t *next, ps_error *err);

/* Canonical form of an address for this space (sign-extend bit 47 on x64,
 * truncate to 32 bits on x86). */
uint64_t ps_vm_canonical(const ps_vm *vm, uint64_t va);

#endif
