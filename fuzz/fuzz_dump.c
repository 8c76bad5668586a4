/*
 * fuzz_dump.c - the dump layer over arbitrary bytes.
 *
 * Opens the input with ps_dump_open_memory and touches everything the
 * accessors hand out: header fields and the context record, every warning,
 * stored pages and physical reads across the whole page range, triage
 * blocks at both ends, driver names and the KDBG copy. The sanitizers catch
 * any pointer that strays outside the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "poolscope/dump.h"

static volatile uint8_t sink;

static void touch(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc ^= p[i];
	sink ^= acc;
}

static void exercise_pages(const ps_dump *d)
{
	uint64_t limit = ps_dump_page_limit(d);
	uint64_t step = limit > 4096 ? limit / 4096 : 1;
	uint8_t buf[0x1800];
	ps_error err;

	/* Every page of small dumps, an even sample of large ones, and the
	 * pages around the limit. */
	for (uint64_t pfn = 0; pfn < limit + 2; pfn += step) {
		const uint8_t *p = ps_dump_page(d, pfn);
		uint64_t off = 0;
		if (p) {
			sink ^= p[0] ^ p[PS_PAGE_SIZE - 1];
			if (ps_dump_page_offset(d, pfn, &off, &err) == PS_OK)
				sink ^= (uint8_t)off;
		}
		/* A read that crosses into the next page. */
		if (ps_dump_read_physical(d, pfn * PS_PAGE_SIZE + 0x900, buf, sizeof buf, &err) == PS_OK)
			touch(buf, sizeof buf);
	}
	for (uint64_t pfn = limit > 2 ? limit - 2 : 0; pfn < limit + 2; pfn++)
		if (ps_dump_page(d, pfn))
			sink ^= ps_dump_page(d, pfn)[0];
	(void)ps_dump_read_physical(d, UINT64_MAX - 0x10, buf, 0x20, &err);
	(void)ps_dump_page(d, UINT64_MAX);
}

static void exercise_triage(const ps_dump *d)
{
	const ps_triage_block *b = ps_dump_triage_blocks(d);
	const ps_triage_driver *drv = ps_dump_triage_drivers(d);
	const ps_triage_info *ti = ps_dump_triage_info(d);
	size_t n = ps_dump_triage_block_count(d), avail = 0;
	const uint8_t *p;

	for (size_t i = 0; i < n; i++) {
		p = ps_dump_triage_va(d, b[i].va, &avail);
		if (p)
			touch(p, avail);
		p = ps_dump_triage_va(d, b[i].va + b[i].size - 1, &avail);
		if (p)
			touch(p, avail);
		(void)ps_dump_triage_va(d, b[i].va - 1, &avail);
		(void)ps_dump_triage_va(d, b[i].va + b[i].size, &avail);
	}
	n = ps_dump_triage_driver_count(d);
	for (size_t i = 0; i < n; i++)
		sink ^= (uint8_t)(strlen(drv[i].name) + drv[i].base + drv[i].size);
	const ps_triage_unloaded *un = ps_dump_triage_unloaded(d);
	n = ps_dump_triage_unloaded_count(d);
	for (size_t i = 0; i < n; i++)
		sink ^= (uint8_t)(strlen(un[i].name) + un[i].start + un[i].end);
	p = ps_dump_triage_kdbg(d, &avail);
	if (p)
		touch(p, avail);
	if (ti)
		sink ^= (uint8_t)(ti->prcb_offset ^ ti->top_of_stack);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ps_dump *d = NULL;
	ps_error err;
	const ps_dump_info *in;
	size_t bytes_size = 0;

	if (ps_dump_open_memory(data, size, "fuzz", &d, &err) != PS_OK)
		return 0;
	in = ps_dump_get_info(d);
	touch(in->context, in->context_size);
	for (size_t i = 0; i < in->run_count; i++)
		sink ^= (uint8_t)(in->runs[i].base_page ^ in->runs[i].page_count);
	sink ^= (uint8_t)(strlen(in->comment) + strlen(in->version_user));
	for (size_t i = 0; i < ps_dump_warning_count(d); i++)
		sink ^= (uint8_t)strlen(ps_dump_warning(d, i));
	(void)ps_dump_warning(d, ps_dump_warning_count(d));
	if (ps_dump_bytes(d, &bytes_size) != data || bytes_size != size)
		abort();
	exercise_pages(d);
	exercise_triage(d);
	ps_dump_close(d);
	return 0;
}
