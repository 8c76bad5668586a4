/*
 * kmem.c - kernel virtual memory for the lab's structures: three regions
 * (nonpaged pool, paged pool, session space) that grow page by page, and
 * small pool blocks with real POOL_HEADERs inside them.
 *
 * Pool header layout and PoolType encoding: formats.md §3.1-3.2 (Vista+
 * stores POOL_TYPE | 2, so allocated nonpaged = 2, paged = 3; free = 0).
 * Every page is a complete chain of blocks (§3.3): the unused tail of a page
 * becomes one free block when the page is closed.
 */
#include "lab.h"

#include <string.h>

#include "core/bytes.h"

#define PTE_DATA (LAB_PTE_RW | LAB_PTE_A | LAB_PTE_D | LAB_PTE_G | 0x800 | LAB_PTE_NX)

static void region(lab_region *r, const char *name, uint64_t base, uint64_t size, int paged)
{
	memset(r, 0, sizeof *r);
	r->name = name;
	r->base = r->next = base;
	r->end = base + size;
	r->paged = paged;
}

ps_status lab_regions_init(lab *l, ps_error *err)
{
	uint64_t np = l->prof.nonpaged_base;
	/* A seed-chosen start inside each region, so layouts differ by seed
	 * but stay reproducible. */
	uint64_t jitter = (lab_phys_random(l->pm) % 64) * 0x10000;

	l->pfn_database = l->prof.pfn_database;
	if (np == 0) {
		/* Windows 7 x64: nonpaged pool follows the PFN database. */
		uint64_t pfn_bytes = lab_phys_max_page(l->pm) * l->prof.pfn_entry_size;
		np = l->pfn_database + ((pfn_bytes + (16ull << 20) - 1) & ~((16ull << 20) - 1));
	}
	region(&l->nonpaged, "nonpaged", np + jitter, 512ull << 20, 0);
	jitter = (lab_phys_random(l->pm) % 64) * 0x10000;
	region(&l->paged, "paged", l->prof.paged_base + jitter, 512ull << 20, 1);
	region(&l->session, "session", l->prof.session_base + 0x7000, 64ull << 20, 1);
	if (l->sc.arch != LAB_ARCH_X64) {
		/* x86 regions are smaller; keep them inside their 32-bit windows. */
		l->nonpaged.end = l->nonpaged.base + (96ull << 20);
		l->paged.end = l->paged.base + (160ull << 20);
		l->session.end = l->session.base + (1ull << 20);
	}
	(void)err;
	return PS_OK;
}

ps_status lab_region_pages(lab *l, lab_region *r, uint64_t npages, uint64_t *va, ps_error *err)
{
	ps_status st;
	if (npages == 0 || npages > (r->end - r->next) / 4096)
		return ps_error_set(err, PS_ENOMEM, "%s region 0x%llx-0x%llx is full",
				    r->name, (unsigned long long)r->base, (unsigned long long)r->end);
	*va = r->next;
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t pfn;
		if ((st = lab_phys_alloc(l->pm, &pfn, err)) != PS_OK)
			return st;
		if (!lab_phys_page(l->pm, pfn))
			return ps_error_set(err, PS_ENOMEM, "out of memory");
		if ((st = lab_map_page(&l->pg, 0, r->next, pfn * 4096, PTE_DATA, err)) != PS_OK)
			return st;
		r->next += 4096;
	}
	return PS_OK;
}

static ps_status write_header(lab *l, uint64_t va, uint32_t prev_units, uint32_t pool_index,
			      uint32_t units, uint32_t pool_type, uint32_t tag, ps_error *err)
{
	uint8_t h[16] = { 0 };
	if (l->prof.pool_header == 8) {
		ps_put_le16(h, (uint16_t)((prev_units & 0x1FF) | (pool_index << 9)));
		ps_put_le16(h + 2, (uint16_t)((units & 0x1FF) | (pool_type << 9)));
	} else {
		h[0] = (uint8_t)prev_units;
		h[1] = (uint8_t)pool_index;
		h[2] = (uint8_t)units;
		h[3] = (uint8_t)pool_type;
	}
	ps_put_le32(h + 4, tag);
	return lab_vwrite(&l->pg, 0, va, h, l->prof.pool_header, err);
}

static ps_status close_page(lab *l, lab_region *r, ps_error *err)
{
	ps_status st = PS_OK;
	if (r->cur_page && r->cur_used < 4096)
		st = write_header(l, r->cur_page + r->cur_used, r->cur_prev_units, 0,
				  (4096 - r->cur_used) / l->prof.pool_unit, 0, 0, err);
	r->cur_page = 0;
	r->cur_used = 0;
	r->cur_prev_units = 0;
	return st;
}

ps_status lab_pool_alloc(lab *l, lab_region *r, uint32_t tag, uint32_t bytes, uint64_t *va, ps_error *err)
{
	uint32_t unit = l->prof.pool_unit;
	uint32_t block = (bytes + l->prof.pool_header + unit - 1) / unit * unit;
	ps_status st;

	if (bytes == 0 || bytes > l->prof.pool_small_max)
		return ps_error_set(err, PS_EARG, "pool block of %u bytes: big-page allocations are not laid out yet", bytes);
	if (!r->cur_page || r->cur_used + block > 4096) {
		if ((st = close_page(l, r, err)) != PS_OK)
			return st;
		if ((st = lab_region_pages(l, r, 1, &r->cur_page, err)) != PS_OK)
			return st;
	}
	if ((st = write_header(l, r->cur_page + r->cur_used, r->cur_prev_units, r->paged ? 1 : 0,
			       block / unit, r->paged ? 3 : 2, tag, err)) != PS_OK)
		return st;
	*va = r->cur_page + r->cur_used + l->prof.pool_header;
	r->cur_used += block;
	r->cur_prev_units = block / unit;
	if (r->cur_used == 4096) {
		r->cur_page = 0;
		r->cur_used = 0;
		r->cur_prev_units = 0;
	}
	return PS_OK;
}

ps_status lab_pool_finish(lab *l, ps_error *err)
{
	ps_status st;
	if ((st = close_page(l, &l->nonpaged, err)) != PS_OK)
		return st;
	if ((st = close_page(l, &l->paged, err)) != PS_OK)
		return st;
	return close_page(l, &l->session, err);
}
