/*
 * test_lab_paging.c - the lab's simulated physical memory and page tables,
 * checked entry by entry against the processor's formats (Intel SDM vol. 3A
 * §4.3-4.5) and the Windows self-map (formats.md §6.3).
 */
#include "check.h"
#include "core/bytes.h"
#include "paging.h"

static lab_scenario sc;
static ps_error err;

static lab_physmem *memory(lab_arch arch, uint64_t seed)
{
	lab_physmem *pm = NULL;
	memset(&sc, 0, sizeof sc);
	sc.arch = arch;
	sc.seed = seed;
	sc.runs[0].base_page = 1;
	sc.runs[0].page_count = 0x9E;
	sc.runs[1].base_page = 0x100;
	sc.runs[1].page_count = 0x4000 - 0x100;   /* to 64 MiB */
	sc.run_count = 2;
	CHECK(lab_phys_create(&sc, &pm, &err) == PS_OK);
	return pm;
}

static uint64_t rd64(lab_physmem *pm, uint64_t pa)
{
	uint8_t b[8];
	lab_phys_read(pm, pa, b, 8);
	return ps_le64(b);
}

static uint32_t rd32(lab_physmem *pm, uint64_t pa)
{
	uint8_t b[4];
	lab_phys_read(pm, pa, b, 4);
	return ps_le32(b);
}

static void test_physmem(void)
{
	lab_physmem *a = memory(LAB_ARCH_X64, 7), *b;
	uint64_t pa[64], pb, pfn;

	for (int i = 0; i < 64; i++) {
		CHECK(lab_phys_alloc(a, &pa[i], &err) == PS_OK);
		/* Never in a hole or below 1 MiB, never twice. */
		CHECK(lab_phys_is_ram(a, pa[i]));
		CHECK(pa[i] >= 0x100);
		for (int k = 0; k < i; k++)
			CHECK(pa[k] != pa[i]);
	}
	b = memory(LAB_ARCH_X64, 7);
	for (int i = 0; i < 64; i++) {
		CHECK(lab_phys_alloc(b, &pb, &err) == PS_OK);
		CHECK_EQ_U64(pb, pa[i]);   /* same seed, same layout */
	}
	lab_phys_free(b);
	CHECK(!lab_phys_is_ram(a, 0));
	CHECK(!lab_phys_is_ram(a, 0x9F));
	CHECK(lab_phys_claim(a, 0x9F, 1, &err) != PS_OK);
	CHECK(lab_phys_claim(a, pa[0], 1, &err) != PS_OK);
	CHECK(lab_phys_alloc_contig(a, 512, 512, &pfn, &err) == PS_OK);
	CHECK_EQ_U64(pfn % 512, 0);
	CHECK(lab_phys_write(a, 0x9F000, "x", 1, &err) != PS_OK);
	CHECK(lab_phys_peek(a, 0x3000) == NULL);
	lab_phys_set_user(a, 0x3000);
	CHECK(lab_phys_is_user(a, 0x3000));
	lab_phys_free(a);
}

static void test_x86(void)
{
	lab_physmem *pm = memory(LAB_ARCH_X86, 1);
	lab_paging pg;
	lab_walk w;
	uint64_t dtb;
	size_t s1;

	CHECK(lab_paging_init(&pg, LAB_ARCH_X86, pm, 0, 0x185, &err) == PS_OK);
	dtb = pg.dtb[0];
	CHECK_EQ_U64(dtb, 0x185000);
	/* Self-map: PDE 0x300 points at the page directory itself. */
	CHECK_EQ_U64(rd32(pm, dtb + 0x300 * 4) & 0xFFFFF001u, dtb | 1);
	CHECK(lab_map_page(&pg, 0, 0x80123000, 0x456000, LAB_PTE_RW, &err) == PS_OK);
	{
		uint32_t pde = rd32(pm, dtb + (0x80123000 >> 22) * 4);
		uint32_t pte = rd32(pm, (pde & 0xFFFFF000u) + ((0x80123000 >> 12) & 0x3FF) * 4);
		CHECK(pde & 1);
		CHECK_EQ_U64(pte & 0xFFFFF003u, 0x456003);
		/* The same PTE through the self-map at 0xC0000000 + (va >> 12) * 4. */
		lab_walk_va(&pg, 0, 0xC0000000u + (0x80123000u >> 12) * 4, &w);
		CHECK(w.state == LAB_VA_VALID);
		CHECK_EQ_U64(rd32(pm, w.pa), pte);
	}
	lab_walk_va(&pg, 0, 0x80123abc, &w);
	CHECK(w.state == LAB_VA_VALID);
	CHECK_EQ_U64(w.pa, 0x456abc);
	/* 4 MiB page: PDE with PS, base in bits 31-22. */
	CHECK(lab_map_large(&pg, 0x82c00000, 0x2c00000, &err) == PS_OK);
	CHECK_EQ_U64(rd32(pm, dtb + (0x82c00000 >> 22) * 4) & 0xFFC00081u, 0x2c00081);
	lab_walk_va(&pg, 0, 0x82e4f123, &w);
	CHECK(w.state == LAB_VA_VALID && w.large);
	CHECK_EQ_U64(w.pa, 0x2e4f123);
	CHECK(lab_map_page(&pg, 0, 0x82c01000, 0x1000, 0, &err) != PS_OK);   /* inside the large page */
	/* A process space shares the kernel half, including later tables. */
	CHECK(lab_paging_new_space(&pg, &s1, &err) == PS_OK);
	CHECK_EQ_U64(rd32(pm, pg.dtb[s1] + 0x300 * 4) & 0xFFFFF000u, pg.dtb[s1]);
	CHECK(lab_map_page(&pg, 0, 0x91967000, 0x777000, LAB_PTE_RW, &err) == PS_OK);
	lab_walk_va(&pg, s1, 0x91967010, &w);
	CHECK(w.state == LAB_VA_VALID);
	CHECK_EQ_U64(w.pa, 0x777010);
	/* User pages stay in their own space. */
	CHECK(lab_map_page(&pg, s1, 0x7ffdf000, 0x888000, LAB_PTE_US, &err) == PS_OK);
	lab_walk_va(&pg, 0, 0x7ffdf000, &w);
	CHECK(w.state == LAB_VA_UNMAPPED);
	lab_walk_va(&pg, s1, 0x7ffdf000, &w);
	CHECK(w.state == LAB_VA_VALID && w.pa == 0x888000);
	/* Software PTEs: transition (bit 11), paging file (PageFileHigh 12-31). */
	CHECK(lab_set_pte(&pg, 0, 0x80124000, 0x999000 | 0x800 | 0x80, &err) == PS_OK);
	lab_walk_va(&pg, 0, 0x80124010, &w);
	CHECK(w.state == LAB_VA_TRANSITION && w.pa == 0x999010);
	CHECK(lab_set_pte(&pg, 0, 0x80125000, 0x1A2B3000 | 0x80, &err) == PS_OK);
	lab_walk_va(&pg, 0, 0x80125000, &w);
	CHECK(w.state == LAB_VA_PAGEFILE);
	lab_walk_va(&pg, 0, 0x80126000, &w);
	CHECK(w.state == LAB_VA_DEMANDZERO && w.pte == 0);
	lab_phys_free(pm);
}

static void test_pae(void)
{
	lab_physmem *pm = memory(LAB_ARCH_X86_PAE, 2);
	lab_paging pg;
	lab_walk w;
	size_t s1, s2;

	CHECK(lab_paging_init(&pg, LAB_ARCH_X86_PAE, pm, 0, 0x185, &err) == PS_OK);
	CHECK_EQ_U64(pg.dtb[0], 0x185000);
	/* PDPTEs hold only P and the address. */
	for (int i = 0; i < 4; i++) {
		uint64_t e = rd64(pm, pg.dtb[0] + i * 8);
		CHECK_EQ_U64(e & 0xFFF, 1);
		CHECK_EQ_U64(e & 0x000FFFFFFFFFF000ull, pg.pae_pd[0][i]);
		/* Self-map: PD3 entries 0-3 at 0xC0600000 map the four PDs. */
		CHECK_EQ_U64(rd64(pm, pg.pae_pd[0][3] + i * 8) & 0x000FFFFFFFFFF001ull, pg.pae_pd[0][i] | 1);
	}
	/* 0xC0603018 is the self-referencing entry: it reads PD3's own address. */
	lab_walk_va(&pg, 0, 0xC0603018, &w);
	CHECK(w.state == LAB_VA_VALID);
	CHECK_EQ_U64(rd64(pm, w.pa) & 0x000FFFFFFFFFF000ull, pg.pae_pd[0][3]);
	CHECK(lab_paging_new_space(&pg, &s1, &err) == PS_OK);
	CHECK(lab_paging_new_space(&pg, &s2, &err) == PS_OK);
	/* Process PDPTs are 32-byte slots in one page. */
	CHECK_EQ_U64(pg.dtb[s1] % 32, 0);
	CHECK(pg.dtb[s1] % 4096 != 0 || pg.dtb[s2] % 4096 != 0);
	CHECK_EQ_U64(pg.dtb[s2], pg.dtb[s1] + 32);
	CHECK(lab_map_large(&pg, 0x82e00000, 0x2e00000, &err) == PS_OK);
	lab_walk_va(&pg, s2, 0x82e0f123, &w);
	CHECK(w.state == LAB_VA_VALID && w.large);
	CHECK_EQ_U64(w.pa, 0x2e0f123);
	CHECK(lab_map_page(&pg, 0, 0x91967000, 0x1234000, LAB_PTE_RW | LAB_PTE_NX, &err) == PS_OK);
	lab_walk_va(&pg, s1, 0x91967324, &w);
	CHECK(w.state == LAB_VA_VALID && w.pa == 0x1234324);
	CHECK(w.pte >> 63);   /* NX */
	/* PTE via the self-map: 0xC0000000 + (va >> 12) * 8. */
	lab_walk_va(&pg, 0, 0xC0000000u + (0x91967000u >> 12) * 8, &w);
	CHECK(w.state == LAB_VA_VALID);
	CHECK_EQ_U64(rd64(pm, w.pa) & 0x000FFFFFFFFFF000ull, 0x1234000);
	/* Paging file on PAE: PageFileHigh in bits 32-63. */
	CHECK(lab_set_pte(&pg, 0, 0x91968000, (0x1A2B3ull << 32) | 0x80, &err) == PS_OK);
	lab_walk_va(&pg, 0, 0x91968000, &w);
	CHECK(w.state == LAB_VA_PAGEFILE);
	CHECK(lab_set_pte(&pg, 0, 0x91969000, 0x80, &err) == PS_OK);
	lab_walk_va(&pg, 0, 0x91969000, &w);
	CHECK(w.state == LAB_VA_DEMANDZERO && w.pte == 0x80);
	lab_phys_free(pm);
}

static void test_x64(void)
{
	lab_physmem *pm = memory(LAB_ARCH_X64, 3);
	lab_paging pg;
	lab_walk w;
	uint64_t va = 0xFFFFF88004A67000ull, pte_va;
	size_t s1;

	CHECK(lab_paging_init(&pg, LAB_ARCH_X64, pm, 0x1ED, 0x187, &err) == PS_OK);
	CHECK_EQ_U64(pg.pte_base, 0xFFFFF68000000000ull);
	CHECK_EQ_U64(rd64(pm, pg.dtb[0] + 0x1ED * 8) & 0x000FFFFFFFFFF001ull, pg.dtb[0] | 1);
	CHECK(lab_paging_init(&pg, LAB_ARCH_X64, pm, 0x100, 0, &err) == PS_OK);
	CHECK_EQ_U64(pg.pte_base, 0xFFFF800000000000ull);
	CHECK(lab_paging_init(&pg, LAB_ARCH_X64, pm, 0x0FF, 0, &err) != PS_OK);

	pm = (lab_phys_free(pm), memory(LAB_ARCH_X64, 3));
	CHECK(lab_paging_init(&pg, LAB_ARCH_X64, pm, 0x1ED, 0x187, &err) == PS_OK);
	CHECK(lab_paging_new_space(&pg, &s1, &err) == PS_OK);
	/* A kernel PML4 entry created after the process exists reaches it. */
	CHECK(lab_map_page(&pg, 0, va, 0x2345000, LAB_PTE_RW, &err) == PS_OK);
	CHECK_EQ_U64(rd64(pm, pg.dtb[s1] + 0x1F1 * 8), rd64(pm, pg.dtb[0] + 0x1F1 * 8));
	lab_walk_va(&pg, s1, va + 0x324, &w);
	CHECK(w.state == LAB_VA_VALID && w.pa == 0x2345324);
	/* PTE_BASE + ((va >> 9) & 0x7FFFFFFFF8) reads the PTE. */
	pte_va = pg.pte_base + ((va >> 9) & 0x7FFFFFFFF8ull);
	CHECK_EQ_U64(pte_va, 0xFFFFF6FC40025338ull);
	lab_walk_va(&pg, 0, pte_va, &w);
	CHECK(w.state == LAB_VA_VALID);
	CHECK_EQ_U64(rd64(pm, w.pa) & 0x000FFFFFFFFFF000ull, 0x2345000);
	/* The PXE of the self-map: 0xFFFFF6FB7DBEDF68. */
	lab_walk_va(&pg, 0, 0xFFFFF6FB7DBEDF68ull, &w);
	CHECK(w.state == LAB_VA_VALID);
	CHECK_EQ_U64(w.pa, pg.dtb[0] + 0x1ED * 8);
	CHECK(lab_map_large(&pg, 0xFFFFF80002A00000ull, 0x2A00000, &err) == PS_OK);
	lab_walk_va(&pg, s1, 0xFFFFF80002A4D010ull, &w);
	CHECK(w.state == LAB_VA_VALID && w.large && w.pa == 0x2A4D010);
	CHECK(lab_map_large(&pg, 0xFFFFF80002B00000ull, 0x2B00000, &err) != PS_OK);   /* not aligned */
	/* Non-canonical addresses are never mapped. */
	lab_walk_va(&pg, 0, 0x0000900000000000ull, &w);
	CHECK(w.state == LAB_VA_UNMAPPED);
	/* Writes cross pages through the tables. */
	CHECK(lab_map_page(&pg, 0, va + 0x1000, 0x3456000, LAB_PTE_RW, &err) == PS_OK);
	CHECK(lab_vwrite(&pg, 0, va + 0xFFE, "ABCD", 4, &err) == PS_OK);
	{
		char b[4];
		lab_phys_read(pm, 0x2345FFE, b, 2);
		lab_phys_read(pm, 0x3456000, b + 2, 2);
		CHECK(memcmp(b, "ABCD", 4) == 0);
	}
	CHECK(lab_vwrite(&pg, 0, va + 0x3000, "X", 1, &err) == PS_EINVALID);
	lab_phys_free(pm);
}

int main(void)
{
	test_physmem();
	test_x86();
	test_pae();
	test_x64();
	return CHECK_DONE();
}
