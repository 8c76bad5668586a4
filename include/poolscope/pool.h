/*
 * pool.h - the pool layer: pool headers and pages.
 *
 * Before Windows 10 19H1, small pool allocations live in 4 KiB pages carved
 * into blocks, each starting with a POOL_HEADER (x86: 8 bytes, 8-byte units;
 * x64: 16 bytes, 16-byte units; formats.md §3.1-§3.3). The first block of a
 * page has PreviousSize 0, each block's PreviousSize equals the BlockSize of
 * the one before it, and the chain ends exactly at the page end. Allocations
 * larger than a page's worth are big pages with no header (PoolBigPageTable).
 */
#ifndef POOLSCOPE_POOL_H
#define POOLSCOPE_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "poolscope/error.h"

/* The protected-tag bit that object allocations carry before Windows 8. */
#define PS_POOL_PROTECTED 0x80000000u

typedef struct ps_pool_block {
	uint64_t va;            /* address of the POOL_HEADER */
	uint32_t size;          /* bytes, header included */
	uint32_t previous_size; /* bytes */
	uint8_t pool_type;      /* as stored: 0 = free */
	uint8_t pool_index;
	uint32_t tag;           /* as stored, protected bit included */
	int allocated;          /* pool_type != 0 */
} ps_pool_block;

#define PS_POOL_MAX_BLOCKS 512  /* 4096 / 8 */

typedef struct ps_pool_page {
	uint64_t va;                    /* page start */
	unsigned header_size;           /* 8 or 16 */
	size_t count;                   /* blocks walked */
	ps_pool_block blocks[PS_POOL_MAX_BLOCKS];
	int complete;                   /* the chain ended exactly at the page end */
	/* When not complete: where and why the walk stopped. */
	uint64_t problem_va;
	char problem[160];
} ps_pool_page;

/* Walk one 4 KiB pool page whose bytes are `page` and whose address is
 * `page_va`; `header_size` is 8 (x86) or 16 (x64). Never fails: a damaged
 * chain stops the walk with `complete` 0 and a problem text ("BlockSize 0",
 * "block runs past the page end", "PreviousSize 0x.. does not match the
 * previous block's size 0x.."), keeping the blocks read before it. */
void ps_pool_walk_page(const uint8_t *page, uint64_t page_va, unsigned header_size,
		       ps_pool_page *out);

/* The block containing `va`, or NULL. */
const ps_pool_block *ps_pool_page_block_at(const ps_pool_page *pg, uint64_t va);

/* Decode one POOL_HEADER at `p` (header_size 8 or 16). */
void ps_pool_decode_header(const uint8_t *p, uint64_t va, unsigned header_size, ps_pool_block *b);

#endif
