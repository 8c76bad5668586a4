/*
 * pe_pdata.c - the x64 exception directory (.pdata): one 12-byte
 * RUNTIME_FUNCTION a non-leaf function, {BeginAddress, EndAddress,
 * UnwindInfoAddress}, all RVAs (PE/COFF spec, "The .pdata Section", x64
 * form; ARM and ARM64 use other layouts and are not read).
 *
 * The table is read a page at a time so that a dump missing some of its
 * pages still yields the entries on the pages it has; the caller learns how
 * many were lost. Entries whose range is empty or outside the image are
 * dropped and reported.
 */
#include "poolscope/pe.h"

#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"

#define MACHINE_AMD64 0x8664
#define ENTRY_SIZE 12
#define PAGE 0x1000u
/* ntoskrnl.exe has about 40,000 entries; this is far beyond any image. */
#define MAX_ENTRIES (1u << 21)

static int by_begin(const void *a, const void *b)
{
	const ps_pe_runtime_function *x = a, *y = b;

	if (x->begin_rva != y->begin_rva)
		return x->begin_rva < y->begin_rva ? -1 : 1;
	return 0;
}

ps_status ps_pe_read_pdata(ps_pe_read_fn read, void *ctx, const ps_pe *pe,
			   ps_pe_runtime_function **out, size_t *count, ps_error *err)
{
	uint32_t rva = pe->directories[PS_PE_DIR_EXCEPTION].rva;
	uint32_t size = pe->directories[PS_PE_DIR_EXCEPTION].size;
	uint32_t declared, total, missing = 0, bad = 0, first_missing = 0;
	ps_status missing_st = PS_OK;
	ps_pe_runtime_function *list;
	uint8_t page[PAGE + ENTRY_SIZE];
	size_t n = 0;
	int sorted = 1;

	*out = NULL;
	*count = 0;
	if (rva == 0 || size == 0)
		return ps_error_set(err, PS_ENOTFOUND, "PE image has no exception directory");
	if (pe->machine != MACHINE_AMD64)
		return ps_error_set(err, PS_EUNSUPPORTED, "PE exception directory of machine 0x%x is not read (x64 only)",
				    pe->machine);
	declared = total = size / ENTRY_SIZE;
	/* Entries past the end of the image can never be read: do not
	 * allocate or try for them. */
	if (pe->size_of_image && rva < pe->size_of_image && total > (pe->size_of_image - rva) / ENTRY_SIZE)
		total = (pe->size_of_image - rva) / ENTRY_SIZE;
	if (total > MAX_ENTRIES)
		total = MAX_ENTRIES;
	if (total == 0)
		return ps_error_set(err, PS_EFORMAT, "PE exception directory at RVA 0x%x (0x%x bytes) holds no whole entry inside the image",
				    rva, size);
	list = malloc((size_t)total * sizeof *list);
	if (!list)
		return ps_error_set(err, PS_ENOMEM, "PE exception directory: out of memory for %u entries", total);

	/* Whole entries, in runs that end at a page boundary where possible;
	 * an entry that straddles a boundary is read on its own. */
	for (uint32_t i = 0; i < total;) {
		uint64_t at = (uint64_t)rva + (uint64_t)i * ENTRY_SIZE;
		uint32_t run = (uint32_t)((PAGE - at % PAGE) / ENTRY_SIZE);
		ps_status rst;

		if (run == 0)
			run = 1;
		if (run > total - i)
			run = total - i;
		if (at + (uint64_t)run * ENTRY_SIZE > UINT32_MAX) {
			missing += total - i;
			if (missing_st == PS_OK) {
				missing_st = PS_EFORMAT;
				first_missing = (uint32_t)(at > UINT32_MAX ? UINT32_MAX : at);
			}
			break;
		}
		rst = read(ctx, (uint32_t)at, page, (size_t)run * ENTRY_SIZE);
		if (rst != PS_OK) {
			if (missing_st == PS_OK) {
				missing_st = rst;
				first_missing = (uint32_t)at;
			}
			missing += run;
			i += run;
			continue;
		}
		for (uint32_t k = 0; k < run; k++) {
			const uint8_t *e = page + k * ENTRY_SIZE;
			ps_pe_runtime_function f = { ps_le32(e), ps_le32(e + 4), ps_le32(e + 8) };

			if (f.begin_rva >= f.end_rva || (pe->size_of_image && f.end_rva > pe->size_of_image)) {
				bad++;
				continue;
			}
			if (n && f.begin_rva < list[n - 1].begin_rva)
				sorted = 0;
			list[n++] = f;
		}
		i += run;
	}
	if (!sorted)
		qsort(list, n, sizeof *list, by_begin);
	if (n == 0) {
		free(list);
		list = NULL;
	}
	*out = list;
	*count = n;
	if (missing)
		return ps_error_set(err, missing_st, "PE exception directory at RVA 0x%x: %u of %u entries cannot be read, the first at RVA 0x%x (%s)",
				    rva, missing, total, first_missing, ps_status_name(missing_st));
	if (total < declared)
		return ps_error_set(err, PS_EFORMAT, "PE exception directory at RVA 0x%x declares %u entries; %u fit in the image and the cap of %u",
				    rva, declared, total, MAX_ENTRIES);
	if (bad)
		return ps_error_set(err, PS_EFORMAT, "PE exception directory at RVA 0x%x: %u of %u entries have an empty range or lie outside the image",
				    rva, bad, total);
	return PS_OK;
}
