/*
 * cmd_symbols.c - names for addresses in a session (see cmd_symbols.h).
 *
 * Inside a module without a symbol for the address, WinDbg writes the
 * module and the offset from its base: "SIoctl+0x4323".
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd_symbols.h"
#include "cmd/cmd_util.h"

int ps_cmd_symbol_name(ps_session *s, uint64_t va, char *buf, size_t n)
{
	const ps_module *m = ps_cmd_module_at(s, va);

	if (n)
		buf[0] = 0;
	if (!m)
		return 0;
	if (va == m->base)
		snprintf(buf, n, "%s", m->name);
	else
		snprintf(buf, n, "%s+0x%" PRIx64, m->name, va - m->base);
	return 1;
}

int ps_cmd_disasm_namer(void *ctx, uint64_t va, char *buf, size_t n)
{
	return ps_cmd_symbol_name(ctx, va, buf, n);
}

int ps_cmd_symbol_starts_at(ps_session *s, uint64_t va)
{
	(void)s;
	(void)va;
	return 0;
}

/* The .pdata entry of an x64 image that covers va. */
static int pdata_extent(ps_session *s, const ps_module *m, uint64_t va, uint64_t *start, uint64_t *end)
{
	ps_kernel_image_reader reader;
	ps_pe pe;
	ps_pe_runtime_function *rf = NULL;
	size_t count = 0, lo = 0, hi;
	uint32_t rva = (uint32_t)(va - m->base);
	int found = 0;

	memset(&reader, 0, sizeof(reader));
	reader.kernel = s->kernel;
	reader.base = m->base;
	reader.size = m->size;
	if (ps_pe_parse_headers(ps_kernel_image_read, &reader, &pe, NULL) != PS_OK || !pe.is_pe32_plus)
		return 0;
	if (ps_pe_read_pdata(ps_kernel_image_read, &reader, &pe, &rf, &count, NULL) != PS_OK)
		return 0;
	/* Entries are sorted by address (the loader's binary search needs
	 * it); search, then check rather than trust. */
	hi = count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rf[mid].end_rva <= rva)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < count && rf[lo].begin_rva <= rva && rva < rf[lo].end_rva) {
		*start = m->base + rf[lo].begin_rva;
		*end = m->base + rf[lo].end_rva;
		found = 1;
	}
	free(rf);
	return found;
}

int ps_cmd_function_extent(ps_session *s, uint64_t va, uint64_t *start, uint64_t *end)
{
	const ps_module *m = ps_cmd_module_at(s, va);

	if (!m || !s->kernel)
		return 0;
	return pdata_extent(s, m, va, start, end);
}
