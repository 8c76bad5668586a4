/*
 * dump_triage.c - triage (small) dumps, DumpType 4: VA blocks, driver list
 * and the KDBG copy. (First slice: nothing decoded yet.)
 */
#include "dump/dump_internal.h"

ps_status dump_triage_init(ps_dump *d, ps_error *err)
{
	(void)err;
	dump_warn(d, "triage dump contents are not decoded yet");
	return PS_OK;
}

size_t ps_dump_triage_block_count(const ps_dump *d) { return d->block_count; }
const ps_triage_block *ps_dump_triage_blocks(const ps_dump *d) { return d->blocks; }
const uint8_t *ps_dump_triage_va(const ps_dump *d, uint64_t va, size_t *avail)
{
	(void)va;
	if (avail)
		*avail = 0;
	(void)d;
	return NULL;
}
size_t ps_dump_triage_driver_count(const ps_dump *d) { return d->driver_count; }
const ps_triage_driver *ps_dump_triage_drivers(const ps_dump *d) { return d->drivers; }
const uint8_t *ps_dump_triage_kdbg(const ps_dump *d, size_t *size)
{
	if (size)
		*size = d->kdbg_size;
	return d->kdbg;
}
