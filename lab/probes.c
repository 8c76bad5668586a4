/*
 * probes.c - addresses the truth file reports with their page state and
 * first bytes, so reader tests can check translation case by case: 4 KiB
 * and large pages, both sides of a hole in the physical runs, the self-map,
 * a transition PTE, a paging-file PTE, a demand-zero PTE, an address with no
 * page table, and user pages that a kernel dump leaves out.
 *
 * Software PTE formats: formats.md §6.2 (Transition = bit 11 with Prototype
 * bit 10 clear; paging file: PageFileLow bits 1-4 on Windows 7, bits 12-15 on
 * Windows 10, PageFileHigh bits 32-63 on PAE/x64 and 12-31 on x86).
 */
#include "lab.h"

#include <stdio.h>
#include <string.h>

#define PTE_DATA (LAB_PTE_RW | LAB_PTE_A | LAB_PTE_D | LAB_PTE_G | 0x800 | LAB_PTE_NX)
#define PROT_READWRITE (4ull << 5)    /* MM_READWRITE in the Protection field */

ps_status lab_add_probe(lab *l, const char *what, uint64_t va, size_t space, uint64_t pid)
{
	lab_probe *p;
	if (l->probe_count >= LAB_MAX_PROBES)
		return PS_ENOMEM;
	p = &l->probes[l->probe_count++];
	snprintf(p->what, sizeof p->what, "%s", what);
	p->va = va;
	p->space = space;
	p->pid = pid;
	return PS_OK;
}

static uint64_t pte_va(const lab *l, uint64_t va)
{
	if (l->sc.arch == LAB_ARCH_X64)
		return l->pg.pte_base + ((va >> 9) & 0x7FFFFFFFF8ull);
	if (l->sc.arch == LAB_ARCH_X86_PAE)
		return 0xC0000000ull + ((va & 0xFFFFFFFFull) >> 12) * 8;
	return 0xC0000000ull + ((va & 0xFFFFFFFFull) >> 12) * 4;
}

static uint64_t pde_va(const lab *l, uint64_t va)
{
	if (l->sc.arch == LAB_ARCH_X64) {
		uint64_t pde_base = l->pg.pte_base + ((uint64_t)l->pg.selfmap_index << 30);
		return pde_base + ((va >> 18) & 0x3FFFFFF8ull);
	}
	if (l->sc.arch == LAB_ARCH_X86_PAE)
		return 0xC0600000ull + ((va & 0xFFFFFFFFull) >> 21) * 8;
	return 0xC0300000ull + ((va & 0xFFFFFFFFull) >> 22) * 4;
}

static uint64_t selfref_va(const lab *l)
{
	if (l->sc.arch == LAB_ARCH_X64) {
		uint64_t i = l->pg.selfmap_index;
		uint64_t pxe = l->pg.pte_base + (i << 30) + (i << 21) + (i << 12);
		return pxe + i * 8;
	}
	return l->sc.arch == LAB_ARCH_X86_PAE ? 0xC0603018ull : 0xC0300C00ull;
}

static ps_status pattern_page(lab *l, uint64_t va, const char *label, ps_error *err)
{
	char text[64];
	int n = snprintf(text, sizeof text, "%s@%llx", label, (unsigned long long)va);
	return lab_vwrite(&l->pg, 0, va, text, (size_t)n, err);
}

/* A page of the paged region with a hand-made PTE. */
static ps_status special_ptes(lab *l, ps_error *err)
{
	uint64_t va, pfn, raw;
	ps_status st;

	/* Reserve five pages of VA; the first is an ordinary valid page, so
	 * the page table exists. */
	if ((st = lab_region_pages(l, &l->paged, 1, &va, err)) != PS_OK)
		return st;
	if ((st = pattern_page(l, va, "LAB-VALID", err)) != PS_OK)
		return st;
	lab_add_probe(l, "paged 4K valid", va, 0, 0);
	/* The next four pages of VA belong to the probes (and the zero PTE
	 * after them): no pool block may take them. */
	{
		uint64_t rest;
		if ((st = lab_region_va(l, &l->paged, 5, &rest, err)) != PS_OK)
			return st;
		if (rest != va + 0x1000)
			return ps_error_set(err, PS_EARG, "paged region: probe pages are not contiguous");
	}

	/* Transition: the page is on the standby list, still in RAM. */
	if ((st = lab_phys_alloc(l->pm, &pfn, err)) != PS_OK)
		return st;
	raw = (pfn << 12) | 0x800 | PROT_READWRITE;
	if ((st = lab_set_pte(&l->pg, 0, va + 0x1000, raw, err)) != PS_OK)
		return st;
	if ((st = pattern_page(l, va + 0x1000, "LAB-TRANSITION", err)) != PS_OK)
		return st;
	l->special_ptes[0] = raw;
	lab_add_probe(l, "transition PTE", va + 0x1000, 0, 0);

	/* Paged out: paging file 0 (PageFileLow = 0), page offset 0x1a2b3 in
	 * PageFileHigh. */
	if (l->sc.arch == LAB_ARCH_X86)
		raw = (0x1A2B3ull << 12) | PROT_READWRITE;
	else
		raw = (0x1A2B3ull << 32) | PROT_READWRITE;
	if ((st = lab_set_pte(&l->pg, 0, va + 0x2000, raw, err)) != PS_OK)
		return st;
	l->special_ptes[1] = raw;
	lab_add_probe(l, "pagefile PTE", va + 0x2000, 0, 0);

	/* Demand zero: committed, never touched (protection only). */
	raw = PROT_READWRITE;
	if ((st = lab_set_pte(&l->pg, 0, va + 0x3000, raw, err)) != PS_OK)
		return st;
	l->special_ptes[2] = raw;
	lab_add_probe(l, "demand-zero PTE", va + 0x3000, 0, 0);
	/* A zero PTE in a present table. */
	lab_add_probe(l, "zero PTE", va + 0x4000, 0, 0);
	/* An address whose page table does not exist: a kernel VA chunk that
	 * nothing maps. */
	if ((st = lab_kernel_va_hole(l, &va, err)) != PS_OK)
		return st;
	lab_add_probe(l, "no page table", va + 0x1000, 0, 0);
	return PS_OK;
}

/* Kernel pages at both sides of each hole between physical runs. */
static ps_status run_edges(lab *l, ps_error *err)
{
	ps_status st;
	for (size_t i = 0; i + 1 < l->sc.run_count && i < 3; i++) {
		uint64_t last = l->sc.runs[i].base_page + l->sc.runs[i].page_count - 1;
		uint64_t first = l->sc.runs[i + 1].base_page;
		uint64_t pfns[2] = { last, first };
		for (int k = 0; k < 2; k++) {
			uint64_t va;
			char what[64];
			if (lab_phys_claim(l->pm, pfns[k], 1, NULL) != PS_OK)
				continue;
			if ((st = lab_region_va(l, &l->nonpaged, 1, &va, err)) != PS_OK)
				return st;
			if (!lab_phys_page(l->pm, pfns[k]))
				return ps_error_set(err, PS_ENOMEM, "out of memory");
			if ((st = lab_map_page(&l->pg, 0, va, pfns[k] * 4096, PTE_DATA, err)) != PS_OK)
				return st;
			l->nonpaged.pages++;
			if ((st = pattern_page(l, va, k ? "LAB-RUN-START" : "LAB-RUN-END", err)) != PS_OK)
				return st;
			snprintf(what, sizeof what, "%s of run %zu (pfn 0x%llx)", k ? "first page" : "last page",
				 i + (size_t)k, (unsigned long long)pfns[k]);
			lab_add_probe(l, what, va, 0, 0);
		}
	}
	return PS_OK;
}

ps_status lab_build_probes(lab *l, ps_error *err)
{
	ps_status st;

	lab_add_probe(l, "kernel image base (large page)", l->kernel->img.base, 0, 0);
	lab_add_probe(l, "kernel image +0x1000 (large page)", l->kernel->img.base + 0x1000, 0, 0);
	lab_add_probe(l, "KdDebuggerDataBlock", l->kdbg_va, 0, 0);
	for (size_t i = 0; i < l->module_count; i++) {
		char what[64];
		if (l->modules[i].in_boot_region)
			continue;
		snprintf(what, sizeof what, "%.40s base (4K page)", l->modules[i].spec->name);
		lab_add_probe(l, what, l->modules[i].img.base, 0, 0);
	}
	for (size_t i = 0; i < l->tag_hit_count; i++) {
		char what[64];
		snprintf(what, sizeof what, "MSKK in %.40s", l->tag_hits[i].module);
		lab_add_probe(l, what, l->tag_hits[i].va, 0, 0);
	}
	/* Through the self-map: the PDE of the large-page-mapped kernel and the
	 * PTE of a 4 KiB page (the first driver outside the boot region). */
	lab_add_probe(l, "PDE of the kernel base (self-map)", pde_va(l, l->kernel->img.base), 0, 0);
	for (size_t i = 0; i < l->module_count; i++) {
		if (!l->modules[i].in_boot_region) {
			char what[64];
			snprintf(what, sizeof what, "PTE of %.40s base (self-map)", l->modules[i].spec->name);
			lab_add_probe(l, what, pte_va(l, l->modules[i].img.base), 0, 0);
			break;
		}
	}
	lab_add_probe(l, "self-referencing entry", selfref_va(l), 0, 0);
	if ((st = special_ptes(l, err)) != PS_OK)
		return st;
	if ((st = run_edges(l, err)) != PS_OK)
		return st;
	for (size_t i = 0; i < l->process_count; i++) {
		const lab_process *pr = &l->processes[i];
		char what[64];
		if (!pr->spec->peb)
			continue;
		snprintf(what, sizeof what, "PEB of %s (user page)", pr->spec->name);
		lab_add_probe(l, what, pr->spec->peb, pr->space, pr->spec->pid);
	}
	return PS_OK;
}
