/*
 * vm_read.c - reading virtual memory: the page-by-page copy loop and the
 * typed reads built on it.
 *
 * Each page is resolved once (through the cache when it can be) and copied
 * straight out of the mapped dump. When a page cannot be read the copy stops
 * there, *done says how far it got, and the status says why:
 *   PS_EINVALID     the tables say not mapped (zero or demand-zero entry,
 *                   not-present PDPTE, non-canonical address)
 *   PS_EPAGEDOUT    the entry points into a paging file
 *   PS_ENOTPRESENT  the page (or a table on the way) is not stored in this
 *                   dump, or the entry is a prototype PTE, which this layer
 *                   does not resolve
 */
#include <inttypes.h>
#include <string.h>

#include "core/bytes.h"
#include "mm/vm_internal.h"

static const char *state_reason(ps_page_state s)
{
	switch (s) {
	case PS_PAGE_INVALID: return "is not mapped (zero entry)";
	case PS_PAGE_DEMAND_ZERO: return "is not mapped (demand-zero entry)";
	case PS_PAGE_PAGEFILE: return "is paged out to a paging file";
	case PS_PAGE_PROTOTYPE: return "is mapped through a prototype PTE, which is not resolved";
	case PS_PAGE_VALID:
	case PS_PAGE_TRANSITION: break;
	}
	return "is not readable";
}

/* The bytes of the page holding `va`, or an error saying why there are none. */
static ps_status page_for(ps_vm *vm, uint64_t va, const uint8_t **page, ps_error *err)
{
	ps_translation t;
	const ps_mm_level *last;
	ps_status st;
	int ok;

	*page = ps_vm_cache_get(&vm->cache, va);
	if (*page)
		return PS_OK;
	ps_vm_linear(vm, va, &ok);
	if (!ok)
		return ps_error_set(err, PS_EINVALID, "%s: 0x%016" PRIx64 " is not a valid %s address",
				    ps_dump_name(vm->dump), va, vm->desc->name);
	st = ps_vm_translate(vm, va, &t, err);
	if (st != PS_OK)
		return st;
	if (t.state == PS_PAGE_VALID || t.state == PS_PAGE_TRANSITION) {
		*page = ps_mm_phys_page(vm, t.pa);
		if (!*page)
			return ps_error_set(err, PS_ENOTPRESENT,
					    "%s: 0x%016" PRIx64 " maps to physical 0x%" PRIx64
					    ", which is not in the dump",
					    ps_dump_name(vm->dump), va, t.pa);
		ps_vm_cache_put(&vm->cache, va, *page);
		return PS_OK;
	}
	/* A walk of a canonical address reads at least the top entry. */
	last = &vm->desc->level[t.level_count - 1];
	st = t.state == PS_PAGE_PAGEFILE ? PS_EPAGEDOUT
	     : t.state == PS_PAGE_PROTOTYPE ? PS_ENOTPRESENT : PS_EINVALID;
	return ps_error_set(err, st, "%s: 0x%016" PRIx64 " %s (%s 0x%" PRIx64 " at physical 0x%" PRIx64 ")",
			    ps_dump_name(vm->dump), va, state_reason(t.state), last->name,
			    t.levels[t.level_count - 1].entry, t.levels[t.level_count - 1].entry_pa);
}

ps_status ps_vm_read(ps_vm *vm, uint64_t va, void *buf, size_t len, size_t *done, ps_error *err)
{
	uint8_t *out = buf;
	size_t copied = 0;
	uint64_t limit = vm->wide ? UINT64_MAX : 0xFFFFFFFFull;
	ps_status st = PS_OK;

	if (!vm->desc)
		return ps_vm_triage_read(vm, va, buf, len, done, err);
	while (copied < len) {
		uint64_t cur = va + copied;
		const uint8_t *page;
		size_t n;

		/* A read that runs off the top of the address space wraps nowhere. */
		if (copied && (cur < va || (!vm->wide && (cur & limit) == 0))) {
			st = ps_error_set(err, PS_EINVALID,
					  "%s: read at 0x%016" PRIx64 " runs past the end of the address space",
					  ps_dump_name(vm->dump), va);
			break;
		}
		st = page_for(vm, cur, &page, err);
		if (st != PS_OK)
			break;
		n = 0x1000 - (size_t)(cur & 0xFFF);
		if (n > len - copied)
			n = len - copied;
		memcpy(out + copied, page + (cur & 0xFFF), n);
		copied += n;
	}
	if (done)
		*done = copied;
	return st;
}

ps_status ps_vm_read_u8(ps_vm *vm, uint64_t va, uint8_t *v, ps_error *err)
{
	return ps_vm_read(vm, va, v, 1, NULL, err);
}

ps_status ps_vm_read_u16(ps_vm *vm, uint64_t va, uint16_t *v, ps_error *err)
{
	uint8_t b[2];
	ps_status st = ps_vm_read(vm, va, b, sizeof b, NULL, err);

	*v = st == PS_OK ? ps_le16(b) : 0;
	return st;
}

ps_status ps_vm_read_u32(ps_vm *vm, uint64_t va, uint32_t *v, ps_error *err)
{
	uint8_t b[4];
	ps_status st = ps_vm_read(vm, va, b, sizeof b, NULL, err);

	*v = st == PS_OK ? ps_le32(b) : 0;
	return st;
}

ps_status ps_vm_read_u64(ps_vm *vm, uint64_t va, uint64_t *v, ps_error *err)
{
	uint8_t b[8];
	ps_status st = ps_vm_read(vm, va, b, sizeof b, NULL, err);

	*v = st == PS_OK ? ps_le64(b) : 0;
	return st;
}

ps_status ps_vm_read_ptr(ps_vm *vm, uint64_t va, uint64_t *v, ps_error *err)
{
	if (vm->wide)
		return ps_vm_read_u64(vm, va, v, err);
	uint32_t v32;
	ps_status st = ps_vm_read_u32(vm, va, &v32, err);
	*v = v32;
	return st;
}
