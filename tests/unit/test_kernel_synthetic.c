/*
 * test_kernel_synthetic.c - the nt layer over small full dumps built here:
 * x64 (four-level paging) and x86 (two-level), each with a KDBG block, a
 * PsLoadedModuleList of KLDR_DATA_TABLE_ENTRY records and PE headers at the
 * module bases. Then damage: an encoded or wrong KDBG, a list that loops,
 * an entry that cannot be read, names that cannot be read, a list longer
 * than the walk allows.
 *
 * Layouts come from ../shared/reference/formats.md (§1.2, §1.8 headers,
 * §1.4 runs, §2 KDBG, §5.5 KLDR_DATA_TABLE_ENTRY, §6.1 paging), not from
 * the library's own tables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/bytes.h"
#include "nt/kernel_internal.h"
#include "poolscope/kernel.h"

/* ---- building a run-based full dump ------------------------------------ */

typedef struct synth {
	int wide;
	uint8_t *file;
	size_t size;
	size_t header;       /* 0x2000 or 0x1000 */
	uint64_t kva;        /* first mapped kernel VA */
	uint32_t mapped;     /* pages mapped from kva on */
	uint32_t first_pfn;  /* PFN backing kva */
} synth;

static uint8_t *page(synth *s, uint64_t pfn)
{
	return s->file + s->header + pfn * 0x1000;
}

static uint8_t *at(synth *s, uint64_t va)
{
	if (va < s->kva || (va - s->kva) / 0x1000 >= s->mapped)
		return NULL;
	return page(s, s->first_pfn + (va - s->kva) / 0x1000) + (va & 0xFFF);
}

static void put_ptr(synth *s, uint64_t va, uint64_t v)
{
	uint8_t *p = at(s, va);
	if (!p)
		abort();
	if (s->wide)
		ps_put_le64(p, v);
	else
		ps_put_le32(p, (uint32_t)v);
}

/* A UNICODE_STRING at `va` describing `text` stored at `buf_va`. */
static void put_ustr(synth *s, uint64_t va, uint64_t buf_va, const char *text)
{
	uint8_t *p = at(s, va);
	size_t n = strlen(text);
	ps_put_le16(p, (uint16_t)(2 * n));
	ps_put_le16(p + 2, (uint16_t)(2 * n + 2));
	put_ptr(s, va + (s->wide ? 8 : 4), buf_va);
	if (at(s, buf_va))
		for (size_t i = 0; i <= n; i++)
			ps_put_le16(at(s, buf_va + 2 * i), i < n ? (uint8_t)text[i] : 0);
}

static void synth_init(synth *s, int wide, uint32_t build, uint32_t mapped)
{
	uint64_t npages;
	uint8_t *h;

	memset(s, 0, sizeof *s);
	s->wide = wide;
	s->header = wide ? 0x2000 : 0x1000;
	s->mapped = mapped;
	s->first_pfn = wide ? 5 : 3;
	s->kva = wide ? 0xfffff80000000000ull : 0x80000000u;
	npages = s->first_pfn + mapped;
	s->size = s->header + npages * 0x1000;
	s->file = calloc(1, s->size);
	h = s->file;
	for (size_t i = 0; i < s->header; i += 4)
		memcpy(h + i, "PAGE", 4);
	if (wide) {
		memcpy(h + 4, "DU64", 4);
		ps_put_le32(h + 0x08, 0xF);
		ps_put_le32(h + 0x0C, build);
		ps_put_le64(h + 0x10, 0x1000);         /* DTB: PML4 at PFN 1 */
		ps_put_le32(h + 0x30, 0x8664);
		ps_put_le32(h + 0x34, 1);
		ps_put_le32(h + 0x88, 1);              /* NumberOfRuns */
		ps_put_le32(h + 0x8C, 0);
		ps_put_le64(h + 0x90, npages);         /* NumberOfPages */
		ps_put_le64(h + 0x98, 0);              /* Run[0].BasePage */
		ps_put_le64(h + 0xA0, npages);         /* Run[0].PageCount */
		ps_put_le32(h + 0xF98, 1);             /* DumpType: full */
		ps_put_le64(h + 0xFA0, s->size);
		/* PML4[0x1F0] -> PDPT (2) [0] -> PD (3) [0] -> PT (4) [i] -> 5 + i */
		ps_put_le64(page(s, 1) + 8 * 0x1F0, (2 << 12) | 3);
		ps_put_le64(page(s, 2), (3 << 12) | 3);
		ps_put_le64(page(s, 3), (4 << 12) | 3);
		for (uint32_t i = 0; i < mapped; i++)
			ps_put_le64(page(s, 4) + 8 * i, ((uint64_t)(5 + i) << 12) | 3);
	} else {
		memcpy(h + 4, "DUMP", 4);
		ps_put_le32(h + 0x08, 0xF);
		ps_put_le32(h + 0x0C, build);
		ps_put_le32(h + 0x10, 0x1000);         /* DTB: PD at PFN 1 */
		ps_put_le32(h + 0x20, 0x14C);
		ps_put_le32(h + 0x24, 1);
		h[0x5C] = 0;                           /* PaeEnabled */
		ps_put_le32(h + 0x64, 1);
		ps_put_le32(h + 0x68, (uint32_t)npages);
		ps_put_le32(h + 0x6C, 0);
		ps_put_le32(h + 0x70, (uint32_t)npages);
		ps_put_le32(h + 0xF88, 1);
		ps_put_le64(h + 0xFA0, s->size);
		/* PD[0x200] -> PT (2) [i] -> 3 + i, for VA 0x80000000 + i pages */
		ps_put_le32(page(s, 1) + 4 * 0x200, (2 << 12) | 3);
		for (uint32_t i = 0; i < mapped; i++)
			ps_put_le32(page(s, 2) + 4 * i, ((3 + i) << 12) | 3);
	}
}

static void set_header_ptr(synth *s, unsigned off64, unsigned off32, uint64_t v)
{
	if (s->wide)
		ps_put_le64(s->file + off64, v);
	else
		ps_put_le32(s->file + off32, (uint32_t)v);
}

/* The layout used by every test: KDBG on page 0, list head and names on
 * page 1, entries on pages 2-3, module images from page 16 on. */
#define KDBG_PAGE 0
#define HEAD_PAGE 1
#define ENTRY_PAGE 2
#define IMAGE_PAGE 16

static uint64_t kdbg_va(synth *s) { return s->kva + KDBG_PAGE * 0x1000; }
static uint64_t head_va(synth *s) { return s->kva + HEAD_PAGE * 0x1000; }
static uint64_t entry_va(synth *s, unsigned i) { return s->kva + ENTRY_PAGE * 0x1000 + i * 0x100; }
static uint64_t image_va(synth *s, unsigned i) { return s->kva + (IMAGE_PAGE + i) * 0x1000ull; }

static void put_kdbg(synth *s, uint64_t kern_base, uint64_t list_head)
{
	uint8_t *k = at(s, kdbg_va(s));
	memcpy(k + 0x10, "KDBG", 4);
	ps_put_le32(k + 0x14, s->wide ? 0x380 : 0x340);
	ps_put_le64(k + 0x18, kern_base);
	ps_put_le64(k + 0x48, list_head);
	set_header_ptr(s, 0x80, 0x60, kdbg_va(s));
}

/* A minimal PE header at the module's base: timestamp and checksum. */
static void put_pe(synth *s, uint64_t base, uint32_t timestamp, uint32_t checksum)
{
	uint8_t *p = at(s, base);
	uint8_t *opt = p + 0x40 + 24;
	p[0] = 'M';
	p[1] = 'Z';
	ps_put_le32(p + 0x3C, 0x40);
	memcpy(p + 0x40, "PE\0\0", 4);
	ps_put_le16(p + 0x44, s->wide ? 0x8664 : 0x14C);
	ps_put_le32(p + 0x48, timestamp);
	ps_put_le16(p + 0x54, s->wide ? 240 : 224);
	ps_put_le16(opt, s->wide ? 0x20B : 0x10B);
	ps_put_le32(opt + 56, 0x1000);
	ps_put_le32(opt + 60, 0x400);
	ps_put_le32(opt + 64, checksum);
}

typedef struct mod_spec {
	const char *path;
	uint32_t timestamp, checksum; /* 0: no PE header in the dump */
} mod_spec;

/* Entries 0..n-1 linked in order from the head and back to it. */
static void put_list(synth *s, const mod_spec *mods, unsigned n)
{
	unsigned o_base = s->wide ? 0x30 : 0x18, o_entry = s->wide ? 0x38 : 0x1C;
	unsigned o_size = s->wide ? 0x40 : 0x20, o_full = s->wide ? 0x48 : 0x24;
	unsigned o_name = s->wide ? 0x58 : 0x2C, ptr = s->wide ? 8 : 4;

	put_ptr(s, head_va(s), n ? entry_va(s, 0) : head_va(s));
	put_ptr(s, head_va(s) + ptr, n ? entry_va(s, n - 1) : head_va(s));
	set_header_ptr(s, 0x20, 0x18, head_va(s));
	for (unsigned i = 0; i < n; i++) {
		uint64_t e = entry_va(s, i);
		uint64_t names = head_va(s) + 0x100 + i * 0x100;
		const char *file = strrchr(mods[i].path, '\\');
		file = file ? file + 1 : mods[i].path;
		put_ptr(s, e, i + 1 < n ? entry_va(s, i + 1) : head_va(s));
		put_ptr(s, e + ptr, i ? entry_va(s, i - 1) : head_va(s));
		put_ptr(s, e + o_base, image_va(s, i));
		put_ptr(s, e + o_entry, image_va(s, i) + 0x400);
		ps_put_le32(at(s, e + o_size), 0x1000);
		put_ustr(s, e + o_full, names, mods[i].path);
		put_ustr(s, e + o_name, names + 0xA0, file);
		if (mods[i].timestamp)
			put_pe(s, image_va(s, i), mods[i].timestamp, mods[i].checksum);
	}
}

static ps_kernel *open_synth(synth *s, const char *name, ps_dump **d)
{
	ps_kernel *k = NULL;
	ps_error err;

	*d = NULL;
	if (ps_dump_open_memory(s->file, s->size, name, d, &err) != PS_OK) {
		fprintf(stderr, "%s: %s\n", name, err.message);
		CHECK(0);
		return NULL;
	}
	if (ps_kernel_open(*d, &k, &err) != PS_OK) {
		fprintf(stderr, "%s: %s\n", name, err.message);
		CHECK(0);
		return NULL;
	}
	return k;
}

static void done(synth *s, ps_kernel *k, ps_dump *d)
{
	ps_kernel_close(k);
	ps_dump_close(d);
	free(s->file);
}

static int has_warning(const ps_kernel *k, const char *needle)
{
	for (size_t i = 0; i < ps_kernel_warning_count(k); i++)
		if (strstr(ps_kernel_warning(k, i), needle))
			return 1;
	return 0;
}

static void dump_warnings(const char *name, const ps_kernel *k)
{
	for (size_t i = 0; i < ps_kernel_warning_count(k); i++)
		printf("%s: warning: %s\n", name, ps_kernel_warning(k, i));
}

static const mod_spec five[] = {
	{ "\\SystemRoot\\system32\\ntkrnlmp.exe", 0x11111111, 0x00aa0001 },
	{ "\\SystemRoot\\system32\\hal.dll", 0x22222222, 0x0000bb02 },
	{ "\\SystemRoot\\System32\\drivers\\SIoctl.sys", 0x4BC2E9C4, 0x000106CF },
	{ "\\??\\C:\\tmp\\sioctl.dll", 0, 0 },
	{ "\\SystemRoot\\System32\\drivers\\mscorlib.ni.dll", 0x33333333, 0x3 },
};

/* ---- tests -------------------------------------------------------------- */

static void test_list(int wide)
{
	const char *name = wide ? "synthetic x64" : "synthetic x86";
	synth s;
	ps_dump *d;
	ps_kernel *k;
	const ps_module *m;
	char expect[64];
	uint64_t v;

	synth_init(&s, wide, wide ? 19041 : 7601, 32);
	put_list(&s, five, 5);
	put_kdbg(&s, image_va(&s, 0), head_va(&s));
	if (!wide) /* x86 pointers live in 64-bit slots; the upper half is not ours */
		ps_put_le32(at(&s, kdbg_va(&s) + 0x18 + 4), 0xFFFFFFFFu);
	k = open_synth(&s, name, &d);
	if (!k)
		return;
	dump_warnings(name, k);
	CHECK_EQ_U64(ps_kernel_warning_count(k), 0);

	CHECK_EQ_U64(ps_kernel_kdbg(k, NULL, NULL, &v), PS_OK);
	CHECK_EQ_U64(v, kdbg_va(&s));
	CHECK_EQ_U64(ps_kernel_kdbg_field(k, 0x18, &v), PS_OK);
	CHECK_EQ_U64(v, image_va(&s, 0));
	CHECK_EQ_U64(ps_kernel_base(k), image_va(&s, 0));
	CHECK_EQ_U64(ps_kernel_kdbg_field(k, 0x48, &v), PS_OK);
	CHECK_EQ_U64(v, head_va(&s));

	CHECK_EQ_U64(ps_kernel_module_count(k), 5);
	if (ps_kernel_module_count(k) != 5) {
		done(&s, k, d);
		return;
	}
	m = ps_kernel_module(k, 0);
	CHECK_STR(m->name, "nt");
	CHECK_STR(m->image_name, "ntkrnlmp.exe");
	CHECK_STR(m->path, "\\SystemRoot\\system32\\ntkrnlmp.exe");
	CHECK_EQ_U64(m->base, image_va(&s, 0));
	CHECK_EQ_U64(m->size, 0x1000);
	CHECK_EQ_U64(m->entry, image_va(&s, 0) + 0x400);
	CHECK_EQ_U64(m->ldr_entry, entry_va(&s, 0));
	CHECK(m->have_header_fields);
	CHECK_EQ_U64(m->timestamp, 0x11111111);
	CHECK_EQ_U64(m->checksum, 0x00aa0001);
	CHECK_STR(ps_kernel_module(k, 1)->name, "hal");
	m = ps_kernel_module(k, 2);
	CHECK_STR(m->name, "SIoctl");
	CHECK_EQ_U64(m->timestamp, 0x4BC2E9C4);
	CHECK_EQ_U64(m->checksum, 0x000106CF);
	/* Same name, other case: WinDbg's "_<base>" suffix; no PE header. */
	m = ps_kernel_module(k, 3);
	snprintf(expect, sizeof expect, "sioctl_%llx", (unsigned long long)image_va(&s, 3));
	CHECK_STR(m->name, expect);
	CHECK(!m->have_header_fields);
	CHECK_EQ_U64(m->timestamp, 0);
	CHECK_STR(ps_kernel_module(k, 4)->name, "mscorlib_ni");

	CHECK(ps_kernel_module_at(k, image_va(&s, 2) + 0x10) == ps_kernel_module(k, 2));
	CHECK(ps_kernel_module_at(k, image_va(&s, 4) + 0xFFF) == ps_kernel_module(k, 4));
	CHECK(ps_kernel_module_at(k, image_va(&s, 5)) == NULL);
	CHECK(ps_kernel_module_at(k, image_va(&s, 0) - 1) == NULL);
	CHECK(ps_kernel_module_named(k, "SIOCTL") == ps_kernel_module(k, 2));
	CHECK(ps_kernel_module_named(k, expect) == ps_kernel_module(k, 3));
	done(&s, k, d);
}

/* Windows 8+ x64: a block that does not say 'KDBG' is taken as encoded; the
 * module list is then found through the dump header alone. */
static void test_encoded_kdbg(void)
{
	synth s;
	ps_dump *d;
	ps_kernel *k;
	uint64_t v;

	synth_init(&s, 1, 9600, 32);
	put_list(&s, five, 3);
	put_kdbg(&s, image_va(&s, 0), head_va(&s));
	memcpy(at(&s, kdbg_va(&s) + 0x10), "\x12\x34\x56\x78", 4);
	k = open_synth(&s, "encoded", &d);
	if (!k)
		return;
	dump_warnings("encoded", k);
	CHECK(has_warning(k, "KDBG at fffff800`00000000 is encoded; decoding needs symbols"));
	CHECK_EQ_U64(ps_kernel_kdbg(k, NULL, NULL, NULL), PS_ENOTFOUND);
	CHECK_EQ_U64(ps_kernel_kdbg_field(k, 0x18, &v), PS_ENOTFOUND);
	CHECK_EQ_U64(ps_kernel_module_count(k), 3);
	CHECK_STR(ps_kernel_module(k, 0)->name, "nt");
	CHECK_EQ_U64(ps_kernel_base(k), image_va(&s, 0)); /* from the first module */
	done(&s, k, d);

	/* x86 is never encoded: a wrong tag is just wrong. */
	synth_init(&s, 0, 9600, 32);
	put_list(&s, five, 2);
	put_kdbg(&s, image_va(&s, 0), head_va(&s));
	memcpy(at(&s, kdbg_va(&s) + 0x10), "GBDK", 4);
	k = open_synth(&s, "x86 bad tag", &d);
	if (!k)
		return;
	CHECK(has_warning(k, "KDBG at 80000000: OwnerTag 0x4b444247 is not 'KDBG'"));
	CHECK_EQ_U64(ps_kernel_module_count(k), 2);
	done(&s, k, d);

	/* KDBG address not mapped, and an implausible Size. */
	synth_init(&s, 1, 19041, 32);
	put_list(&s, five, 2);
	set_header_ptr(&s, 0x80, 0x60, 0xfffff80000900000ull);
	k = open_synth(&s, "kdbg unmapped", &d);
	if (!k)
		return;
	CHECK(has_warning(k, "KDBG at fffff800`00900000 cannot be read"));
	CHECK_EQ_U64(ps_kernel_module_count(k), 2);
	done(&s, k, d);

	synth_init(&s, 1, 19041, 32);
	put_list(&s, five, 2);
	put_kdbg(&s, image_va(&s, 0), head_va(&s));
	ps_put_le32(at(&s, kdbg_va(&s) + 0x14), 0x7FFFFFFF);
	k = open_synth(&s, "kdbg size", &d);
	if (!k)
		return;
	CHECK(has_warning(k, "Header.Size 0x7fffffff is implausible"));
	CHECK_EQ_U64(ps_kernel_kdbg_field(k, 0x48, &v), PS_OK);
	CHECK_EQ_U64(v, head_va(&s));
	done(&s, k, d);
}

static void test_damaged_lists(int wide)
{
	const char *name = wide ? "x64 damage" : "x86 damage";
	unsigned ptr = wide ? 8 : 4, o_name = wide ? 0x58 : 0x2C;
	synth s;
	ps_dump *d;
	ps_kernel *k;

	/* The last entry points back at the second, not at the head. */
	synth_init(&s, wide, 19041, 32);
	put_list(&s, five, 5);
	put_kdbg(&s, image_va(&s, 0), head_va(&s));
	put_ptr(&s, entry_va(&s, 4), entry_va(&s, 1));
	k = open_synth(&s, name, &d);
	if (k) {
		CHECK_EQ_U64(ps_kernel_module_count(k), 5);
		CHECK(has_warning(k, "loops back to"));
		done(&s, k, d);
	}

	/* An entry pointing at itself. */
	synth_init(&s, wide, 19041, 32);
	put_list(&s, five, 5);
	put_kdbg(&s, image_va(&s, 0), head_va(&s));
	put_ptr(&s, entry_va(&s, 2), entry_va(&s, 2));
	k = open_synth(&s, name, &d);
	if (k) {
		CHECK_EQ_U64(ps_kernel_module_count(k), 3);
		CHECK(has_warning(k, "after 3 entries"));
		done(&s, k, d);
	}

	/* The third Flink leads to an unmapped address: keep two. */
	synth_init(&s, wide, 19041, 32);
	put_list(&s, five, 5);
	put_kdbg(&s, image_va(&s, 0), head_va(&s));
	put_ptr(&s, entry_va(&s, 1), s.kva + 0x100000);
	k = open_synth(&s, name, &d);
	if (k) {
		CHECK_EQ_U64(ps_kernel_module_count(k), 2);
		CHECK(has_warning(k, "module list entry 2 at "));
		CHECK(has_warning(k, "keeping 2 modules"));
		done(&s, k, d);
	}

	/* A null Flink. */
	synth_init(&s, wide, 19041, 32);
	put_list(&s, five, 5);
	put_kdbg(&s, image_va(&s, 0), head_va(&s));
	put_ptr(&s, entry_va(&s, 3), 0);
	k = open_synth(&s, name, &d);
	if (k) {
		CHECK_EQ_U64(ps_kernel_module_count(k), 4);
		CHECK(has_warning(k, "null Flink"));
		done(&s, k, d);
	}

	/* BaseDllName's buffer unmapped: the name comes from FullDllName. A
	 * huge Length is cut, not trusted. */
	synth_init(&s, wide, 19041, 32);
	put_list(&s, five, 3);
	put_kdbg(&s, image_va(&s, 0), head_va(&s));
	put_ptr(&s, entry_va(&s, 2) + o_name + ptr, s.kva + 0x200000);
	ps_put_le16(at(&s, entry_va(&s, 1) + o_name), 0xFFFF);
	k = open_synth(&s, name, &d);
	if (k) {
		CHECK_EQ_U64(ps_kernel_module_count(k), 3);
		CHECK(has_warning(k, "BaseDllName cannot be read"));
		CHECK_STR(ps_kernel_module(k, 2)->image_name, "SIoctl.sys");
		CHECK_STR(ps_kernel_module(k, 2)->name, "SIoctl");
		CHECK_STR(ps_kernel_module(k, 1)->name, "hal");
		done(&s, k, d);
	}

	/* The list head itself unreadable: no modules, a warning, still open. */
	synth_init(&s, wide, 19041, 32);
	put_list(&s, five, 3);
	put_kdbg(&s, image_va(&s, 0), s.kva + 0x300000);
	set_header_ptr(&s, 0x20, 0x18, s.kva + 0x300000);
	k = open_synth(&s, name, &d);
	if (k) {
		CHECK_EQ_U64(ps_kernel_module_count(k), 0);
		CHECK(has_warning(k, "PsLoadedModuleList at"));
		CHECK(ps_kernel_module_at(k, image_va(&s, 0)) == NULL);
		done(&s, k, d);
	}
}

/* A ring longer than KERNEL_MAX_MODULES: the walk stops at the bound. */
static void test_long_list(void)
{
	const unsigned n = KERNEL_MAX_MODULES + 50, stride = 0x70;
	const uint32_t pages = 4 + (n * stride) / 0x1000 + 1;
	synth s;
	ps_dump *d;
	ps_kernel *k;
	uint64_t first;

	synth_init(&s, 1, 19041, pages);
	first = s.kva + 4 * 0x1000;
	put_kdbg(&s, first, head_va(&s));
	put_ptr(&s, head_va(&s), first);
	set_header_ptr(&s, 0x20, 0x18, head_va(&s));
	for (unsigned i = 0; i < n; i++) {
		uint64_t e = first + (uint64_t)i * stride;
		put_ptr(&s, e, i + 1 < n ? e + stride : head_va(&s));
		put_ptr(&s, e + 0x30, 0xfffff88000000000ull + (uint64_t)i * 0x10000);
		ps_put_le32(at(&s, e + 0x40), 0x10000);
	}
	k = open_synth(&s, "long list", &d);
	if (k) {
		CHECK_EQ_U64(ps_kernel_module_count(k), KERNEL_MAX_MODULES);
		CHECK(has_warning(k, "more than 10000 entries"));
		/* Nameless modules get a unique placeholder. */
		CHECK_STR(ps_kernel_module(k, 1)->name, "Unknown_Module_fffff88000010000");
		CHECK(ps_kernel_module_at(k, 0xfffff88000000000ull + 5 * 0x10000 + 8) == ps_kernel_module(k, 5));
		done(&s, k, d);
	}
}

static void test_names(void)
{
	char out[64];
	ps_module mods[4];

	kernel_module_name("SIoctl.sys", 0, out, sizeof out);
	CHECK_STR(out, "SIoctl");
	kernel_module_name("HAL.DLL", 0, out, sizeof out);
	CHECK_STR(out, "hal");
	kernel_module_name("ntoskrnl.exe", 1, out, sizeof out);
	CHECK_STR(out, "nt");
	kernel_module_name("mscorlib.ni.dll", 0, out, sizeof out);
	CHECK_STR(out, "mscorlib_ni");
	kernel_module_name("noextension", 0, out, sizeof out);
	CHECK_STR(out, "noextension");
	kernel_module_name("averyveryveryverylongdrivernamethatgoesonandonandonforever.sys", 0, out, 16);
	CHECK_STR(out, "averyveryveryve");

	memset(mods, 0, sizeof mods);
	strcpy(mods[0].image_name, "ntoskrnl.exe");
	mods[0].base = 0x1000;
	strcpy(mods[1].image_name, "a.sys");
	mods[1].base = 0x2000;
	strcpy(mods[2].image_name, "A.dll");
	mods[2].base = 0x3000;
	strcpy(mods[3].path, "\\x\\a.sys");
	mods[3].base = 0xfffff80000004000ull;
	kernel_name_modules(mods, 4, 0);
	CHECK_STR(mods[0].name, "nt");
	CHECK_STR(mods[1].name, "a");
	CHECK_STR(mods[2].name, "A_3000");
	CHECK_STR(mods[3].name, "a_fffff80000004000");

	/* KernBase picks the kernel; a KernBase matching no module falls back
	 * to the first entry. */
	kernel_name_modules(mods, 4, 0x2000);
	CHECK_STR(mods[0].name, "ntoskrnl");
	CHECK_STR(mods[1].name, "nt");
	kernel_name_modules(mods, 4, 0xdead0000);
	CHECK_STR(mods[0].name, "nt");
	CHECK_STR(mods[1].name, "a");
}

int main(void)
{
	test_names();
	test_list(1);
	test_list(0);
	test_encoded_kdbg();
	test_damaged_lists(1);
	test_damaged_lists(0);
	test_long_list();
	return CHECK_DONE();
}
