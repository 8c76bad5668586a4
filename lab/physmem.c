/*
 * physmem.c - sparse simulated physical memory and its page allocator.
 *
 * Pages are held in a hash from page number to a 4 KiB buffer. When a
 * scenario touches more than HOT_MAX pages (the seed's 1.9 million thread
 * objects fill 380000 pages), the least recently used pages are compressed
 * (zlib, level 1: a page of thread objects shrinks to about 300 bytes) and
 * expanded again on their next use, so the lab's memory stays bounded. An
 * all-zero page is simply dropped. Pointers from lab_phys_page and
 * lab_phys_peek stay valid until HOT_MAX other pages have been used, far
 * longer than any caller keeps one.
 */
#include "physmem.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define PAGE 4096u
#ifndef HOT_MAX
#define HOT_MAX 32768u    /* 128 MiB of uncompressed pages */
#endif

typedef struct slot {
	uint64_t pfn;     /* key + 1; 0 = empty */
	uint8_t *page;    /* uncompressed, or NULL when cold */
	uint8_t *z;       /* compressed when cold (NULL + zlen 0: all zero) */
	uint32_t zlen;
	uint8_t ref;      /* used since the clock hand last passed */
	uint8_t dirty;    /* handed out writable since it was last compressed */
} slot;

/* The pages held uncompressed, as a clock (second chance) ring of pfns. */
typedef struct hotset {
	uint64_t *ring;
	size_t count, hand;
	z_stream def, inf;   /* reused: initialising zlib per page costs more than compressing */
	int def_ok, inf_ok;
	uint8_t zbuf[PAGE + 512];
} hotset;

struct lab_physmem {
	lab_run runs[LAB_MAX_RUNS];
	size_t run_count;
	uint64_t total_pages;
	uint64_t max_page;
	uint8_t *used;     /* bit per page below max_page */
	uint8_t *user;     /* bit per page: left out of kernel dumps */
	uint64_t used_count;
	slot *slots;
	size_t slot_cap, slot_count;
	uint64_t rng;
	hotset *hot;       /* separate allocation: peek (const) may expand pages */
};

static int bit(const uint8_t *map, uint64_t i)
{
	return (map[i >> 3] >> (i & 7)) & 1;
}

static void set_bit(uint8_t *map, uint64_t i)
{
	map[i >> 3] |= (uint8_t)(1u << (i & 7));
}

uint64_t lab_phys_random(lab_physmem *pm)
{
	/* splitmix64: tiny, good enough, and the same on every platform. */
	uint64_t z = (pm->rng += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

ps_status lab_phys_create(const lab_scenario *sc, lab_physmem **out, ps_error *err)
{
	lab_physmem *pm = calloc(1, sizeof *pm);
	size_t bytes;

	if (!pm)
		return ps_error_set(err, PS_ENOMEM, "physical memory: out of memory");
	memcpy(pm->runs, sc->runs, sizeof pm->runs);
	pm->run_count = sc->run_count;
	pm->total_pages = lab_scenario_total_pages(sc);
	pm->max_page = lab_scenario_max_page(sc);
	pm->rng = sc->seed ^ 0x6C61622D706D656Dull;
	bytes = (size_t)((pm->max_page + 7) / 8);
	pm->used = calloc(1, bytes ? bytes : 1);
	pm->user = calloc(1, bytes ? bytes : 1);
	pm->slot_cap = 1024;
	pm->slots = calloc(pm->slot_cap, sizeof *pm->slots);
	pm->hot = calloc(1, sizeof *pm->hot);
	if (pm->hot)
		pm->hot->ring = calloc(HOT_MAX, sizeof *pm->hot->ring);
	if (!pm->used || !pm->user || !pm->slots || !pm->hot || !pm->hot->ring) {
		lab_phys_free(pm);
		return ps_error_set(err, PS_ENOMEM, "physical memory: out of memory for %llu pages",
				    (unsigned long long)pm->max_page);
	}
	*out = pm;
	return PS_OK;
}

void lab_phys_free(lab_physmem *pm)
{
	if (!pm)
		return;
	for (size_t i = 0; i < pm->slot_cap && pm->slots; i++) {
		free(pm->slots[i].page);
		free(pm->slots[i].z);
	}
	if (pm->hot) {
		free(pm->hot->ring);
		if (pm->hot->def_ok)
			deflateEnd(&pm->hot->def);
		if (pm->hot->inf_ok)
			inflateEnd(&pm->hot->inf);
	}
	free(pm->hot);
	free(pm->slots);
	free(pm->used);
	free(pm->user);
	free(pm);
}

int lab_phys_is_ram(const lab_physmem *pm, uint64_t pfn)
{
	for (size_t i = 0; i < pm->run_count; i++)
		if (pfn >= pm->runs[i].base_page && pfn - pm->runs[i].base_page < pm->runs[i].page_count)
			return 1;
	return 0;
}

int lab_phys_is_used(const lab_physmem *pm, uint64_t pfn)
{
	return pfn < pm->max_page && bit(pm->used, pfn);
}

static void mark_used(lab_physmem *pm, uint64_t pfn)
{
	if (!bit(pm->used, pfn)) {
		set_bit(pm->used, pfn);
		pm->used_count++;
	}
}

/* The n-th page of RAM, counting through the runs. */
static uint64_t nth_page(const lab_physmem *pm, uint64_t n)
{
	for (size_t i = 0; i < pm->run_count; i++) {
		if (n < pm->runs[i].page_count)
			return pm->runs[i].base_page + n;
		n -= pm->runs[i].page_count;
	}
	return 0;
}

ps_status lab_phys_alloc(lab_physmem *pm, uint64_t *pfn, ps_error *err)
{
	uint64_t start, n;

	if (pm->used_count >= pm->total_pages)
		return ps_error_set(err, PS_ENOMEM, "memory too small: all %llu physical pages are in use",
				    (unsigned long long)pm->total_pages);
	/* Keep clear of the first 1 MiB, as Windows does for firmware. */
	start = lab_phys_random(pm) % pm->total_pages;
	for (n = 0; n < pm->total_pages; n++) {
		uint64_t p = nth_page(pm, (start + n) % pm->total_pages);
		if (p >= 0x100 && !bit(pm->used, p)) {
			mark_used(pm, p);
			*pfn = p;
			return PS_OK;
		}
	}
	return ps_error_set(err, PS_ENOMEM, "memory too small: no free physical page above 1 MiB");
}

ps_status lab_phys_alloc_contig(lab_physmem *pm, uint64_t count, uint64_t align,
				uint64_t *pfn, ps_error *err)
{
	if (align == 0)
		align = 1;
	for (size_t r = 0; r < pm->run_count; r++) {
		uint64_t lo = pm->runs[r].base_page, hi = lo + pm->runs[r].page_count;
		uint64_t p = (lo + align - 1) / align * align;
		if (p < 0x100)
			p = (0x100 + align - 1) / align * align;
		for (; p + count <= hi; p += align) {
			uint64_t k;
			for (k = 0; k < count && !bit(pm->used, p + k); k++)
				;
			if (k == count) {
				for (k = 0; k < count; k++)
					mark_used(pm, p + k);
				*pfn = p;
				return PS_OK;
			}
		}
	}
	return ps_error_set(err, PS_ENOMEM, "memory too small: no %llu free contiguous pages aligned to %llu pages",
			    (unsigned long long)count, (unsigned long long)align);
}

ps_status lab_phys_claim(lab_physmem *pm, uint64_t pfn, uint64_t count, ps_error *err)
{
	for (uint64_t k = 0; k < count; k++) {
		if (!lab_phys_is_ram(pm, pfn + k))
			return ps_error_set(err, PS_EARG, "physical page 0x%llx is not RAM",
					    (unsigned long long)(pfn + k));
		if (bit(pm->used, pfn + k))
			return ps_error_set(err, PS_EARG, "physical page 0x%llx is already in use",
					    (unsigned long long)(pfn + k));
	}
	for (uint64_t k = 0; k < count; k++)
		mark_used(pm, pfn + k);
	return PS_OK;
}

static size_t hash(uint64_t pfn, size_t cap)
{
	return (size_t)((pfn * 0x9E3779B97F4A7C15ull) >> 20) & (cap - 1);
}

static slot *find(const lab_physmem *pm, uint64_t pfn)
{
	size_t i = hash(pfn, pm->slot_cap);
	while (pm->slots[i].pfn) {
		if (pm->slots[i].pfn == pfn + 1)
			return &pm->slots[i];
		i = (i + 1) & (pm->slot_cap - 1);
	}
	return NULL;
}

static int grow(lab_physmem *pm)
{
	size_t cap = pm->slot_cap * 2;
	slot *s = calloc(cap, sizeof *s);
	if (!s)
		return -1;
	for (size_t i = 0; i < pm->slot_cap; i++) {
		if (pm->slots[i].pfn) {
			size_t j = hash(pm->slots[i].pfn - 1, cap);
			while (s[j].pfn)
				j = (j + 1) & (cap - 1);
			s[j] = pm->slots[i];
		}
	}
	free(pm->slots);
	pm->slots = s;
	pm->slot_cap = cap;
	return 0;
}

static int all_zero(const uint8_t *p)
{
	for (size_t i = 0; i < PAGE; i += 8) {
		uint64_t v;
		memcpy(&v, p + i, 8);
		if (v)
			return 0;
	}
	return 1;
}

/* Compress the least recently used hot page to make room for one more. */
static void make_room(lab_physmem *pm)
{
	hotset *h = pm->hot;
	while (h->count >= HOT_MAX) {
		uint64_t pfn = h->ring[h->hand];
		slot *s = find(pm, pfn);
		if (s && s->page && s->ref) {
			s->ref = 0;
			h->hand = (h->hand + 1) % h->count;
			continue;
		}
		if (s && s->page && !s->dirty) {
			/* Unchanged since it was expanded: the old copy stands. */
			free(s->page);
			s->page = NULL;
		} else if (s && s->page) {
			size_t zlen = 0;
			uint8_t *z = NULL;
			if (!all_zero(s->page)) {
				if (!h->def_ok) {
					if (deflateInit(&h->def, 1) != Z_OK)
						return;   /* keep it hot; memory grows instead of failing */
					h->def_ok = 1;
				}
				deflateReset(&h->def);
				h->def.next_in = s->page;
				h->def.avail_in = PAGE;
				h->def.next_out = h->zbuf;
				h->def.avail_out = sizeof h->zbuf;
				if (deflate(&h->def, Z_FINISH) != Z_STREAM_END)
					return;
				zlen = sizeof h->zbuf - h->def.avail_out;
				if (!(z = malloc(zlen)))
					return;
				memcpy(z, h->zbuf, zlen);
			}
			free(s->page);
			free(s->z);
			s->page = NULL;
			s->z = z;
			s->zlen = (uint32_t)zlen;
			s->dirty = 0;
		}
		/* Remove the hand's entry: the last one takes its place. */
		h->ring[h->hand] = h->ring[--h->count];
		if (h->hand >= h->count)
			h->hand = 0;
	}
}

/* Make a slot's page hot (expanded), or NULL when out of memory. A page
 * expanded for reading keeps its compressed copy until it is written. */
static uint8_t *hot_page(lab_physmem *pm, slot *s, int write)
{
	hotset *h = pm->hot;
	uint8_t *page;
	uint64_t pfn = s->pfn - 1;

	if (s->page) {
		s->ref = 1;
		s->dirty |= (uint8_t)write;
		return s->page;
	}
	make_room(pm);
	/* make_room never moves slots (no insertion), so s is still valid. */
	page = calloc(1, PAGE);
	if (!page)
		return NULL;
	if (s->z) {
		if (!h->inf_ok) {
			if (inflateInit(&h->inf) != Z_OK) {
				free(page);
				return NULL;
			}
			h->inf_ok = 1;
		}
		inflateReset(&h->inf);
		h->inf.next_in = s->z;
		h->inf.avail_in = s->zlen;
		h->inf.next_out = page;
		h->inf.avail_out = PAGE;
		if (inflate(&h->inf, Z_FINISH) != Z_STREAM_END || h->inf.avail_out != 0) {
			free(page);
			return NULL;
		}
	} else {
		write = 1;   /* a dropped zero page: nothing to fall back to */
	}
	if (write) {
		free(s->z);
		s->z = NULL;
		s->zlen = 0;
	}
	s->dirty = (uint8_t)write;
	s->page = page;
	s->ref = 1;
	if (pm->hot->count < HOT_MAX)
		pm->hot->ring[pm->hot->count++] = pfn;
	return page;
}

uint8_t *lab_phys_page(lab_physmem *pm, uint64_t pfn)
{
	slot *s = find(pm, pfn);
	size_t i;

	if (s)
		return hot_page(pm, s, 1);
	if (!lab_phys_is_ram(pm, pfn))
		return NULL;
	if ((pm->slot_count + 1) * 2 > pm->slot_cap && grow(pm) != 0)
		return NULL;
	i = hash(pfn, pm->slot_cap);
	while (pm->slots[i].pfn)
		i = (i + 1) & (pm->slot_cap - 1);
	memset(&pm->slots[i], 0, sizeof pm->slots[i]);
	pm->slots[i].pfn = pfn + 1;
	pm->slot_count++;
	mark_used(pm, pfn);
	return hot_page(pm, &pm->slots[i], 1);
}

const uint8_t *lab_phys_peek(const lab_physmem *pm, uint64_t pfn)
{
	/* The page map is logically const; expanding a cold page only
	 * changes how it is held (pm points at heap memory). */
	lab_physmem *m = (lab_physmem *)pm;
	slot *s = find(m, pfn);
	if (!s || (!s->page && !s->z))
		return NULL;   /* never written, or all zero */
	return hot_page(m, s, 0);
}

ps_status lab_phys_write(lab_physmem *pm, uint64_t pa, const void *buf, size_t len, ps_error *err)
{
	const uint8_t *src = buf;
	while (len) {
		uint64_t off = pa & (PAGE - 1);
		size_t n = PAGE - off < len ? (size_t)(PAGE - off) : len;
		uint8_t *page = lab_phys_page(pm, pa / PAGE);
		if (!page)
			return ps_error_set(err, PS_EARG, "physical address 0x%llx is not RAM (or out of memory)",
					    (unsigned long long)pa);
		memcpy(page + off, src, n);
		src += n;
		pa += n;
		len -= n;
	}
	return PS_OK;
}

void lab_phys_read(const lab_physmem *pm, uint64_t pa, void *buf, size_t len)
{
	uint8_t *dst = buf;
	while (len) {
		uint64_t off = pa & (PAGE - 1);
		size_t n = PAGE - off < len ? (size_t)(PAGE - off) : len;
		const uint8_t *page = lab_phys_peek(pm, pa / PAGE);
		if (page)
			memcpy(dst, page + off, n);
		else
			memset(dst, 0, n);
		dst += n;
		pa += n;
		len -= n;
	}
}

void lab_phys_set_user(lab_physmem *pm, uint64_t pfn)
{
	if (pfn < pm->max_page)
		set_bit(pm->user, pfn);
}

int lab_phys_is_user(const lab_physmem *pm, uint64_t pfn)
{
	return pfn < pm->max_page && bit(pm->user, pfn);
}

uint64_t lab_phys_max_page(const lab_physmem *pm)
{
	return pm->max_page;
}

uint64_t lab_phys_used_count(const lab_physmem *pm)
{
	return pm->used_count;
}
