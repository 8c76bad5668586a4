/*
 * fuzz_pe.c - the PE reader on arbitrary bytes taken as a file: headers,
 * RVA conversion, the version resource, exports, imports, the CodeView
 * record and .pdata must never crash, hang or read outside the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "poolscope/pe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ps_pe_file pf = { data, size, NULL };
	ps_pe pe;
	ps_pe_version ver;
	ps_pe_export *ex;
	ps_pe_import *imp;
	ps_pe_runtime_function *rf;
	ps_pe_codeview cv;
	ps_error err;
	uint32_t off;
	size_t n;

	if (ps_pe_parse_headers(ps_pe_file_read, &pf, &pe, &err) != PS_OK && pe.number_of_sections == 0)
		return 0;
	for (unsigned i = 0; i < 16; i++)
		(void)ps_pe_rva_to_offset(&pe, pe.directories[i].rva, &off);
	pf.pe = &pe;
	(void)ps_pe_read_version(ps_pe_file_read, &pf, &pe, &ver, &err);
	(void)ps_pe_read_exports(ps_pe_file_read, &pf, &pe, &ex, &n, &err);
	free(ex);
	(void)ps_pe_read_imports(ps_pe_file_read, &pf, &pe, &imp, &n, &err);
	free(imp);
	(void)ps_pe_read_codeview(ps_pe_file_read, &pf, &pe, &cv, &err);
	(void)ps_pe_read_pdata(ps_pe_file_read, &pf, &pe, &rf, &n, &err);
	free(rf);
	return 0;
}
