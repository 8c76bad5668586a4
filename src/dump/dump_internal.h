/*
 * dump_internal.h - the ps_dump object and the hooks between the dump
 * layer's files. Nothing outside src/dump/ includes this.
 *
 * Opening a dump decodes the main header (dump_header.c), then builds one
 * physical-page map depending on DumpType: run-based (dump_runs.c) or bitmap
 * (dump_bitmap.c); triage dumps get VA blocks and a driver list instead
 * (dump_triage.c). Page lookups (dump_read.c) only consult those maps.
 */
#ifndef PS_DUMP_INTERNAL_H
#define PS_DUMP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/warnings.h"
#include "poolscope/dump.h"

/* 'PAGE' as a u32: the fill pattern of header bytes that were not written. */
#define DUMP_FILL32 0x45474150u
#define DUMP_FILL64 0x4547415045474150ull


typedef enum dump_map_kind {
	DUMP_MAP_NONE = 0,
	DUMP_MAP_RUNS,
	DUMP_MAP_BITMAP
} dump_map_kind;

/* A run as used for lookups: sorted by base, disjoint, all pages stored. */
typedef struct dump_run {
	uint64_t base_page;
	uint64_t page_count;
	uint64_t first_index; /* page index in the file, from the data start */
} dump_run;

struct ps_dump {
	char *name;
	const uint8_t *data;
	size_t size;
	void *mapping; /* non-NULL when we mmap'ed the file ourselves */
	size_t mapping_size;

	ps_dump_info info;
	ps_phys_run *header_runs; /* backs info.runs */

	dump_map_kind map_kind;
	uint64_t page_limit;

	/* DumpType 1 */
	dump_run *runs;
	size_t run_count;
	uint64_t data_offset;

	/* DumpType 5/6: the bitmap in place plus a two-level rank index:
	 * rank_super[k] = set bits before bit k*4096, rank_sub[j] = set bits
	 * from the start of its 4096-bit superblock to bit j*512. */
	const uint8_t *bitmap;
	uint64_t bitmap_bits;
	uint64_t *rank_super;
	uint16_t *rank_sub;
	uint64_t first_page;   /* file offset of the first stored page */
	uint64_t stored_pages; /* pages with a set bit that fit in the file */

	/* DumpType 4 */
	ps_triage_info triage;
	int has_triage;
	ps_triage_block *blocks; /* sorted by va, disjoint */
	size_t block_count;
	ps_triage_driver *drivers;
	size_t driver_count;
	ps_triage_unloaded *unloaded;
	size_t unloaded_count;
	const uint8_t *kdbg;
	size_t kdbg_size;

	ps_warnings warnings;
};

/* Record a warning (never fails; drops warnings past the cap or when out of
 * memory). The message is prefixed with the dump's name. */
void dump_warn(ps_dump *d, const char *fmt, ...) PS_PRINTF(2, 3);

/* dump_header.c: decode DUMP_HEADER32/64 into d->info. */
ps_status dump_header_decode(ps_dump *d, ps_error *err);

/* dump_runs.c: DumpType 1 page map. */
ps_status dump_runs_init(ps_dump *d, ps_error *err);
const uint8_t *dump_runs_page(const ps_dump *d, uint64_t pfn, uint64_t *offset);

/* dump_bitmap.c: DumpType 5/6 page map. */
ps_status dump_bitmap_init(ps_dump *d, ps_error *err);
const uint8_t *dump_bitmap_page(const ps_dump *d, uint64_t pfn, uint64_t *offset);
/* Is there an 'SDMP'/'FDMP' header where the bitmap header would be? */
int dump_bitmap_present(const ps_dump *d);

/* dump_triage.c: DumpType 4 blocks, drivers and KDBG copy. */
ps_status dump_triage_init(ps_dump *d, ps_error *err);

#endif
