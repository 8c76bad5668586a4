/*
 * test_dump_synthetic.c - the dump layer over dumps built in memory.
 *
 * Builds x86 (PAGEDUMP, with and without PAE) and x64 full dumps with holes
 * between runs, and bitmap dumps ('SDMP' and 'FDMP') of the same memory.
 * Every physical page holds bytes derived from its own page number, so a
 * page mapped to the wrong file offset is caught. Then damaged and hostile
 * variants: each must give a clear error, or open with warnings and serve
 * what is still there.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/bytes.h"
#include "poolscope/dump.h"

#define PAGE 0x1000u

typedef struct run {
	uint64_t base, count;
} run;

typedef struct blob {
	uint8_t *p;
	size_t size;
} blob;

/* Page contents: every 8-byte word names its page and position. */
static void fill_page(uint8_t *p, uint64_t pfn)
{
	for (unsigned i = 0; i < PAGE / 8; i++)
		ps_put_le64(p + 8 * i, 0xD00D000000000000ull | (pfn << 12) | i);
}

static int page_ok(const uint8_t *p, uint64_t pfn)
{
	uint8_t want[PAGE];

	if (!p)
		return 0;
	fill_page(want, pfn);
	return memcmp(p, want, PAGE) == 0;
}

static uint64_t count_pages(const run *r, size_t n)
{
	uint64_t t = 0;
	for (size_t i = 0; i < n; i++)
		t += r[i].count;
	return t;
}

static int in_runs(const run *r, size_t n, uint64_t pfn)
{
	for (size_t i = 0; i < n; i++)
		if (pfn >= r[i].base && pfn < r[i].base + r[i].count)
			return 1;
	return 0;
}

static void fill_pattern(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = "PAGE"[i % 4];
}

/* The common part of both header layouts. */
static void header_common(uint8_t *h, int x64, uint32_t dump_type)
{
	memcpy(h, x64 ? "PAGEDU64" : "PAGEDUMP", 8);
	ps_put_le32(h + 8, 0xF);
	ps_put_le32(h + 0xC, x64 ? 19041 : 7601);
	if (x64) {
		ps_put_le64(h + 0x10, 0x1ad000);
		ps_put_le64(h + 0x20, 0xfffff8047c62a390ull);
		ps_put_le32(h + 0x30, 0x8664);
		ps_put_le32(h + 0x34, 4);
		ps_put_le32(h + 0x38, 0xC2);
		ps_put_le64(h + 0x40, 7);
		ps_put_le64(h + 0x48, 0x1234);
		ps_put_le64(h + 0x50, 0x4547415045474150ull); /* a parameter may read 'PAGE' */
		ps_put_le64(h + 0x58, 0xffffb00112345678ull);
		ps_put_le64(h + 0x80, 0xfffff8047c600b20ull);
		ps_put_le32(h + 0xF98, dump_type);
	} else {
		ps_put_le32(h + 0x10, 0x185000);
		ps_put_le32(h + 0x18, 0x82b7a850);
		ps_put_le32(h + 0x20, 0x14C);
		ps_put_le32(h + 0x24, 1);
		ps_put_le32(h + 0x28, 0x19);
		ps_put_le32(h + 0x2C, 0x20);
		ps_put_le32(h + 0x30, 0x85a07000);
		ps_put_le32(h + 0x34, 0x85a07010);
		ps_put_le32(h + 0x38, 0x0a000001);
		ps_put_le32(h + 0x60, 0x82b6fc28);
		ps_put_le32(h + 0xF88, dump_type);
	}
}

static void header_runs(uint8_t *h, int x64, const run *r, size_t n, uint32_t claimed_runs)
{
	if (x64) {
		ps_put_le32(h + 0x88, claimed_runs);
		ps_put_le32(h + 0x8C, 0);
		ps_put_le64(h + 0x90, count_pages(r, n));
		for (size_t i = 0; i < n; i++) {
			ps_put_le64(h + 0x98 + 16 * i, r[i].base);
			ps_put_le64(h + 0xA0 + 16 * i, r[i].count);
		}
	} else {
		ps_put_le32(h + 0x64, claimed_runs);
		ps_put_le32(h + 0x68, (uint32_t)count_pages(r, n));
		for (size_t i = 0; i < n; i++) {
			ps_put_le32(h + 0x6C + 8 * i, (uint32_t)r[i].base);
			ps_put_le32(h + 0x70 + 8 * i, (uint32_t)r[i].count);
		}
	}
}

/* A run-based full dump (DumpType 1). */
static blob build_full(int x64, int pae, const run *r, size_t n)
{
	size_t hs = x64 ? 0x2000 : 0x1000;
	uint64_t pages = count_pages(r, n), idx = 0;
	blob b;

	b.size = hs + pages * PAGE;
	b.p = malloc(b.size);
	fill_pattern(b.p, hs);
	header_common(b.p, x64, 1);
	if (!x64)
		b.p[0x5C] = (uint8_t)pae;
	header_runs(b.p, x64, r, n, (uint32_t)n);
	ps_put_le64(b.p + 0xFA0, b.size);
	for (size_t i = 0; i < n; i++)
		for (uint64_t k = 0; k < r[i].count; k++)
			fill_page(b.p + hs + PAGE * idx++, r[i].base + k);
	return b;
}

/* A bitmap dump (DumpType 5) holding the same pages as build_full. */
static blob build_bitmap(int x64, const char *sig, const run *r, size_t n, uint64_t nbits)
{
	size_t hs = x64 ? 0x2000 : 0x1000;
	uint64_t pages = count_pages(r, n), bytes = (nbits + 7) / 8;
	uint64_t first = (hs + 0x38 + bytes + PAGE - 1) / PAGE * PAGE;
	uint8_t *bm;
	uint64_t idx = 0;
	blob b;

	b.size = first + pages * PAGE;
	b.p = calloc(1, b.size);
	fill_pattern(b.p, hs);
	header_common(b.p, x64, 5);
	header_runs(b.p, x64, r, n, (uint32_t)n);
	memcpy(b.p + hs, sig, 4);
	memcpy(b.p + hs + 4, "DUMP", 4);
	ps_put_le64(b.p + hs + 0x20, first);
	ps_put_le64(b.p + hs + 0x28, pages);
	ps_put_le64(b.p + hs + 0x30, nbits);
	bm = b.p + hs + 0x38;
	for (uint64_t pfn = 0; pfn < nbits; pfn++) {
		if (!in_runs(r, n, pfn))
			continue;
		bm[pfn / 8] |= (uint8_t)(1u << (pfn % 8));
		fill_page(b.p + first + PAGE * idx++, pfn);
	}
	return b;
}

static ps_dump *open_blob(blob b, const char *name, ps_error *err)
{
	ps_dump *d = NULL;
	ps_error_clear(err);
	if (ps_dump_open_memory(b.p, b.size, name, &d, err) != PS_OK)
		return NULL;
	return d;
}

/* Every page below `limit` maps to its own bytes, or is absent exactly when
 * it is outside the runs. */
static void check_all_pages(ps_dump *d, const run *r, size_t n, uint64_t limit)
{
	int bad = 0;
	for (uint64_t pfn = 0; pfn < limit; pfn++) {
		const uint8_t *p = ps_dump_page(d, pfn);
		if (in_runs(r, n, pfn) ? !page_ok(p, pfn) : p != NULL) {
			fprintf(stderr, "page 0x%llx wrong\n", (unsigned long long)pfn);
			bad++;
		}
	}
	CHECK(bad == 0);
}

static const run runs64[] = { { 0x1, 3 }, { 0x6, 2 }, { 0x1F8, 0x10 }, { 0x1000, 2 }, { 0x2FFF, 1 } };
#define NRUNS64 (sizeof runs64 / sizeof runs64[0])

static void test_full_x64(void)
{
	blob b = build_full(1, 0, runs64, NRUNS64);
	ps_error err;
	ps_dump *d = open_blob(b, "full64", &err);
	uint8_t buf[3 * PAGE];
	uint64_t off;

	CHECK(d != NULL);
	if (!d) {
		fprintf(stderr, "%s\n", err.message);
		free(b.p);
		return;
	}
	const ps_dump_info *in = ps_dump_get_info(d);
	CHECK(in->arch == PS_ARCH_X64);
	CHECK(in->paging == PS_PAGING_X64);
	CHECK_EQ_U64(in->header_size, 0x2000);
	CHECK_EQ_U64(in->dump_type, 1);
	CHECK_EQ_U64(in->minor_version, 19041);
	CHECK_EQ_U64(in->directory_table_base, 0x1ad000);
	CHECK_EQ_U64(in->bugcheck_code, 0xC2);
	CHECK_EQ_U64(in->bugcheck_parameters[0], 7);
	CHECK_EQ_U64(in->bugcheck_parameters[2], 0x4547415045474150ull);
	CHECK_EQ_U64(in->bugcheck_parameters[3], 0xffffb00112345678ull);
	CHECK_EQ_U64(in->kd_debugger_data_block, 0xfffff8047c600b20ull);
	CHECK_EQ_U64(in->ps_active_process_head, 0); /* left as 'PAGE' */
	CHECK_EQ_U64(in->system_time, 0);
	CHECK_STR(in->comment, "");
	CHECK_EQ_U64(in->run_count, NRUNS64);
	CHECK_EQ_U64(in->runs[2].base_page, 0x1F8);
	CHECK_EQ_U64(in->number_of_pages, count_pages(runs64, NRUNS64));
	CHECK_EQ_U64(in->present_pages, count_pages(runs64, NRUNS64));
	CHECK_EQ_U64(in->context_size, 0x4D0);
	CHECK(in->context == b.p + 0x348);
	CHECK_EQ_U64(ps_dump_page_limit(d), 0x3000);
	CHECK_EQ_U64(ps_dump_warning_count(d), 0);
	check_all_pages(d, runs64, NRUNS64, 0x3100);

	/* Offsets follow run order: page 0x6 is the fourth stored page. */
	CHECK(ps_dump_page_offset(d, 0x6, &off, &err) == PS_OK);
	CHECK_EQ_U64(off, 0x2000 + 3 * PAGE);
	CHECK(ps_dump_page_offset(d, 0x5, &off, &err) == PS_ENOTPRESENT);
	CHECK(strstr(err.message, "0x5") != NULL);

	/* Reads inside a run cross pages; a read into a hole names the page. */
	CHECK(ps_dump_read_physical(d, 0x1FF * PAGE + 0x800, buf, 2 * PAGE, &err) == PS_OK);
	CHECK(page_ok(ps_dump_page(d, 0x200), 0x200));
	CHECK(memcmp(buf, ps_dump_page(d, 0x1FF) + 0x800, 0x800) == 0);
	CHECK(memcmp(buf + 0x800, ps_dump_page(d, 0x200), PAGE) == 0);
	CHECK(ps_dump_read_physical(d, 3 * PAGE + 0x10, buf, PAGE, &err) == PS_ENOTPRESENT);
	CHECK(strstr(err.message, "0x4000") != NULL);
	CHECK(ps_dump_read_physical(d, UINT64_MAX - 4, buf, 16, &err) == PS_EARG);
	CHECK(ps_dump_read_physical(d, 0x1000, buf, 0, &err) == PS_OK);

	/* Not a triage dump: the triage accessors are empty. */
	size_t n = 99;
	CHECK_EQ_U64(ps_dump_triage_block_count(d), 0);
	CHECK_EQ_U64(ps_dump_triage_driver_count(d), 0);
	CHECK(ps_dump_triage_va(d, 0xfffff80000000000ull, &n) == NULL && n == 0);
	CHECK(ps_dump_triage_kdbg(d, &n) == NULL);
	ps_dump_close(d);
	free(b.p);
}

static const run runs32[] = { { 0x0, 2 }, { 0x9F, 1 }, { 0x100, 0x20 }, { 0x7FF0, 0x10 } };
#define NRUNS32 (sizeof runs32 / sizeof runs32[0])

static void test_full_x86(int pae)
{
	blob b = build_full(0, pae, runs32, NRUNS32);
	ps_error err;
	ps_dump *d = open_blob(b, "full32", &err);

	CHECK(d != NULL);
	if (!d) {
		fprintf(stderr, "%s\n", err.message);
		free(b.p);
		return;
	}
	const ps_dump_info *in = ps_dump_get_info(d);
	CHECK(in->arch == PS_ARCH_X86);
	CHECK(in->paging == (pae ? PS_PAGING_PAE : PS_PAGING_X86));
	CHECK_EQ_U64(in->header_size, 0x1000);
	CHECK_EQ_U64(in->minor_version, 7601);
	CHECK_EQ_U64(in->machine_image_type, 0x14C);
	CHECK_EQ_U64(in->directory_table_base, 0x185000);
	CHECK_EQ_U64(in->ps_loaded_module_list, 0x82b7a850);
	CHECK_EQ_U64(in->bugcheck_code, 0x19);
	CHECK_EQ_U64(in->bugcheck_parameters[0], 0x20);
	CHECK_EQ_U64(in->bugcheck_parameters[3], 0x0a000001);
	CHECK_EQ_U64(in->kd_debugger_data_block, 0x82b6fc28);
	CHECK_EQ_U64(in->context_size, 0x2CC);
	CHECK(in->context == b.p + 0x320);
	CHECK_EQ_U64(in->run_count, NRUNS32);
	CHECK_EQ_U64(in->number_of_pages, count_pages(runs32, NRUNS32));
	CHECK_EQ_U64(ps_dump_page_limit(d), 0x8000);
	CHECK_EQ_U64(ps_dump_warning_count(d), 0);
	check_all_pages(d, runs32, NRUNS32, 0x8010);
	ps_dump_close(d);
	free(b.p);
}

/* The same memory as a full dump and as bitmap dumps reads the same. */
static void test_bitmap(int x64, const char *sig)
{
	const run *r = x64 ? runs64 : runs32;
	size_t n = x64 ? NRUNS64 : NRUNS32;
	uint64_t bits = x64 ? 0x3008 : 0x8000;
	blob full = build_full(x64, 1, r, n);
	blob bmp = build_bitmap(x64, sig, r, n, bits);
	ps_error err;
	ps_dump *df = open_blob(full, "full", &err);
	ps_dump *db = open_blob(bmp, "bitmap", &err);
	int same = 1;

	CHECK(df != NULL && db != NULL);
	if (!df || !db) {
		fprintf(stderr, "%s\n", err.message);
		goto out;
	}
	const ps_dump_info *in = ps_dump_get_info(db);
	CHECK_EQ_U64(in->dump_type, 5);
	CHECK_EQ_U64(in->bitmap_signature, ps_le32(sig));
	CHECK_EQ_U64(in->present_pages, count_pages(r, n));
	CHECK_EQ_U64(ps_dump_page_limit(db), bits);
	CHECK_EQ_U64(ps_dump_warning_count(db), 0);
	check_all_pages(db, r, n, bits + 16);
	for (uint64_t pfn = 0; pfn < bits; pfn++) {
		const uint8_t *a = ps_dump_page(df, pfn), *b = ps_dump_page(db, pfn);
		if ((a == NULL) != (b == NULL) || (a && memcmp(a, b, PAGE) != 0))
			same = 0;
	}
	CHECK(same);
	uint8_t x[2 * PAGE], y[2 * PAGE];
	CHECK(ps_dump_read_physical(df, r[2].base * PAGE + 0x123, x, sizeof x, &err) == PS_OK);
	CHECK(ps_dump_read_physical(db, r[2].base * PAGE + 0x123, y, sizeof y, &err) == PS_OK);
	CHECK(memcmp(x, y, sizeof x) == 0);
out:
	ps_dump_close(df);
	ps_dump_close(db);
	free(full.p);
	free(bmp.p);
}

/* ---- damaged and hostile inputs ---------------------------------------- */

static int has_warning(ps_dump *d, const char *needle)
{
	for (size_t i = 0; i < ps_dump_warning_count(d); i++)
		if (strstr(ps_dump_warning(d, i), needle))
			return 1;
	return 0;
}

static void test_bad_headers(void)
{
	uint8_t small[16] = "PAGEDU64";
	uint8_t *zero = calloc(1, 0x2000);
	blob b = build_full(1, 0, runs64, NRUNS64);
	ps_dump *d = NULL;
	ps_error err;

	CHECK(ps_dump_open_memory(small, 0, "empty", &d, &err) == PS_EFORMAT && d == NULL);
	CHECK(strstr(err.message, "empty") != NULL);
	CHECK(ps_dump_open_memory(small, 16, "short", &d, &err) == PS_EFORMAT);
	CHECK(strstr(err.message, "truncated header") != NULL);
	CHECK(ps_dump_open_memory(b.p, 0x1FFF, "cut", &d, &err) == PS_EFORMAT);
	CHECK(ps_dump_open_memory(zero, 0x2000, "zero", &d, &err) == PS_EFORMAT);
	CHECK(strstr(err.message, "signature") != NULL);
	memcpy(zero, "PAGEDU32", 8);
	CHECK(ps_dump_open_memory(zero, 0x2000, "wrongsig", &d, &err) == PS_EFORMAT);
	CHECK(strstr(err.message, "wrongsig") != NULL);
	CHECK(ps_dump_open("/nonexistent/poolscope/x.dmp", &d, &err) == PS_EIO);

	/* DumpType never written. */
	ps_put_le32(b.p + 0xF98, 0x45474150);
	CHECK(ps_dump_open_memory(b.p, b.size, "notype", &d, &err) == PS_EFORMAT);
	/* A header-only dump opens, with no pages. */
	ps_put_le32(b.p + 0xF98, 3);
	d = open_blob(b, "header-only", &err);
	CHECK(d != NULL && ps_dump_page(d, 1) == NULL);
	ps_dump_close(d);
	/* An unknown DumpType opens with a warning. */
	ps_put_le32(b.p + 0xF98, 0x77);
	d = open_blob(b, "type77", &err);
	CHECK(d != NULL && has_warning(d, "DumpType 119"));
	ps_dump_close(d);
	free(zero);
	free(b.p);
}

static void test_bad_runs(void)
{
	blob b = build_full(1, 0, runs64, NRUNS64);
	ps_error err;
	ps_dump *d;

	/* NumberOfRuns huge: clamped to what the header can hold, the garbage
	 * runs past ours are dropped, our pages still read. */
	ps_put_le32(b.p + 0x88, 0xFFFFFFF0u);
	d = open_blob(b, "manyruns", &err);
	CHECK(d != NULL);
	if (d) {
		CHECK_EQ_U64(ps_dump_get_info(d)->run_count, 42);
		CHECK(has_warning(d, "at most 42"));
		CHECK(page_ok(ps_dump_page(d, 0x1F8), 0x1F8));
		ps_dump_close(d);
	}
	ps_put_le32(b.p + 0x88, NRUNS64);

	/* A run whose page count overflows: it and later runs are ignored. */
	ps_put_le64(b.p + 0x98 + 16 * 2, 0xFFFFFFFFFFFFFF00ull);
	ps_put_le64(b.p + 0xA0 + 16 * 2, 0x1000);
	d = open_blob(b, "overflow", &err);
	CHECK(d != NULL);
	if (d) {
		CHECK(has_warning(d, "beyond any physical address"));
		CHECK(page_ok(ps_dump_page(d, 0x6), 0x6));
		CHECK(ps_dump_page(d, 0x1000) == NULL);
		CHECK(ps_dump_page(d, 0xFFFFFFFFFFFFFF00ull) == NULL);
		ps_dump_close(d);
	}
	free(b.p);

	/* Runs beyond the end of the file: the file ends in the middle of run
	 * 2, so it is cut short and the later runs are missing. */
	b = build_full(1, 0, runs64, NRUNS64);
	b.size = 0x2000 + (5 + 4) * PAGE + 0x800;
	d = open_blob(b, "truncated", &err);
	CHECK(d != NULL);
	if (d) {
		CHECK(has_warning(d, "cut short"));
		CHECK(has_warning(d, "past the end"));
		CHECK(page_ok(ps_dump_page(d, 0x1FB), 0x1FB));
		CHECK(ps_dump_page(d, 0x1FC) == NULL);
		CHECK(ps_dump_page(d, 0x1000) == NULL);
		CHECK_EQ_U64(ps_dump_get_info(d)->present_pages, 9);
		ps_dump_close(d);
	}
	free(b.p);

	/* Unsorted and overlapping runs: sorted, the overlap dropped. */
	static const run messy[] = { { 0x10, 4 }, { 0x2, 2 }, { 0x11, 2 }, { 0x20, 1 } };
	b = build_full(1, 0, messy, 4);
	d = open_blob(b, "messy", &err);
	CHECK(d != NULL);
	if (d) {
		CHECK(has_warning(d, "ascending"));
		CHECK(has_warning(d, "overlaps"));
		CHECK(page_ok(ps_dump_page(d, 0x2), 0x2));
		CHECK(page_ok(ps_dump_page(d, 0x11), 0x11)); /* from the first run */
		CHECK(page_ok(ps_dump_page(d, 0x20), 0x20));
		ps_dump_close(d);
	}
	free(b.p);
}

static void test_bad_bitmap(void)
{
	uint64_t bits = 0x3008;
	blob b = build_bitmap(1, "SDMP", runs64, NRUNS64, bits);
	uint64_t first = ps_le64(b.p + 0x2020);
	ps_error err;
	ps_dump *d;

	/* More set bits than stored pages: the last ones are missing. */
	d = open_blob((blob){ b.p, b.size - 2 * PAGE }, "short-bitmap", &err);
	CHECK(d != NULL);
	if (d) {
		CHECK(has_warning(d, "missing"));
		CHECK(page_ok(ps_dump_page(d, 0x1000), 0x1000));
		CHECK(ps_dump_page(d, 0x1001) == NULL);
		CHECK(ps_dump_page(d, 0x2FFF) == NULL);
		CHECK_EQ_U64(ps_dump_get_info(d)->present_pages, count_pages(runs64, NRUNS64) - 2);
		ps_dump_close(d);
	}

	/* TotalPresentPages disagreeing with the bits: a warning. */
	ps_put_le64(b.p + 0x2028, 5);
	d = open_blob(b, "count", &err);
	CHECK(d != NULL && has_warning(d, "bits are set"));
	CHECK(d && page_ok(ps_dump_page(d, 0x2FFF), 0x2FFF));
	ps_dump_close(d);

	/* A bitmap claiming 2^60 bits: clamped to the file, no huge alloc. */
	ps_put_le64(b.p + 0x2030, 1ull << 60);
	d = open_blob(b, "hugebitmap", &err);
	CHECK(d != NULL && has_warning(d, "past the end of the file"));
	if (d) {
		CHECK(ps_dump_page_limit(d) <= (uint64_t)b.size * 8);
		CHECK(ps_dump_page(d, 1ull << 50) == NULL);
		ps_dump_close(d);
	}
	ps_put_le64(b.p + 0x2030, bits);

	/* FirstPage past the end of the file: no page is present. */
	ps_put_le64(b.p + 0x2020, b.size + PAGE);
	d = open_blob(b, "firstpage", &err);
	CHECK(d != NULL && ps_dump_page(d, 1) == NULL && ps_dump_get_info(d)->present_pages == 0);
	ps_dump_close(d);
	ps_put_le64(b.p + 0x2020, first);

	/* No SDMP header at all, and a file that ends inside it. */
	memcpy(b.p + 0x2000, "XDMP", 4);
	d = open_blob(b, "nosig", &err);
	CHECK(d != NULL && has_warning(d, "no 'SDMP'"));
	CHECK(d && ps_dump_page(d, 1) == NULL);
	ps_dump_close(d);
	d = open_blob((blob){ b.p, 0x2010 }, "cutbmp", &err);
	CHECK(d != NULL && has_warning(d, "cut short"));
	ps_dump_close(d);
	free(b.p);
}


/* ---- triage dumps ------------------------------------------------------- */

/* File layout of the synthetic triage dump (offsets from the triage header
 * start are formats.md §1.7; the rest is our own arrangement). */
#define T_DRIVERS 0x100
#define T_POOL 0x400
#define T_KDBG 0x600
#define T_BLOCKS 0x700
#define T_DATA 0x800
#define T_STACK 0xB00
#define T_PAGE 0xD00
#define T_UNLOADED 0xD80
#define T_VALID 0xE00
#define T_END 0x1000

static const char *const tri_names[] = { "\\SystemRoot\\system32\\ntoskrnl.exe", "hal.dll", "caf\xc3\xa9\xf0\x9f\x98\x80.sys" };
/* UTF-16 of the third name: c a f U+00E9 U+1F600 . s y s */
static const uint16_t tri_name3[] = { 'c', 'a', 'f', 0xE9, 0xD83D, 0xDE00, '.', 's', 'y', 's' };

static uint64_t tri_va(int x64, uint64_t low)
{
	return x64 ? 0xfffff80000000000ull + low : 0x80000000u + low;
}

static size_t put_name(uint8_t *p, const char *ascii, const uint16_t *wide, size_t wide_len)
{
	size_t n = wide ? wide_len : strlen(ascii);
	ps_put_le32(p, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		ps_put_le16(p + 4 + 2 * i, wide ? wide[i] : (uint16_t)ascii[i]);
	ps_put_le16(p + 4 + 2 * n, 0);
	return (4 + 2 * n + 2 + 7) / 8 * 8;
}

static blob build_triage(int x64)
{
	size_t hs = x64 ? 0x2000 : 0x1000;
	uint32_t drv_size = x64 ? 0x90 : 0x4C, ldr = x64 ? 8 : 4, ps = x64 ? 8 : 4;
	uint32_t bsize = x64 ? 16 : 12;
	uint32_t name_off[3];
	blob b;
	uint8_t *t;

	b.size = hs + T_END;
	b.p = calloc(1, b.size);
	fill_pattern(b.p, hs);
	header_common(b.p, x64, 4);
	t = b.p + hs;

	/* String pool and driver list. */
	size_t pool = 0;
	for (int i = 0; i < 3; i++) {
		name_off[i] = (uint32_t)(hs + T_POOL + pool);
		pool += put_name(b.p + name_off[i], tri_names[i], i == 2 ? tri_name3 : NULL, 10);
	}
	for (int i = 0; i < 3; i++) {
		uint8_t *e = b.p + hs + T_DRIVERS + drv_size * i;
		uint8_t *l = e + ldr;
		ps_put_le32(e, name_off[i]);
		if (x64) {
			ps_put_le64(l + 0x30, tri_va(1, 0x100000ull * (i + 1)));
			ps_put_le32(l + 0x40, 0x10000u * (i + 1));
			ps_put_le32(l + 0x78, 0xC0DE0000u + i);
			ps_put_le32(l + 0x80, 0x5EED0000u + i);
		} else {
			ps_put_le32(l + 0x18, (uint32_t)tri_va(0, 0x100000u * (i + 1)));
			ps_put_le32(l + 0x20, 0x10000u * (i + 1));
			ps_put_le32(l + 0x40, 0xC0DE0000u + i);
			ps_put_le32(l + 0x44, 0x5EED0000u + i);
		}
	}
	/* KDBG copy. */
	memcpy(b.p + hs + T_KDBG + 0x10, "KDBG", 4);
	ps_put_le32(b.p + hs + T_KDBG + 0x14, 0x80);
	/* Block bytes: distinct values everywhere. */
	for (size_t i = T_DATA; i < T_VALID; i++)
		b.p[hs + i] = (uint8_t)(i * 7 + 3);
	/* Data blocks: B overlaps the start of A; C stands alone. */
	static const uint32_t blk[3][3] = { { 0x1000, T_DATA, 0x100 },
					    { 0x0F80, T_DATA + 0x100, 0x100 },
					    { 0x5000, T_DATA + 0x200, 0x40 } };
	for (int i = 0; i < 3; i++) {
		uint8_t *e = b.p + hs + T_BLOCKS + bsize * i;
		if (x64)
			ps_put_le64(e, tri_va(1, blk[i][0]));
		else
			ps_put_le32(e, (uint32_t)tri_va(0, blk[i][0]));
		ps_put_le32(e + ps, (uint32_t)hs + blk[i][1]);
		ps_put_le32(e + ps + 4, blk[i][2]);
	}
	memcpy(b.p + hs + T_VALID, "TRGD", 4);

	/* Two unloaded drivers: count, then {UNICODE_STRING, WCHAR[12], start, end}. */
	{
		uint8_t *u = b.p + hs + T_UNLOADED;
		uint32_t rec = x64 ? 0x38 : 0x28, name = x64 ? 0x10 : 0x08, start = x64 ? 0x28 : 0x20;
		static const char *const un[] = { "old.sys", "averyveryverylongname.sys" };
		ps_put_le32(u, 2);
		u += x64 ? 8 : 4;
		for (int i = 0; i < 2; i++, u += rec) {
			size_t len = strlen(un[i]);
			ps_put_le16(u, (uint16_t)(2 * len));
			for (size_t k = 0; k < len && k < 12; k++)
				ps_put_le16(u + name + 2 * k, (uint16_t)un[i][k]);
			if (x64) {
				ps_put_le64(u + start, tri_va(1, 0x300000 + 0x10000 * i));
				ps_put_le64(u + start + 8, tri_va(1, 0x308000 + 0x10000 * i));
			} else {
				ps_put_le32(u + start, (uint32_t)tri_va(0, 0x300000 + 0x10000 * i));
				ps_put_le32(u + start + 4, (uint32_t)tri_va(0, 0x308000 + 0x10000 * i));
			}
		}
	}

	/* The triage header. */
	ps_put_le32(t + 0x04, (uint32_t)(hs + T_VALID + 4));
	ps_put_le32(t + 0x08, (uint32_t)(hs + T_VALID));
	ps_put_le32(t + 0x0C, x64 ? 0x348 : 0x320);
	ps_put_le32(t + 0x18, (uint32_t)(hs + T_UNLOADED));
	ps_put_le32(t + 0x28, (uint32_t)(hs + T_STACK));
	ps_put_le32(t + 0x2C, 0x200);
	ps_put_le32(t + 0x30, (uint32_t)(hs + T_DRIVERS));
	ps_put_le32(t + 0x34, 3);
	ps_put_le32(t + 0x38, (uint32_t)(hs + T_POOL));
	ps_put_le32(t + 0x3C, (uint32_t)pool);
	ps_put_le32(t + 0x44, 0xFFFFFFFF);
	if (x64) {
		ps_put_le64(t + 0x48, tri_va(1, 0x10000000));
		ps_put_le64(t + 0x60, tri_va(1, 0x20000000));
		ps_put_le32(t + 0x68, (uint32_t)(hs + T_PAGE));
		ps_put_le32(t + 0x6C, 0x100);
		ps_put_le32(t + 0x70, (uint32_t)(hs + T_KDBG));
		ps_put_le32(t + 0x74, 0x80);
		ps_put_le32(t + 0x78, (uint32_t)(hs + T_BLOCKS));
		ps_put_le32(t + 0x7C, 3);
	} else {
		ps_put_le32(t + 0x48, (uint32_t)tri_va(0, 0x10000000));
		ps_put_le32(t + 0x4C, (uint32_t)tri_va(0, 0x20000000));
		ps_put_le32(t + 0x50, (uint32_t)(hs + T_PAGE));
		ps_put_le32(t + 0x54, 0x100);
		ps_put_le32(t + 0x58, (uint32_t)(hs + T_KDBG));
		ps_put_le32(t + 0x5C, 0x80);
		ps_put_le32(t + 0x60, (uint32_t)(hs + T_BLOCKS));
		ps_put_le32(t + 0x64, 3);
	}
	return b;
}

/* The file byte at triage-area offset `off`, as build_triage wrote it. */
static uint8_t tri_byte(size_t off)
{
	return (uint8_t)(off * 7 + 3);
}

static void test_triage(int x64)
{
	blob b = build_triage(x64);
	size_t hs = x64 ? 0x2000 : 0x1000;
	ps_error err;
	ps_dump *d = open_blob(b, x64 ? "triage64" : "triage32", &err);
	size_t avail = 0, n;
	const uint8_t *p;

	CHECK(d != NULL);
	if (!d) {
		fprintf(stderr, "%s\n", err.message);
		free(b.p);
		return;
	}
	CHECK_EQ_U64(ps_dump_warning_count(d), 0);
	for (size_t i = 0; i < ps_dump_warning_count(d); i++)
		fprintf(stderr, "warning: %s\n", ps_dump_warning(d, i));
	CHECK_EQ_U64(ps_dump_get_info(d)->dump_type, 4);
	CHECK(ps_dump_get_info(d)->paging == (x64 ? PS_PAGING_X64 : PS_PAGING_X86));
	CHECK(ps_dump_triage_info(d) != NULL);

	const ps_triage_driver *drv = ps_dump_triage_drivers(d);
	const ps_triage_unloaded *un = ps_dump_triage_unloaded(d);
	CHECK_EQ_U64(ps_dump_triage_unloaded_count(d), 2);
	if (ps_dump_triage_unloaded_count(d) == 2) {
		CHECK_STR(un[0].name, "old.sys");
		CHECK_EQ_U64(un[0].start, tri_va(x64, 0x300000));
		CHECK_EQ_U64(un[0].end, tri_va(x64, 0x308000));
		/* Names longer than the 12-character inline buffer are cut. */
		CHECK_STR(un[1].name, "averyveryver");
		CHECK_EQ_U64(un[1].end, tri_va(x64, 0x318000));
	}
	CHECK_EQ_U64(ps_dump_triage_driver_count(d), 3);
	if (ps_dump_triage_driver_count(d) == 3) {
		for (int i = 0; i < 3; i++) {
			CHECK_STR(drv[i].name, tri_names[i]);
			CHECK_EQ_U64(drv[i].base, tri_va(x64, 0x100000ull * (i + 1)));
			CHECK_EQ_U64(drv[i].size, 0x10000u * (i + 1));
			CHECK_EQ_U64(drv[i].checksum, 0xC0DE0000u + i);
			CHECK_EQ_U64(drv[i].timestamp, 0x5EED0000u + i);
		}
	}
	p = ps_dump_triage_kdbg(d, &n);
	CHECK(p == b.p + hs + T_KDBG && n == 0x80);

	/* B (0xF80..0x1080) wins over the start of A, A serves 0x1080..0x1100. */
	n = ps_dump_triage_block_count(d);
	CHECK_EQ_U64(n, 5);
	p = ps_dump_triage_va(d, tri_va(x64, 0xF80), &avail);
	CHECK(p == b.p + hs + T_DATA + 0x100 && avail == 0x100);
	p = ps_dump_triage_va(d, tri_va(x64, 0x1000), &avail);
	CHECK(p && *p == tri_byte(T_DATA + 0x180) && avail == 0x80);
	p = ps_dump_triage_va(d, tri_va(x64, 0x1090), &avail);
	CHECK(p && *p == tri_byte(T_DATA + 0x90) && avail == 0x70);
	CHECK(ps_dump_triage_va(d, tri_va(x64, 0x1100), &avail) == NULL && avail == 0);
	CHECK(ps_dump_triage_va(d, tri_va(x64, 0xF7F), NULL) == NULL);
	p = ps_dump_triage_va(d, tri_va(x64, 0x503F), &avail);
	CHECK(p && *p == tri_byte(T_DATA + 0x23F) && avail == 1);
	p = ps_dump_triage_va(d, tri_va(x64, 0x10000010), &avail);
	CHECK(p == b.p + hs + T_STACK + 0x10 && avail == 0x1F0);
	p = ps_dump_triage_va(d, tri_va(x64, 0x20000000), &avail);
	CHECK(p == b.p + hs + T_PAGE && avail == 0x100);
	const ps_triage_block *bl = ps_dump_triage_blocks(d);
	int sorted = 1;
	for (size_t i = 1; i < n; i++)
		sorted &= bl[i].va >= bl[i - 1].va + bl[i - 1].size;
	CHECK(sorted);
	CHECK(ps_dump_page(d, 0) == NULL);
	ps_dump_close(d);
	free(b.p);
}

/* Hostile triage variants: each opens with warnings and keeps the rest. */
static void test_bad_triage(void)
{
	size_t hs = 0x2000;
	blob b = build_triage(1);
	uint8_t *t = b.p + hs;
	ps_error err;
	ps_dump *d;

	/* Triage header cut off. */
	d = open_blob((blob){ b.p, hs + 0x40 }, "cut-triage", &err);
	CHECK(d != NULL && has_warning(d, "cut short"));
	CHECK(d && ps_dump_triage_info(d) == NULL && ps_dump_triage_driver_count(d) == 0);
	ps_dump_close(d);

	/* Driver count huge: clamped to what fits in the file. */
	ps_put_le32(t + 0x34, 0xFFFFFFFF);
	d = open_blob(b, "drivers-huge", &err);
	CHECK(d != NULL && has_warning(d, "claims 4294967295 entries"));
	CHECK(d && ps_dump_triage_driver_count(d) <= (T_END - T_DRIVERS) / 0x90);
	CHECK(d && strcmp(ps_dump_triage_drivers(d)[1].name, "hal.dll") == 0);
	ps_dump_close(d);
	ps_put_le32(t + 0x34, 3);

	/* Unloaded-driver count huge, then the list outside the file. */
	ps_put_le32(b.p + hs + T_UNLOADED, 0xFFFFFFFF);
	d = open_blob(b, "unloaded-huge", &err);
	CHECK(d != NULL && has_warning(d, "claims 4294967295 entries"));
	CHECK(d && ps_dump_triage_unloaded_count(d) <= (T_END - T_UNLOADED) / 0x38);
	ps_dump_close(d);
	ps_put_le32(b.p + hs + T_UNLOADED, 2);
	ps_put_le32(t + 0x18, 0xFFFFFFF0u);
	d = open_blob(b, "unloaded-out", &err);
	CHECK(d != NULL && has_warning(d, "unloaded-driver list") && ps_dump_triage_unloaded_count(d) == 0);
	ps_dump_close(d);
	ps_put_le32(t + 0x18, (uint32_t)(hs + T_UNLOADED));

	/* Driver list past the end of the file. */
	ps_put_le32(t + 0x30, 0xFFFFFF00);
	d = open_blob(b, "drivers-out", &err);
	CHECK(d != NULL && ps_dump_triage_driver_count(d) == 0);
	ps_dump_close(d);
	ps_put_le32(t + 0x30, (uint32_t)(hs + T_DRIVERS));

	/* Name offsets out of the file, outside the pool, lengths too long. */
	uint8_t *e0 = t + T_DRIVERS, *e1 = e0 + 0x90, *e2 = e1 + 0x90;
	uint32_t keep0 = ps_le32(e0), keep1 = ps_le32(e1), keep2 = ps_le32(e2);
	ps_put_le32(e0, 0xFFFFFFF0u);
	ps_put_le32(e1, (uint32_t)(hs + T_DATA));
	ps_put_le32(e2, (uint32_t)(b.size - 6));
	ps_put_le32(b.p + b.size - 6, 0x7FFFFFFF);
	d = open_blob(b, "names", &err);
	CHECK(d != NULL);
	if (d) {
		CHECK(has_warning(d, "outside the file"));
		CHECK(has_warning(d, "outside the string pool"));
		CHECK(has_warning(d, "claims 2147483647 characters"));
		CHECK_EQ_U64(ps_dump_triage_driver_count(d), 3);
		CHECK_STR(ps_dump_triage_drivers(d)[0].name, "");
		CHECK_EQ_U64(ps_dump_triage_drivers(d)[0].base, tri_va(1, 0x100000));
		ps_dump_close(d);
	}
	ps_put_le32(e0, keep0);
	ps_put_le32(e1, keep1);
	ps_put_le32(e2, keep2);

	/* Data block count huge, a block outside the file, one running past
	 * its end, one wrapping around the address space. */
	uint8_t *blk = t + T_BLOCKS;
	ps_put_le32(t + 0x7C, 0x7FFFFFFF);
	ps_put_le32(blk + 8, 0xFFFFF000u);
	ps_put_le64(blk + 16, 0xFFFFFFFFFFFFFFF0ull);
	ps_put_le32(blk + 32 + 8, (uint32_t)(b.size - 0x10));
	d = open_blob(b, "blocks", &err);
	CHECK(d != NULL);
	if (d) {
		size_t avail = 0;
		CHECK(has_warning(d, "data block list"));
		CHECK(has_warning(d, "past the end of the file"));
		CHECK(has_warning(d, "cut short"));
		CHECK(has_warning(d, "wraps around"));
		CHECK(ps_dump_triage_block_count(d) <= (T_END - T_BLOCKS) / 16 + 2);
		CHECK(ps_dump_triage_va(d, tri_va(1, 0x1000), NULL) == NULL);
		CHECK(ps_dump_triage_va(d, 0xFFFFFFFFFFFFFFFFull, &avail) != NULL && avail == 1);
		CHECK(ps_dump_triage_va(d, tri_va(1, 0x5000), &avail) == b.p + b.size - 0x10 && avail == 0x10);
		ps_dump_close(d);
	}
	free(b.p);

	/* KDBG, stack and data page pointing outside the file; no 'TRGD'. */
	b = build_triage(1);
	t = b.p + hs;
	ps_put_le32(t + 0x70, 0xFFFFFFF0u);
	ps_put_le32(t + 0x28, 0xFFFFFFF0u);
	ps_put_le32(t + 0x68, (uint32_t)b.size);
	ps_put_le32(t + 0x08, 0);
	d = open_blob(b, "kdbg", &err);
	CHECK(d != NULL);
	if (d) {
		CHECK(ps_dump_triage_kdbg(d, NULL) == NULL);
		CHECK(has_warning(d, "KDBG copy"));
		CHECK(has_warning(d, "TRGD"));
		CHECK(ps_dump_triage_va(d, tri_va(1, 0x10000000), NULL) == NULL);
		CHECK(ps_dump_triage_va(d, tri_va(1, 0x20000000), NULL) == NULL);
		CHECK_EQ_U64(ps_dump_triage_driver_count(d), 3);
		ps_dump_close(d);
	}
	free(b.p);
}

int main(void)
{
	test_full_x64();
	test_full_x86(0);
	test_full_x86(1);
	test_bitmap(1, "SDMP");
	test_bitmap(1, "FDMP");
	test_bitmap(0, "SDMP");
	test_bad_headers();
	test_bad_runs();
	test_bad_bitmap();
	test_triage(1);
	test_triage(0);
	test_bad_triage();
	return CHECK_DONE();
}
