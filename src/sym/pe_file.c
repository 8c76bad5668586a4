/*
 * pe_file.c - the PE read callback for an image held as file bytes.
 *
 * Reading a file by RVA means mapping it the way the loader would: headers
 * at RVA 0, each section's raw data at its VirtualAddress, and the part of a
 * section beyond its raw data (VirtualSize > SizeOfRawData) as zeros.
 */
#include "poolscope/pe.h"

#include <string.h>

#include "core/bytes.h"

/* The section whose mapped extent holds `rva`, or NULL. */
static const ps_pe_section *section_at(const ps_pe *pe, uint32_t rva, uint64_t *extent)
{
	for (unsigned i = 0; i < pe->number_of_sections && i < PS_PE_MAX_SECTIONS; i++) {
		const ps_pe_section *s = &pe->sections[i];
		uint64_t size = s->virtual_size > s->raw_size ? s->virtual_size : s->raw_size;
		if (rva >= s->virtual_address && rva - s->virtual_address < size) {
			*extent = size;
			return s;
		}
	}
	return NULL;
}

static ps_status copy_file(const ps_pe_file *f, uint64_t off, uint8_t *out, size_t n)
{
	if (!ps_in_bounds(off, n, f->size))
		return PS_EFORMAT;
	memcpy(out, f->data + off, n);
	return PS_OK;
}

ps_status ps_pe_file_read(void *ctx, uint32_t rva, void *buf, size_t len)
{
	const ps_pe_file *f = ctx;
	uint8_t *out = buf;
	uint64_t pos = rva;

	if (!f->pe)
		return copy_file(f, rva, out, len);

	while (len) {
		const ps_pe_section *s;
		uint64_t extent, in_sec, n;
		ps_status st;

		if (pos > UINT32_MAX)
			return PS_EINVALID;
		s = section_at(f->pe, (uint32_t)pos, &extent);
		if (s) {
			in_sec = pos - s->virtual_address;
			if (in_sec < s->raw_size) {
				n = s->raw_size - in_sec;
				if (n > len)
					n = len;
				st = copy_file(f, (uint64_t)s->raw_offset + in_sec, out, (size_t)n);
				if (st != PS_OK)
					return st;
			} else {
				n = extent - in_sec;
				if (n > len)
					n = len;
				memset(out, 0, (size_t)n);
			}
		} else if (pos < f->pe->size_of_headers) {
			n = f->pe->size_of_headers - pos;
			if (n > len)
				n = len;
			st = copy_file(f, pos, out, (size_t)n);
			if (st != PS_OK)
				return st;
		} else {
			return PS_EINVALID;
		}
		out += n;
		pos += n;
		len -= (size_t)n;
	}
	return PS_OK;
}
