/*
 * vm_cache.c - a small direct-mapped cache of virtual page -> page bytes.
 *
 * Readers of kernel structures touch the same few pages over and over (a list
 * head, the next entry, the pool page it sits in); a hit saves a four-level
 * walk. Only readable pages are cached. The cache lives in its ps_vm, which is
 * why one ps_vm must not be used by two threads at once.
 */
#include <string.h>

#include "mm/vm_internal.h"

void ps_vm_cache_init(ps_vm_cache *c)
{
	memset(c, 0, sizeof *c);
}

const uint8_t *ps_vm_cache_get(const ps_vm_cache *c, uint64_t va)
{
	uint64_t vpn = va >> 12;
	unsigned slot = (unsigned)(vpn % PS_VM_CACHE_SLOTS);

	return c->tag[slot] == vpn + 1 ? c->page[slot] : NULL;
}

void ps_vm_cache_put(ps_vm_cache *c, uint64_t va, const uint8_t *page)
{
	uint64_t vpn = va >> 12;
	unsigned slot = (unsigned)(vpn % PS_VM_CACHE_SLOTS);

	c->tag[slot] = vpn + 1;
	c->page[slot] = page;
}
