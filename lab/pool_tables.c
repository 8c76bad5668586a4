/*
 * pool_tables.c - what !poolused, !poolfind and !vm read about the pool:
 * the tag tracker tables, the big-page table, the pool descriptors, the
 * session pool's tables, and the Mm globals behind each !vm line.
 *
 * Tracker tables (formats.md §3.4): PoolTrackTableSize entries, a power of
 * two plus one (default 2048 + 1, ReactOS's default; `vm track-table-size`),
 * hash = ((40543 * Key) ^ ((40543 * Key) >> 32)) & (Size - 2) with linear
 * probing, the last entry reserved for 'Ovfl' (the decompiled 10.0 kernels
 * store the overflow there). Key has the protected bit cleared. Windows 10
 * 1809 has one table per processor, nt!ExPoolTagTables[KPRCB.Number],
 * [0] being PoolTrackTable; a tag sits at the same index in every table and
 * its counters are spread over them - a processor may have more frees than
 * allocations, and negative bytes - so only the sum is right. Windows 7
 * gets the single global table (no public source shows ExPoolTagTables
 * there; docs/lab.md says what is uncertain).
 *
 * Session pool is tracked per session in MM_SESSION_SPACE.
 * PoolTrackTableExpansion (entries in first-free order) and its big pages
 * in MM_SESSION_SPACE.PoolTrackBigPages.
 *
 * Big-page table (§3.5): power of two entries (at least 4096; `vm
 * big-table-size`), free entries Va = 1 (ReactOS initialises them so),
 * freed allocations keep their Va with bit 0 set. Windows 7 places an entry
 * at ExpComputePartialHashForAddress (page number with its bytes XORed,
 * ReactOS) and probes linearly; Windows 10 at the 40543 hash of the page
 * number (decompiled ExFreeHeapPool). NumberOfBytes is the request on
 * Windows 7; on Windows 10 the page-rounded size with the slack in
 * SlushSize and PoolType in bits 8-19.
 *
 * Descriptors (§3.6): Windows 7 TotalPages + TotalBigPages, 1809
 * (PagesAllocated - PagesDeallocated) + (BigPagesAllocated -
 * BigPagesDeallocated), is the usage !vm prints for each pool: the
 * scenario's figure (scaled) or, when larger, what the lab laid out.
 */
#include "pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"

#define TAG_POOL 0x6C6F6F50u    /* 'Pool' */
#define TAG_OVFL 0x6C66764Fu    /* 'Ovfl' */

/* ---- the scenario's !vm figures ----------------------------------------- */

static int vm_find(const lab *l, const char *key, uint32_t index, const lab_vm_value **out)
{
	for (size_t i = 0; i < l->sc.vm_count; i++) {
		if (strcmp(l->sc.vm[i].key, key) == 0 && l->sc.vm[i].index == index) {
			*out = &l->sc.vm[i];
			return 1;
		}
	}
	return 0;
}

/* Keys whose figure does not follow the workload: free system PTEs (a
 * banner below 1024), special pool, the table sizes, the pool count. The
 * physical page counts are clamped to RAM instead. */
static int vm_scaled(const char *key)
{
	static const char *const fixed[] = { "free-system-ptes", "special-pool", "track-table-size",
					     "big-table-size", "paged-pools", "available", "resavail", NULL };
	for (int i = 0; fixed[i]; i++)
		if (strcmp(fixed[i], key) == 0)
			return 0;
	return 1;
}

static int vm_value(const lab *l, const char *key, uint32_t index, uint64_t *v)
{
	const lab_vm_value *vm;
	if (!vm_find(l, key, index, &vm))
		return 0;
	*v = vm_scaled(key) ? lab_scaled(&l->sc, vm->value) : vm->value;
	if (strcmp(key, "available") == 0 || strcmp(key, "resavail") == 0) {
		uint64_t total = lab_scenario_total_pages(&l->sc);
		if (*v > total)
			*v = total;
	}
	return 1;
}

static void record(lab *l, const char *name, uint64_t value)
{
	lab_pool_state *ps = l->pool;
	for (size_t i = 0; i < ps->vm_count; i++) {
		if (strcmp(ps->vm[i].name, name) == 0) {
			ps->vm[i].value = value;
			return;
		}
	}
	if (ps->vm_count < sizeof ps->vm / sizeof ps->vm[0]) {
		snprintf(ps->vm[ps->vm_count].name, sizeof ps->vm[0].name, "%s", name);
		ps->vm[ps->vm_count].value = value;
		ps->vm_count++;
	}
}

/* ---- little helpers ------------------------------------------------------ */

static uint64_t pow2_at_least(uint64_t v)
{
	uint64_t p = 1;
	while (p < v)
		p <<= 1;
	return p;
}

static void put_n(uint8_t *dst, unsigned width, uint64_t v)
{
	if (width == 8)
		ps_put_le64(dst, v);
	else
		ps_put_le32(dst, (uint32_t)v);
}

/* Bytes of a big nonpaged 'Pool' allocation for a table, zeroed, whole. */
static ps_status table_alloc(lab *l, uint64_t bytes, int in_big_table, uint64_t *va, ps_error *err)
{
	lab_pool_state *ps = l->pool;
	uint64_t pages = (bytes + 4095) / 4096;
	ps_status st;

	if (bytes == 0 || bytes > 0x10000000u)
		return ps_error_set(err, PS_EARG, "pool table of 0x%llx bytes", (unsigned long long)bytes);
	/* Request more than the small-block limit so it is a big allocation. */
	if ((st = lab_pool_allocate(l, LAB_POOL_NONPAGED, 0, TAG_POOL,
				    (uint32_t)(pages * 4096 > l->prof.pool_small_max ? pages * 4096 : 0x1000),
				    "nt", 0, va, err)) != PS_OK)
		return st;
	if (!in_big_table) {
		/* Windows keeps the big-page table itself out of the table. */
		lab_tag_stat *t = lab_pool_tag(l, TAG_POOL, LAB_POOL_NONPAGED, 0, "nt");
		ps->big_count--;
		if (t)
			t->big_untabled++;
	}
	/* The pages hold data: give them RAM so the writes below land. */
	return PS_OK;
}

static ps_status write_zero_table(lab *l, uint64_t va, uint64_t bytes, ps_error *err)
{
	static const uint8_t zero[4096];
	ps_status st;
	for (uint64_t off = 0; off < bytes; off += 4096)
		if ((st = lab_vwrite(&l->pg, 0, va + off, zero, bytes - off < 4096 ? (size_t)(bytes - off) : 4096, err)) != PS_OK)
			return st;
	return PS_OK;
}

/* ---- tracker tables ------------------------------------------------------ */

typedef struct track_row {
	uint32_t key;
	uint64_t np_allocs, np_frees, np_bytes;
	uint64_t p_allocs, p_frees, p_bytes;
} track_row;

static uint32_t tag_hash(uint32_t key, uint64_t mask)
{
	uint64_t prod = 40543ull * key;
	return (uint32_t)(((uint32_t)prod ^ (uint32_t)(prod >> 32)) & mask);
}

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Processor p's share of `total` under weights from (key, salt). */
static int64_t share(uint64_t seed, uint32_t key, unsigned salt, unsigned p, unsigned n, int64_t total)
{
	uint64_t w[64], sum = 0;
	int64_t given = 0;
	for (unsigned i = 0; i < n; i++) {
		w[i] = 1 + mix(seed ^ ((uint64_t)key << 16) ^ (salt << 8) ^ i) % 8;
		sum += w[i];
	}
	for (unsigned i = 0; i < n; i++) {
		int64_t s = i + 1 == n ? total - given : total * (int64_t)w[i] / (int64_t)sum;
		if (i == p)
			return s;
		given += s;
	}
	return 0;
}

static void put_row(const lab *l, uint8_t *e, uint32_t key, int64_t npa, int64_t npf, int64_t npb,
		    int64_t pa, int64_t pf, int64_t pb)
{
	const lab_profile *p = &l->prof;
	ps_put_le32(e, key);
	put_n(e + p->trk_np_allocs, p->trk_count_width, (uint64_t)npa);
	put_n(e + p->trk_np_frees, p->trk_count_width, (uint64_t)npf);
	put_n(e + p->trk_np_bytes, p->trk_bytes_width, (uint64_t)npb);
	put_n(e + p->trk_p_allocs, p->trk_count_width, (uint64_t)pa);
	put_n(e + p->trk_p_frees, p->trk_count_width, (uint64_t)pf);
	put_n(e + p->trk_p_bytes, p->trk_bytes_width, (uint64_t)pb);
}

static size_t collect_rows(const lab *l, int session, uint32_t sid, track_row *rows)
{
	const lab_pool_state *ps = l->pool;
	size_t n = 0;
	for (size_t i = 0; i < ps->tag_count; i++) {
		const lab_tag_stat *t = &ps->tags[i];
		size_t k;
		if (session != (t->kind == LAB_POOL_SESSION) || (session && t->session != sid))
			continue;
		for (k = 0; k < n && rows[k].key != t->tag; k++)
			;
		if (k == n) {
			memset(&rows[n], 0, sizeof rows[n]);
			rows[n++].key = t->tag;
		}
		if (t->kind == LAB_POOL_NONPAGED) {
			rows[k].np_allocs += t->allocs;
			rows[k].np_frees += t->frees;
			rows[k].np_bytes += t->bytes;
		} else {
			rows[k].p_allocs += t->allocs;
			rows[k].p_frees += t->frees;
			rows[k].p_bytes += t->bytes;
		}
	}
	return n;
}

static ps_status write_trackers(lab *l, const track_row *rows, size_t nrows, ps_error *err)
{
	const lab_profile *p = &l->prof;
	lab_pool_state *ps = l->pool;
	unsigned ncpu = p->per_processor_tables ? l->sc.processors : 1;
	uint64_t size = ps->track_size, mask = size - 2;
	uint64_t bytes = size * p->trk_size;
	uint32_t *slot_key = calloc(size, sizeof *slot_key);
	uint8_t *table = malloc(bytes);
	ps_status st = PS_OK;

	if (ncpu > 1) {
		free(ps->shares);
		ps->share_count = 0;
		ps->share_cap = nrows * ncpu;
		ps->shares = calloc(ps->share_cap ? ps->share_cap : 1, sizeof *ps->shares);
	}
	if (!slot_key || !table || (ncpu > 1 && !ps->shares)) {
		st = ps_error_set(err, PS_ENOMEM, "tracker table: out of memory");
		goto out;
	}
	/* Where each key goes: the same index in every processor's table. */
	for (size_t r = 0; r < nrows; r++) {
		uint64_t h = tag_hash(rows[r].key, mask), probes = 0;
		while (slot_key[h] && probes++ < size)
			h = (h + 1) & mask;
		if (slot_key[h]) {
			st = ps_error_set(err, PS_EARG, "tracker table of %llu entries is full",
					  (unsigned long long)size);
			goto out;
		}
		slot_key[h] = rows[r].key;
	}
	for (unsigned cpu = 0; cpu < ncpu; cpu++) {
		memset(table, 0, bytes);
		for (size_t r = 0; r < nrows; r++) {
			const track_row *w = &rows[r];
			uint64_t h;
			int64_t npa = (int64_t)w->np_allocs, npf = (int64_t)w->np_frees;
			int64_t pa = (int64_t)w->p_allocs, pf = (int64_t)w->p_frees;
			int64_t npb = (int64_t)w->np_bytes, pb = (int64_t)w->p_bytes;
			for (h = 0; h < size && slot_key[h] != w->key; h++)
				;
			if (ncpu > 1) {
				/* Allocations on one processor, frees on another:
				 * independent shares of allocs and frees; bytes
				 * follow (allocs - frees) at the tag's mean size. */
				int64_t live_np = npa - npf, live_p = pa - pf;
				int64_t mean_np = live_np ? npb / live_np : 0, mean_p = live_p ? pb / live_p : 0;
				int64_t a1 = share(l->sc.seed, w->key, 1, cpu, ncpu, npa);
				int64_t f1 = share(l->sc.seed, w->key, 2, cpu, ncpu, npf);
				int64_t a2 = share(l->sc.seed, w->key, 3, cpu, ncpu, pa);
				int64_t f2 = share(l->sc.seed, w->key, 4, cpu, ncpu, pf);
				int64_t b1 = (a1 - f1) * mean_np, b2 = (a2 - f2) * mean_p;
				if (cpu + 1 == ncpu) {
					/* The last processor takes what keeps the sums exact. */
					int64_t s1 = 0, s2 = 0;
					for (unsigned c = 0; c + 1 < ncpu; c++) {
						s1 += (share(l->sc.seed, w->key, 1, c, ncpu, npa) -
						       share(l->sc.seed, w->key, 2, c, ncpu, npf)) * mean_np;
						s2 += (share(l->sc.seed, w->key, 3, c, ncpu, pa) -
						       share(l->sc.seed, w->key, 4, c, ncpu, pf)) * mean_p;
					}
					b1 = npb - s1;
					b2 = pb - s2;
				}
				npa = a1; npf = f1; pa = a2; pf = f2; npb = b1; pb = b2;
				if (cpu && !npa && !npf && !npb && !pa && !pf && !pb)
					continue;   /* nothing on this processor: slot stays empty */
			}
			put_row(l, table + h * p->trk_size, w->key, npa, npf, npb, pa, pf, pb);
			if (ncpu > 1 && ps->share_count < ps->share_cap) {
				lab_cpu_share *c = &ps->shares[ps->share_count++];
				c->key = w->key;
				c->cpu = cpu;
				c->slot = h;
				c->np_allocs = npa; c->np_frees = npf; c->np_bytes = npb;
				c->p_allocs = pa; c->p_frees = pf; c->p_bytes = pb;
			}
		}
		if ((st = lab_vwrite(&l->pg, 0, ps->per_cpu[cpu], table, bytes, err)) != PS_OK)
			goto out;
	}
out:
	free(slot_key);
	free(table);
	return st;
}

/* ---- big-page table ------------------------------------------------------ */

static uint64_t big_hash(const lab *l, uint64_t va, uint64_t mask)
{
	uint64_t page = va >> 12;
	if (l->prof.big_type_bitfield) {
		uint64_t prod = 40543ull * (uint32_t)page;
		return ((uint32_t)prod ^ (uint32_t)(prod >> 32)) & mask;
	}
	{
		uint32_t r = (uint32_t)page;
		return (uint64_t)((r >> 24) ^ (r >> 16) ^ (r >> 8) ^ r) & mask;
	}
}

static void put_big(const lab *l, uint8_t *e, const lab_big_entry *b)
{
	const lab_profile *p = &l->prof;
	int is64 = lab_arch_is_64(l->sc.arch);
	uint64_t va = b->va | (b->freed ? 1 : 0);
	if (is64)
		ps_put_le64(e, va);
	else
		ps_put_le32(e, (uint32_t)va);
	ps_put_le32(e + p->big_key, b->tag);
	if (p->big_type_bitfield) {
		uint64_t rounded = (b->bytes + 4095) / 4096 * 4096;
		uint32_t slush = (uint32_t)(rounded - b->bytes);
		ps_put_le32(e + p->big_type, ((b->pool_type & 0xFFF) << 8) | ((slush & 0xFFF) << 20));
		ps_put_le64(e + p->big_bytes, rounded);
	} else {
		ps_put_le32(e + p->big_type, b->pool_type);
		if (is64)
			ps_put_le64(e + p->big_bytes, b->bytes);
		else
			ps_put_le32(e + p->big_bytes, (uint32_t)b->bytes);
	}
}

/* Fill a big-page table of `size` entries at `va` with the entries of one
 * kind (session id or the system pools). */
static ps_status write_big_table(lab *l, uint64_t va, uint64_t size, int session, uint32_t sid, ps_error *err)
{
	const lab_pool_state *ps = l->pool;
	uint32_t esz = l->prof.big_size;
	uint8_t *t = calloc(size, esz);
	ps_status st;

	if (!t)
		return ps_error_set(err, PS_ENOMEM, "big-page table: out of memory");
	for (uint64_t i = 0; i < size; i++)
		t[i * esz] = 1;   /* Va = 1: free (POOL_BIG_TABLE_ENTRY_FREE) */
	for (size_t i = 0; i < ps->big_count; i++) {
		const lab_big_entry *b = &ps->big[i];
		uint64_t h, n = 0;
		if (session != (b->pool_type == 33) || (session && b->session != sid))
			continue;
		h = big_hash(l, b->va, size - 1);
		while (!(t[h * esz] == 1 && !memcmp(t + h * esz + 1, "\0\0\0\0\0\0\0", (size_t)(lab_arch_is_64(l->sc.arch) ? 7 : 3)))
		       && n++ < size)
			h = (h + 1) & (size - 1);
		if (n > size) {
			free(t);
			return ps_error_set(err, PS_EARG, "big-page table of %llu entries is full", (unsigned long long)size);
		}
		put_big(l, t + h * esz, b);
	}
	st = lab_vwrite(&l->pg, 0, va, t, size * esz, err);
	free(t);
	return st;
}

/* ---- descriptors ---------------------------------------------------------- */

static ps_status write_desc(lab *l, const lab_pool_desc *d, uint64_t va, uint32_t pool_type, uint64_t freed_big,
			    ps_error *err)
{
	const lab_profile *p = &l->prof;
	int is64 = lab_arch_is_64(l->sc.arch);
	unsigned psz = is64 ? 8 : 4;
	uint8_t *b = calloc(1, p->pd_size);
	uint64_t small = d->figure - d->big_pages;
	ps_status st;

	if (!b)
		return ps_error_set(err, PS_ENOMEM, "pool descriptor: out of memory");
	ps_put_le32(b, pool_type);
	ps_put_le32(b + 0x40, (uint32_t)d->running_allocs);
	if (p->pd_win10) {
		uint64_t dealloc = d->running_frees;   /* pages given back over time */
		ps_put_le64(b + 0x48, small + dealloc);
		ps_put_le64(b + 0x50, d->big_pages + freed_big);
		ps_put_le64(b + 0x58, d->bytes);
		ps_put_le32(b + 0x80, (uint32_t)d->running_frees);
		ps_put_le64(b + 0x88, dealloc);
		ps_put_le64(b + 0x90, freed_big);
		ps_put_le64(b + 0x98, 0);
		ps_put_le32(b + 0xC0, d->pool_index);
		ps_put_le32(b + 0xC4, pool_type);
	} else {
		ps_put_le32(b + 0x44, (uint32_t)d->running_frees);
		ps_put_le32(b + 0x48, (uint32_t)d->big_pages);
		if (is64)
			ps_put_le64(b + 0x50, d->bytes);
		else
			ps_put_le32(b + 0x50, (uint32_t)d->bytes);
		ps_put_le32(b + 0x80, d->pool_index);
		ps_put_le32(b + 0xC0, (uint32_t)small);
	}
	/* Empty free lists: each LIST_ENTRY points at itself. */
	for (uint32_t i = 0; i < p->pd_list_count && p->pd_list_heads + (i + 1) * 2 * psz <= p->pd_size; i++) {
		uint64_t self = va + p->pd_list_heads + i * 2 * psz;
		if (is64) {
			ps_put_le64(b + p->pd_list_heads + i * 16, self);
			ps_put_le64(b + p->pd_list_heads + i * 16 + 8, self);
		} else {
			ps_put_le32(b + p->pd_list_heads + i * 8, (uint32_t)self);
			ps_put_le32(b + p->pd_list_heads + i * 8 + 4, (uint32_t)self);
		}
	}
	st = lab_vwrite(&l->pg, 0, va, b, p->pd_size, err);
	free(b);
	return st;
}

static uint64_t freed_big_pages(const lab *l, int kind, uint32_t sid)
{
	uint64_t n = 0;
	for (size_t i = 0; i < l->pool->big_count; i++) {
		const lab_big_entry *b = &l->pool->big[i];
		if (!b->freed)
			continue;
		if ((kind == LAB_POOL_SESSION && b->pool_type == 33 && b->session == sid) ||
		    (kind == LAB_POOL_PAGED && b->pool_type == 1) || (kind == LAB_POOL_NONPAGED && b->pool_type == 0))
			n += (b->bytes + 4095) / 4096;
	}
	return n;
}

/* ---- Mm globals ------------------------------------------------------------ */

static ps_status set_ulong(lab *l, const char *name, uint32_t off, uint64_t v, ps_error *err)
{
	uint64_t va;
	ps_status st = lab_global_va(l, name, 64, &va, err);
	return st != PS_OK ? st : lab_write_u32(l, va + off, (uint32_t)v, err);
}

static ps_status set_ptrsize(lab *l, const char *name, uint32_t off, uint64_t v, ps_error *err)
{
	uint64_t va;
	ps_status st = lab_global_va(l, name, 64, &va, err);
	return st != PS_OK ? st : lab_vwrite_ptr(&l->pg, va + off, v, err);
}

/* A figure given by `vm KEY`: write it to the global and record it. */
static ps_status vm_global(lab *l, const char *key, const char *global, int ulong_sized, ps_error *err)
{
	uint64_t v;
	if (!vm_value(l, key, 0, &v))
		return PS_OK;
	record(l, key, v);
	return ulong_sized ? set_ulong(l, global, 0, v, err) : set_ptrsize(l, global, 0, v, err);
}

static ps_status write_sessions(lab *l, ps_error *err)
{
	const lab_profile *p = &l->prof;
	lab_pool_state *ps = l->pool;
	uint64_t head, spaces[LAB_MAX_PROCESSES];
	uint32_t ids[LAB_MAX_PROCESSES];
	size_t n = 0;
	unsigned psz = lab_ptr_size(&l->pg);
	ps_status st;

	for (size_t i = 0; i < l->process_count; i++) {
		const lab_process *pr = &l->processes[i];
		size_t k;
		if (!pr->session_space)
			continue;
		for (k = 0; k < n && spaces[k] != pr->session_space; k++)
			;
		if (k == n) {
			spaces[n] = pr->session_space;
			ids[n++] = pr->spec->session;
		}
	}
	if ((st = lab_global_va(l, "MiSessionWsList", 16, &head, err)) != PS_OK)
		return st;
	/* nt!MiSessionWsList -> MM_SESSION_SPACE.WsListEntry, in session order. */
	for (size_t i = 0; i < n; i++) {
		uint64_t me = spaces[i] + p->ss_ws_list;
		uint64_t next = i + 1 < n ? spaces[i + 1] + p->ss_ws_list : head;
		uint64_t prev = i ? spaces[i - 1] + p->ss_ws_list : head;
		const lab_vm_value *vm;
		uint64_t paged = 0, commit = 0;
		lab_pool_desc *d = NULL;
		char name[40];

		if ((st = lab_write_list_head(l, me, next, prev, err)) != PS_OK)
			return st;
		for (size_t k = 0; k < ps->session_count; k++)
			if (ps->sessions[k].session == ids[i])
				d = &ps->sessions[k];
		if (vm_find(l, "session", ids[i], &vm)) {
			paged = lab_scaled(&l->sc, vm->value);
			commit = lab_scaled(&l->sc, vm->value2);
		}
		if (d && paged < d->pages + d->big_pages)
			paged = d->pages + d->big_pages;
		if (commit < paged)
			commit = paged;
		if (p->ss_ulong_counters) {
			st = lab_write_u32(l, spaces[i] + p->ss_committed, (uint32_t)commit, err);
			if (st == PS_OK)
				st = lab_write_u32(l, spaces[i] + p->ss_allocated_paged, (uint32_t)paged, err);
		} else {
			st = lab_write_u64(l, spaces[i] + p->ss_committed, commit, err);
			if (st == PS_OK)
				st = lab_write_u64(l, spaces[i] + p->ss_allocated_paged, paged, err);
		}
		if (st != PS_OK)
			return st;
		snprintf(name, sizeof name, "session-%u-paged-pool", ids[i]);
		record(l, name, paged);
		snprintf(name, sizeof name, "session-%u-commit", ids[i]);
		record(l, name, commit);
		if (d) {
			d->figure = paged;
			if ((st = write_desc(l, d, spaces[i] + p->ss_paged_pool, 33, freed_big_pages(l, LAB_POOL_SESSION, ids[i]), err)) != PS_OK)
				return st;
		}
	}
	(void)psz;
	if (n == 0)
		return lab_write_list_head(l, head, head, head, err);
	return lab_write_list_head(l, head, spaces[0] + p->ss_ws_list, spaces[n - 1] + p->ss_ws_list, err);
}

/* Session pool tables: expansion tracker (first free slot order) and the
 * session's big-page table, both in nonpaged 'Pool' pages. */
static ps_status session_tables(lab *l, track_row *rows, ps_error *err)
{
	const lab_profile *p = &l->prof;
	lab_pool_state *ps = l->pool;
	ps_status st;

	for (size_t i = 0; i < ps->session_count; i++) {
		lab_pool_desc *d = &ps->sessions[i];
		size_t nrows = collect_rows(l, 1, d->session, rows);
		uint64_t entries = (nrows + 1 + 4096 / p->trk_size - 1) / (4096 / p->trk_size) * (4096 / p->trk_size);
		uint64_t nbig = 0, big_entries, va, bigva;
		uint8_t *t;

		for (size_t k = 0; k < ps->big_count; k++)
			nbig += ps->big[k].pool_type == 33 && ps->big[k].session == d->session;
		big_entries = pow2_at_least(nbig * 2 > 0x200 ? nbig * 2 : 0x200);
		if ((st = table_alloc(l, entries * p->trk_size, 1, &va, err)) != PS_OK)
			return st;
		if ((st = table_alloc(l, big_entries * p->big_size, 1, &bigva, err)) != PS_OK)
			return st;
		t = calloc(entries, p->trk_size);
		if (!t)
			return ps_error_set(err, PS_ENOMEM, "session tracker: out of memory");
		for (size_t r = 0; r < nrows; r++)
			put_row(l, t + r * p->trk_size, rows[r].key, (int64_t)rows[r].np_allocs, (int64_t)rows[r].np_frees,
				(int64_t)rows[r].np_bytes, (int64_t)rows[r].p_allocs, (int64_t)rows[r].p_frees,
				(int64_t)rows[r].p_bytes);
		/* Written after every allocation is done (below); keep them. */
		d->va = va;
		st = lab_vwrite(&l->pg, 0, va, t, entries * p->trk_size, err);
		free(t);
		if (st != PS_OK)
			return st;
		if ((st = lab_vwrite_ptr(&l->pg, d->session_space + p->ss_track_exp, va, err)) != PS_OK ||
		    (st = lab_vwrite_ptr(&l->pg, d->session_space + p->ss_track_exp_size, entries, err)) != PS_OK ||
		    (st = lab_vwrite_ptr(&l->pg, d->session_space + p->ss_big, bigva, err)) != PS_OK ||
		    (st = lab_vwrite_ptr(&l->pg, d->session_space + p->ss_big_size, big_entries, err)) != PS_OK)
			return st;
		if ((st = write_big_table(l, bigva, big_entries, 1, d->session, err)) != PS_OK)
			return st;
	}
	return PS_OK;
}

ps_status lab_build_pool_tables(lab *l, ps_error *err)
{
	const lab_profile *p = &l->prof;
	lab_pool_state *ps = l->pool;
	unsigned ncpu = p->per_processor_tables ? l->sc.processors : 1;
	uint64_t v, keys = 0, bigva, nbig;
	track_row *rows = NULL;
	ps_status st;

	/* 1. Every table is itself a 'Pool' allocation: allocate them all
	 *    before counting. */
	keys = ps->tag_count + 8;
	if (vm_value(l, "track-table-size", 0, &v)) {
		if (v < 65 || ((v - 1) & (v - 2)))
			return ps_error_set(err, PS_EARG, "%s: vm track-table-size must be a power of two plus one", l->scn_name);
		ps->track_size = v;
	} else {
		ps->track_size = pow2_at_least(keys * 2 > 2048 ? keys * 2 : 2048) + 1;
	}
	for (unsigned c = 0; c < ncpu; c++) {
		uint64_t bytes = ps->track_size * p->trk_size;
		if ((st = table_alloc(l, bytes, 1, &ps->per_cpu[c], err)) != PS_OK)
			return st;
		if ((st = write_zero_table(l, ps->per_cpu[c], (bytes + 4095) / 4096 * 4096, err)) != PS_OK)
			return st;
	}
	ps->track_table = ps->per_cpu[0];
	/* Paged pool descriptors 0..N in one nonpaged allocation. */
	if ((st = table_alloc(l, (uint64_t)(ps->paged_pools + 1) * p->pd_size, 1, &ps->paged_desc_block, err)) != PS_OK)
		return st;
	rows = calloc(ps->tag_count + 64, sizeof *rows);
	if (!rows)
		return ps_error_set(err, PS_ENOMEM, "pool tables: out of memory");
	if ((st = session_tables(l, rows, err)) != PS_OK)
		goto out;
	nbig = ps->big_count + 1;
	if (vm_value(l, "big-table-size", 0, &v)) {
		if (v < 64 || (v & (v - 1)) || v < nbig) {
			st = ps_error_set(err, PS_EARG, "%s: vm big-table-size must be a power of two of at least %llu",
					  l->scn_name, (unsigned long long)nbig);
			goto out;
		}
		ps->big_size = v;
	} else {
		ps->big_size = pow2_at_least(nbig + nbig / 4 > 4096 ? nbig + nbig / 4 : 4096);
	}
	if ((st = table_alloc(l, ps->big_size * p->big_size, 0, &bigva, err)) != PS_OK)
		goto out;
	ps->big_table = bigva;

	/* 2. No more allocations: close the pages, then write. */
	if ((st = lab_pool_finish(l, err)) != PS_OK)
		goto out;
	ps->finished = 1;
	{
		size_t nrows = collect_rows(l, 0, 0, rows);
		/* Session rows were written with their tables' own stats above;
		 * the 'Pool' row here includes the session tables' pages. */
		if ((st = write_trackers(l, rows, nrows, err)) != PS_OK)
			goto out;
	}
	if ((st = write_big_table(l, bigva, ps->big_size, 0, 0, err)) != PS_OK)
		goto out;
	if ((st = set_ptrsize(l, "PoolTrackTable", 0, ps->track_table, err)) != PS_OK ||
	    (st = set_ptrsize(l, "PoolTrackTableSize", 0, ps->track_size, err)) != PS_OK ||
	    (st = set_ptrsize(l, "PoolTrackTableMask", 0, ps->track_size - 2, err)) != PS_OK ||
	    (st = set_ptrsize(l, "PoolBigPageTable", 0, ps->big_table, err)) != PS_OK ||
	    (st = set_ptrsize(l, "PoolBigPageTableSize", 0, ps->big_size, err)) != PS_OK ||
	    (st = set_ptrsize(l, "PoolBigPageTableHash", 0, ps->big_size - 1, err)) != PS_OK)
		goto out;
	if (p->per_processor_tables)
		for (unsigned c = 0; c < ncpu; c++)
			if ((st = set_ptrsize(l, "ExPoolTagTables", c * lab_ptr_size(&l->pg), ps->per_cpu[c], err)) != PS_OK)
				goto out;

	/* 3. Descriptors and the figures !vm prints. */
	{
		uint64_t np_fig = ps->nonpaged.pages + ps->nonpaged.big_pages, paged_total = 0, np_va;
		if (vm_value(l, "nonpaged-usage", 0, &v) && v > np_fig)
			np_fig = v;
		ps->nonpaged.figure = np_fig;
		if ((st = lab_global_va(l, "NonPagedPoolDescriptor", p->pd_size, &np_va, err)) != PS_OK)
			goto out;
		ps->nonpaged.va = np_va;
		if ((st = write_desc(l, &ps->nonpaged, np_va, 0, freed_big_pages(l, LAB_POOL_NONPAGED, 0), err)) != PS_OK)
			goto out;
		record(l, "nonpaged-usage", np_fig);
		if ((st = set_ptrsize(l, "MmAllocatedNonPagedPool", 0, np_fig, err)) != PS_OK ||
		    (st = set_ulong(l, "ExpNumberOfNonPagedPools", 0, 1, err)) != PS_OK ||
		    (st = set_ptrsize(l, "ExpNonPagedPoolDescriptor", 0, np_va, err)) != PS_OK)
			goto out;
		for (uint32_t i = 0; i <= ps->paged_pools; i++) {
			lab_pool_desc *d = &ps->paged[i];
			uint64_t fig = d->pages + d->big_pages;
			char name[32];
			if (vm_value(l, "paged-usage", i, &v) && v > fig)
				fig = v;
			d->figure = fig;
			d->va = ps->paged_desc_block + i * p->pd_size;
			paged_total += fig;
			if ((st = write_desc(l, d, d->va, 1, i == 0 ? freed_big_pages(l, LAB_POOL_PAGED, 0) : 0, err)) != PS_OK ||
			    (st = set_ptrsize(l, "ExpPagedPoolDescriptor", i * lab_ptr_size(&l->pg), d->va, err)) != PS_OK)
				goto out;
			snprintf(name, sizeof name, "paged-usage-%u", i);
			record(l, name, fig);
		}
		if ((st = set_ulong(l, "ExpNumberOfPagedPools", 0, ps->paged_pools, err)) != PS_OK)
			goto out;
		record(l, "paged-usage", paged_total);
		/* MM_PAGED_POOL_INFO.AllocatedPagedPool: the Excessive Paged
		 * Pool Usage test (> 95% of MmSizeOfPagedPoolInBytes). */
		if ((st = set_ptrsize(l, "MmPagedPoolInfo", p->ppi_allocated, paged_total, err)) != PS_OK)
			goto out;
		if (!vm_value(l, "paged-commit", 0, &v))
			v = paged_total;
		record(l, "paged-commit", v);
		if ((st = set_ptrsize(l, "MmPagedPoolCommit", 0, v, err)) != PS_OK)
			goto out;
	}
	if (vm_value(l, "nonpaged-max", 0, &v)) {
		record(l, "nonpaged-max", v);
		if ((st = set_ptrsize(l, "MmMaximumNonPagedPoolInBytes", 0, v * 4096, err)) != PS_OK)
			goto out;
	}
	if (vm_value(l, "paged-max", 0, &v)) {
		record(l, "paged-max", v);
		if ((st = set_ptrsize(l, "MmSizeOfPagedPoolInBytes", 0, v * 4096, err)) != PS_OK)
			goto out;
	}
	if (!vm_value(l, "failures", 0, &v))
		v = 0;
	record(l, "failures", v);
	if ((st = set_ulong(l, "ExPoolFailures", 0, v, err)) != PS_OK)
		goto out;
	if ((st = vm_global(l, "available", "MmAvailablePages", 0, err)) != PS_OK ||
	    (st = vm_global(l, "resavail", "MmResidentAvailablePages", 0, err)) != PS_OK ||
	    (st = vm_global(l, "locked-io", "MmSystemLockPagesCount", 1, err)) != PS_OK ||
	    (st = vm_global(l, "free-system-ptes", "MmTotalFreeSystemPtes", 1, err)) != PS_OK ||
	    (st = vm_global(l, "modified", "MmModifiedPageListHead", 0, err)) != PS_OK ||
	    (st = vm_global(l, "modified-pf", "MmTotalPagesForPagingFile", 1, err)) != PS_OK ||
	    (st = vm_global(l, "modified-no-write", "MmModifiedNoWritePageListHead", 0, err)) != PS_OK ||
	    (st = vm_global(l, "shared-commit", "MmSharedCommit", 0, err)) != PS_OK ||
	    (st = vm_global(l, "special-pool", "MmSpecialPagesInUse", 1, err)) != PS_OK ||
	    (st = vm_global(l, "shared-process", "MmProcessCommit", 0, err)) != PS_OK ||
	    (st = vm_global(l, "driver-commit", "MmDriverCommit", 0, err)) != PS_OK ||
	    (st = vm_global(l, "committed", "MmTotalCommittedPages", 0, err)) != PS_OK ||
	    (st = vm_global(l, "commit-limit", "MmTotalCommitLimit", 0, err)) != PS_OK)
		goto out;
	if ((st = write_sessions(l, err)) != PS_OK)
		goto out;
	/* The regions' final extent, for the KDBG range globals. */
	{
		const lab_region *rs[] = { &l->nonpaged, &l->paged };
		const char *names[][2] = { { "MmNonPagedPoolStart", "MmNonPagedPoolEnd" },
					   { "MmPagedPoolStart", "MmPagedPoolEnd" } };
		for (int i = 0; i < 2; i++) {
			uint64_t start = rs[i]->extent_count ? rs[i]->extents[0].start : rs[i]->base;
			uint64_t end = rs[i]->extent_count ? rs[i]->extents[rs[i]->extent_count - 1].end : rs[i]->end;
			if ((st = set_ptrsize(l, names[i][0], 0, start, err)) != PS_OK ||
			    (st = set_ptrsize(l, names[i][1], 0, end, err)) != PS_OK)
				goto out;
		}
	}
out:
	free(rows);
	return st;
}
