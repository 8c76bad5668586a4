/*
 * fuzz_pool_page.c - the small-pool page walker over arbitrary page bytes,
 * with both header sizes, and block lookups across the page.
 */
#include <stdint.h>
#include <string.h>

#include "poolscope/pool.h"

static ps_pool_page pg;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t page[0x1000];

	memset(page, 0, sizeof page);
	memcpy(page, data, size < sizeof page ? size : sizeof page);
	for (unsigned hs = 8; hs <= 16; hs += 8) {
		ps_pool_walk_page(page, 0xfffffa8000000000ull, hs, &pg);
		for (uint64_t off = 0; off < 0x1000; off += 0x18)
			(void)ps_pool_page_block_at(&pg, 0xfffffa8000000000ull + off);
	}
	return 0;
}
