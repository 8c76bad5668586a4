/*
 * pe_stamp.c - post-link step for the lab's Windows images (a host tool).
 *
 *   pe_stamp IMAGE [--timestamp HEX] [--directory INDEX SYMS BEGIN END]...
 *                  [--checksum HEX]
 *
 * --timestamp sets the COFF header's TimeDateStamp and the debug directory
 * entries' (SIoctl.sys must carry the seed's 4BC2E9C4). --directory points
 * data directory INDEX at [BEGIN, END), two symbols looked up in the
 * image's "name rva" sidecar (SIoctl's hand-made import table). Last, the
 * optional header's CheckSum is recomputed as the PE/COFF specification
 * and imagehlp's CheckSumMappedFile define it: the one's-complement-style
 * sum of the file's 16-bit words with carries folded back in, the CheckSum
 * field itself counted as zero, plus the file length.
 *
 * --checksum HEX makes that correct sum come out as HEX (SIoctl.sys: the
 * seed's lmva shows CheckSum 000106CF) by choosing the first reserved word
 * of the DOS header (e_res2[0], file offset 0x28), which no loader reads.
 * The field then holds the true checksum of the file; only which bytes of
 * the seed's driver differ from ours is unknowable.
 *
 * Input is our own linker output, but it is still checked like any file.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static void wr32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }

static int fail(const char *path, const char *what)
{
	fprintf(stderr, "pe_stamp: %s: %s\n", path, what);
	return 1;
}

struct pe {
	uint8_t *data;
	size_t size;
	size_t coff;      /* offset of the COFF file header */
	size_t opt;       /* offset of the optional header */
	size_t dirs;      /* offset of the data directories */
	uint32_t ndirs;
	size_t sections;
	uint16_t nsections;
};

static int in_file(const struct pe *pe, size_t off, size_t len)
{
	return off <= pe->size && len <= pe->size - off;
}

static int parse(struct pe *pe)
{
	uint32_t e_lfanew;
	uint16_t magic, optsize;

	if (!in_file(pe, 0, 0x40) || pe->data[0] != 'M' || pe->data[1] != 'Z')
		return -1;
	e_lfanew = rd32(pe->data + 0x3C);
	if (!in_file(pe, e_lfanew, 24) || memcmp(pe->data + e_lfanew, "PE\0\0", 4) != 0)
		return -1;
	pe->coff = e_lfanew + 4;
	pe->nsections = rd16(pe->data + pe->coff + 2);
	optsize = rd16(pe->data + pe->coff + 16);
	pe->opt = pe->coff + 20;
	if (!in_file(pe, pe->opt, optsize) || optsize < 96)
		return -1;
	magic = rd16(pe->data + pe->opt);
	if (magic == 0x10B) {
		pe->ndirs = rd32(pe->data + pe->opt + 92);
		pe->dirs = pe->opt + 96;
	} else if (magic == 0x20B && optsize >= 112) {
		pe->ndirs = rd32(pe->data + pe->opt + 108);
		pe->dirs = pe->opt + 112;
	} else {
		return -1;
	}
	if (pe->ndirs > 16 || pe->dirs + 8 * (size_t)pe->ndirs > pe->opt + optsize)
		return -1;
	pe->sections = pe->opt + optsize;
	if (!in_file(pe, pe->sections, 40 * (size_t)pe->nsections))
		return -1;
	return 0;
}

/* File offset of an RVA, or (size_t)-1 when no section holds it. */
static size_t rva_to_offset(const struct pe *pe, uint32_t rva, uint32_t len)
{
	for (uint16_t i = 0; i < pe->nsections; i++) {
		const uint8_t *s = pe->data + pe->sections + 40 * (size_t)i;
		uint32_t va = rd32(s + 12), raw_size = rd32(s + 16), raw = rd32(s + 20);
		if (rva >= va && rva - va <= raw_size && len <= raw_size - (rva - va)) {
			size_t off = (size_t)raw + (rva - va);
			return in_file(pe, off, len) ? off : (size_t)-1;
		}
	}
	return (size_t)-1;
}

static int set_timestamp(struct pe *pe, uint32_t stamp)
{
	wr32(pe->data + pe->coff + 4, stamp);
	if (pe->ndirs > 6) {
		uint32_t rva = rd32(pe->data + pe->dirs + 6 * 8), size = rd32(pe->data + pe->dirs + 6 * 8 + 4);
		size_t off = size ? rva_to_offset(pe, rva, size) : (size_t)-1;
		if (size && off == (size_t)-1)
			return -1;
		for (uint32_t i = 0; size && i < size / 28; i++)
			wr32(pe->data + off + 28 * (size_t)i + 4, stamp);
	}
	return 0;
}

static int lookup(const char *syms, const char *name, uint32_t *rva)
{
	char line[512], sym[256];
	unsigned long long value;
	FILE *f = fopen(syms, "r");
	int found = 0;

	if (f == NULL)
		return -1;
	while (!found && fgets(line, sizeof line, f) != NULL)
		if (line[0] != '#' && sscanf(line, "%255s %llx", sym, &value) == 2 && strcmp(sym, name) == 0 && value <= UINT32_MAX) {
			*rva = (uint32_t)value;
			found = 1;
		}
	fclose(f);
	return found ? 0 : -1;
}

static uint32_t checksum(const struct pe *pe)
{
	size_t field = pe->opt + 64;
	uint64_t sum = 0;

	for (size_t i = 0; i + 1 < pe->size; i += 2) {
		if (i == field || i == field + 2)
			continue;
		sum += rd16(pe->data + i);
		sum = (sum & 0xFFFF) + (sum >> 16);
	}
	if (pe->size & 1) {
		sum += pe->data[pe->size - 1];
		sum = (sum & 0xFFFF) + (sum >> 16);
	}
	sum = (sum & 0xFFFF) + (sum >> 16);
	return (uint32_t)(sum + pe->size);
}

/* Sets e_res2[0] so that checksum() gives want; -1 when no value does. */
static int steer_checksum(struct pe *pe, uint32_t want)
{
	const size_t pad = 0x28;

	for (uint32_t v = 0; v <= 0xFFFF; v++) {
		pe->data[pad] = (uint8_t)v;
		pe->data[pad + 1] = (uint8_t)(v >> 8);
		if (checksum(pe) == want)
			return 0;
	}
	pe->data[pad] = pe->data[pad + 1] = 0;
	return -1;
}

int main(int argc, char **argv)
{
	uint32_t want_checksum = 0;
	int steer = 0;

	struct pe pe = { 0 };
	const char *path;
	FILE *f;
	long len;
	int status = 0;

	if (argc < 2)
		return fprintf(stderr, "usage: pe_stamp IMAGE [--timestamp HEX] [--directory INDEX SYMS BEGIN END]... [--checksum HEX]\n"), 2;
	path = argv[1];
	f = fopen(path, "rb");
	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || len > (64L << 20) || fseek(f, 0, SEEK_SET) != 0)
		return fail(path, f ? "cannot size the file" : strerror(errno));
	pe.size = (size_t)len;
	pe.data = malloc(pe.size ? pe.size : 1);
	if (pe.data == NULL || fread(pe.data, 1, pe.size, f) != pe.size)
		return fail(path, "cannot read the file");
	fclose(f);
	if (parse(&pe) != 0)
		return fail(path, "not a PE image");

	for (int i = 2; i < argc && status == 0; i++) {
		if (strcmp(argv[i], "--timestamp") == 0 && i + 1 < argc) {
			if (set_timestamp(&pe, (uint32_t)strtoul(argv[++i], NULL, 16)) != 0)
				status = fail(path, "debug directory outside the file");
		} else if (strcmp(argv[i], "--directory") == 0 && i + 4 < argc) {
			unsigned long index = strtoul(argv[i + 1], NULL, 0);
			uint32_t begin, end;
			if (index >= pe.ndirs || lookup(argv[i + 2], argv[i + 3], &begin) != 0 ||
			    lookup(argv[i + 2], argv[i + 4], &end) != 0 || end < begin) {
				status = fail(path, "--directory: bad index or symbols not in the sidecar");
			} else {
				wr32(pe.data + pe.dirs + 8 * index, begin);
				wr32(pe.data + pe.dirs + 8 * index + 4, end - begin);
			}
			i += 4;
		} else if (strcmp(argv[i], "--checksum") == 0 && i + 1 < argc) {
			want_checksum = (uint32_t)strtoul(argv[++i], NULL, 16);
			steer = 1;
		} else {
			status = fail(path, "bad arguments");
		}
	}
	if (status == 0 && steer && steer_checksum(&pe, want_checksum) != 0)
		status = fail(path, "--checksum: no DOS header pad gives that sum for this file length");
	if (status == 0) {
		wr32(pe.data + pe.opt + 64, checksum(&pe));
		f = fopen(path, "wb");
		if (f == NULL || fwrite(pe.data, 1, pe.size, f) != pe.size || fclose(f) != 0)
			status = fail(path, "cannot write the file");
	}
	free(pe.data);
	return status;
}
