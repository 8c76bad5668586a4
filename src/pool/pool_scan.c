/*
 * pool_scan.c - finding and walking the small-pool pages of an address range
 * (see pool.h; the reasoning and the figures are in docs/pool.md).
 *
 * Which pages are pool pages? The range globals (KDBG MmNonPagedPoolStart
 * and friends, formats.md §2.3) describe Windows 7's initial pool areas, not
 * the dynamic kernel VA it and later builds really use, and may be 0 on
 * Windows 10. So the scan trusts the pages themselves: every readable page
 * of the range is walked with ps_pool_walk_page, and a page is a pool page
 * when its header chain ends exactly at the page end. Its pool comes from its
 * allocated blocks' PoolType. Pages of big allocations (the kernel's and the
 * sessions' big-page tables) and of those tables are skipped without being
 * read.
 *
 * How it stays fast on a multi-GiB dump:
 *  1. Enumerate: worker threads, each with its own ps_vm over the same dump
 *     and DTB (a ps_vm is not thread-safe), take slices of the range and
 *     collect (page number, address) pairs of the readable pages, skipping
 *     unmapped stretches table by table (ps_vm_next_readable).
 *  2. Sort the pairs by page number, so the file is read in order.
 *  3. Walk: the workers take halves of the sorted list and walk each page in
 *     place (ps_dump_page), never copying it; the mapped file pages they
 *     leave behind are released every few MiB so the resident set stays
 *     small (ps_dump_release).
 *  4. Merge: each worker's hits are grouped by page; the pages are sorted
 *     by address and their hits gathered, so the result does not depend on
 *     the number of threads.
 */
#include "poolscope/pool.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poolscope/dump.h"
#include "pool/pool_sort.h"

#define PAGE UINT64_C(0x1000)
#define MAX_THREADS 8
#define SLICES_PER_THREAD 32
/* Release mapped dump pages after this many bytes of the file. */
#define RELEASE_SPAN (8u << 20)
/* A slice whose page tables keep exhausting the search budget is given up
 * after this many attempts. */
#define MAX_GIVE_UPS 8

unsigned ps_pool_kind(uint8_t stored, uint32_t build)
{
	unsigned type;

	if (stored == 0)
		return PS_POOL_UNKNOWN;
	/* XP and 2003 store POOL_TYPE + 1; Vista and later POOL_TYPE | 2
	 * (formats.md §3.2). */
	type = build && build < 6000 ? (unsigned)stored - 1 : stored;
	if (type & 0x20)
		return (type & 1) ? PS_POOL_SESSION_PAGED : PS_POOL_SESSION_NONPAGED;
	return (type & 1) ? PS_POOL_PAGED : PS_POOL_NONPAGED;
}

/* ---- shared state ------------------------------------------------------- */

typedef struct page_list {
	ps_sort_item *items;    /* key: page number, value: address */
	size_t count, cap;
} page_list;

/* A page that produced hits: where its hits are in its worker's array. */
typedef struct hit_page {
	uint64_t va;
	size_t first, count;
} hit_page;

typedef struct worker {
	struct scan *sc;
	unsigned id;
	ps_vm *vm;
	ps_pool_page *pg;
	/* phase 1 */
	page_list pages;
	/* phase 2 */
	size_t lo, hi;
	ps_pool_hit *hits;
	size_t hit_count, hit_cap;
	hit_page *hpages;
	size_t hpage_count, hpage_cap;
	uint64_t examined, pool_pages, damaged;
	ps_pool_damage damage[PS_POOL_SCAN_DAMAGE];
	size_t damage_count;
	char note[256];
	int nomem;
} worker;

typedef struct scan {
	const ps_dump *dump;
	const ps_pool_scan_options *opt;
	unsigned header_size;
	uint32_t build;
	uint64_t start, end;
	uint64_t slice_size;
	unsigned slice_count;
	atomic_uint next_slice;
	ps_sort_item *all;
	size_t total;
	atomic_size_t done;
	unsigned threads;
	worker w[MAX_THREADS];
} scan;

static void set_note(worker *w, const char *fmt, ...)
{
	va_list ap;

	if (w->note[0])
		return; /* the first is the one worth reading */
	va_start(ap, fmt);
	vsnprintf(w->note, sizeof w->note, fmt, ap);
	va_end(ap);
}

static int push_page(worker *w, uint64_t pfn, uint64_t va)
{
	page_list *l = &w->pages;

	if (l->count == l->cap) {
		size_t n = l->cap ? l->cap * 2 : 4096;
		ps_sort_item *p = realloc(l->items, n * sizeof *p);
		if (!p) {
			w->nomem = 1;
			return 0;
		}
		l->items = p;
		l->cap = n;
	}
	l->items[l->count].key = pfn;
	l->items[l->count].value = va;
	l->count++;
	return 1;
}

/* ---- phase 1: which pages are readable ------------------------------------ */

/* Where the page at v lies in a big-page table: in one of its in-use
 * allocations or in the table itself. Sets *last to the last page of that
 * stretch and returns 1; 0 when v is none of these. */
static int in_big_stretch(const ps_pool_scan_options *o, uint64_t v, uint64_t *last)
{
	for (size_t i = 0; i < o->big_count; i++) {
		const ps_big_table *big = o->big[i];
		const ps_big_page *bp;
		uint64_t table_bytes;

		if (!big)
			continue;
		/* Pages of a big allocation hold no pool headers. */
		if ((bp = ps_big_table_find(big, v)) != NULL) {
			*last = bp->va + (ps_big_page_count(bp) - 1) * PAGE;
			return 1;
		}
		/* The table itself: its entries (Va, Key) can look like
		 * headers, and it need not list itself. */
		table_bytes = ps_big_table_bytes(big);
		if (v >= big->table_va && v - big->table_va < table_bytes) {
			*last = (big->table_va + table_bytes - 1) & ~(PAGE - 1);
			return 1;
		}
	}
	return 0;
}

/* Collect the readable pages of [a, b). */
static void enumerate_slice(worker *w, uint64_t a, uint64_t b)
{
	uint64_t va = a;
	int give_ups = 0;

	while (va < b && !w->nomem) {
		uint64_t n = va, v, last;
		ps_error err;
		ps_status st;

		ps_error_clear(&err);
		st = ps_vm_next_readable(w->vm, va, b, &n, &err);
		if (st == PS_ENOTFOUND)
			return;
		if (st == PS_EFORMAT) {
			/* Hostile tables: the search stopped at n; go on from
			 * there a bounded number of times. */
			if (++give_ups > MAX_GIVE_UPS || n <= va) {
				set_note(w, "%s", err.message);
				return;
			}
			va = n;
			continue;
		}
		if (st != PS_OK) {
			set_note(w, "%s", err.message);
			return;
		}
		for (v = n; v < b; v += PAGE) {
			ps_translation t;

			if (in_big_stretch(w->sc->opt, v, &last)) {
				if (last < v || last >= b - PAGE)
					return;
				v = last;
				continue;
			}
			ps_error_clear(&err);
			if (ps_vm_translate(w->vm, v, &t, &err) != PS_OK ||
			    (t.state != PS_PAGE_VALID && t.state != PS_PAGE_TRANSITION) || !t.present_in_dump)
				break;
			if (!push_page(w, t.pa / PAGE, v))
				return;
			if (v > UINT64_MAX - PAGE)
				return;
		}
		if (v >= b || v > UINT64_MAX - PAGE)
			return;
		va = v + PAGE;
	}
}

static void *enumerate_main(void *arg)
{
	worker *w = arg;
	scan *sc = w->sc;

	for (;;) {
		unsigned i = atomic_fetch_add(&sc->next_slice, 1);
		uint64_t a, b;

		if (i >= sc->slice_count || w->nomem)
			break;
		a = sc->start + (uint64_t)i * sc->slice_size;
		b = i + 1 == sc->slice_count ? sc->end : a + sc->slice_size;
		enumerate_slice(w, a, b);
	}
	return NULL;
}

/* ---- phase 2: walking the pages -------------------------------------------- */

static int printable_tag(uint32_t tag)
{
	tag &= ~PS_POOL_PROTECTED;
	for (int i = 0; i < 4; i++) {
		uint8_t c = (uint8_t)(tag >> (8 * i));
		if (c < 0x20 || c > 0x7E)
			return 0;
	}
	return 1;
}

/* Could these blocks, read before a chain broke, be pool headers? Data that
 * merely starts like a header (a big-page table entry: Va then Key) rarely
 * also has sensible PoolType and PoolIndex values in every block. */
static int plausible_blocks(const ps_pool_page *pg, uint32_t build)
{
	if (pg->count == 0 || !printable_tag(pg->blocks[0].tag))
		return 0;
	for (size_t i = 0; i < pg->count; i++) {
		const ps_pool_block *b = &pg->blocks[i];

		/* PoolIndex: the nonpaged pools and at most a few dozen paged ones. */
		if (b->pool_index > 64)
			return 0;
		if (!b->allocated)
			continue;
		/* Paged 1, in use 2 (Vista+), cache aligned 4, quota 8, session
		 * 0x20 (formats.md §3.2): nothing else fits in a header. */
		if (b->pool_type & ~0x2Fu)
			return 0;
		if (build >= 6000 && !(b->pool_type & 2))
			return 0;
	}
	return 1;
}

/* The pool of a page: its first allocated block's. */
static unsigned page_kind(const ps_pool_page *pg, uint32_t build)
{
	for (size_t i = 0; i < pg->count; i++)
		if (pg->blocks[i].allocated)
			return ps_pool_kind(pg->blocks[i].pool_type, build);
	return PS_POOL_UNKNOWN;
}

/* Keep the PS_POOL_SCAN_DAMAGE lowest-addressed damaged pages. */
static void keep_damage(ps_pool_damage *d, size_t *n, const ps_pool_damage *x)
{
	size_t i = *n;

	if (i == PS_POOL_SCAN_DAMAGE) {
		if (d[i - 1].page_va <= x->page_va)
			return;
		i--;
	} else {
		(*n)++;
	}
	while (i > 0 && d[i - 1].page_va > x->page_va) {
		d[i] = d[i - 1];
		i--;
	}
	d[i] = *x;
}

static int push_hit(worker *w, const ps_pool_block *b, unsigned kind)
{
	if (w->hit_count == w->hit_cap) {
		size_t n = w->hit_cap ? w->hit_cap * 2 : 1024;
		ps_pool_hit *p = realloc(w->hits, n * sizeof *p);
		if (!p) {
			w->nomem = 1;
			return 0;
		}
		w->hits = p;
		w->hit_cap = n;
	}
	w->hits[w->hit_count].block = *b;
	w->hits[w->hit_count].pool = (uint8_t)kind;
	w->hit_count++;
	return 1;
}

static int push_hit_page(worker *w, uint64_t va, size_t first)
{
	if (w->hpage_count == w->hpage_cap) {
		size_t n = w->hpage_cap ? w->hpage_cap * 2 : 1024;
		hit_page *p = realloc(w->hpages, n * sizeof *p);
		if (!p) {
			w->nomem = 1;
			return 0;
		}
		w->hpages = p;
		w->hpage_cap = n;
	}
	w->hpages[w->hpage_count].va = va;
	w->hpages[w->hpage_count].first = first;
	w->hpages[w->hpage_count].count = w->hit_count - first;
	w->hpage_count++;
	return 1;
}

static void walk_one(worker *w, const uint8_t *bytes, uint64_t va)
{
	const scan *sc = w->sc;
	const ps_pool_scan_options *o = sc->opt;
	ps_pool_page *pg = w->pg;
	unsigned kind, want = o->pools ? o->pools : PS_POOL_ANY;
	size_t first = w->hit_count;

	w->examined++;
	ps_pool_walk_page(bytes, va, sc->header_size, pg);
	if (pg->complete) {
		w->pool_pages++;
	} else {
		/* Not a pool page at all, unless it starts like one: headers
		 * at the page start with a printable tag, then damage. */
		if (!plausible_blocks(pg, sc->build))
			return;
		ps_pool_damage x;

		w->damaged++;
		x.page_va = pg->va;
		x.problem_va = pg->problem_va;
		snprintf(x.problem, sizeof x.problem, "%s", pg->problem);
		keep_damage(w->damage, &w->damage_count, &x);
	}
	kind = page_kind(pg, sc->build);
	if (!(kind & want))
		return;
	for (size_t i = 0; i < pg->count; i++) {
		const ps_pool_block *b = &pg->blocks[i];

		if (!b->allocated && !o->include_free)
			continue;
		if (ps_tag_pattern_match(&o->pattern, b->tag) && !push_hit(w, b, kind))
			return;
	}
	if (w->hit_count > first)
		push_hit_page(w, va, first);
}

static void *walk_main(void *arg)
{
	worker *w = arg;
	scan *sc = w->sc;
	const uint8_t *span_lo = NULL, *span_hi = NULL;
	size_t since = 0;

	for (size_t i = w->lo; i < w->hi && !w->nomem; i++) {
		const uint8_t *p = ps_dump_page(sc->dump, sc->all[i].key);

		if (p) {
			walk_one(w, p, sc->all[i].value);
			if (!span_lo || p < span_lo)
				span_lo = p;
			if (!span_hi || p > span_hi)
				span_hi = p;
			if ((size_t)(span_hi - span_lo) >= RELEASE_SPAN) {
				ps_dump_release(sc->dump, span_lo, (size_t)(span_hi - span_lo) + PAGE);
				span_lo = span_hi = NULL;
			}
		}
		if (++since == 1024) {
			size_t done = atomic_fetch_add(&sc->done, since) + since;
			since = 0;
			if (w->id == 0 && sc->opt->progress)
				sc->opt->progress(sc->opt->progress_ctx, done, sc->total);
		}
	}
	if (span_lo)
		ps_dump_release(sc->dump, span_lo, (size_t)(span_hi - span_lo) + PAGE);
	atomic_fetch_add(&sc->done, since);
	return NULL;
}

/* ---- running the phases ----------------------------------------------------- */

static void run(scan *sc, void *(*fn)(void *))
{
	pthread_t tid[MAX_THREADS];
	int started[MAX_THREADS] = {0};

	for (unsigned i = 1; i < sc->threads; i++)
		started[i] = pthread_create(&tid[i], NULL, fn, &sc->w[i]) == 0;
	fn(&sc->w[0]);
	for (unsigned i = 1; i < sc->threads; i++) {
		if (started[i])
			pthread_join(tid[i], NULL);
		else
			fn(&sc->w[i]); /* could not start a thread: do its share here */
	}
}

static void free_workers(scan *sc)
{
	for (unsigned i = 0; i < sc->threads; i++) {
		worker *w = &sc->w[i];
		if (w->vm)
			ps_vm_destroy(w->vm);
		free(w->pg);
		free(w->pages.items);
		free(w->hits);
		free(w->hpages);
		memset(w, 0, sizeof *w);
	}
}

/* Concatenate the workers' page lists into sc->all, sorted by page number. */
static int gather_pages(scan *sc)
{
	size_t n = 0, k = 0;

	for (unsigned i = 0; i < sc->threads; i++)
		n += sc->w[i].pages.count;
	sc->all = malloc((n ? n : 1) * sizeof *sc->all);
	if (!sc->all)
		return 0;
	for (unsigned i = 0; i < sc->threads; i++) {
		page_list *l = &sc->w[i].pages;
		if (l->count)
			memcpy(sc->all + k, l->items, l->count * sizeof *l->items);
		k += l->count;
		free(l->items);
		memset(l, 0, sizeof *l);
	}
	sc->total = n;
	return ps_pool_sort(sc->all, n);
}

/* Put every worker's hits in address order into out. */
static int merge_hits(scan *sc, ps_pool_scan_result *out)
{
	size_t pages = 0, hits = 0, k = 0, at = 0;
	ps_sort_item *order;

	for (unsigned i = 0; i < sc->threads; i++) {
		pages += sc->w[i].hpage_count;
		hits += sc->w[i].hit_count;
	}
	order = malloc((pages ? pages : 1) * sizeof *order);
	out->hits = malloc((hits ? hits : 1) * sizeof *out->hits);
	if (!order || !out->hits) {
		free(order);
		return 0;
	}
	for (unsigned i = 0; i < sc->threads; i++)
		for (size_t j = 0; j < sc->w[i].hpage_count; j++) {
			order[k].key = sc->w[i].hpages[j].va;
			order[k].value = ((uint64_t)i << 56) | j;
			k++;
		}
	if (!ps_pool_sort(order, pages)) {
		free(order);
		return 0;
	}
	for (size_t p = 0; p < pages; p++) {
		const worker *w = &sc->w[order[p].value >> 56];
		const hit_page *hp = &w->hpages[order[p].value & ((UINT64_C(1) << 56) - 1)];
		memcpy(out->hits + at, w->hits + hp->first, hp->count * sizeof *out->hits);
		at += hp->count;
	}
	out->count = at;
	free(order);
	return 1;
}

static void merge_counts(scan *sc, ps_pool_scan_result *out)
{
	for (unsigned i = 0; i < sc->threads; i++) {
		worker *w = &sc->w[i];
		out->pages_examined += w->examined;
		out->pool_pages += w->pool_pages;
		out->damaged_pages += w->damaged;
		for (size_t j = 0; j < w->damage_count; j++)
			keep_damage(out->damage, &out->damage_count, &w->damage[j]);
		if (!out->note[0] && w->note[0])
			snprintf(out->note, sizeof out->note, "%s", w->note);
	}
}

ps_status ps_pool_scan(ps_vm *vm, const ps_pool_scan_options *opt, ps_pool_scan_result *out,
		       ps_error *err)
{
	scan *sc;
	const ps_dump *d = ps_vm_dump(vm);
	ps_paging mode = ps_vm_paging(vm);
	int wide = ps_vm_pointer_size(vm) == 8;
	ps_status st = PS_OK;

	memset(out, 0, sizeof *out);
	if (mode == PS_PAGING_NONE)
		return ps_error_set(err, PS_EUNSUPPORTED,
				    "%s is a triage dump: it holds no page tables and no pool pages",
				    ps_dump_name(d));
	sc = calloc(1, sizeof *sc);
	if (!sc)
		return ps_error_set(err, PS_ENOMEM, "no memory for a pool scan");
	sc->dump = d;
	sc->opt = opt;
	sc->header_size = wide ? 16 : 8;
	sc->build = ps_dump_get_info(d)->minor_version;
	sc->start = opt->start;
	sc->end = opt->end;
	if (!sc->start && !sc->end) {
		/* The kernel half. */
		sc->start = wide ? UINT64_C(0xFFFF800000000000) : UINT64_C(0x80000000);
		sc->end = wide ? UINT64_MAX : UINT64_C(0x100000000);
	}
	sc->start &= ~(PAGE - 1);
	if (sc->end <= sc->start) {
		free(sc);
		return PS_OK;
	}
	sc->threads = opt->threads ? opt->threads : 2;
	if (sc->threads > MAX_THREADS)
		sc->threads = MAX_THREADS;
	sc->slice_count = sc->threads * SLICES_PER_THREAD;
	sc->slice_size = ((sc->end - sc->start) / sc->slice_count + PAGE - 1) & ~(PAGE - 1);
	if (sc->slice_size == 0)
		sc->slice_size = PAGE;
	for (unsigned i = 0; i < sc->threads; i++) {
		worker *w = &sc->w[i];
		w->sc = sc;
		w->id = i;
		w->pg = malloc(sizeof *w->pg);
		if (!w->pg) {
			st = ps_error_set(err, PS_ENOMEM, "no memory for a pool scan");
			goto done;
		}
		if ((st = ps_vm_create(d, mode, ps_vm_dtb(vm), &w->vm, err)) != PS_OK)
			goto done;
	}

	run(sc, enumerate_main);
	for (unsigned i = 0; i < sc->threads; i++)
		if (sc->w[i].nomem) {
			st = ps_error_set(err, PS_ENOMEM, "no memory for the list of pages to scan");
			goto done;
		}
	if (!gather_pages(sc)) {
		st = ps_error_set(err, PS_ENOMEM, "no memory to sort %zu pages", sc->total);
		goto done;
	}
	/* Equal shares of the sorted pages: each worker reads its own stretch
	 * of the file from front to back. */
	for (unsigned i = 0; i < sc->threads; i++) {
		sc->w[i].lo = sc->total * i / sc->threads;
		sc->w[i].hi = sc->total * (i + 1) / sc->threads;
	}
	run(sc, walk_main);
	free(sc->all);
	sc->all = NULL;
	for (unsigned i = 0; i < sc->threads; i++)
		if (sc->w[i].nomem) {
			st = ps_error_set(err, PS_ENOMEM, "no memory for the blocks found");
			goto done;
		}
	merge_counts(sc, out);
	if (!merge_hits(sc, out)) {
		ps_pool_scan_result_free(out);
		st = ps_error_set(err, PS_ENOMEM, "no memory to sort the blocks found");
	}
	if (opt->progress)
		opt->progress(opt->progress_ctx, sc->total, sc->total);
done:
	free(sc->all);
	free_workers(sc);
	free(sc);
	return st;
}

void ps_pool_scan_result_free(ps_pool_scan_result *r)
{
	if (!r)
		return;
	free(r->hits);
	r->hits = NULL;
	r->count = 0;
}
