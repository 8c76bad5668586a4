/*
 * fuzz_findtag.c - the tag finder on arbitrary bytes taken as a PE file:
 * loading, the hit search, the value walks, the loop search and the report
 * must never crash, hang or read outside the input. Two tags: the corpus
 * loop's FtLp (the seeds are corpus drivers, so the walks run) and the
 * input's own first four bytes' worth at offset 0x40 when there are any.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "poolscope/findtag.h"
#include "poolscope/pe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void scan(ps_pe_file *pf, uint32_t tag)
{
	ps_findtag_image img;
	ps_findtag_result r;
	ps_findtag_report_image rep;
	FILE *out = fopen("/dev/null", "w");

	memset(&img, 0, sizeof img);
	img.name = "fuzz";
	img.read = ps_pe_file_read;
	img.read_ctx = pf;
	/* A hostile SizeOfImage must not make each run map 256 MiB. */
	img.size_limit = 16u << 20;
	memset(&rep, 0, sizeof rep);
	rep.image_name = "fuzz.sys";
	if (ps_findtag_scan(&img, tag, &r, NULL) == PS_OK)
		rep.result = &r;
	else
		rep.error = "unreadable";
	if (out) {
		ps_findtag_report(out, tag, &rep, 1, "the file");
		fclose(out);
	}
	ps_findtag_result_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ps_pe_file pf = { data, size, NULL };
	ps_pe pe;

	if (ps_pe_parse_headers(ps_pe_file_read, &pf, &pe, NULL) != PS_OK)
		return 0;
	pf.pe = &pe;
	scan(&pf, 0x704C7446u); /* 'FtLp' */
	if (size >= 0x44 && ps_le32(data + 0x40))
		scan(&pf, ps_le32(data + 0x40));
	return 0;
}
