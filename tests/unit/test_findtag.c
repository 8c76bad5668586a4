/*
 * test_findtag.c - the tag finder's pieces and its behaviour on hostile
 * images: tag parsing, pool type and flag names, the allocator table, a
 * scan of a corpus driver with every field checked, pages missing as in a
 * dump, and mutated images (sections that lie, truncation, an absurd
 * SizeOfImage, tags at the very end of a section, code that jumps into the
 * middle of instructions, random code) that must give bounded results and
 * no crash. The corpus comes from lab/images/findtag (PS_BUILD_DIR).
 */
#include "check.h"

#include "core/bytes.h"
#include "poolscope/findtag.h"
#include "poolscope/pe.h"

#define TAG_FTLP 0x704C7446u /* 'FtLp' */
#define TAG_FTDT 0x74447446u /* 'FtDt' */

static uint8_t *load(const char *name, size_t *size)
{
	char path[1024], rel[256];

	snprintf(rel, sizeof rel, "lab/images/findtag/%s", name);
	return check_read_file(check_build_path(path, sizeof path, rel), size);
}

/* A reader that loses the pages in [lost_lo, lost_hi), as a dump would. */
typedef struct lossy {
	ps_pe_file file;
	uint32_t lost_lo, lost_hi;
} lossy;

static ps_status lossy_read(void *ctx, uint32_t rva, void *buf, size_t len)
{
	lossy *l = ctx;

	if (rva < l->lost_hi && rva + len > l->lost_lo)
		return PS_ENOTPRESENT;
	return ps_pe_file_read(&l->file, rva, buf, len);
}

static ps_status scan(const uint8_t *data, size_t size, uint32_t tag, uint32_t lost_lo,
		      uint32_t lost_hi, ps_findtag_result *r)
{
	lossy l = {{data, size, NULL}, lost_lo, lost_hi};
	ps_pe pe;
	ps_findtag_image img;

	memset(r, 0, sizeof *r);
	if (ps_pe_parse_headers(ps_pe_file_read, &l.file, &pe, NULL) != PS_OK)
		return PS_EFORMAT;
	l.file.pe = &pe;
	memset(&img, 0, sizeof img);
	img.name = "test.sys";
	img.read = lossy_read;
	img.read_ctx = &l;
	img.size_limit = 64u << 20;
	return ps_findtag_scan(&img, tag, r, NULL);
}

/* What holds for any result, however hostile the image. */
static void check_sane(const ps_findtag_result *r)
{
	CHECK(r->hit_count <= r->hits_total);
	CHECK(r->hits_total <= PS_FINDTAG_MAX_HITS);
	CHECK(r->pages_missing <= r->pages_total);
	for (size_t i = 0; i < r->site_count; i++)
		CHECK(ps_findtag_allocator_named(r->sites[i].allocator) != NULL);
}

static void test_parse(void)
{
	uint32_t t = 0;

	CHECK(ps_findtag_parse_tag("MSKK", &t, NULL) == PS_OK);
	CHECK_EQ_U64(t, 0x4B4B534D);
	CHECK(ps_findtag_parse_tag("Ip", &t, NULL) == PS_OK);
	CHECK_EQ_U64(t, 0x20207049);
	CHECK(ps_findtag_parse_tag("'Thre'", &t, NULL) == PS_OK);
	CHECK_EQ_U64(t, 0x65726854);
	CHECK(ps_findtag_parse_tag("0x4B4B534D", &t, NULL) == PS_OK);
	CHECK_EQ_U64(t, 0x4B4B534D);
	CHECK(ps_findtag_parse_tag("", &t, NULL) == PS_EARG);
	CHECK(ps_findtag_parse_tag("TOOLONG", &t, NULL) == PS_EARG);
	CHECK(ps_findtag_parse_tag("0x", &t, NULL) == PS_EARG);
	CHECK(ps_findtag_parse_tag("0x12345678Z", &t, NULL) == PS_EARG);
	CHECK(ps_findtag_parse_tag("0x123456789", &t, NULL) == PS_EARG);
	CHECK(ps_findtag_parse_tag("0x0", &t, NULL) == PS_EARG);
	CHECK(ps_findtag_parse_tag(NULL, &t, NULL) == PS_EARG);
}

static void test_names(void)
{
	char b[160];
	const ps_findtag_allocator *a;

	CHECK_STR(ps_findtag_pool_type_text(1, b, sizeof b), "PagedPool");
	CHECK_STR(ps_findtag_pool_type_text(0, b, sizeof b), "NonPagedPool");
	CHECK_STR(ps_findtag_pool_type_text(512, b, sizeof b), "NonPagedPoolNx");
	CHECK_STR(ps_findtag_pool_type_text(9, b, sizeof b), "PagedPool|POOL_QUOTA_FAIL_INSTEAD_OF_RAISE");
	CHECK_STR(ps_findtag_pool_type_text(0x410, b, sizeof b),
		  "NonPagedPool|POOL_RAISE_IF_ALLOCATION_FAILURE|POOL_ZERO_ALLOCATION");
	CHECK_STR(ps_findtag_pool_type_text(0x7777, b, sizeof b), "0x7777");
	CHECK_STR(ps_findtag_pool_flags_text(0x100, b, sizeof b), "POOL_FLAG_PAGED");
	CHECK_STR(ps_findtag_pool_flags_text(0x42, b, sizeof b), "POOL_FLAG_UNINITIALIZED|POOL_FLAG_NON_PAGED");
	CHECK_STR(ps_findtag_pool_flags_text(0, b, sizeof b), "0x0");
	CHECK_STR(ps_findtag_pool_flags_text(0x800, b, sizeof b), "0x800");
	CHECK_STR(ps_findtag_pool_flags_text(0x100000040ull, b, sizeof b), "POOL_FLAG_NON_PAGED|POOL_FLAG_SPECIAL_POOL");
	CHECK_STR(ps_findtag_pool_type_text(1, b, 4), "Pag");

	a = ps_findtag_allocator_named("ExInitializeLookasideListEx");
	CHECK(a && a->pool_arg == 3 && a->size_arg == 5 && a->tag_arg == 6 && a->arg_count == 8);
	a = ps_findtag_allocator_named("ExAllocatePool2");
	CHECK(a && a->pool_is_flags && a->wide_arg == 0);
	a = ps_findtag_allocator_named("NdisAllocateMemoryWithTagPriority");
	CHECK(a && a->pool_arg == -1 && a->implied_pool == 0 && a->tag_arg == 2);
	CHECK(ps_findtag_allocator_named("ExFreePoolWithTag") == NULL);
	CHECK(ps_findtag_allocator_named(NULL) == NULL);
}

/* The corpus loop, read as a file and with its code page lost. */
static void test_corpus(const uint8_t *img, size_t size)
{
	ps_findtag_result r;
	uint8_t t[4];

	CHECK(scan(img, size, TAG_FTLP, 0, 0, &r) == PS_OK);
	CHECK_EQ_U64(r.machine, 0x14c);
	CHECK_EQ_U64(r.site_count, 1);
	if (r.site_count == 1) {
		const ps_findtag_site *s = &r.sites[0];
		CHECK_STR(s->allocator, "ExAllocatePoolWithTag");
		CHECK(s->have_pool && s->pool == 1 && !s->pool_is_flags && !s->pool_implied);
		CHECK(s->have_size && s->size == 0x1000);
		CHECK(s->in_loop);
		CHECK(!s->wrapper_rva && !s->protected_tag);
		CHECK(s->hit_rva > s->tag_rva && s->hit_rva - s->tag_rva < 15);
		CHECK(s->call_rva > s->tag_rva);
		/* The hit's bytes are the tag, as stored. */
		ps_put_le32(t, TAG_FTLP);
		{
			uint32_t off;
			ps_pe_file f = {img, size, NULL};
			ps_pe pe;
			CHECK(ps_pe_parse_headers(ps_pe_file_read, &f, &pe, NULL) == PS_OK);
			CHECK(ps_pe_rva_to_offset(&pe, s->hit_rva, &off) == PS_OK && off + 4 <= size &&
			      memcmp(img + off, t, 4) == 0);
		}
	}
	CHECK_EQ_U64(r.hit_count, 1);
	if (r.hit_count == 1) {
		CHECK(r.hits[0].reason == PS_FINDTAG_OTHER_CALL);
		CHECK_STR(r.hits[0].other_call, "ExFreePoolWithTag");
		CHECK_STR(r.hits[0].section, ".text");
	}
	CHECK_EQ_U64(r.pages_missing, 0);
	check_sane(&r);
	ps_findtag_result_free(&r);

	CHECK(scan(img, size, TAG_FTDT, 0, 0, &r) == PS_OK);
	CHECK_EQ_U64(r.site_count, 0);
	CHECK(r.hit_count == 1 && r.hits[0].reason == PS_FINDTAG_DATA);
	if (r.hit_count == 1)
		CHECK_STR(r.hits[0].section, ".rdata");
	ps_findtag_result_free(&r);

	/* .text lost as a dump may lose it: nothing there is found, the
	 * rest still is, and the report says so. */
	CHECK(scan(img, size, TAG_FTLP, 0x1000, 0x2000, &r) == PS_OK);
	CHECK_EQ_U64(r.site_count, 0);
	CHECK_EQ_U64(r.hits_total, 0);
	CHECK(r.pages_missing >= 1);
	ps_findtag_result_free(&r);
	CHECK(scan(img, size, TAG_FTDT, 0x1000, 0x2000, &r) == PS_OK);
	CHECK_EQ_U64(r.hit_count, 1);
	ps_findtag_result_free(&r);

	/* The headers lost: an error, and a result that frees cleanly. */
	CHECK(scan(img, size, TAG_FTLP, 0, 0x1000, &r) != PS_OK);
	ps_findtag_result_free(&r);
}

/* Offsets of the section table's entries. */
static size_t section_table(const uint8_t *img, size_t size, unsigned *count)
{
	uint32_t pe = ps_le32(img + 0x3c);

	if (pe + 24 > size)
		return 0;
	*count = ps_le16(img + pe + 6);
	return pe + 24 + ps_le16(img + pe + 20);
}

static void test_lying_sections(const uint8_t *img, size_t size)
{
	uint8_t *m = malloc(size);
	unsigned count = 0;
	size_t tab = section_table(img, size, &count), baseline;
	ps_findtag_result r;

	CHECK(m && tab && count > 0);
	if (!m || !tab)
		return;
	/* field offsets in IMAGE_SECTION_HEADER: VirtualSize 8, VirtualAddress
	 * 12, SizeOfRawData 16, PointerToRawData 20 */
	static const struct { unsigned field; uint32_t value; } lies[] = {
		{8, 0xffffffffu}, {12, 0xfffff000u}, {16, 0x7fffffffu}, {20, 0xfffffff0u},
		{8, 0}, {16, 0}, {12, 0x1000}, {12, 0},
	};
	for (size_t k = 0; k < sizeof lies / sizeof lies[0]; k++) {
		for (unsigned s = 0; s < count; s++) {
			memcpy(m, img, size);
			ps_put_le32(m + tab + 40 * s + lies[k].field, lies[k].value);
			if (scan(m, size, TAG_FTLP, 0, 0, &r) == PS_OK)
				check_sane(&r);
			ps_findtag_result_free(&r);
		}
		/* Every section at once. */
		memcpy(m, img, size);
		for (unsigned s = 0; s < count; s++)
			ps_put_le32(m + tab + 40 * s + lies[k].field, lies[k].value);
		if (scan(m, size, TAG_FTLP, 0, 0, &r) == PS_OK)
			check_sane(&r);
		ps_findtag_result_free(&r);
	}
	/* Every section over the same range: each hit once (the imports
	 * are gone with their section, so no site). */
	CHECK(scan(img, size, TAG_FTLP, 0, 0, &r) == PS_OK);
	baseline = r.hits_total;
	ps_findtag_result_free(&r);
	memcpy(m, img, size);
	for (unsigned s = 1; s < count; s++) {
		memcpy(m + tab + 40 * s + 8, img + tab + 8, 16);
		memcpy(m + tab + 40 * s + 20, img + tab + 20, 4);
	}
	if (scan(m, size, TAG_FTLP, 0, 0, &r) == PS_OK) {
		check_sane(&r);
		CHECK_EQ_U64(r.hits_total, baseline);
	}
	ps_findtag_result_free(&r);
	/* SizeOfImage absurd: bounded by the caller's limit and the cap. */
	memcpy(m, img, size);
	ps_put_le32(m + ps_le32(img + 0x3c) + 24 + 56, 0xfffff000u);
	if (scan(m, size, TAG_FTLP, 0, 0, &r) == PS_OK) {
		check_sane(&r);
		CHECK_EQ_U64(r.site_count, 1);
	}
	ps_findtag_result_free(&r);
	/* Truncated anywhere. */
	for (size_t cut = 0; cut < size; cut += 61) {
		if (scan(img, cut, TAG_FTLP, 0, 0, &r) == PS_OK)
			check_sane(&r);
		ps_findtag_result_free(&r);
	}
	free(m);
}

/* .text's file offset, virtual size and address (the first section). */
static int text_section(const uint8_t *img, size_t size, uint32_t *raw, uint32_t *vsize, uint32_t *va)
{
	unsigned count = 0;
	size_t tab = section_table(img, size, &count);

	if (!tab || !count || memcmp(img + tab, ".text", 5) != 0)
		return 0;
	*vsize = ps_le32(img + tab + 8);
	*va = ps_le32(img + tab + 12);
	*raw = ps_le32(img + tab + 20);
	return *raw + *vsize <= size;
}

/* The IAT slot of ExAllocatePoolWithTag. */
static uint32_t alloc_slot(const uint8_t *img, size_t size)
{
	ps_pe_file f = {img, size, NULL};
	ps_pe pe;
	ps_pe_import *imp = NULL;
	size_t n = 0;
	uint32_t slot = 0;

	if (ps_pe_parse_headers(ps_pe_file_read, &f, &pe, NULL) != PS_OK)
		return 0;
	f.pe = &pe;
	ps_pe_read_imports(ps_pe_file_read, &f, &pe, &imp, &n, NULL);
	for (size_t i = 0; i < n; i++)
		if (strcmp(imp[i].name, "ExAllocatePoolWithTag") == 0)
			slot = imp[i].iat_rva;
	free(imp);
	return slot + (uint32_t)pe.image_base;
}

static void test_code(const uint8_t *img, size_t size)
{
	uint8_t *m = malloc(size);
	uint32_t raw = 0, vsize = 0, va = 0, slot = alloc_slot(img, size);
	const uint32_t tag = 0x74735478u; /* 'xTst' */
	ps_findtag_result r;
	uint32_t seed = 12345;

	CHECK(m && text_section(img, size, &raw, &vsize, &va) && slot);
	if (!m || !raw || !slot) {
		free(m);
		return;
	}

	/* A hand-made loop at the start of .text, entered by a jump into
	 * the middle of an instruction first:
	 *    0: eb 03              jmp  5 (inside the push below)
	 *    2: 68 xTst            push 'xTst'
	 *    7: 68 00 10 00 00     push 1000h
	 *    c: 6a 01              push 1
	 *    e: ff 15 SLOT         call dword ptr [ExAllocatePoolWithTag]
	 *   14: eb ec              jmp  2
	 *   16: eb ff              jmp  17 (into itself)
	 */
	memcpy(m, img, size);
	{
		uint8_t code[] = {0xeb, 0x03, 0x68, 0, 0, 0, 0, 0x68, 0x00, 0x10, 0x00, 0x00, 0x6a, 0x01,
				  0xff, 0x15, 0, 0, 0, 0, 0xeb, 0xec, 0xeb, 0xff};
		ps_put_le32(code + 3, tag);
		ps_put_le32(code + 16, slot);
		memcpy(m + raw, code, sizeof code);
	}
	CHECK(scan(m, size, tag, 0, 0, &r) == PS_OK);
	CHECK_EQ_U64(r.site_count, 1);
	if (r.site_count == 1) {
		CHECK_EQ_U64(r.sites[0].tag_rva, va + 2);
		CHECK_EQ_U64(r.sites[0].call_rva, va + 0xe);
		CHECK(r.sites[0].have_pool && r.sites[0].pool == 1);
		CHECK(r.sites[0].have_size && r.sites[0].size == 0x1000);
		CHECK(r.sites[0].in_loop);
	}
	ps_findtag_result_free(&r);

	/* The protected form of the tag is a site of the tag too. */
	ps_put_le32(m + raw + 3, tag | 0x80000000u);
	CHECK(scan(m, size, tag, 0, 0, &r) == PS_OK);
	CHECK(r.site_count == 1 && r.sites[0].protected_tag);
	ps_findtag_result_free(&r);

	/* The tag in the last four bytes of .text is a hit; two bytes
	 * before the end it runs out of the section and is none. */
	memcpy(m, img, size);
	ps_put_le32(m + raw + vsize - 4, tag);
	CHECK(scan(m, size, tag, 0, 0, &r) == PS_OK);
	CHECK_EQ_U64(r.hits_total, 1);
	check_sane(&r);
	ps_findtag_result_free(&r);
	memcpy(m, img, size);
	ps_put_le16(m + raw + vsize - 2, (uint16_t)tag);
	ps_put_le16(m + raw + vsize, (uint16_t)(tag >> 16));
	CHECK(scan(m, size, tag, 0, 0, &r) == PS_OK);
	CHECK_EQ_U64(r.hits_total, 0);
	ps_findtag_result_free(&r);

	/* .text full of short jumps into themselves and each other, calls
	 * into the middle of instructions, then random bytes; the tag
	 * sprinkled through. Whatever comes out is bounded. */
	for (int round = 0; round < 24; round++) {
		memcpy(m, img, size);
		for (uint32_t i = 0; i + 8 <= vsize; i += 8) {
			seed = seed * 1103515245u + 12345u;
			switch (round % 4) {
			case 0: m[raw + i] = 0xeb; m[raw + i + 1] = 0xff; break;
			case 1: m[raw + i] = 0xe8; ps_put_le32(m + raw + i + 1, (seed >> 8) % 16 - 8); break;
			case 2: m[raw + i] = 0x74; m[raw + i + 1] = (uint8_t)(seed >> 16); break;
			default: ps_put_le32(m + raw + i, seed); ps_put_le32(m + raw + i + 4, seed * 7); break;
			}
			if ((seed >> 24) % 5 == 0) {
				m[raw + i + 2] = 0x68;
				ps_put_le32(m + raw + i + 3, tag);
			}
		}
		CHECK(scan(m, size, tag, 0, 0, &r) == PS_OK);
		check_sane(&r);
		ps_findtag_result_free(&r);
	}
	free(m);
}

int main(void)
{
	size_t size = 0, size64 = 0;
	uint8_t *img = load("findtag_gcc_x86_O2.sys", &size);
	uint8_t *img64 = load("findtag_clang_x64_O2.sys", &size64);
	ps_findtag_result r;

	test_parse();
	test_names();
	CHECK(img != NULL && img64 != NULL);
	if (img) {
		test_corpus(img, size);
		test_lying_sections(img, size);
		test_code(img, size);
	}
	if (img64) {
		/* x64, from .pdata and the PDB-less path: the same site. */
		CHECK(scan(img64, size64, TAG_FTLP, 0, 0, &r) == PS_OK);
		CHECK_EQ_U64(r.machine, 0x8664);
		CHECK(r.site_count == 1 && r.sites[0].in_loop && r.sites[0].size == 0x1000);
		ps_findtag_result_free(&r);
		test_lying_sections(img64, size64);
	}
	free(img);
	free(img64);
	return CHECK_DONE();
}
