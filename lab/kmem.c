/*
 * kmem.c - kernel virtual memory for the lab's structures: three regions
 * (nonpaged pool, paged pool, session space) that grow page by page.
 *
 * Each region starts at its base (profile.c, with a seeded offset) and grows
 * in extents of whole 4 MiB chunks. When the VA after the current extent is
 * taken (an image, the PFN database, the self-map, another region), the
 * region continues at the next free chunk: on x86 the seed's 1.7 GB of paged
 * pool (or 1.4 GB of thread objects in nonpaged pool) only fits in the 2 GB
 * kernel half by going around the drivers, as Windows 7's dynamic kernel VA
 * does. The pool blocks themselves are laid out in pool_blocks.c.
 */
#include "pool.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK (4ull << 20)
#define PTE_DATA (LAB_PTE_RW | LAB_PTE_A | LAB_PTE_D | LAB_PTE_G | 0x800 | LAB_PTE_NX)

static uint64_t round_up(uint64_t v, uint64_t to)
{
	return (v + to - 1) / to * to;
}

static void window(const lab *l, uint64_t *lo, uint64_t *hi)
{
	if (l->sc.arch == LAB_ARCH_X64) {
		*lo = 0xFFFF800000000000ull;
		*hi = 0xFFFFFFFFFFC00000ull;
	} else {
		*lo = 0x80000000ull;
		*hi = 0xFFC00000ull;
	}
}

static ps_status push_extent(lab_extent **arr, size_t *count, size_t *cap, uint64_t start, uint64_t end,
			     ps_error *err)
{
	if (*count == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		lab_extent *n = realloc(*arr, ncap * sizeof *n);
		if (!n)
			return ps_error_set(err, PS_ENOMEM, "kernel VA: out of memory");
		*arr = n;
		*cap = ncap;
	}
	(*arr)[*count].start = start;
	(*arr)[*count].end = end;
	(*count)++;
	return PS_OK;
}

static ps_status reserve(lab *l, uint64_t start, uint64_t end, ps_error *err)
{
	if (end <= start)
		return PS_OK;
	return push_extent(&l->va_used, &l->va_used_count, &l->va_used_cap, start, end, err);
}

static int is_free(const lab *l, uint64_t start, uint64_t end, uint64_t *past)
{
	for (size_t i = 0; i < l->va_used_count; i++) {
		const lab_extent *u = &l->va_used[i];
		if (start < u->end && u->start < end) {
			*past = u->end;
			return 0;
		}
	}
	return 1;
}

/* The lowest free [a, round_up(a + need, CHUNK)) with a >= from (`from`
 * itself, then chunk-aligned addresses), wrapping to the bottom of the
 * kernel half once. */
static int find_free(const lab *l, uint64_t from, uint64_t need, uint64_t *out, uint64_t *out_end)
{
	uint64_t lo, hi, cand = from, past;
	int wrapped = 0;

	window(l, &lo, &hi);
	if (cand < lo)
		cand = lo;
	for (unsigned guard = 0; guard < 1u << 20; guard++) {
		uint64_t end = round_up(cand + need, CHUNK);
		if (end > hi || end < cand) {
			if (wrapped)
				return -1;
			wrapped = 1;
			cand = lo;
			continue;
		}
		if (is_free(l, cand, end, &past)) {
			*out = cand;
			*out_end = end;
			return 0;
		}
		cand = round_up(past, CHUNK);
	}
	return -1;
}

static void region(lab_region *r, const char *name, uint64_t base, int paged)
{
	memset(r, 0, sizeof *r);
	r->name = name;
	r->base = r->next = r->end = base;
	r->paged = paged;
}

ps_status lab_regions_init(lab *l, ps_error *err)
{
	uint64_t np = l->prof.nonpaged_base;
	uint64_t pfn_bytes = lab_phys_max_page(l->pm) * l->prof.pfn_entry_size;
	/* A seed-chosen start inside each region, so layouts differ by seed
	 * but stay reproducible. */
	uint64_t jitter = (lab_phys_random(l->pm) % 64) * 0x10000;
	ps_status st;

	l->pfn_database = l->prof.pfn_database;
	if (np == 0) {
		/* Windows 7 x64: nonpaged pool follows the PFN database. */
		np = l->pfn_database + round_up(pfn_bytes, 16ull << 20);
	}
	region(&l->nonpaged, "nonpaged", np + jitter, 0);
	jitter = (lab_phys_random(l->pm) % 64) * 0x10000;
	region(&l->paged, "paged", l->prof.paged_base + jitter, 1);
	region(&l->session, "session", l->prof.session_base + 0x7000, 1);

	/* What the regions must go around. */
	if ((st = reserve(l, l->boot_region_start, l->boot_region_end, err)) != PS_OK)
		return st;
	for (size_t i = 0; i < l->module_count; i++) {
		const lab_module *m = &l->modules[i];
		if ((st = reserve(l, m->img.base, m->img.base + round_up(m->img.size_of_image, 4096), err)) != PS_OK)
			return st;
	}
	if ((st = reserve(l, l->pfn_database, l->pfn_database + round_up(pfn_bytes, CHUNK), err)) != PS_OK)
		return st;
	if (l->sc.arch == LAB_ARCH_X64) {
		uint64_t self = 0xFFFF000000000000ull | ((uint64_t)l->pg.selfmap_index << 39);
		st = reserve(l, self, self + (1ull << 39), err);
	} else {
		st = reserve(l, 0xC0000000ull, l->sc.arch == LAB_ARCH_X86_PAE ? 0xC0800000ull : 0xC0400000ull, err);
		if (st == PS_OK)
			st = reserve(l, 0xFFC00000ull, 0x100000000ull, err);
	}
	if (st != PS_OK)
		return st;
	/* Pool blocks come next (KDBG's memory block, modules, processes). */
	return lab_pool_init(l, err);
}

void lab_regions_free(lab *l)
{
	lab_region *rs[] = { &l->nonpaged, &l->paged, &l->session, &l->boot_extra };
	for (size_t i = 0; i < sizeof rs / sizeof rs[0]; i++) {
		free(rs[i]->extents);
		rs[i]->extents = NULL;
	}
	free(l->va_used);
	l->va_used = NULL;
}

/* Make [r->next, r->next + need) part of the region: extend the current
 * extent when the VA after it is free, else start a new extent at the next
 * free chunk (the tail of the old one stays unused). */
static ps_status grow(lab *l, lab_region *r, uint64_t need, ps_error *err)
{
	uint64_t start, end, past;
	ps_status st;

	if (r->extent_count && r->next >= r->extents[r->extent_count - 1].start) {
		end = round_up(r->next + need, CHUNK);
		if (is_free(l, r->end, end, &past)) {
			if ((st = reserve(l, r->end, end, err)) != PS_OK)
				return st;
			r->extents[r->extent_count - 1].end = end;
			r->end = end;
			return PS_OK;
		}
	}
	if (find_free(l, r->extent_count ? round_up(r->end, CHUNK) : r->base, need, &start, &end) != 0)
		return ps_error_set(err, PS_ENOMEM, "%s region: no free kernel VA for 0x%llx bytes",
				    r->name, (unsigned long long)need);
	if ((st = reserve(l, start, end, err)) != PS_OK)
		return st;
	if ((st = push_extent(&r->extents, &r->extent_count, &r->extent_cap, start, end, err)) != PS_OK)
		return st;
	r->next = start;
	r->end = end;
	return PS_OK;
}

ps_status lab_region_va(lab *l, lab_region *r, uint64_t npages, uint64_t *va, ps_error *err)
{
	uint64_t need = npages * 4096;
	ps_status st;

	if (npages == 0 || npages > (1ull << 28))
		return ps_error_set(err, PS_EARG, "%s region: bad page count %llu", r->name,
				    (unsigned long long)npages);
	if (r->extent_count == 0 || r->next + need > r->end || r->next < r->extents[r->extent_count - 1].start) {
		if ((st = grow(l, r, need, err)) != PS_OK)
			return st;
	}
	*va = r->next;
	r->next += need;
	return PS_OK;
}

static ps_status map_pages(lab *l, lab_region *r, uint64_t npages, uint64_t *va, int keep, ps_error *err)
{
	ps_status st;
	if ((st = lab_region_va(l, r, npages, va, err)) != PS_OK)
		return st;
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t pfn;
		if ((st = lab_phys_alloc(l->pm, &pfn, err)) != PS_OK)
			return st;
		if (keep && !lab_phys_page(l->pm, pfn))
			return ps_error_set(err, PS_ENOMEM, "out of memory");
		if ((st = lab_map_page(&l->pg, 0, *va + i * 4096, pfn * 4096, PTE_DATA, err)) != PS_OK)
			return st;
	}
	r->pages += npages;
	return PS_OK;
}

ps_status lab_region_pages(lab *l, lab_region *r, uint64_t npages, uint64_t *va, ps_error *err)
{
	return map_pages(l, r, npages, va, 1, err);
}

ps_status lab_region_pages_zero(lab *l, lab_region *r, uint64_t npages, uint64_t *va, ps_error *err)
{
	return map_pages(l, r, npages, va, 0, err);
}

ps_status lab_kernel_va_hole(lab *l, uint64_t *va, ps_error *err)
{
	uint64_t lo, hi, at = 0;
	lab_walk w;

	window(l, &lo, &hi);
	/* Above the regions' usual places, so later growth rarely meets it. */
	for (uint64_t from = l->sc.arch == LAB_ARCH_X64 ? l->paged.base + (64ull << 30) : 0xE0000000ull;;
	     from = at + CHUNK) {
		uint64_t end;
		if (find_free(l, round_up(from, CHUNK), CHUNK, &at, &end) != 0)
			return ps_error_set(err, PS_ENOMEM, "no free kernel VA for an unmapped probe");
		lab_walk_va(&l->pg, 0, at, &w);
		if (w.state == LAB_VA_UNMAPPED && w.level > 1)
			break;
		if (at + CHUNK >= hi)
			return ps_error_set(err, PS_ENOMEM, "no kernel VA without page tables");
	}
	*va = at;
	return reserve(l, at, at + CHUNK, err);
}
