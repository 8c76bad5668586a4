/*
 * pool_blocks.c - pool allocations as Windows 7 / 10 1809 lay them out, and
 * the accounting the tracker tables and descriptors are built from.
 *
 * Small requests (at most 0xFF0 bytes on x86, 0xFE0 on x64; formats.md
 * §3.2) become blocks in 4 KiB pool pages: POOL_HEADER (§3.1), block size
 * rounded up to 8 (x86) or 16 (x64) bytes including the header, PoolType
 * stored as POOL_TYPE | 2 (Vista+, §3.2; free blocks 0), PreviousSize
 * chains starting at 0 on each page and ending exactly at the page end, the
 * unused tail of a page closed with a free block (§3.3). Each descriptor
 * (nonpaged, paged pools 1..N round-robin, each session) fills its own
 * pages, as ReactOS's ExAllocatePoolWithTag picks PoolVector[] /
 * ExpPagedPoolDescriptor[] (formats.md [ROS-EXPOOL]).
 *
 * Larger requests are big-page allocations without a header, page aligned,
 * listed in the big-page table (pool_tables.c) and charged to paged pool 0
 * or the nonpaged / session descriptor; their pages are mapped but hold
 * zeros that are not kept in RAM, so the seed's 1.7 GB of MSKK pages cost
 * page tables only.
 *
 * The tracker charges a small block its block size and a big allocation its
 * whole pages (ReactOS: ROUND_TO_PAGES), which is how the seed's figures
 * come out: Thre 1908328 blocks of 0x2e8/0x2d8 = 1419794592 bytes, MSKK
 * 415447 pages = 1701670912 bytes.
 */
#include "pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"

static uint32_t units_of(const lab *l, uint32_t bytes)
{
	uint32_t unit = l->prof.pool_unit;
	return (bytes + l->prof.pool_header + unit - 1) / unit;
}

uint64_t lab_pool_charge(const lab *l, uint32_t bytes)
{
	if (bytes > l->prof.pool_small_max)
		return ((uint64_t)bytes + 4095) / 4096 * 4096;
	return (uint64_t)units_of(l, bytes) * l->prof.pool_unit;
}

static void desc_init(lab_pool_desc *d, lab_region *r, int kind, uint32_t index)
{
	memset(d, 0, sizeof *d);
	d->region = r;
	d->kind = kind;
	d->pool_index = index;
}

ps_status lab_pool_init(lab *l, ps_error *err)
{
	lab_pool_state *ps = calloc(1, sizeof *ps);
	uint64_t npools = 4;

	if (!ps)
		return ps_error_set(err, PS_ENOMEM, "pool: out of memory");
	for (size_t i = 0; i < l->sc.vm_count; i++)
		if (strcmp(l->sc.vm[i].key, "paged-pools") == 0)
			npools = l->sc.vm[i].value;
	if (npools < 1 || npools > LAB_MAX_PAGED_POOLS) {
		free(ps);
		return ps_error_set(err, PS_EARG, "%s: vm paged-pools must be 1..%d", l->scn_name, LAB_MAX_PAGED_POOLS);
	}
	ps->paged_pools = (uint32_t)npools;
	for (uint32_t i = 1; i <= ps->paged_pools; i++) {
		ps->paged_weight[i] = 1;
		for (size_t k = 0; k < l->sc.vm_count; k++)
			if (strcmp(l->sc.vm[k].key, "paged-usage") == 0 && l->sc.vm[k].index == i && l->sc.vm[k].value)
				ps->paged_weight[i] = l->sc.vm[k].value;
	}
	desc_init(&ps->nonpaged, &l->nonpaged, LAB_POOL_NONPAGED, 0);
	for (uint32_t i = 0; i <= ps->paged_pools; i++)
		desc_init(&ps->paged[i], &l->paged, LAB_POOL_PAGED, i);
	l->pool = ps;
	return PS_OK;
}

void lab_pool_free(lab *l)
{
	lab_regions_free(l);
	if (!l->pool)
		return;
	free(l->pool->tags);
	free(l->pool->big);
	free(l->pool->threads);
	free(l->pool->shares);
	free(l->pool);
	l->pool = NULL;
}

lab_tag_stat *lab_pool_tag(lab *l, uint32_t tag, int kind, uint32_t session, const char *module)
{
	lab_pool_state *ps = l->pool;
	uint32_t key = tag & ~LAB_PROTECTED_POOL;
	lab_tag_stat *t;

	if (kind != LAB_POOL_SESSION)
		session = 0;
	for (size_t i = ps->tag_count; i-- > 0;) {
		t = &ps->tags[i];
		if (t->tag == key && t->kind == kind && t->session == session) {
			if (!t->module[0] && module && module[0])
				snprintf(t->module, sizeof t->module, "%s", module);
			return t;
		}
	}
	if (ps->tag_count == ps->tag_cap) {
		size_t cap = ps->tag_cap ? ps->tag_cap * 2 : 64;
		lab_tag_stat *n = realloc(ps->tags, cap * sizeof *n);
		if (!n)
			return NULL;
		ps->tags = n;
		ps->tag_cap = cap;
	}
	t = &ps->tags[ps->tag_count++];
	memset(t, 0, sizeof *t);
	t->tag = key;
	t->kind = kind;
	t->session = session;
	if (module)
		snprintf(t->module, sizeof t->module, "%s", module);
	return t;
}

lab_pool_desc *lab_pool_session_desc(lab *l, uint32_t session, ps_error *err)
{
	lab_pool_state *ps = l->pool;
	for (size_t i = 0; i < ps->session_count; i++)
		if (ps->sessions[i].session == session)
			return &ps->sessions[i];
	if (ps->session_count >= LAB_MAX_SESSIONS) {
		ps_error_set(err, PS_EARG, "%s: too many sessions with session pool", l->scn_name);
		return NULL;
	}
	for (size_t i = 0; i < l->process_count; i++) {
		if (l->processes[i].spec->session == session && l->processes[i].session_space) {
			lab_pool_desc *d = &ps->sessions[ps->session_count++];
			desc_init(d, &l->session, LAB_POOL_SESSION, 0);
			d->session = session;
			d->session_space = l->processes[i].session_space;
			return d;
		}
	}
	ps_error_set(err, PS_EARG, "%s: session pool for session %u, but no process is in that session",
		     l->scn_name, session);
	return NULL;
}

static ps_status write_header(lab *l, uint64_t va, uint32_t prev_units, uint32_t pool_index,
			      uint32_t units, uint32_t pool_type, uint32_t tag, ps_error *err)
{
	uint8_t h[16] = { 0 };
	if (l->prof.pool_header == 8) {
		ps_put_le16(h, (uint16_t)((prev_units & 0x1FF) | ((pool_index & 0x7F) << 9)));
		ps_put_le16(h + 2, (uint16_t)((units & 0x1FF) | ((pool_type & 0x7F) << 9)));
	} else {
		h[0] = (uint8_t)prev_units;
		h[1] = (uint8_t)pool_index;
		h[2] = (uint8_t)units;
		h[3] = (uint8_t)pool_type;
	}
	ps_put_le32(h + 4, tag);
	return lab_vwrite(&l->pg, 0, va, h, l->prof.pool_header, err);
}

static ps_status close_page(lab *l, lab_pool_desc *d, ps_error *err)
{
	ps_status st = PS_OK;
	if (d->cur_page && d->cur_used < 4096)
		st = write_header(l, d->cur_page + d->cur_used, d->cur_prev_units, 0,
				  (4096 - d->cur_used) / l->prof.pool_unit, 0, 0, err);
	d->cur_page = 0;
	d->cur_used = 0;
	d->cur_prev_units = 0;
	return st;
}

/* POOL_TYPE of the allocation as ExAllocatePoolWithTag received it. */
static uint32_t pool_type_of(int kind)
{
	return kind == LAB_POOL_NONPAGED ? 0 : kind == LAB_POOL_PAGED ? 1 : 33;
}

static ps_status small_block(lab *l, lab_pool_desc *d, uint32_t tag, uint32_t bytes, int freed,
			     uint64_t *block, ps_error *err)
{
	uint32_t unit = l->prof.pool_unit;
	uint32_t units = units_of(l, bytes);
	uint32_t size = units * unit;
	ps_status st;

	if (!d->cur_page || d->cur_used + size > 4096) {
		if ((st = close_page(l, d, err)) != PS_OK)
			return st;
		if ((st = lab_region_pages(l, d->region, 1, &d->cur_page, err)) != PS_OK)
			return st;
		d->pages++;
	}
	/* Vista+: stored PoolType = POOL_TYPE | 2 (bit 1: in use); a free
	 * block stores 0 and keeps the tag of its last owner. */
	if ((st = write_header(l, d->cur_page + d->cur_used, d->cur_prev_units, d->pool_index, units,
			       freed ? 0 : (pool_type_of(d->kind) | 2), tag, err)) != PS_OK)
		return st;
	*block = d->cur_page + d->cur_used;
	d->cur_used += size;
	d->cur_prev_units = units;
	if (d->cur_used == 4096) {
		d->cur_page = 0;
		d->cur_used = 0;
		d->cur_prev_units = 0;
	}
	return PS_OK;
}

static ps_status big_entry(lab *l, uint64_t va, uint32_t tag, int kind, uint32_t session, uint32_t bytes,
			   int freed, ps_error *err)
{
	lab_pool_state *ps = l->pool;
	lab_big_entry *e;
	if (ps->big_count == ps->big_cap) {
		size_t cap = ps->big_cap ? ps->big_cap * 2 : 1024;
		lab_big_entry *n = realloc(ps->big, cap * sizeof *n);
		if (!n)
			return ps_error_set(err, PS_ENOMEM, "pool: out of memory for the big-page list");
		ps->big = n;
		ps->big_cap = cap;
	}
	e = &ps->big[ps->big_count++];
	e->va = va;
	e->tag = tag;
	e->pool_type = pool_type_of(kind);
	e->bytes = bytes;
	e->session = session;
	e->freed = freed;
	return PS_OK;
}

ps_status lab_pool_allocate(lab *l, int kind, uint32_t session, uint32_t tag, uint32_t bytes,
			    const char *module, int freed, uint64_t *block, ps_error *err)
{
	lab_pool_state *ps = l->pool;
	lab_pool_desc *d;
	lab_tag_stat *t;
	uint64_t charge = lab_pool_charge(l, bytes);
	int big = bytes > l->prof.pool_small_max;
	uint64_t va = 0;
	ps_status st;

	if (!ps)
		return ps_error_set(err, PS_EARG, "pool used before lab_pool_init");
	if (ps->finished)
		return ps_error_set(err, PS_EARG, "pool allocation after the tracker tables were written");
	if (bytes == 0)
		return ps_error_set(err, PS_EARG, "pool allocation of 0 bytes");
	if (kind == LAB_POOL_SESSION) {
		if (!(d = lab_pool_session_desc(l, session, err)))
			return PS_EARG;
	} else if (kind == LAB_POOL_PAGED) {
		if (big) {
			d = &ps->paged[0];
		} else {
			/* Round-robin weighted by the scenario's per-pool figures
			 * (the seed's paged pool 1 holds far more than 2-4), so
			 * that at scale 1 no pool outgrows its figure. */
			uint32_t best = 1;
			for (uint32_t i = 2; i <= ps->paged_pools; i++)
				if ((double)ps->paged[i].running_allocs * (double)ps->paged_weight[best] <
				    (double)ps->paged[best].running_allocs * (double)ps->paged_weight[i])
					best = i;
			d = &ps->paged[best];
		}
	} else {
		d = &ps->nonpaged;
	}
	if (big) {
		uint64_t pages = charge / 4096;
		if (freed) {
			/* Freed: the VA is released, only the table entry remains. */
			if ((st = lab_region_va(l, d->region, pages, &va, err)) != PS_OK)
				return st;
		} else {
			if ((st = lab_region_pages_zero(l, d->region, pages, &va, err)) != PS_OK)
				return st;
			d->big_pages += pages;
		}
		if ((st = big_entry(l, va, tag, kind, session, bytes, freed, err)) != PS_OK)
			return st;
	} else if ((st = small_block(l, d, tag, bytes, freed, &va, err)) != PS_OK) {
		return st;
	}
	d->running_allocs++;
	if (freed)
		d->running_frees++;
	else
		d->bytes += charge;
	if (!(t = lab_pool_tag(l, tag, kind, session, module)))
		return ps_error_set(err, PS_ENOMEM, "pool: out of memory for tag statistics");
	t->allocs++;
	if (big)
		t->big_allocs++;
	if (freed) {
		t->frees++;
		if (big)
			t->big_frees++;
	} else {
		t->bytes += charge;
		if (t->samples < LAB_POOL_TAG_SAMPLES)
			t->sample[t->samples++] = va;
	}
	*block = va;
	return PS_OK;
}

ps_status lab_pool_alloc(lab *l, lab_region *r, uint32_t tag, uint32_t bytes, uint64_t *va, ps_error *err)
{
	int kind = r == &l->paged ? LAB_POOL_PAGED : r == &l->session ? LAB_POOL_SESSION : LAB_POOL_NONPAGED;
	uint64_t block;
	ps_status st;

	if (bytes > l->prof.pool_small_max)
		return ps_error_set(err, PS_EARG, "lab_pool_alloc: %u bytes is a big-page allocation", bytes);
	if ((st = lab_pool_allocate(l, kind, 1, tag, bytes, "nt", 0, &block, err)) != PS_OK)
		return st;
	*va = block + l->prof.pool_header;
	return PS_OK;
}

ps_status lab_pool_finish(lab *l, ps_error *err)
{
	lab_pool_state *ps = l->pool;
	ps_status st;

	if (!ps)
		return PS_OK;
	if ((st = close_page(l, &ps->nonpaged, err)) != PS_OK)
		return st;
	for (uint32_t i = 0; i <= ps->paged_pools; i++)
		if ((st = close_page(l, &ps->paged[i], err)) != PS_OK)
			return st;
	for (size_t i = 0; i < ps->session_count; i++)
		if ((st = close_page(l, &ps->sessions[i], err)) != PS_OK)
			return st;
	return PS_OK;
}
