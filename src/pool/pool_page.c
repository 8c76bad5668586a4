/*
 * pool_page.c - walking the blocks of a small-pool page (see pool.h).
 *
 * The invariants are the ones Windows itself checks before it trusts a pool
 * page (ReactOS ExpCheckPoolBlocks mirrors them; formats.md §3.3): the first
 * header at the page start has PreviousSize 0, every BlockSize is non-zero,
 * every next PreviousSize equals the BlockSize before it, and the sizes add
 * up to the page exactly. The walk is bounded by the page, so hostile
 * headers can at worst stop it early.
 */
#include "poolscope/pool.h"

#include <inttypes.h>
#include <stdio.h>

#include "core/bytes.h"

#define PAGE 0x1000u

void ps_pool_decode_header(const uint8_t *p, uint64_t va, unsigned header_size, ps_pool_block *b)
{
	b->va = va;
	if (header_size == 8) {
		/* u16 PreviousSize:9 PoolIndex:7, u16 BlockSize:9 PoolType:7, in 8-byte units. */
		uint16_t w0 = ps_le16(p), w1 = ps_le16(p + 2);
		b->previous_size = (uint32_t)(w0 & 0x1FF) * 8;
		b->pool_index = (uint8_t)(w0 >> 9);
		b->size = (uint32_t)(w1 & 0x1FF) * 8;
		b->pool_type = (uint8_t)(w1 >> 9);
	} else {
		/* One byte each, in 16-byte units. */
		b->previous_size = (uint32_t)p[0] * 16;
		b->pool_index = p[1];
		b->size = (uint32_t)p[2] * 16;
		b->pool_type = p[3];
	}
	b->tag = ps_le32(p + 4);
	b->allocated = b->pool_type != 0;
}

void ps_pool_walk_page(const uint8_t *page, uint64_t page_va, unsigned header_size,
		       ps_pool_page *out)
{
	uint32_t off = 0, prev = 0;

	out->va = page_va;
	out->header_size = header_size;
	out->count = 0;
	out->complete = 0;
	out->problem_va = 0;
	out->problem[0] = '\0';
	if (header_size != 8 && header_size != 16) {
		snprintf(out->problem, sizeof out->problem, "header size %u is neither 8 nor 16", header_size);
		return;
	}
	while (off + header_size <= PAGE && out->count < PS_POOL_MAX_BLOCKS) {
		ps_pool_block *b = &out->blocks[out->count];

		ps_pool_decode_header(page + off, page_va + off, header_size, b);
		out->problem_va = b->va;
		if (b->previous_size != prev) {
			snprintf(out->problem, sizeof out->problem,
				 "PreviousSize 0x%" PRIx32 " does not match the previous block's size 0x%" PRIx32,
				 b->previous_size, prev);
			return;
		}
		if (b->size == 0) {
			snprintf(out->problem, sizeof out->problem, "BlockSize 0");
			return;
		}
		if (b->size > PAGE - off) {
			snprintf(out->problem, sizeof out->problem,
				 "block of 0x%" PRIx32 " bytes runs past the page end", b->size);
			return;
		}
		out->count++;
		off += b->size;
		prev = b->size;
		if (off == PAGE) {
			out->complete = 1;
			out->problem_va = 0;
			return;
		}
	}
	out->problem_va = page_va + off;
	snprintf(out->problem, sizeof out->problem, "the chain stops 0x%" PRIx32 " bytes before the page end",
		 PAGE - off);
}

const ps_pool_block *ps_pool_page_block_at(const ps_pool_page *pg, uint64_t va)
{
	for (size_t i = 0; i < pg->count; i++)
		if (va >= pg->blocks[i].va && va - pg->blocks[i].va < pg->blocks[i].size)
			return &pg->blocks[i];
	return NULL;
}
