/*
 * pe_string.c - NUL-terminated strings inside a PE image (export and import
 * names, DLL names, forwarders, the CodeView PDB path).
 *
 * A string is read a page at a time: in a dump, the page after a short
 * name may be missing, and reading a fixed-size block would fail for a
 * string that is perfectly readable. Inside a page, a failed block read is
 * retried byte by byte, so a name that ends just before the end of a file's
 * section data still reads.
 */
#include "poolscope/pe.h"

#include <string.h>

#define PAGE 0x1000u

/* Scan the bytes at [rva, rva + n) one by one; stops at a NUL. Returns the
 * status of the first unreadable byte. */
static ps_status scan_bytes(ps_pe_read_fn read, void *ctx, uint32_t rva, char *out, size_t n,
			    size_t *got, int *ended)
{
	for (size_t i = 0; i < n; i++) {
		ps_status st = read(ctx, rva + (uint32_t)i, &out[i], 1);
		if (st != PS_OK) {
			*got = i;
			return st;
		}
		if (out[i] == '\0') {
			*got = i;
			*ended = 1;
			return PS_OK;
		}
	}
	*got = n;
	return PS_OK;
}

ps_status ps_pe_read_string(ps_pe_read_fn read, void *ctx, uint32_t rva, char *buf, size_t cap,
			    ps_error *err)
{
	size_t have = 0;
	uint64_t pos = rva;

	if (cap == 0)
		return ps_error_set(err, PS_EARG, "PE string at RVA 0x%x: no room for it", rva);
	buf[0] = '\0';
	while (have < cap - 1) {
		size_t want = PAGE - (size_t)(pos % PAGE), got = 0;
		int ended = 0;
		char *chunk = buf + have;
		ps_status st;

		if (pos > UINT32_MAX)
			return ps_error_set(err, PS_EFORMAT, "PE string at RVA 0x%x runs past the 4 GB RVA space", rva);
		if (want > cap - 1 - have)
			want = cap - 1 - have;
		st = read(ctx, (uint32_t)pos, chunk, want);
		if (st == PS_OK) {
			char *nul = memchr(chunk, '\0', want);
			if (nul)
				return PS_OK;
			got = want;
		} else {
			st = scan_bytes(read, ctx, (uint32_t)pos, chunk, want, &got, &ended);
			if (ended)
				return PS_OK;
			if (st != PS_OK) {
				buf[have + got] = '\0';
				return ps_error_set(err, st, "PE string at RVA 0x%x: byte at RVA 0x%llx cannot be read (%s) before its terminator",
						    rva, (unsigned long long)(pos + got), ps_status_name(st));
			}
		}
		have += got;
		pos += got;
	}
	/* Longer than the caller's buffer: keep the start, as a cut name. */
	buf[cap - 1] = '\0';
	return PS_OK;
}
