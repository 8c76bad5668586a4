/*
 * vm_triage.c - the address space of a triage (small) dump.
 *
 * A triage dump (DumpType 4) stores no page tables, only a few virtual ranges
 * copied verbatim: the data blocks, the data page, the call stack
 * (formats.md §1.7). Reads are served from those ranges through the dump
 * layer's ps_dump_triage_va; anything else is "not in the dump".
 */
#include <inttypes.h>
#include <string.h>

#include "mm/vm_internal.h"

ps_status ps_vm_triage_read(ps_vm *vm, uint64_t va, void *buf, size_t len, size_t *done,
			    ps_error *err)
{
	uint8_t *out = buf;
	size_t copied = 0;
	ps_status st = PS_OK;

	while (copied < len) {
		uint64_t cur = va + copied;
		size_t avail = 0, n;
		const uint8_t *p;

		if (copied && cur < va) {
			st = ps_error_set(err, PS_EINVALID,
					  "%s: read at 0x%016" PRIx64 " runs past the end of the address space",
					  ps_dump_name(vm->dump), va);
			break;
		}
		p = ps_dump_triage_va(vm->dump, cur, &avail);
		if (!p || avail == 0) {
			st = ps_error_set(err, PS_ENOTPRESENT,
					  "%s: 0x%016" PRIx64 " is not in the dump (a triage dump holds "
					  "only %zu stored ranges)",
					  ps_dump_name(vm->dump), cur, ps_dump_triage_block_count(vm->dump));
			break;
		}
		n = len - copied < avail ? len - copied : avail;
		memcpy(out + copied, p, n);
		copied += n;
	}
	if (done)
		*done = copied;
	return st;
}

/*
 * Stored ranges are not page-aligned, so the answer is the start of the first
 * range at or after `va` (or `va` itself when a range holds it).
 */
ps_status ps_vm_triage_next(ps_vm *vm, uint64_t va, uint64_t end, uint64_t *next, ps_error *err)
{
	const ps_triage_block *b = ps_dump_triage_blocks(vm->dump);
	size_t count = ps_dump_triage_block_count(vm->dump);
	uint64_t best = UINT64_MAX;
	size_t avail = 0;

	if (va < end && ps_dump_triage_va(vm->dump, va, &avail) && avail) {
		*next = va;
		return PS_OK;
	}
	for (size_t i = 0; b && i < count; i++)
		if (b[i].size && b[i].va > va && b[i].va < best)
			best = b[i].va;
	if (best < end) {
		*next = best;
		return PS_OK;
	}
	return ps_error_set(err, PS_ENOTFOUND,
			    "%s: nothing stored between 0x%016" PRIx64 " and 0x%016" PRIx64,
			    ps_dump_name(vm->dump), va, end);
}
