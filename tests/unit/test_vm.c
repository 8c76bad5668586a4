/*
 * test_vm.c - the mm layer over hand-built dumps: x86, PAE and x64 page
 * walks, large pages, Windows software PTEs, the self-map, reads that stop
 * part-way, the next-readable search, and the triage dump's block-backed space.
 *
 * Each mode gets a small run-based full dump (DumpType 1, formats.md §1.2,
 * §1.4, §1.8) whose page tables are laid out by hand here, opened with
 * ps_dump_open_memory. Physical layout shared by the three modes:
 *
 *   runs: pfn 0-15, 32-39, LP..LP+1 (first two pages of the large page),
 *         and on x64 0x40000-0x40003 (first four pages of a 1 GiB page);
 *         pfn 16-31 is a hole.
 *   pfn 1  top table (x86 PD, PAE PDPT at 0x1020, x64 PML4)
 *   pfn 2  x64 PDPT; PAE PD for VA 0-1 GiB
 *   pfn 3  x64 PD; PAE PD for VA 3-4 GiB (holds the self-map)
 *   pfn 4  the PT for VA 0: one entry of each kind (see pt_entries)
 *   pfn 6  a PT reached through a transition PDE; its entry 0 maps pfn 7
 *   pfn 7-12, 33  data pages, each filled with pattern(pa)
 *   pfn 20, 24  in the hole: a PT and a data page the dump does not hold
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/bytes.h"
#include "poolscope/dump.h"
#include "poolscope/vm.h"
#include "mm/vm_internal.h" /* scan_budget, for test_scan_budget */

/* ---- building dumps ------------------------------------------------------ */

typedef struct image {
	uint8_t *buf;
	size_t size;
	size_t header;
	unsigned entry_size;
	size_t run_count;
	ps_phys_run runs[8];
} image;

static uint8_t pattern(uint64_t pa)
{
	return (uint8_t)((pa >> 12) * 37 + (pa & 0xFFF) * 3 + 1);
}

static uint8_t *image_page(image *im, uint64_t pfn)
{
	size_t off = im->header;

	for (size_t i = 0; i < im->run_count; i++) {
		if (pfn >= im->runs[i].base_page && pfn < im->runs[i].base_page + im->runs[i].page_count)
			return im->buf + off + (pfn - im->runs[i].base_page) * 0x1000;
		off += im->runs[i].page_count * 0x1000;
	}
	fprintf(stderr, "test bug: pfn 0x%" PRIx64 " is not in the image\n", pfn);
	abort();
}

static void put_entry(image *im, uint64_t pa, uint64_t value)
{
	uint8_t *p = image_page(im, pa >> 12) + (pa & 0xFFF);

	if (im->entry_size == 8)
		ps_put_le64(p, value);
	else
		ps_put_le32(p, (uint32_t)value);
}

/* A full dump: `wide` picks DUMP_HEADER64, else DUMP_HEADER32 with `pae`. */
static void image_build(image *im, int wide, int pae, uint64_t dtb, const ps_phys_run *runs,
			size_t run_count)
{
	uint64_t pages = 0;
	uint8_t *h;

	memset(im, 0, sizeof *im);
	im->header = wide ? 0x2000 : 0x1000;
	im->entry_size = wide || pae ? 8 : 4;
	im->run_count = run_count;
	memcpy(im->runs, runs, run_count * sizeof *runs);
	for (size_t i = 0; i < run_count; i++)
		pages += runs[i].page_count;
	im->size = im->header + pages * 0x1000;
	im->buf = calloc(1, im->size);
	h = im->buf;
	memcpy(h, wide ? "PAGEDU64" : "PAGEDUMP", 8);
	ps_put_le32(h + 8, 0xF);
	ps_put_le32(h + 0xC, wide ? 19041 : 7601);
	if (wide) {
		ps_put_le64(h + 0x10, dtb);
		ps_put_le32(h + 0x30, 0x8664);
		ps_put_le32(h + 0x34, 1);
		ps_put_le32(h + 0x88, (uint32_t)run_count);
		ps_put_le64(h + 0x90, pages);
		for (size_t i = 0; i < run_count; i++) {
			ps_put_le64(h + 0x98 + 16 * i, runs[i].base_page);
			ps_put_le64(h + 0xA0 + 16 * i, runs[i].page_count);
		}
		ps_put_le32(h + 0xF98, 1);
		ps_put_le64(h + 0xFA0, im->size);
	} else {
		ps_put_le32(h + 0x10, (uint32_t)dtb);
		ps_put_le32(h + 0x20, 0x14C);
		ps_put_le32(h + 0x24, 1);
		h[0x5C] = (uint8_t)pae;
		ps_put_le32(h + 0x64, (uint32_t)run_count);
		ps_put_le32(h + 0x68, (uint32_t)pages);
		for (size_t i = 0; i < run_count; i++) {
			ps_put_le32(h + 0x6C + 8 * i, (uint32_t)runs[i].base_page);
			ps_put_le32(h + 0x70 + 8 * i, (uint32_t)runs[i].page_count);
		}
		ps_put_le32(h + 0xF88, 1);
		ps_put_le64(h + 0xFA0, im->size);
	}
	for (size_t i = 0, off = im->header; i < run_count; i++)
		for (uint64_t p = 0; p < runs[i].page_count; p++, off += 0x1000)
			for (unsigned b = 0; b < 0x1000; b++)
				im->buf[off + b] = pattern(((runs[i].base_page + p) << 12) + b);
}

static void zero_page(image *im, uint64_t pfn)
{
	memset(image_page(im, pfn), 0, 0x1000);
}

/* ---- the shared layout --------------------------------------------------- */

typedef struct layout {
	const char *name;
	ps_paging mode;
	int wide, pae;
	uint64_t dtb;
	uint64_t pd_pfn;        /* the PD whose entry 0 maps VA 0 */
	unsigned pd_shift;      /* 22 or 21 */
	uint64_t large_pfn;     /* LP */
	uint64_t large_size;
	/* filled by build_mode */
	uint64_t pt_entry[16];
} layout;

enum { PT_A = 0, PT_B, PT_TRANS, PT_PAGEFILE, PT_PROTO, PT_ZERO, PT_DZ, PT_HOLE, PT_C,
       PT_AFTER_C, PT_TRANS_HIGH, PT_RUN2 };

#define VALID(pfn) (((uint64_t)(pfn) << 12) | 0x63)      /* P, RW, A, D */
#define LARGE(pa) ((uint64_t)(pa) | 0xE3)                 /* ... and PS */
#define TRANS(pfn) (((uint64_t)(pfn) << 12) | 0x800 | (4 << 5))

static void build_mode(image *im, layout *L)
{
	ps_phys_run runs[4] = {
		{ 0, 16 }, { 32, 8 }, { L->large_pfn, 2 }, { 0x40000, 4 },
	};
	uint64_t pt = 4 << 12, pd = L->pd_pfn << 12, es = L->wide || L->pae ? 8 : 4;

	image_build(im, L->wide, L->pae, L->dtb, runs, L->wide ? 4 : 3);
	for (uint64_t pfn = 1; pfn <= 6; pfn++)
		zero_page(im, pfn);

	L->pt_entry[PT_A] = VALID(8);
	L->pt_entry[PT_B] = VALID(9);
	L->pt_entry[PT_TRANS] = TRANS(10);
	/* PageFileHigh 0x1234 (bits 32-63, or 12-31 on x86), PageFileLow 2. */
	L->pt_entry[PT_PAGEFILE] = es == 8 ? (0x1234ull << 32) | (2 << 12) | (4 << 5)
					   : (0x1234ull << 12) | (2 << 1) | (4 << 5);
	L->pt_entry[PT_PROTO] = es == 8 ? 0xA00012345678ull << 16 | 0x400 : 0x12345400;
	L->pt_entry[PT_ZERO] = 0;
	L->pt_entry[PT_DZ] = 4 << 5; /* protection only; note bit 7 is set */
	L->pt_entry[PT_HOLE] = VALID(24);
	L->pt_entry[PT_C] = VALID(11);
	L->pt_entry[PT_AFTER_C] = 0;
	/* Flags above the transition PFN field must be ignored. */
	L->pt_entry[PT_TRANS_HIGH] = TRANS(12) | (L->mode == PS_PAGING_X64 ? 1ull << 46
						  : L->mode == PS_PAGING_PAE ? 1ull << 40 : 0);
	L->pt_entry[PT_RUN2] = VALID(33);
	for (int i = 0; i <= PT_RUN2; i++)
		put_entry(im, pt + i * es, L->pt_entry[i]);
	put_entry(im, (6 << 12), VALID(7));

	put_entry(im, pd + 0 * es, VALID(4));
	put_entry(im, pd + 1 * es, LARGE(L->large_pfn << 12));
	put_entry(im, pd + 2 * es, VALID(20));
	/* A transition PDE: its page table is in RAM; bit 7 is Protection. */
	put_entry(im, pd + 3 * es, TRANS(6) | 0x80);

	switch (L->mode) {
	case PS_PAGING_X86:
		put_entry(im, pd + 0x300 * 4, VALID(1)); /* self-map at 0xC0000000 */
		break;
	case PS_PAGING_PAE:
		put_entry(im, 0x1020 + 0 * 8, (2 << 12) | 1);
		put_entry(im, 0x1020 + 3 * 8, (3 << 12) | 1);
		put_entry(im, 0x3000 + 0 * 8, VALID(2)); /* PTE_BASE 0xC0000000 */
		put_entry(im, 0x3000 + 3 * 8, VALID(3)); /* PDE_BASE 0xC0600000 */
		break;
	case PS_PAGING_X64:
		put_entry(im, 0x1000 + 0 * 8, VALID(2));
		put_entry(im, 0x1000 + 2 * 8, VALID(0x100000));   /* PDPT far outside */
		put_entry(im, 0x1000 + 0x1ED * 8, VALID(1));      /* self-map */
		put_entry(im, 0x2000 + 0 * 8, VALID(3));
		put_entry(im, 0x2000 + 1 * 8, LARGE(0x40000000)); /* 1 GiB page */
		break;
	case PS_PAGING_NONE:
		break;
	}
}

static ps_dump *open_image(image *im, const char *name)
{
	ps_dump *d = NULL;
	ps_error err = { 0 };
	ps_status st = ps_dump_open_memory(im->buf, im->size, name, &d, &err);

	if (st != PS_OK)
		fprintf(stderr, "open %s: %s\n", name, err.message);
	CHECK(st == PS_OK);
	CHECK_EQ_U64(ps_dump_warning_count(d), 0);
	return d;
}

/* Bytes at `va` equal the pattern of physical `pa`, for `len` bytes. */
static int bytes_match(const uint8_t *buf, uint64_t pa, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != pattern(pa + i))
			return 0;
	return 1;
}

/* ---- the checks common to every mode ------------------------------------ */

static void check_common(ps_vm *vm, layout *L)
{
	ps_translation t;
	ps_error err = { 0 };
	uint8_t buf[64];
	size_t done = 99;
	uint64_t pd_span = 1ull << L->pd_shift, lp = L->large_pfn << 12, next = 0;
	int levels = L->mode == PS_PAGING_X64 ? 4 : L->mode == PS_PAGING_PAE ? 3 : 2;

	fprintf(stderr, "-- %s\n", L->name);

	/* A plain 4 KiB page. */
	CHECK(ps_vm_translate(vm, 0x123, &t, &err) == PS_OK);
	CHECK(t.state == PS_PAGE_VALID);
	CHECK_EQ_U64(t.pa, 0x8123);
	CHECK_EQ_U64(t.page_size, 0x1000);
	CHECK_EQ_U64(t.level_count, levels);
	CHECK_EQ_U64(t.levels[levels - 1].entry, L->pt_entry[PT_A]);
	CHECK_EQ_U64(t.levels[levels - 1].entry_pa, 0x4000);
	CHECK(t.present_in_dump);
	CHECK(ps_vm_read(vm, 0x123, buf, 16, &done, &err) == PS_OK);
	CHECK_EQ_U64(done, 16);
	CHECK(bytes_match(buf, 0x8123, 16));

	/* Across a page boundary into the next valid page. */
	CHECK(ps_vm_read(vm, 0xFF8, buf, 16, &done, &err) == PS_OK);
	CHECK(bytes_match(buf, 0x8FF8, 8) && bytes_match(buf + 8, 0x9000, 8));
	/* Twice, so the second comes from the cache. */
	memset(buf, 0, sizeof buf);
	CHECK(ps_vm_read(vm, 0xFF8, buf, 16, &done, &err) == PS_OK);
	CHECK(bytes_match(buf, 0x8FF8, 8) && bytes_match(buf + 8, 0x9000, 8));

	/* Transition: still in RAM, readable. */
	CHECK(ps_vm_translate(vm, 0x2010, &t, &err) == PS_OK);
	CHECK(t.state == PS_PAGE_TRANSITION);
	CHECK_EQ_U64(t.pa, 0xA010);
	CHECK(ps_vm_read(vm, 0x2010, buf, 8, &done, &err) == PS_OK);
	CHECK(bytes_match(buf, 0xA010, 8));
	/* High flag bits in a transition PTE are not part of the frame. */
	CHECK(ps_vm_translate(vm, 0xA000, &t, &err) == PS_OK);
	CHECK(t.state == PS_PAGE_TRANSITION);
	CHECK_EQ_U64(t.pa, 0xC000);

	/* Paging file. */
	CHECK(ps_vm_translate(vm, 0x3000, &t, &err) == PS_OK);
	CHECK(t.state == PS_PAGE_PAGEFILE);
	CHECK(ps_vm_read(vm, 0x3004, buf, 4, &done, &err) == PS_EPAGEDOUT);
	CHECK_EQ_U64(done, 0);
	CHECK(err.status == PS_EPAGEDOUT);
	CHECK(strstr(err.message, "paging file") != NULL);

	/* Prototype: not resolved. */
	CHECK(ps_vm_translate(vm, 0x4000, &t, &err) == PS_OK);
	CHECK(t.state == PS_PAGE_PROTOTYPE);
	CHECK(ps_vm_read(vm, 0x4000, buf, 4, &done, &err) == PS_ENOTPRESENT);
	CHECK(strstr(err.message, "prototype") != NULL);

	/* Zero and demand-zero entries. */
	CHECK(ps_vm_translate(vm, 0x5000, &t, &err) == PS_OK);
	CHECK(t.state == PS_PAGE_INVALID);
	CHECK(ps_vm_read(vm, 0x5000, buf, 4, &done, &err) == PS_EINVALID);
	CHECK(ps_vm_translate(vm, 0x6000, &t, &err) == PS_OK);
	CHECK(t.state == PS_PAGE_DEMAND_ZERO);
	CHECK_EQ_U64(t.page_size, 0x1000);
	CHECK(ps_vm_read(vm, 0x6000, buf, 4, &done, &err) == PS_EINVALID);

	/* A valid PTE whose page the dump does not hold. */
	CHECK(ps_vm_translate(vm, 0x7000, &t, &err) == PS_OK);
	CHECK(t.state == PS_PAGE_VALID);
	CHECK_EQ_U64(t.pa, 0x18000);
	CHECK(!t.present_in_dump);
	CHECK(ps_vm_read(vm, 0x7000, buf, 4, &done, &err) == PS_ENOTPRESENT);
	CHECK(strstr(err.message, "0x18000") != NULL);
	CHECK(strstr(err.message, L->name) != NULL); /* names the dump */

	/* A read that runs into an unmapped page stops there. */
	memset(buf, 0, sizeof buf);
	CHECK(ps_vm_read(vm, 0x8FF0, buf, 32, &done, &err) == PS_EINVALID);
	CHECK_EQ_U64(done, 16);
	CHECK(bytes_match(buf, 0xBFF0, 16));
	CHECK(strstr(err.message, "0x0000000000009000") != NULL);

	/* The second run's pages sit after the first run's in the file. */
	CHECK(ps_vm_read(vm, 0xB100, buf, 8, &done, &err) == PS_OK);
	CHECK(bytes_match(buf, 0x21100, 8));

	/* Large page: the first two of its pages are in the dump. */
	CHECK(ps_vm_translate(vm, pd_span + 0x1234, &t, &err) == PS_OK);
	CHECK(t.state == PS_PAGE_VALID);
	CHECK_EQ_U64(t.page_size, L->large_size);
	CHECK_EQ_U64(t.pa, lp + 0x1234);
	CHECK_EQ_U64(t.level_count, levels - 1);
	CHECK(ps_vm_read(vm, pd_span + 0x1FFC, buf, 8, &done, &err) == PS_ENOTPRESENT);
	CHECK_EQ_U64(done, 4);
	CHECK(bytes_match(buf, lp + 0x1FFC, 4));
	CHECK(ps_vm_translate(vm, pd_span + 0x2000, &t, &err) == PS_OK);
	CHECK(t.state == PS_PAGE_VALID && !t.present_in_dump);

	/* A PDE pointing at a page table outside the dump. */
	ps_error_clear(&err);
	CHECK(ps_vm_translate(vm, 2 * pd_span, &t, &err) == PS_ENOTPRESENT);
	CHECK(strstr(err.message, "PTE") != NULL);
	CHECK(strstr(err.message, "physical 0x14000") != NULL);
	CHECK(ps_vm_read(vm, 2 * pd_span + 8, buf, 4, &done, &err) == PS_ENOTPRESENT);

	/* A transition PDE with bit 7 set leads to a page table, not a large page. */
	CHECK(ps_vm_translate(vm, 3 * pd_span + 0x10, &t, &err) == PS_OK);
	CHECK(t.state == PS_PAGE_VALID);
	CHECK_EQ_U64(t.page_size, 0x1000);
	CHECK_EQ_U64(t.pa, 0x7010);
	CHECK(ps_vm_read(vm, 3 * pd_span + 0x10, buf, 8, &done, &err) == PS_OK);
	CHECK(bytes_match(buf, 0x7010, 8));

	/* Typed reads. */
	{
		uint64_t p = 0;
		uint32_t v32 = 0;
		uint16_t v16 = 0;
		uint8_t v8 = 0;
		CHECK(ps_vm_read_u8(vm, 0x11, &v8, &err) == PS_OK && v8 == pattern(0x8011));
		CHECK(ps_vm_read_u16(vm, 0x11, &v16, &err) == PS_OK &&
		      v16 == (pattern(0x8011) | pattern(0x8012) << 8));
		CHECK(ps_vm_read_u32(vm, 0xFFE, &v32, &err) == PS_OK &&
		      v32 == ((uint32_t)pattern(0x8FFE) | (uint32_t)pattern(0x8FFF) << 8 |
			      (uint32_t)pattern(0x9000) << 16 | (uint32_t)pattern(0x9001) << 24));
		CHECK(ps_vm_read_ptr(vm, 0x20, &p, &err) == PS_OK);
		CHECK(ps_vm_read(vm, 0x20, buf, 8, NULL, &err) == PS_OK);
		CHECK_EQ_U64(p, L->wide ? ps_le64(buf) : ps_le32(buf));
		CHECK(ps_vm_read_u64(vm, 0x5000, &p, &err) == PS_EINVALID && p == 0);
	}

	/* Next readable page: skips zero, demand-zero and absent pages... */
	CHECK(ps_vm_next_readable(vm, 0x5000, UINT64_MAX, &next, &err) == PS_OK);
	CHECK_EQ_U64(next, 0x8000);
	CHECK(ps_vm_next_readable(vm, 0x8010, UINT64_MAX, &next, &err) == PS_OK);
	CHECK_EQ_U64(next, 0x8010);
	CHECK(ps_vm_next_readable(vm, 0x9000, UINT64_MAX, &next, &err) == PS_OK);
	CHECK_EQ_U64(next, 0xA000);
	/* ...into the large page, and past its missing part and the missing PT
	 * to the page table behind the transition PDE. */
	CHECK(ps_vm_next_readable(vm, 0xC000, UINT64_MAX, &next, &err) == PS_OK);
	CHECK_EQ_U64(next, pd_span);
	CHECK(ps_vm_next_readable(vm, pd_span + 0x2000, UINT64_MAX, &next, &err) == PS_OK);
	CHECK_EQ_U64(next, 3 * pd_span);
	/* The end is exclusive. */
	CHECK(ps_vm_next_readable(vm, 0xC000, pd_span, &next, &err) == PS_ENOTFOUND);
	CHECK(ps_vm_next_readable(vm, 0xC000, pd_span + 1, &next, &err) == PS_OK);
	CHECK_EQ_U64(next, pd_span);
	CHECK(ps_vm_next_readable(vm, 0x9000, 0x9000, &next, &err) == PS_ENOTFOUND);
}

/* ---- per mode ------------------------------------------------------------ */

static void test_x86(void)
{
	layout L = { .name = "x86.dmp", .mode = PS_PAGING_X86, .dtb = 0x1000, .pd_pfn = 1,
		     .pd_shift = 22, .large_pfn = 0x400, .large_size = 0x400000 };
	image im;
	ps_dump *d;
	ps_vm *vm = NULL;
	ps_error err = { 0 };
	ps_translation t;
	uint32_t v = 0;
	uint64_t next = 0;
	uint8_t buf[4];

	build_mode(&im, &L);
	/* The last page of the address space maps pfn 8. */
	put_entry(&im, 0x1000 + 0x3FF * 4, VALID(5));
	put_entry(&im, 0x5000 + 0x3FF * 4, VALID(8));
	d = open_image(&im, L.name);
	CHECK(ps_vm_create_kernel(d, &vm, &err) == PS_OK);
	CHECK(ps_vm_paging(vm) == PS_PAGING_X86);
	CHECK_EQ_U64(ps_vm_dtb(vm), 0x1000);
	CHECK_EQ_U64(ps_vm_pointer_size(vm), 4);
	check_common(vm, &L);

	/* Self-map: PD[0x300] points at the PD. */
	CHECK(ps_vm_read_u32(vm, 0xC0300C00, &v, &err) == PS_OK);
	CHECK_EQ_U64(v, VALID(1));
	CHECK(ps_vm_read_u32(vm, 0xC0000000, &v, &err) == PS_OK);
	CHECK_EQ_U64(v, L.pt_entry[PT_A]);
	/* Sign-extended x86 pointers (as KDBG stores them) read the same. */
	CHECK(ps_vm_read_u32(vm, 0xFFFFFFFFC0300C00ull, &v, &err) == PS_OK);
	CHECK_EQ_U64(v, VALID(1));
	CHECK(ps_vm_translate(vm, 0x100000000ull, &t, &err) == PS_OK);
	CHECK(t.state == PS_PAGE_INVALID && t.level_count == 0);
	CHECK(ps_vm_read(vm, 0x100000000ull, buf, 4, NULL, &err) == PS_EINVALID);
	/* Reads do not wrap past 4 GiB, in either form of the address. */
	{
		size_t done = 0;
		CHECK(ps_vm_read(vm, 0xFFFFFFFEull, buf, 4, &done, &err) == PS_EINVALID);
		CHECK_EQ_U64(done, 2);
		CHECK(bytes_match(buf, 0x8FFE, 2));
		CHECK(strstr(err.message, "past the end") != NULL);
		CHECK(ps_vm_read(vm, 0xFFFFFFFFFFFFFFFEull, buf, 4, &done, &err) == PS_EINVALID);
		CHECK_EQ_U64(done, 2);
	}

	CHECK(ps_vm_next_readable(vm, 3 * 0x400000 + 0x1000, UINT64_MAX, &next, &err) == PS_OK);
	CHECK_EQ_U64(next, 0xC0000000);
	CHECK(ps_vm_next_readable(vm, 0xFFFFFFFF80000000ull, UINT64_MAX, &next, &err) == PS_OK);
	CHECK_EQ_U64(next, 0xFFFFFFFFC0000000ull);
	CHECK(ps_vm_next_readable(vm, 0xC0400000, UINT64_MAX, &next, &err) == PS_OK);
	CHECK_EQ_U64(next, 0xFFFFF000);
	CHECK(ps_vm_next_readable(vm, 0xC0400000, 0xFFFFF000, &next, &err) == PS_ENOTFOUND);
	CHECK(ps_vm_next_readable(vm, 0xFFFFFFFFC0400000ull, UINT64_MAX, &next, &err) == PS_OK);
	CHECK_EQ_U64(next, 0xFFFFFFFFFFFFF000ull);
	CHECK_EQ_U64(ps_vm_canonical(vm, 0xFFFFFFFFC0000000ull), 0xC0000000);

	ps_vm_destroy(vm);
	ps_dump_close(d);
	free(im.buf);
}

static void test_pae(void)
{
	layout L = { .name = "pae.dmp", .mode = PS_PAGING_PAE, .pae = 1, .dtb = 0x1020, .pd_pfn = 2,
		     .pd_shift = 21, .large_pfn = 0x200, .large_size = 0x200000 };
	image im;
	ps_dump *d;
	ps_vm *vm = NULL;
	ps_error err = { 0 };
	ps_translation t;
	uint64_t v = 0, next = 0;

	build_mode(&im, &L);
	/* Junk in the rest of the PDPT's page must not be used. */
	put_entry(&im, 0x1000, VALID(9));
	put_entry(&im, 0x1040, VALID(9));
	d = open_image(&im, L.name);
	CHECK(ps_vm_create_kernel(d, &vm, &err) == PS_OK);
	CHECK(ps_vm_paging(vm) == PS_PAGING_PAE);
	CHECK_EQ_U64(ps_vm_dtb(vm), 0x1020);
	CHECK_EQ_U64(ps_vm_pointer_size(vm), 4);
	check_common(vm, &L);

	CHECK(ps_vm_translate(vm, 0x10, &t, &err) == PS_OK);
	CHECK_EQ_U64(t.levels[0].entry_pa, 0x1020);
	/* A PDPTE that is not present. */
	CHECK(ps_vm_translate(vm, 0x40000000, &t, &err) == PS_OK);
	CHECK(t.state == PS_PAGE_INVALID && t.level_count == 1);

	/* Self-map: PTE_BASE 0xC0000000, PDE_BASE 0xC0600000. */
	CHECK(ps_vm_read_u64(vm, 0xC0000000, &v, &err) == PS_OK);
	CHECK_EQ_U64(v, L.pt_entry[PT_A]);
	CHECK(ps_vm_read_u64(vm, 0xC0600000, &v, &err) == PS_OK);
	CHECK_EQ_U64(v, VALID(4));
	CHECK(ps_vm_read_u64(vm, 0xC0600000 + 3 * 0x1000 + 3 * 8, &v, &err) == PS_OK);
	CHECK_EQ_U64(v, VALID(3));

	CHECK(ps_vm_next_readable(vm, 3 * 0x200000 + 0x1000, UINT64_MAX, &next, &err) == PS_OK);
	CHECK_EQ_U64(next, 0xC0000000);

	ps_vm_destroy(vm);
	ps_dump_close(d);
	free(im.buf);
}

static void test_x64(void)
{
	layout L = { .name = "x64.dmp", .mode = PS_PAGING_X64, .wide = 1, .dtb = 0x1000 | 0x5,
		     .pd_pfn = 3, .pd_shift = 21, .large_pfn = 0x200, .large_size = 0x200000 };
	image im;
	ps_dump *d;
	ps_vm *vm = NULL;
	ps_error err = { 0 };
	ps_translation t;
	uint64_t v = 0, next = 0;
	uint8_t buf[16];
	size_t done = 0;

	build_mode(&im, &L);
	d = open_image(&im, L.name);
	CHECK(ps_vm_create_kernel(d, &vm, &err) == PS_OK);
	CHECK(ps_vm_paging(vm) == PS_PAGING_X64);
	CHECK_EQ_U64(ps_vm_dtb(vm), 0x1005); /* PCID bits kept, masked when used */
	CHECK_EQ_U64(ps_vm_pointer_size(vm), 8);
	check_common(vm, &L);

	/* 1 GiB page, of which the dump holds four pages. */
	CHECK(ps_vm_translate(vm, 0x40002345, &t, &err) == PS_OK);
	CHECK(t.state == PS_PAGE_VALID);
	CHECK_EQ_U64(t.page_size, 0x40000000);
	CHECK_EQ_U64(t.pa, 0x40002345);
	CHECK_EQ_U64(t.level_count, 2);
	CHECK(ps_vm_read(vm, 0x40002345, buf, 8, &done, &err) == PS_OK);
	CHECK(bytes_match(buf, 0x40002345, 8));
	CHECK(ps_vm_read(vm, 0x40010000, buf, 8, &done, &err) == PS_ENOTPRESENT);

	/* A PML4E pointing far outside the dump. */
	ps_error_clear(&err);
	CHECK(ps_vm_translate(vm, 2ull << 39, &t, &err) == PS_ENOTPRESENT);
	CHECK(strstr(err.message, "PDPTE") != NULL);
	CHECK(strstr(err.message, "physical 0x100000000") != NULL);

	/* Non-canonical addresses are not mapped. */
	CHECK(ps_vm_translate(vm, 0x0000800000000000ull, &t, &err) == PS_OK);
	CHECK(t.state == PS_PAGE_INVALID && t.level_count == 0);
	CHECK(ps_vm_read(vm, 0x0000800000000000ull, buf, 8, &done, &err) == PS_EINVALID);
	CHECK_EQ_U64(ps_vm_canonical(vm, 0x0000F6FB7DBED000ull), 0xFFFFF6FB7DBED000ull);
	CHECK_EQ_U64(ps_vm_canonical(vm, 0xFFFF7FFFFFFFF000ull), 0x00007FFFFFFFF000ull);

	/* Self-map: PXE_BASE for index 0x1ED is the PML4 itself. */
	CHECK(ps_vm_translate(vm, 0xFFFFF6FB7DBED000ull, &t, &err) == PS_OK);
	CHECK(t.state == PS_PAGE_VALID);
	CHECK_EQ_U64(t.pa, 0x1000);
	CHECK(ps_vm_read_u64(vm, 0xFFFFF6FB7DBEDF68ull, &v, &err) == PS_OK);
	CHECK_EQ_U64(v, VALID(1));
	CHECK(ps_vm_read_u64(vm, 0xFFFFF68000000000ull, &v, &err) == PS_OK);
	CHECK_EQ_U64(v, L.pt_entry[PT_A]); /* the PTE of VA 0 */
	CHECK(ps_vm_read_u64(vm, 0xFFFFF68000000000ull + 8 * 3, &v, &err) == PS_OK);
	CHECK_EQ_U64(v, L.pt_entry[PT_PAGEFILE]);

	/* Next readable: into the 1 GiB page, then across 512 GiB slots to the self-map. */
	CHECK(ps_vm_next_readable(vm, 3 * 0x200000 + 0x1000, UINT64_MAX, &next, &err) == PS_OK);
	CHECK_EQ_U64(next, 0x40000000);
	CHECK(ps_vm_next_readable(vm, 0x40004000, UINT64_MAX, &next, &err) == PS_OK);
	CHECK_EQ_U64(next, 0xFFFFF68000000000ull);
	CHECK(ps_vm_next_readable(vm, 0x0000800000000000ull, UINT64_MAX, &next, &err) == PS_OK);
	CHECK_EQ_U64(next, 0xFFFFF68000000000ull);
	CHECK(ps_vm_next_readable(vm, 0xFFFFF70000000000ull, UINT64_MAX, &next, &err) == PS_ENOTFOUND);
	CHECK(ps_vm_next_readable(vm, 0x40004000, 0xFFFFF68000000000ull, &next, &err) == PS_ENOTFOUND);

	/* A read that would wrap around the top of the address space. */
	CHECK(ps_vm_read(vm, 0xFFFFFFFFFFFFFFF8ull, buf, 16, &done, &err) == PS_EINVALID);
	CHECK_EQ_U64(done, 0);

	ps_vm_destroy(vm);
	ps_dump_close(d);
	free(im.buf);
}

/* Hostile tables: every PML4E -> one PDPT -> one PD -> one PT whose 512 PTEs
 * all map a page the dump does not hold: 2^36 mapped pages, none readable. The
 * search must say "none" without visiting them one by one. */
static void test_aliased_tables(void)
{
	ps_phys_run runs[1] = { { 0, 8 } };
	image im;
	ps_dump *d;
	ps_vm *vm = NULL;
	ps_error err = { 0 };
	uint64_t next = 0;

	image_build(&im, 1, 0, 0x1000, runs, 1);
	for (uint64_t pfn = 1; pfn <= 4; pfn++)
		zero_page(&im, pfn);
	for (unsigned i = 0; i < 512; i++) {
		put_entry(&im, 0x1000 + 8 * i, VALID(2));
		put_entry(&im, 0x2000 + 8 * i, VALID(3));
		put_entry(&im, 0x3000 + 8 * i, VALID(4));
		put_entry(&im, 0x4000 + 8 * i, VALID(0x5000 + i));
	}
	d = open_image(&im, "aliased.dmp");
	CHECK(ps_vm_create(d, PS_PAGING_X64, 0x1000, &vm, &err) == PS_OK);
	CHECK(ps_vm_next_readable(vm, 0, UINT64_MAX, &next, &err) == PS_ENOTFOUND);
	CHECK(ps_vm_next_readable(vm, 0x1234000, UINT64_MAX, &next, &err) == PS_ENOTFOUND);
	/* Loops through the tables cannot hang a walk either. */
	{
		ps_translation t;
		CHECK(ps_vm_translate(vm, 0xFFFFFFFFFFFFF000ull, &t, &err) == PS_OK);
		CHECK(t.state == PS_PAGE_VALID && !t.present_in_dump);
	}
	ps_vm_destroy(vm);
	ps_dump_close(d);
	free(im.buf);
}

/* 1 GiB pages at 512 distinct bases, none of them stored: the memo cannot
 * help, so the step budget (lowered here through the internal header, as
 * hostile tables in a bitmap dump would need a 16 MiB bitmap to exhaust the
 * real one) ends the search with PS_EFORMAT and says where it stopped; a
 * second call goes on from there. */
static void test_scan_budget(void)
{
	ps_phys_run runs[2] = { { 0, 4 }, { 0x10000000, 1 } };
	image im;
	ps_dump *d;
	ps_vm *vm = NULL;
	ps_error err = { 0 };
	uint64_t next = 0, again = 0;

	image_build(&im, 1, 0, 0x1000, runs, 2);
	zero_page(&im, 1);
	zero_page(&im, 2);
	put_entry(&im, 0x1000, VALID(2));
	for (unsigned i = 0; i < 512; i++)
		put_entry(&im, 0x2000 + 8 * i, LARGE((uint64_t)(i + 1) << 30));
	d = open_image(&im, "budget.dmp");
	CHECK(ps_vm_create(d, PS_PAGING_X64, 0x1000, &vm, &err) == PS_OK);
	/* With the real budget, run-by-run skipping makes this a short search. */
	CHECK(ps_vm_next_readable(vm, 0, UINT64_MAX, &next, &err) == PS_ENOTFOUND);
	vm->scan_budget = 300;
	CHECK(ps_vm_next_readable(vm, 0, UINT64_MAX, &next, &err) == PS_EFORMAT);
	CHECK(strstr(err.message, "gave up") != NULL);
	CHECK(next > 0x40000000 && next < 512ull << 30);
	CHECK(ps_vm_next_readable(vm, next, UINT64_MAX, &again, &err) == PS_EFORMAT);
	CHECK(again > next);
	ps_vm_destroy(vm);
	ps_dump_close(d);
	free(im.buf);
}

static void test_bad_arguments(void)
{
	ps_phys_run runs[1] = { { 0, 2 } };
	image im;
	ps_dump *d;
	ps_vm *vm = (ps_vm *)1;
	ps_error err = { 0 };

	image_build(&im, 0, 0, 0x1000, runs, 1);
	d = open_image(&im, "small.dmp");
	CHECK(ps_vm_create(d, PS_PAGING_NONE, 0, &vm, &err) == PS_EARG);
	CHECK(vm == NULL);
	CHECK(ps_vm_create(d, PS_PAGING_PAE, 0x100000000ull, &vm, &err) == PS_EARG);
	/* An empty top table: nothing is mapped. */
	CHECK(ps_vm_create(d, PS_PAGING_X86, 0x1000, &vm, &err) == PS_OK);
	zero_page(&im, 1);
	{
		uint64_t next;
		uint8_t b;
		CHECK(ps_vm_next_readable(vm, 0, UINT64_MAX, &next, &err) == PS_ENOTFOUND);
		CHECK(ps_vm_read_u8(vm, 0x401000, &b, &err) == PS_EINVALID);
		CHECK(strstr(err.message, "small.dmp") != NULL);
	}
	ps_vm_destroy(vm);
	/* A DTB outside the dump: every walk fails cleanly at the top. */
	CHECK(ps_vm_create(d, PS_PAGING_X64, 0x7000, &vm, &err) == PS_OK);
	{
		ps_translation t;
		uint64_t next;
		ps_error_clear(&err);
		CHECK(ps_vm_translate(vm, 0, &t, &err) == PS_ENOTPRESENT);
		CHECK(strstr(err.message, "PML4E") != NULL);
		CHECK(strstr(err.message, "0x7000") != NULL);
		CHECK(ps_vm_next_readable(vm, 0, UINT64_MAX, &next, &err) == PS_ENOTFOUND);
	}
	ps_vm_destroy(vm);
	ps_dump_close(d);
	free(im.buf);
}

/* ---- the real triage dump ------------------------------------------------ */

static void test_triage(void)
{
	char path[4096];
	ps_dump *d = NULL;
	ps_vm *vm = NULL;
	ps_error err = { 0 };
	const ps_triage_block *b;
	size_t n, size = 0, done = 0;
	const uint8_t *file;
	uint8_t buf[64];
	uint64_t next = 0;
	ps_translation t;

	check_shared_path(path, sizeof path, "data/triage_x64.dmp");
	CHECK(ps_dump_open(path, &d, &err) == PS_OK);
	if (!d) {
		fprintf(stderr, "cannot open %s: %s\n", path, err.message);
		return;
	}
	CHECK(ps_vm_create_kernel(d, &vm, &err) == PS_OK);
	CHECK(ps_vm_paging(vm) == PS_PAGING_NONE);
	CHECK_EQ_U64(ps_vm_pointer_size(vm), 8);
	n = ps_dump_triage_block_count(d);
	b = ps_dump_triage_blocks(d);
	file = ps_dump_bytes(d, &size);
	if (n == 0)
		fprintf(stderr, "triage_x64.dmp: the dump layer reports no stored blocks\n");
	CHECK(n > 0);
	for (size_t i = 0; i < n; i++) {
		size_t len = b[i].size < sizeof buf ? b[i].size : sizeof buf;
		uint64_t va = b[i].va + (b[i].size - len);
		/* The tail of each block, compared with the file's bytes. */
		CHECK(ps_vm_read(vm, va, buf, len, &done, &err) == PS_OK);
		CHECK_EQ_U64(done, len);
		CHECK(ps_in_bounds(b[i].file_offset, b[i].size, size) &&
		      memcmp(buf, file + b[i].file_offset + (b[i].size - len), len) == 0);
		CHECK(ps_vm_next_readable(vm, b[i].va, UINT64_MAX, &next, &err) == PS_OK);
		CHECK_EQ_U64(next, b[i].va);
	}
	if (n > 0) {
		/* Outside every block (user space, which a triage dump never holds). */
		CHECK(ps_vm_read(vm, 0x10000, buf, 8, &done, &err) == PS_ENOTPRESENT);
		CHECK_EQ_U64(done, 0);
		CHECK(strstr(err.message, "not in the dump") != NULL);
		CHECK(ps_vm_next_readable(vm, 0x10000, UINT64_MAX, &next, &err) == PS_OK);
		CHECK_EQ_U64(next, b[0].va);
	}
	CHECK(ps_vm_translate(vm, 0xFFFFF80000000000ull, &t, &err) == PS_EUNSUPPORTED);
	CHECK(strstr(err.message, "triage") != NULL);
	ps_vm_destroy(vm);
	ps_dump_close(d);
}

int main(void)
{
	test_x86();
	test_pae();
	test_x64();
	test_aliased_tables();
	test_scan_budget();
	test_bad_arguments();
	test_triage();
	return CHECK_DONE();
}
