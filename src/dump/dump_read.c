/*
 * dump_read.c - physical page lookups and physical reads.
 *
 * Dispatches to the page map built at open (runs or bitmap). Every lookup
 * is O(log runs) or O(1); nothing here allocates.
 */
#include "dump/dump_internal.h"

#include <string.h>

static const uint8_t *lookup(const ps_dump *d, uint64_t pfn, uint64_t *offset)
{
	switch (d->map_kind) {
	case DUMP_MAP_RUNS:
		return dump_runs_page(d, pfn, offset);
	case DUMP_MAP_BITMAP:
		return dump_bitmap_page(d, pfn, offset);
	case DUMP_MAP_NONE:
		break;
	}
	return NULL;
}

const uint8_t *ps_dump_page(const ps_dump *d, uint64_t pfn)
{
	return lookup(d, pfn, NULL);
}

ps_status ps_dump_page_offset(const ps_dump *d, uint64_t pfn, uint64_t *offset, ps_error *err)
{
	uint64_t off = 0;

	if (!lookup(d, pfn, &off))
		return ps_error_set(err, PS_ENOTPRESENT, "%s: physical page 0x%llx is not in the dump",
				    d->name, (unsigned long long)pfn);
	if (offset)
		*offset = off;
	return PS_OK;
}

ps_status ps_dump_read_physical(const ps_dump *d, uint64_t pa, void *buf, size_t len, ps_error *err)
{
	uint8_t *out = buf;

	if (len && !buf)
		return ps_error_set(err, PS_EARG, "ps_dump_read_physical: NULL buffer");
	if (len && pa > UINT64_MAX - (len - 1))
		return ps_error_set(err, PS_EARG, "%s: physical read of %zu bytes at 0x%llx wraps around",
				    d->name, len, (unsigned long long)pa);
	while (len) {
		uint64_t in_page = pa & (PS_PAGE_SIZE - 1);
		size_t chunk = PS_PAGE_SIZE - in_page;
		const uint8_t *page;

		if (chunk > len)
			chunk = len;
		page = lookup(d, pa / PS_PAGE_SIZE, NULL);
		if (!page)
			return ps_error_set(err, PS_ENOTPRESENT,
					    "%s: physical address 0x%llx (page 0x%llx) is not in the dump",
					    d->name, (unsigned long long)pa,
					    (unsigned long long)(pa / PS_PAGE_SIZE));
		memcpy(out, page + in_page, chunk);
		out += chunk;
		pa += chunk;
		len -= chunk;
	}
	return PS_OK;
}
