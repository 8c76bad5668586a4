/*
 * tracker.c - per-tag pool usage from the kernel's tag tracker tables, the
 * numbers !poolused prints (pool.h).
 *
 * nt!PoolTrackTable points at an array of POOL_TRACKER_TABLE entries
 * (formats.md §3.4; entry layout from the kernel PDB or the built-in
 * layouts: 0x1C / 0x28 bytes before 1709, 0x30 / 0x38 after, 0x50 on
 * Windows 11), nt!PoolTrackTableSize long: a power of two plus one, the
 * last entry the overflow bucket. Keys are placed at
 * hash = (lo32 ^ hi32)(40543 * Key) & (Size - 2) with linear probing
 * (ReactOS ExpComputeHashForTag / ExpInsertPoolTracker, which mirror
 * Windows), and a key never moves once placed.
 *
 * Windows 8 and later also keep one table per processor,
 * nt!ExPoolTagTables[KPRCB.Number] (decompiled ExFreeHeapPool /
 * ExpInsertPoolTracker; IopLiveDumpAddPoolTrackTables adds each of them to
 * a live dump), a tag at the same index in each; a processor's own counters
 * can run negative, so only the sum is a tag's usage. Whether
 * ExPoolTagTables[0] is PoolTrackTable itself is not documented (the lab
 * makes it so): the distinct non-null pointers among PoolTrackTable and
 * ExPoolTagTables[0..KeNumberProcessors) are summed, each once.
 *
 * Without the kernel PDB: PoolTrackTable comes from KDBG; the size from
 * formats.md §3.4's heuristic (b): the largest power of two plus one whose
 * entries all sit where the hash and linear probing put them (a wrong size
 * misplaces nearly every key); the per-processor array from a scan of nt's
 * image for a run of KeNumberProcessors table pointers starting with
 * PoolTrackTable whose tables hold the global table's keys at the same
 * indexes. Both are said in the notes.
 *
 * Session pool is tracked in each session's
 * MM_SESSION_SPACE.PoolTrackTableExpansion (PoolTrackTableExpansionSize
 * entries; formats.md §3.4).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "poolscope/kernel.h"
#include "poolscope/pool.h"
#include "poolscope/symbols.h"

#define PAGE 0x1000u
#define KDBG_POOL_TRACK_TABLE 0x1B8
/* Sizes above this are refused (the brief's bound; Windows' largest
 * default tables are far smaller). */
#define MAX_TABLE_ENTRIES ((uint64_t)1 << 24)
/* Distinct tags kept; beyond this the rest is dropped with a note. */
#define MAX_DISTINCT_TAGS ((size_t)1 << 20)
/* The size heuristic reads at most this much of a table. */
#define GUESS_MAX_BYTES ((uint64_t)64 << 20)
#define MAX_PROCESSORS 1024
#define MAX_NOTES 64
/* Entries read at a time. */
#define CHUNK_ENTRIES 4096

enum { F_KEY, F_NP_ALLOCS, F_NP_FREES, F_NP_BYTES, F_P_ALLOCS, F_P_FREES, F_P_BYTES, F_COUNT };

static const char *const field_names[F_COUNT] = {
	"Key", "NonPagedAllocs", "NonPagedFrees", "NonPagedBytes", "PagedAllocs", "PagedFrees", "PagedBytes",
};

typedef struct entry_layout {
	uint32_t size;
	uint32_t off[F_COUNT];
	uint32_t width[F_COUNT];        /* bytes: 4 or 8 */
} entry_layout;

/* Accumulator: tags plus an open-addressed index on the key. */
typedef struct accum {
	ps_pool_usage *u;
	size_t cap;
	uint32_t *slots;                /* index + 1, 0 = empty */
	size_t nslots;                  /* power of two */
	int overflowed;
} accum;

static void note(ps_pool_usage *u, const char *fmt, ...) PS_PRINTF(2, 3);
static void note(ps_pool_usage *u, const char *fmt, ...)
{
	char buf[400], **n;
	va_list ap;

	if (u->note_count >= MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (!(n = realloc(u->notes, (u->note_count + 1) * sizeof *n)))
		return;
	u->notes = n;
	if ((n[u->note_count] = malloc(strlen(buf) + 1)) != NULL) {
		memcpy(n[u->note_count], buf, strlen(buf) + 1);
		u->note_count++;
	}
}

void ps_pool_usage_free(ps_pool_usage *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->note_count; i++)
		free(u->notes[i]);
	free(u->notes);
	free(u->tags);
	free(u);
}

static uint64_t width_mask(unsigned bits)
{
	return bits >= 64 ? UINT64_MAX : (((uint64_t)1 << bits) - 1);
}

static int64_t as_signed(uint64_t v, unsigned bits)
{
	v &= width_mask(bits);
	if (bits < 64 && (v >> (bits - 1)) & 1)
		return (int64_t)(v | ~width_mask(bits));
	return (int64_t)v;
}

int64_t ps_pool_usage_diff(const ps_pool_usage *u, uint64_t allocs, uint64_t frees)
{
	return as_signed(allocs - frees, u->count_bits);
}

int64_t ps_pool_usage_bytes(const ps_pool_usage *u, uint64_t bytes)
{
	return as_signed(bytes, u->bytes_bits);
}

static uint32_t tag_hash(uint32_t key, uint64_t mask)
{
	uint64_t prod = 40543ull * key;
	return (uint32_t)(((uint32_t)prod ^ (uint32_t)(prod >> 32)) & mask);
}

static ps_status get_layout(ps_symbols *syms, entry_layout *lay, ps_error *err)
{
	uint64_t size;

	if (ps_symbols_type_size(syms, "_POOL_TRACKER_TABLE", &size, NULL) != PS_OK || size == 0 || size > 0x100)
		return ps_error_set(err, PS_ENOTFOUND, "no _POOL_TRACKER_TABLE layout for this kernel (no PDB and no "
				    "built-in layout)");
	lay->size = (uint32_t)size;
	for (int f = 0; f < F_COUNT; f++) {
		ps_field_info fi;

		if (ps_symbols_field_info(syms, "_POOL_TRACKER_TABLE", field_names[f], &fi) != PS_OK ||
		    (fi.size != 4 && fi.size != 8) || fi.offset + fi.size > size)
			return ps_error_set(err, PS_ENOTFOUND, "_POOL_TRACKER_TABLE.%s: no usable field",
					    field_names[f]);
		lay->off[f] = (uint32_t)fi.offset;
		lay->width[f] = (uint32_t)fi.size;
	}
	return PS_OK;
}

static uint64_t get_field(const entry_layout *lay, const uint8_t *e, int f)
{
	return lay->width[f] == 8 ? ps_le64(e + lay->off[f]) : ps_le32(e + lay->off[f]);
}

static ps_pool_usage *usage_new(const entry_layout *lay)
{
	ps_pool_usage *u = calloc(1, sizeof *u);

	if (u) {
		u->count_bits = lay->width[F_NP_ALLOCS] * 8;
		u->bytes_bits = lay->width[F_NP_BYTES] * 8;
	}
	return u;
}

static int accum_grow_index(accum *a)
{
	size_t nslots = a->nslots ? a->nslots * 2 : 1024;
	uint32_t *slots = calloc(nslots, sizeof *slots);

	if (!slots)
		return -1;
	for (size_t i = 0; i < a->u->count; i++) {
		size_t h = tag_hash(a->u->tags[i].key, nslots - 1);
		while (slots[h])
			h = (h + 1) & (nslots - 1);
		slots[h] = (uint32_t)(i + 1);
	}
	free(a->slots);
	a->slots = slots;
	a->nslots = nslots;
	return 0;
}

/* Add one table entry's counters to its tag. */
static ps_status accum_add(accum *a, const entry_layout *lay, const uint8_t *e, ps_error *err)
{
	uint32_t key = (uint32_t)get_field(lay, e, F_KEY) & ~PS_POOL_PROTECTED;
	ps_pool_tag_usage *t;
	size_t h;

	if (key == 0)
		return PS_OK;
	if ((a->u->count + 1) * 2 > a->nslots && accum_grow_index(a) != 0)
		return ps_error_set(err, PS_ENOMEM, "tag table: out of memory at %zu tags", a->u->count);
	h = tag_hash(key, a->nslots - 1);
	while (a->slots[h] && a->u->tags[a->slots[h] - 1].key != key)
		h = (h + 1) & (a->nslots - 1);
	if (a->slots[h]) {
		t = &a->u->tags[a->slots[h] - 1];
	} else {
		if (a->u->count >= MAX_DISTINCT_TAGS) {
			a->overflowed = 1;
			return PS_OK;
		}
		if (a->u->count == a->cap) {
			size_t ncap = a->cap ? a->cap * 2 : 256;
			ps_pool_tag_usage *nt = realloc(a->u->tags, ncap * sizeof *nt);
			if (!nt)
				return ps_error_set(err, PS_ENOMEM, "tag table: out of memory at %zu tags", a->u->count);
			a->u->tags = nt;
			a->cap = ncap;
		}
		t = &a->u->tags[a->u->count];
		memset(t, 0, sizeof *t);
		t->key = key;
		a->slots[h] = (uint32_t)(++a->u->count);
	}
	t->nonpaged_allocs += get_field(lay, e, F_NP_ALLOCS);
	t->nonpaged_frees += get_field(lay, e, F_NP_FREES);
	t->nonpaged_bytes += get_field(lay, e, F_NP_BYTES);
	t->paged_allocs += get_field(lay, e, F_P_ALLOCS);
	t->paged_frees += get_field(lay, e, F_P_FREES);
	t->paged_bytes += get_field(lay, e, F_P_BYTES);
	return PS_OK;
}

/* Read `count` entries at `va`, page by page so that an unreadable page
 * costs only the entries on it; each run of unreadable pages is noted. */
static ps_status read_table(ps_vm *vm, const entry_layout *lay, uint64_t va, uint64_t count, accum *a,
			    ps_error *err)
{
	size_t esz = lay->size;
	uint8_t *buf = malloc((size_t)CHUNK_ENTRIES * esz);
	uint8_t *valid = malloc((size_t)CHUNK_ENTRIES * esz / PAGE + 3);
	uint64_t bad_from = UINT64_MAX, bad_pages = 0;
	ps_status st = PS_OK;

	if (!buf || !valid) {
		free(buf);
		free(valid);
		return ps_error_set(err, PS_ENOMEM, "tracker table at %#" PRIx64 ": out of memory", va);
	}
	for (uint64_t first = 0; first < count && st == PS_OK; first += CHUNK_ENTRIES) {
		uint64_t n = count - first < CHUNK_ENTRIES ? count - first : CHUNK_ENTRIES;
		uint64_t start = va + first * esz, end = start + n * esz;
		uint64_t page0 = start & ~(uint64_t)(PAGE - 1);

		/* Read each page piece of [start, end). */
		for (uint64_t p = page0; p < end; p += PAGE) {
			uint64_t lo = p > start ? p : start, hi = p + PAGE < end ? p + PAGE : end;
			int ok = ps_vm_read(vm, lo, buf + (lo - start), (size_t)(hi - lo), NULL, NULL) == PS_OK;

			valid[(p - page0) / PAGE] = (uint8_t)ok;
			if (!ok) {
				if (bad_from == UINT64_MAX)
					bad_from = p;
				bad_pages++;
			} else if (bad_from != UINT64_MAX) {
				note(a->u, "tracker table at %#" PRIx64 ": %" PRIu64 " unreadable page(s) from %#" PRIx64
				     " skipped (partial counts)", va, bad_pages, bad_from);
				bad_from = UINT64_MAX;
				bad_pages = 0;
			}
		}
		for (uint64_t i = 0; i < n && st == PS_OK; i++) {
			uint64_t e0 = start + i * esz, e1 = e0 + esz - 1;
			if (!valid[((e0 & ~(uint64_t)(PAGE - 1)) - page0) / PAGE] ||
			    !valid[((e1 & ~(uint64_t)(PAGE - 1)) - page0) / PAGE])
				continue;
			st = accum_add(a, lay, buf + i * esz, err);
		}
	}
	if (bad_from != UINT64_MAX)
		note(a->u, "tracker table at %#" PRIx64 ": %" PRIu64 " unreadable page(s) from %#" PRIx64
		     " skipped (partial counts)", va, bad_pages, bad_from);
	free(buf);
	free(valid);
	return st;
}

/* formats.md §3.4 heuristic (b): the largest 2^k + 1 whose keys all sit
 * where hashing and linear probing (mask 2^k - 1) put them. */
static ps_status guess_size(ps_vm *vm, const entry_layout *lay, uint64_t va, uint64_t *size, ps_error *err)
{
	uint64_t avail = 0, limit = GUESS_MAX_BYTES / lay->size;
	uint32_t *keys = NULL;
	uint8_t page[PAGE + 0x100];
	size_t cap = 0;

	/* Keys of the readable prefix (the table is page aligned: a big
	 * allocation). */
	for (uint64_t off = 0; avail < limit; off += PAGE) {
		if (ps_vm_read(vm, va + off, page, PAGE, NULL, NULL) != PS_OK)
			break;
		while (avail < limit && (avail + 1) * lay->size <= off + PAGE) {
			uint64_t at = avail * lay->size;
			uint8_t ebuf[0x100];

			if (at < off) {
				/* Entry straddles the previous page: rebuild it. */
				size_t head = (size_t)(off - at);
				if (ps_vm_read(vm, va + at, ebuf, head, NULL, NULL) != PS_OK)
					goto done;
				memcpy(ebuf + head, page, lay->size - head);
			} else {
				memcpy(ebuf, page + (at - off), lay->size);
			}
			if (avail == cap) {
				size_t ncap = cap ? cap * 2 : 4096;
				uint32_t *nk = realloc(keys, ncap * sizeof *nk);
				if (!nk) {
					free(keys);
					return ps_error_set(err, PS_ENOMEM, "tracker table size guess: out of memory");
				}
				keys = nk;
				cap = ncap;
			}
			keys[avail++] = (uint32_t)get_field(lay, ebuf, F_KEY) & ~PS_POOL_PROTECTED;
		}
	}
done:
	for (int k = 24; k >= 6; k--) {
		uint64_t n = ((uint64_t)1 << k) + 1, mask = n - 2, used = 0;
		int ok = 1;

		if (n > avail)
			continue;
		for (uint64_t i = 0; i < n - 1 && ok; i++) {
			uint64_t h, probes = 0;
			if (!keys[i])
				continue;
			used++;
			for (h = tag_hash(keys[i], mask); h != i; h = (h + 1) & mask) {
				if (!keys[h] || ++probes > mask) {
					ok = 0;
					break;
				}
			}
		}
		if (ok && used) {
			free(keys);
			*size = n;
			return PS_OK;
		}
	}
	free(keys);
	return ps_error_set(err, PS_ENOTFOUND, "tracker table at %#" PRIx64 ": no PoolTrackTableSize and no "
			    "size 2^k+1 fits its keys", va);
}

static int kernel_address(ps_vm *vm, uint64_t va)
{
	return ps_vm_pointer_size(vm) == 8 ? va >= 0xFFFF800000000000ull : va >= 0x80000000u && va <= 0xFFFFFFFFu;
}

/* Without the PDB: nt!ExPoolTagTables found by its contents (see the top). */
static uint64_t scan_tag_tables(ps_kernel *k, const entry_layout *lay, uint64_t ptt_var, uint64_t ptt,
				uint32_t ncpu, uint64_t entries)
{
	ps_vm *vm = ps_kernel_vm(k);
	const ps_module *nt = ps_kernel_module_count(k) ? ps_kernel_module(k, 0) : NULL;
	unsigned psize = ps_vm_pointer_size(vm);
	uint8_t page[PAGE];
	uint64_t check = entries < 256 ? entries : 256;

	if (!nt || nt->size > ((uint64_t)64 << 20))
		return 0;
	for (uint64_t p = nt->base; p < nt->base + nt->size; p += PAGE) {
		if (ps_vm_read(vm, p, page, PAGE, NULL, NULL) != PS_OK)
			continue;
		for (unsigned o = 0; o + psize <= PAGE; o += psize) {
			uint64_t cand = p + o, v = psize == 8 ? ps_le64(page + o) : ps_le32(page + o);
			int good = 1;

			if (v != ptt || cand == ptt_var)
				continue;
			for (uint32_t c = 1; c < ncpu && good; c++) {
				uint64_t t;
				if (ps_vm_read_ptr(vm, cand + (uint64_t)c * psize, &t, NULL) != PS_OK ||
				    !kernel_address(vm, t) || t == ptt)
					good = 0;
				/* The same tags at the same indexes as the global table. */
				for (uint64_t i = 0; i < check && good; i++) {
					uint32_t kg = 0, kc = 0;
					if (ps_vm_read_u32(vm, ptt + i * lay->size + lay->off[F_KEY], &kg, NULL) != PS_OK ||
					    ps_vm_read_u32(vm, t + i * lay->size + lay->off[F_KEY], &kc, NULL) != PS_OK ||
					    (kc != 0 && kc != kg))
						good = 0;
				}
			}
			if (good)
				return cand;
		}
	}
	return 0;
}

static ps_status read_symbol_value(ps_kernel *k, ps_symbols *syms, const char *name, unsigned size,
				   uint64_t *v, uint64_t *addr)
{
	ps_vm *vm = ps_kernel_vm(k);
	ps_symbol sym;
	uint32_t v32;

	if (ps_symbols_lookup(syms, name, &sym) != PS_OK)
		return PS_ENOTFOUND;
	if (addr)
		*addr = sym.address;
	if (size == 4) {
		if (ps_vm_read_u32(vm, sym.address, &v32, NULL) != PS_OK)
			return PS_EINVALID;
		*v = v32;
		return PS_OK;
	}
	return ps_vm_read_ptr(vm, sym.address, v, NULL) == PS_OK ? PS_OK : PS_EINVALID;
}

static void finish(accum *a)
{
	if (a->overflowed)
		note(a->u, "more than %zu distinct tags: the rest were dropped", MAX_DISTINCT_TAGS);
	free(a->slots);
	a->slots = NULL;
}

static int cmp_key(const void *x, const void *y)
{
	uint32_t a = ((const ps_pool_tag_usage *)x)->key, b = ((const ps_pool_tag_usage *)y)->key;
	return a < b ? -1 : a > b;
}

ps_status ps_pool_usage_read(ps_kernel *k, ps_symbols *syms, ps_pool_usage **out, ps_error *err)
{
	ps_vm *vm = ps_kernel_vm(k);
	unsigned psize = ps_vm_pointer_size(vm);
	entry_layout lay;
	uint64_t ptt_var = 0, ptt = 0, entries = 0, ncpu64 = 1, arr = 0;
	uint64_t *tables = NULL;
	size_t ntables = 0;
	accum a = { 0 };
	ps_status st;

	*out = NULL;
	if ((st = get_layout(syms, &lay, err)) != PS_OK)
		return st;
	if (read_symbol_value(k, syms, "nt!PoolTrackTable", psize, &ptt, &ptt_var) != PS_OK) {
		if (ps_kernel_kdbg_field(k, KDBG_POOL_TRACK_TABLE, &ptt_var) != PS_OK || ptt_var == 0 ||
		    ps_vm_read_ptr(vm, ptt_var, &ptt, NULL) != PS_OK)
			return ps_error_set(err, PS_ENOTFOUND, "unable to get PoolTrackTable: no symbol and no "
					    "readable KDBG.PoolTrackTable");
	}
	if (ptt == 0)
		return ps_error_set(err, PS_ENOTFOUND, "PoolTrackTable is NULL: pool tagging is disabled");
	if (!(a.u = usage_new(&lay)))
		return ps_error_set(err, PS_ENOMEM, "out of memory");
	if (read_symbol_value(k, syms, "nt!PoolTrackTableSize", psize, &entries, NULL) != PS_OK) {
		if ((st = guess_size(vm, &lay, ptt, &entries, err)) != PS_OK)
			goto fail;
		a.u->size_guessed = 1;
		note(a.u, "PoolTrackTableSize unknown (no kernel symbols): %" PRIu64 " entries guessed from the "
		     "table's keys", entries);
	}
	if (entries == 0 || entries > MAX_TABLE_ENTRIES) {
		st = ps_error_set(err, PS_EFORMAT, "PoolTrackTableSize %" PRIu64 " is out of range (1 to %" PRIu64
				  " entries): refused", entries, MAX_TABLE_ENTRIES);
		goto fail;
	}
	a.u->table_entries = entries;

	/* The tables to sum: PoolTrackTable, then the distinct others. */
	if (!(tables = calloc(MAX_PROCESSORS + 1, sizeof *tables))) {
		st = ps_error_set(err, PS_ENOMEM, "out of memory");
		goto fail;
	}
	tables[ntables++] = ptt;
	if (read_symbol_value(k, syms, "nt!KeNumberProcessors", 4, &ncpu64, NULL) != PS_OK || ncpu64 == 0)
		ncpu64 = 1;
	if (ncpu64 > MAX_PROCESSORS) {
		note(a.u, "KeNumberProcessors %" PRIu64 " is implausible: per-processor tables limited to %u",
		     ncpu64, MAX_PROCESSORS);
		ncpu64 = MAX_PROCESSORS;
	}
	{
		ps_symbol sym;
		if (ps_symbols_lookup(syms, "nt!ExPoolTagTables", &sym) == PS_OK) {
			arr = sym.address;
		} else if (ncpu64 > 1 && (arr = scan_tag_tables(k, &lay, ptt_var, ptt, (uint32_t)ncpu64, entries))) {
			note(a.u, "nt!ExPoolTagTables found at %#" PRIx64 " by its contents (no kernel symbols)", arr);
		}
	}
	for (uint64_t c = 0; arr && c < ncpu64; c++) {
		uint64_t t;
		size_t j;
		if (ps_vm_read_ptr(vm, arr + c * psize, &t, NULL) != PS_OK) {
			note(a.u, "ExPoolTagTables[%" PRIu64 "] at %#" PRIx64 " is unreadable: skipped", c,
			     arr + c * psize);
			continue;
		}
		if (t == 0)
			continue;
		for (j = 0; j < ntables && tables[j] != t; j++)
			;
		if (j == ntables)
			tables[ntables++] = t;
	}
	a.u->tables = ntables;
	for (size_t i = 0; i < ntables; i++)
		if ((st = read_table(vm, &lay, tables[i], entries, &a, err)) != PS_OK)
			goto fail;
	finish(&a);
	free(tables);
	qsort(a.u->tags, a.u->count, sizeof *a.u->tags, cmp_key);
	*out = a.u;
	return PS_OK;
fail:
	free(tables);
	free(a.slots);
	ps_pool_usage_free(a.u);
	return st;
}

ps_status ps_pool_session_usage_read(ps_kernel *k, ps_symbols *syms, uint64_t session_space, ps_pool_usage **out,
				     ps_error *err)
{
	ps_vm *vm = ps_kernel_vm(k);
	uint64_t off_table, off_size, table = 0, entries = 0;
	entry_layout lay;
	accum a = { 0 };
	ps_status st;

	*out = NULL;
	if ((st = get_layout(syms, &lay, err)) != PS_OK)
		return st;
	if (ps_symbols_field(syms, "_MM_SESSION_SPACE", "PoolTrackTableExpansion", &off_table, NULL) != PS_OK ||
	    ps_symbols_field(syms, "_MM_SESSION_SPACE", "PoolTrackTableExpansionSize", &off_size, NULL) != PS_OK)
		return ps_error_set(err, PS_ENOTFOUND, "no _MM_SESSION_SPACE.PoolTrackTableExpansion for this kernel");
	if (ps_vm_read_ptr(vm, session_space + off_table, &table, NULL) != PS_OK ||
	    ps_vm_read_ptr(vm, session_space + off_size, &entries, NULL) != PS_OK)
		return ps_error_set(err, PS_EINVALID, "MM_SESSION_SPACE at %#" PRIx64 " is unreadable", session_space);
	if (entries > MAX_TABLE_ENTRIES)
		return ps_error_set(err, PS_EFORMAT, "session %#" PRIx64 ": PoolTrackTableExpansionSize %" PRIu64
				    " is out of range (at most %" PRIu64 " entries): refused", session_space, entries,
				    MAX_TABLE_ENTRIES);
	if (!(a.u = usage_new(&lay)))
		return ps_error_set(err, PS_ENOMEM, "out of memory");
	a.u->table_entries = entries;
	if (table && entries) {
		a.u->tables = 1;
		if ((st = read_table(vm, &lay, table, entries, &a, err)) != PS_OK) {
			free(a.slots);
			ps_pool_usage_free(a.u);
			return st;
		}
	}
	finish(&a);
	qsort(a.u->tags, a.u->count, sizeof *a.u->tags, cmp_key);
	*out = a.u;
	return PS_OK;
}

/* ---- sessions ----------------------------------------------------------- */

#define MAX_SESSIONS 4096

static int add_session(ps_pool_session **list, size_t *n, size_t *cap, uint64_t va, uint32_t id)
{
	for (size_t i = 0; i < *n; i++)
		if ((*list)[i].session_space == va)
			return 0;
	if (*n >= MAX_SESSIONS)
		return 0;
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		ps_pool_session *nl = realloc(*list, ncap * sizeof *nl);
		if (!nl)
			return -1;
		*list = nl;
		*cap = ncap;
	}
	(*list)[*n].session_space = va;
	(*list)[*n].id = id;
	(*n)++;
	return 0;
}

ps_status ps_pool_sessions(ps_kernel *k, ps_symbols *syms, ps_pool_session **out, size_t *count, ps_error *err)
{
	ps_vm *vm = ps_kernel_vm(k);
	unsigned psize = ps_vm_pointer_size(vm);
	uint64_t off_ws, off_id;
	ps_pool_session *list = NULL;
	size_t n = 0, cap = 0;
	ps_symbol head;
	ps_status st;

	*out = NULL;
	*count = 0;
	if (ps_symbols_field(syms, "_MM_SESSION_SPACE", "SessionId", &off_id, NULL) != PS_OK)
		return ps_error_set(err, PS_ENOTFOUND, "no _MM_SESSION_SPACE.SessionId for this kernel");
	if (ps_symbols_lookup(syms, "nt!MiSessionWsList", &head) == PS_OK &&
	    ps_symbols_field(syms, "_MM_SESSION_SPACE", "WsListEntry", &off_ws, NULL) == PS_OK) {
		uint64_t link, prev = head.address;
		if (ps_vm_read_ptr(vm, head.address, &link, NULL) == PS_OK) {
			while (link != head.address && n < MAX_SESSIONS) {
				uint64_t blink, next;
				uint32_t id = 0;
				if (ps_vm_read_ptr(vm, link + psize, &blink, NULL) != PS_OK || blink != prev ||
				    ps_vm_read_ptr(vm, link, &next, NULL) != PS_OK)
					break;
				ps_vm_read_u32(vm, link - off_ws + off_id, &id, NULL);
				if (add_session(&list, &n, &cap, link - off_ws, id) != 0)
					break;
				prev = link;
				link = next;
			}
		}
		if (n) {
			*out = list;
			*count = n;
			return PS_OK;
		}
	}
	{
		ps_process_entry *procs;
		size_t np;
		if ((st = ps_kernel_processes(k, syms, &procs, &np, NULL, 0, err)) != PS_OK) {
			free(list);
			return st;
		}
		for (size_t i = 0; i < np; i++) {
			uint32_t id = 0;
			if (!procs[i].session_space ||
			    ps_vm_read_u32(vm, procs[i].session_space + off_id, &id, NULL) != PS_OK)
				continue;
			if (add_session(&list, &n, &cap, procs[i].session_space, id) != 0)
				break;
		}
		free(procs);
	}
	*out = list;
	*count = n;
	return PS_OK;
}
