/*
 * test_disasm_objdump.c - the disassembler finds the same instruction
 * boundaries as GNU objdump in every code section of every lab image.
 *
 * For each image the lab builds (<build>/lab/images/{x86,x64}/), objdump
 * (binutils) disassembles the executable sections linearly; this test
 * decodes the same bytes, read from the file through the PE reader, with
 * the wrapper u/ub/uf use, and compares the sequence of instruction start
 * addresses section by section. objdump runs with -z (zero runs are
 * disassembled, not skipped) and a wide byte column (no continuation lines).
 * Where the image has a COFF symbol table objdump restarts at each symbol,
 * and so does the comparison.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cmd/disasm.h"
#include "poolscope/pe.h"

#define MAX_STARTS 200000

typedef struct section_run {
	char name[64];
	uint64_t *starts;
	size_t count;
	/* objdump starts decoding afresh at every symbol of a COFF symbol
	 * table (gnudrv.sys has __CTOR_LIST__ data inside .text), so the
	 * comparison does too: no instruction runs across a label. */
	uint64_t *labels;
	size_t label_count;
} section_run;

/* Compare one section's objdump starts with the wrapper's. */
static int compare_section(const char *file, const ps_pe *pe, ps_pe_file *pf, ps_disasm *d,
			   const section_run *run)
{
	const ps_pe_section *sec = NULL;
	uint8_t *bytes;
	uint64_t base = pe->image_base, va, end;
	size_t size, i = 0, off = 0, next_label = 0;
	unsigned k;
	int ok = 1;

	for (k = 0; k < pe->number_of_sections; k++)
		if (strcmp(pe->sections[k].name, run->name) == 0)
			sec = &pe->sections[k];
	if (!sec || run->count == 0) {
		fprintf(stderr, "%s: section %s: not in the headers or empty\n", file, run->name);
		return 0;
	}
	size = sec->virtual_size ? sec->virtual_size : sec->raw_size;
	bytes = malloc(size);
	if (!bytes || ps_pe_file_read(pf, sec->virtual_address, bytes, size) != PS_OK) {
		fprintf(stderr, "%s: section %s: cannot read %zu bytes\n", file, run->name, size);
		free(bytes);
		return 0;
	}
	va = base + sec->virtual_address;
	end = run->starts[run->count - 1];
	while (va <= end && off < size) {
		size_t avail = size - off;
		unsigned len;

		while (next_label < run->label_count && run->labels[next_label] <= va)
			next_label++;
		if (next_label < run->label_count && run->labels[next_label] - va < avail)
			avail = (size_t)(run->labels[next_label] - va);
		len = ps_disasm_length(d, bytes + off, avail);

		if (i >= run->count || run->starts[i] != va) {
			fprintf(stderr, "%s %s: instruction %zu starts at %llx here, at %llx in objdump\n",
				file, run->name, i, (unsigned long long)va,
				i < run->count ? (unsigned long long)run->starts[i] : 0ull);
			ok = 0;
			break;
		}
		i++;
		/* Both show an undecodable byte as a one-byte line. */
		if (len == 0)
			len = 1;
		off += len;
		va += len;
	}
	if (ok && i != run->count) {
		fprintf(stderr, "%s %s: %zu instructions here, %zu in objdump\n", file, run->name, i,
			run->count);
		ok = 0;
	}
	free(bytes);
	return ok;
}

static void check_image(const char *arch, const char *name)
{
	char path[1024], cmd[1200], line[1024];
	const char *dir = getenv("PS_BUILD_DIR");
	size_t size;
	uint8_t *data;
	ps_pe pe;
	ps_pe_file pf;
	ps_disasm *d;
	FILE *p;
	section_run run;
	int sections = 0, good = 0;
	size_t total = 0;

	snprintf(path, sizeof(path), "%s/lab/images/%s/%s", dir ? dir : ".", arch, name);
	data = check_read_file(path, &size);
	if (!data) {
		fprintf(stderr, "%s: cannot read (%s); build the lab_images target\n", path, strerror(errno));
		CHECK(data != NULL);
		return;
	}
	memset(&pf, 0, sizeof(pf));
	pf.data = data;
	pf.size = size;
	if (ps_pe_parse_headers(ps_pe_file_read, &pf, &pe, NULL) != PS_OK) {
		CHECK(!"PE headers parse");
		free(data);
		return;
	}
	pf.pe = &pe;
	CHECK(ps_disasm_create(pe.is_pe32_plus ? 64 : 32, NULL, NULL, &d, NULL) == PS_OK);

	snprintf(cmd, sizeof(cmd), "objdump -d -z -M intel --insn-width=16 '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	CHECK(p != NULL);
	memset(&run, 0, sizeof(run));
	run.starts = malloc(MAX_STARTS * sizeof(*run.starts));
	run.labels = malloc(MAX_STARTS * sizeof(*run.labels));
	while (p && run.starts && run.labels && fgets(line, sizeof(line), p)) {
		unsigned long long a;
		char sec[64];

		if (sscanf(line, "Disassembly of section %63[^:]:", sec) == 1) {
			if (run.name[0]) {
				sections++;
				total += run.count;
				good += compare_section(path, &pe, &pf, d, &run);
			}
			snprintf(run.name, sizeof(run.name), "%s", sec);
			run.count = 0;
			run.label_count = 0;
			continue;
		}
		/* "00011108 <__DTOR_LIST__>:" */
		if (run.name[0] && sscanf(line, "%llx <", &a) == 1 && strstr(line, ">:") &&
		    run.label_count < MAX_STARTS) {
			run.labels[run.label_count++] = a;
			continue;
		}
		/* "   11000:\t56   \tpush   esi" */
		if (run.name[0] && sscanf(line, " %llx:\t", &a) == 1 && strchr(line, '\t') &&
		    run.count < MAX_STARTS)
			run.starts[run.count++] = a;
	}
	if (run.name[0]) {
		sections++;
		total += run.count;
		good += compare_section(path, &pe, &pf, d, &run);
	}
	CHECK(p && pclose(p) == 0);
	CHECK(sections > 0);
	CHECK(good == sections);
	printf("%s/%s: %d code sections, %zu instructions, %d agree\n", arch, name, sections, total, good);
	free(run.starts);
	free(run.labels);
	ps_disasm_destroy(d);
	free(data);
}

int main(void)
{
	static const char *const images[] = {"ntoskrnl.exe", "hal.dll", "SIoctl.sys", "volmgrx.sys",
					     "clfs.sys", "ci.dll", "tcpip.sys", "gnudrv.sys"};
	static const char *const arches[] = {"x86", "x64"};
	size_t i, j;

	for (i = 0; i < 2; i++)
		for (j = 0; j < sizeof(images) / sizeof(images[0]); j++)
			check_image(arches[i], images[j]);
	return CHECK_DONE();
}
