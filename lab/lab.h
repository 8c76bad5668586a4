/*
 * lab.h - the state of one lab run: the scenario, simulated physical memory,
 * page tables, loaded images and everything the truth file reports.
 *
 * The steps run in order (main.c): load images, map them, build the kernel
 * data (KDBG, module list, processes), add the probe pages, write the dump,
 * write the truth.
 */
#ifndef LAB_LAB_H
#define LAB_LAB_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "lab_image.h"
#include "paging.h"
#include "physmem.h"
#include "poolscope/error.h"
#include "profile.h"
#include "scenario.h"

#define LAB_MAX_PROBES 64
#define LAB_MAX_GLOBALS 160
#define LAB_MAX_TAG_HITS 16

typedef struct lab_module {
	lab_image img;
	const lab_module_spec *spec;
	uint64_t ldr_entry;        /* KLDR_DATA_TABLE_ENTRY VA */
	int in_boot_region;        /* mapped with large pages */
} lab_module;

typedef struct lab_process {
	const lab_process_spec *spec;
	uint64_t eprocess;
	uint64_t object_header;
	uint64_t dtb;              /* CR3 (PAE: PDPT physical address) */
	uint64_t dtb_raw;          /* as stored in KPROCESS (17763: low bits set) */
	uint64_t session_space;    /* MM_SESSION_SPACE VA, 0 for none */
	size_t space;              /* index in lab_paging */
} lab_process;

typedef struct lab_probe {
	char what[64];
	uint64_t va;
	size_t space;              /* 0 = kernel / System */
	uint64_t pid;              /* process whose space, for user probes */
} lab_probe;

typedef struct lab_global {
	char name[48];
	uint64_t va;
	int from_image;            /* 0: storage the lab allocated (symbol missing) */
} lab_global;

typedef struct lab_tag_hit {
	char module[64];
	uint64_t va;
} lab_tag_hit;

/* A range of kernel VA [start, end). */
typedef struct lab_extent {
	uint64_t start, end;
} lab_extent;

/* A bump allocator over kernel VA (kmem.c): a region starts at its base
 * and grows in extents of whole 4 MiB chunks taken from the free kernel VA
 * (x86 has too little VA for one contiguous 1.7 GB paged pool next to the
 * drivers); pages get fresh physical frames as it grows. */
typedef struct lab_region {
	const char *name;
	uint64_t base, next, end;   /* first VA; bump pointer; end of the current extent */
	uint64_t page_bits;
	/* lab storage for globals the kernel image lacks (kglobals.c) */
	uint64_t cur_page;          /* VA, 0 = none */
	uint32_t cur_used;          /* bytes used in cur_page */
	uint32_t cur_prev_units;
	int paged;
	lab_extent *extents;        /* VA the region owns, in order of growth */
	size_t extent_count, extent_cap;
	uint64_t pages;             /* pages mapped */
} lab_region;

struct lab_pool_state;

typedef struct lab {
	lab_scenario sc;
	char scn_name[128];         /* scenario file name, for messages */
	lab_profile prof;
	lab_physmem *pm;
	lab_paging pg;
	const char *image_dir;
	lab_module modules[LAB_MAX_MODULES];
	size_t module_count;
	lab_module *kernel;
	lab_process processes[LAB_MAX_PROCESSES];
	size_t process_count;
	lab_region nonpaged, paged, session, boot_extra;
	lab_global globals[LAB_MAX_GLOBALS];
	size_t global_count;
	lab_probe probes[LAB_MAX_PROBES];
	size_t probe_count;
	lab_tag_hit tag_hits[LAB_MAX_TAG_HITS];
	size_t tag_hit_count;
	uint64_t kdbg_va;
	/* kdbg-encoded: the values the block was encoded with (formats.md §2.4) */
	uint64_t kdbg_wait_never, kdbg_wait_always;   /* nt!KiWaitNever, nt!KiWaitAlways */
	uint64_t kdbg_block_encoded_va;               /* &nt!KdpDataBlockEncoded */
	uint64_t pfn_database;
	uint64_t boot_region_start, boot_region_end;   /* large-page mapped VA */
	uint64_t boot_region_pa;
	uint8_t ob_header_cookie;
	uint64_t unloaded_ring;     /* *nt!MmUnloadedDrivers, 0 when none (unloaded.c) */
	uint64_t special_ptes[4];   /* raw PTE values of the transition/pagefile probes */
	/* kernel VA no region may take (images, boot region, PFN database,
	 * self-map, the top 4 MiB of x86) plus every region extent */
	lab_extent *va_used;
	size_t va_used_count, va_used_cap;
	struct lab_pool_state *pool;
	/* dump output */
	uint64_t file_size;
	uint64_t dump_pages;        /* pages stored in the dump */
	uint32_t dump_type;
	int quiet;
} lab;

/* Warnings go to stderr as "poolscope-lab: warning: ..." */
void lab_warn(lab *l, const char *fmt, ...) PS_PRINTF(2, 3);

/* images.c: load, check and bind; reserve the boot region's frames (before
 * any page is allocated); map and copy (after the page tables exist). */
ps_status lab_load_images(lab *l, ps_error *err);
ps_status lab_reserve_boot_region(lab *l, ps_error *err);
ps_status lab_map_images(lab *l, ps_error *err);
void lab_free_images(lab *l);

/* kmem.c: kernel virtual memory */
ps_status lab_regions_init(lab *l, ps_error *err);
void lab_regions_free(lab *l);
/* `npages` contiguous VA pages of the region, not mapped (yet). */
ps_status lab_region_va(lab *l, lab_region *r, uint64_t npages, uint64_t *va, ps_error *err);
/* Fresh kernel pages mapped at the region's next address. */
ps_status lab_region_pages(lab *l, lab_region *r, uint64_t npages, uint64_t *va, ps_error *err);
/* The same, but the pages' contents are zero and not held in RAM (big
 * pool allocations: frames in use, PTEs valid, holes in the dump). */
ps_status lab_region_pages_zero(lab *l, lab_region *r, uint64_t npages, uint64_t *va, ps_error *err);
/* A 4 MiB-aligned kernel VA chunk that nothing maps (no page table). */
ps_status lab_kernel_va_hole(lab *l, uint64_t *va, ps_error *err);
/* A small pool block with a POOL_HEADER (formats.md §3.1-3.3) in the
 * region's pool, tracked like every lab allocation (pool.h); returns the
 * address after the header. */
ps_status lab_pool_alloc(lab *l, lab_region *r, uint32_t tag, uint32_t bytes, uint64_t *va, ps_error *err);
/* Close the pages being filled so every pool page is a complete chain. */
ps_status lab_pool_finish(lab *l, ps_error *err);

/* kglobals.c: a kernel global by name (image symbol, else lab storage). */
ps_status lab_global_va(lab *l, const char *name, uint32_t size, uint64_t *va, ps_error *err);
ps_status lab_write_global_ptr(lab *l, const char *name, uint64_t value, ps_error *err);
ps_status lab_write_list_head(lab *l, uint64_t head, uint64_t first, uint64_t last, ps_error *err);
ps_status lab_write_u16(lab *l, uint64_t va, uint16_t v, ps_error *err);
ps_status lab_write_u32(lab *l, uint64_t va, uint32_t v, ps_error *err);
ps_status lab_write_u64(lab *l, uint64_t va, uint64_t v, ps_error *err);

/* kdbg.c */
ps_status lab_build_kdbg(lab *l, ps_error *err);
/* modules.c */
ps_status lab_build_module_list(lab *l, ps_error *err);
/* processes.c */
ps_status lab_build_processes(lab *l, ps_error *err);
/* pool_*.c (pool.h): pool lines, threads, tracker tables, !vm figures;
 * lab_pool_free releases the pool state and the regions' bookkeeping. */
ps_status lab_build_pool(lab *l, ps_error *err);
void lab_pool_free(lab *l);
/* probes.c */
ps_status lab_build_probes(lab *l, ps_error *err);
/* unloaded.c: nt!MmUnloadedDrivers from the `unloaded` lines */
ps_status lab_build_unloaded(lab *l, ps_error *err);
/* paging_files.c: nt!MmPagingFile[] from the `pagefile` lines */
ps_status lab_build_paging_files(lab *l, ps_error *err);
ps_status lab_add_probe(lab *l, const char *what, uint64_t va, size_t space, uint64_t pid);
/* dump_write.c */
/* A context register from the scenario, or `dflt`. */
uint64_t lab_reg_value(const lab *l, const char *name, uint64_t dflt);
ps_status lab_write_dump(lab *l, const char *path, ps_error *err);
/* truth.c */
ps_status lab_write_truth(lab *l, const char *path, ps_error *err);
/* profile_print.c: the lab's offsets for ARCH and BUILD under the Windows
 * field names; -1 for an unknown pair. */
int lab_print_profile(const char *arch_name, const char *build_text, FILE *out);
/* symstore.c: the images and their PDBs in symbol-store layout under dir */
ps_status lab_write_symbol_store(lab *l, const char *dir, ps_error *err);

#endif
