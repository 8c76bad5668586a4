/*
 * paging.h - page tables the lab writes into its physical memory.
 *
 * Three modes, as the processor defines them (Intel SDM vol. 3A ch. 4;
 * formats.md §6.1): x86 without PAE (two levels, 4-byte entries, 4 MiB large
 * pages), x86 PAE (PDPT of 4 entries + two levels, 8-byte entries, 2 MiB
 * large pages) and x64 (four levels, 2 MiB large pages). Every address space
 * carries the Windows self-map (formats.md §6.3). Process address spaces
 * share the kernel half with the System address space: a kernel table created
 * later is entered into every address space, as Windows does.
 */
#ifndef LAB_PAGING_H
#define LAB_PAGING_H

#include <stddef.h>
#include <stdint.h>

#include "physmem.h"
#include "poolscope/error.h"
#include "scenario.h"

#define LAB_MAX_SPACES (LAB_MAX_PROCESSES + 1)

/* Hardware bits of a valid entry. */
#define LAB_PTE_P 0x1ull
#define LAB_PTE_RW 0x2ull
#define LAB_PTE_US 0x4ull
#define LAB_PTE_A 0x20ull
#define LAB_PTE_D 0x40ull
#define LAB_PTE_PS 0x80ull
#define LAB_PTE_G 0x100ull
#define LAB_PTE_NX (1ull << 63)

/* What a lab address-space walk finds (the lab's own view, for the truth). */
typedef enum lab_pte_state {
	LAB_VA_VALID,
	LAB_VA_TRANSITION,
	LAB_VA_PAGEFILE,
	LAB_VA_PROTOTYPE,    /* Prototype bit set (the lab writes none yet) */
	LAB_VA_DEMANDZERO,   /* no paging-file offset: demand zero, or a zero PTE */
	LAB_VA_UNMAPPED      /* a table level above the PTE is missing */
} lab_pte_state;

typedef struct lab_walk {
	lab_pte_state state;
	uint64_t pa;         /* valid or transition: physical address of va */
	uint64_t pte;        /* raw entry at the last level reached */
	uint64_t pte_pa;     /* physical address of that entry */
	int large;           /* mapped by a large page */
	int level;           /* 1 = PTE, 2 = PDE, 3 = PDPTE, 4 = PML4E */
} lab_walk;

typedef struct lab_paging {
	lab_arch arch;
	uint32_t build;
	lab_physmem *pm;
	size_t space_count;
	uint64_t dtb[LAB_MAX_SPACES];     /* CR3 value (PAE: PDPT address) */
	uint64_t pae_pd[LAB_MAX_SPACES][4];
	unsigned selfmap_index;           /* x64 PML4 index; x86 PDE 0x300 */
	uint64_t pte_base;                /* VA of the PTE self-map */
	uint64_t pdpt_page;               /* PAE: page holding process PDPTs */
	unsigned pdpt_next;
} lab_paging;

/* Space 0 is the System address space, created here. `selfmap_index` is the
 * x64 PML4 index of the self-map (ignored on x86). The System root goes at
 * `root_pfn` when that page is free RAM, else anywhere. */
ps_status lab_paging_init(lab_paging *pg, lab_arch arch, lab_physmem *pm,
			  unsigned selfmap_index, uint64_t root_pfn, ps_error *err);

/* A new process address space sharing the kernel half; returns its index. */
ps_status lab_paging_new_space(lab_paging *pg, size_t *space, ps_error *err);

/* Map one 4 KiB page. Kernel addresses are mapped in every space; user
 * addresses only in `space`. `bits` are the entry's flag bits. */
ps_status lab_map_page(lab_paging *pg, size_t space, uint64_t va, uint64_t pa,
		       uint64_t bits, ps_error *err);
/* Map one large page (4 MiB on x86, 2 MiB otherwise) at an aligned va/pa. */
ps_status lab_map_large(lab_paging *pg, uint64_t va, uint64_t pa, ps_error *err);
uint64_t lab_large_page_size(const lab_paging *pg);
/* Write a raw last-level entry (software PTEs: transition, paging file),
 * creating the tables above it. */
ps_status lab_set_pte(lab_paging *pg, size_t space, uint64_t va, uint64_t raw, ps_error *err);

void lab_walk_va(const lab_paging *pg, size_t space, uint64_t va, lab_walk *w);

/* Write/read virtual memory through the lab's page tables (valid pages
 * only; PS_EINVALID names the first unmapped address). */
ps_status lab_vwrite(lab_paging *pg, size_t space, uint64_t va, const void *buf,
		     size_t len, ps_error *err);
ps_status lab_vread(const lab_paging *pg, size_t space, uint64_t va, void *buf,
		    size_t len, ps_error *err);
ps_status lab_vwrite_ptr(lab_paging *pg, uint64_t va, uint64_t value, ps_error *err);

int lab_is_kernel_va(const lab_paging *pg, uint64_t va);
unsigned lab_ptr_size(const lab_paging *pg);

#endif
