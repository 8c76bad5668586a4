/*
 * fuzz_pe.c - the PE reader on arbitrary bytes taken as a file: headers,
 * RVA conversion and the version resource must never crash, hang or read
 * outside the input.
 */
#include <stddef.h>
#include <stdint.h>

#include "poolscope/pe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ps_pe_file pf = { data, size, NULL };
	ps_pe pe;
	ps_pe_version ver;
	ps_error err;
	uint32_t off;

	if (ps_pe_parse_headers(ps_pe_file_read, &pf, &pe, &err) != PS_OK && pe.number_of_sections == 0)
		return 0;
	for (unsigned i = 0; i < 16; i++)
		(void)ps_pe_rva_to_offset(&pe, pe.directories[i].rva, &off);
	pf.pe = &pe;
	(void)ps_pe_read_version(ps_pe_file_read, &pf, &pe, &ver, &err);
	return 0;
}
