/*
 * bigpages.c - reading nt!PoolBigPageTable, the list of pool allocations too
 * large for a pool page (see pool.h).
 *
 * The table is an array of _POOL_TRACKER_BIG_PAGES (formats.md §3.5); the
 * pointer and the entry count are kernel globals that KDBG does not carry, so
 * they come from the symbol service, and so does the entry layout (the PDB's,
 * or the built-in one for the build). Windows marks a free entry with Va bit
 * 0 (POOL_BIG_TABLE_ENTRY_FREE); an entry that was never used also has Key 0.
 *
 * The table is hostile input like everything else in a dump: its size is
 * bounded (PS_BIG_TABLE_MAX_ENTRIES), it is read a page at a time so an
 * unreadable page costs only its own entries, and an entry's byte count is
 * clamped to what the dump's memory could hold.
 */
#include "poolscope/pool.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "pool/pool_sort.h"
#include "poolscope/dump.h"

typedef struct layout {
	unsigned ptr;                 /* pointer size */
	uint64_t size;
	ps_field_info va, key, type, bytes;
	int have_type, bytes_are_pages;
} layout;

static void note(ps_big_table *t, const char *fmt, ...)
{
	va_list ap;

	if (t->note_count >= PS_BIG_TABLE_NOTES) {
		t->notes_dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(t->notes[t->note_count++], sizeof t->notes[0], fmt, ap);
	va_end(ap);
}

/* An unsigned field of up to 8 bytes, or a bitfield inside one. */
static uint64_t field(const uint8_t *e, const ps_field_info *f)
{
	uint64_t v = 0;

	switch (f->size) {
	case 1: v = e[f->offset]; break;
	case 2: v = ps_le16(e + f->offset); break;
	case 4: v = ps_le32(e + f->offset); break;
	case 8: v = ps_le64(e + f->offset); break;
	default: return 0;
	}
	if (f->bit_length) {
		v >>= f->bit_position;
		if (f->bit_length < 64)
			v &= (UINT64_C(1) << f->bit_length) - 1;
	}
	return v;
}

static int field_fits(const ps_field_info *f, uint64_t entry_size)
{
	return (f->size == 1 || f->size == 2 || f->size == 4 || f->size == 8) &&
	       f->offset <= entry_size && f->size <= entry_size - f->offset;
}

static ps_status get_layout(ps_symbols *sym, ps_vm *vm, layout *l, ps_error *err)
{
	static const char type[] = "_POOL_TRACKER_BIG_PAGES";

	memset(l, 0, sizeof *l);
	l->ptr = ps_vm_pointer_size(vm);
	if (ps_symbols_type_size(sym, type, &l->size, NULL) != PS_OK || l->size == 0 || l->size > 0x100)
		return ps_error_set(err, PS_ENOTFOUND, "no layout for %s", type);
	if (ps_symbols_field_info(sym, type, "Va", &l->va) != PS_OK ||
	    ps_symbols_field_info(sym, type, "Key", &l->key) != PS_OK)
		return ps_error_set(err, PS_ENOTFOUND, "%s has no Va or Key field", type);
	if (ps_symbols_field_info(sym, type, "NumberOfBytes", &l->bytes) != PS_OK) {
		/* XP and 2003 count pages (formats.md §3.5). */
		if (ps_symbols_field_info(sym, type, "NumberOfPages", &l->bytes) != PS_OK)
			return ps_error_set(err, PS_ENOTFOUND, "%s has no size field", type);
		l->bytes_are_pages = 1;
	}
	l->have_type = ps_symbols_field_info(sym, type, "PoolType", &l->type) == PS_OK &&
		       field_fits(&l->type, l->size);
	if (!field_fits(&l->va, l->size) || !field_fits(&l->key, l->size) ||
	    !field_fits(&l->bytes, l->size))
		return ps_error_set(err, PS_EFORMAT, "%s: a field lies outside the %" PRIu64 "-byte entry",
				    type, l->size);
	return PS_OK;
}

/* The value of a kernel global of `want` bytes (4 or 8; 0: pointer size, or
 * the symbol's own size when the PDB says). */
static ps_status read_global(ps_symbols *sym, ps_vm *vm, const char *name, int pointer,
			     uint64_t *value, uint64_t *where, ps_error *err)
{
	ps_symbol s;
	ps_status st;

	if (ps_symbols_lookup(sym, name, &s) != PS_OK)
		return ps_error_set(err, PS_ENOTFOUND, "no symbol %s", name);
	*where = s.address;
	if (pointer || (s.size != 4 && s.size != 8)) {
		st = ps_vm_read_ptr(vm, s.address, value, err);
	} else if (s.size == 4) {
		uint32_t v32;
		st = ps_vm_read_u32(vm, s.address, &v32, err);
		*value = v32;
	} else {
		st = ps_vm_read_u64(vm, s.address, value, err);
	}
	return st;
}

/* Largest allocation the dump could hold: its physical memory. */
static uint64_t max_bytes(ps_vm *vm)
{
	const ps_dump_info *in = ps_dump_get_info(ps_vm_dump(vm));
	uint64_t pages = in->number_of_pages ? in->number_of_pages : ps_dump_page_limit(ps_vm_dump(vm));

	if (pages < 256)
		pages = 256;
	return pages * PS_PAGE_SIZE;
}

static int grow(ps_big_table *t, size_t *cap)
{
	size_t n = *cap ? *cap * 2 : 256;
	ps_big_page *p = realloc(t->entries, n * sizeof *p);

	if (!p)
		return 0;
	t->entries = p;
	*cap = n;
	return 1;
}

/* Index the in-use entries by address, for ps_big_table_find and scans. */
static int index_in_use(ps_big_table *t)
{
	ps_sort_item *items = malloc((t->count ? t->count : 1) * sizeof *items);
	size_t n = 0;

	if (!items)
		return 0;
	for (size_t i = 0; i < t->count; i++)
		if (!t->entries[i].freed) {
			items[n].key = t->entries[i].va;
			items[n].value = i;
			n++;
		}
	if (!ps_pool_sort(items, n)) {
		free(items);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		t->by_va[i] = (size_t)items[i].value;
	t->in_use = n;
	free(items);
	return 1;
}

/* Read `size` entries at `table_va`; `what` names the table in notes and
 * errors ("nt!PoolBigPageTable", "session 1's PoolTrackBigPages"). */
static ps_status read_table(ps_symbols *sym, ps_vm *vm, uint64_t table_va, uint64_t size, const char *what,
			    ps_big_table **out, ps_error *err)
{
	ps_big_table *t;
	layout l;
	uint64_t count, limit, cap_bytes = max_bytes(vm);
	size_t cap = 0;
	uint8_t *buf = NULL;
	uint64_t per_read, kernel_start;
	int in_hole = 0;
	size_t bogus = 0;
	ps_status st;

	*out = NULL;
	if ((st = get_layout(sym, vm, &l, err)) != PS_OK)
		return st;
	table_va = ps_vm_canonical(vm, table_va);
	if (table_va == 0)
		return ps_error_set(err, PS_ENOTFOUND, "%s is NULL", what);
	t = calloc(1, sizeof *t);
	if (!t)
		return ps_error_set(err, PS_ENOMEM, "no memory for the big-page table");
	t->entry_size = l.size;
	t->table_va = table_va;
	t->size = size;
	count = t->size;
	if (count > PS_BIG_TABLE_MAX_ENTRIES) {
		note(t, "%s has %" PRIu64 " entries, more than the %" PRIu64
			" a table can have; reading the first %" PRIu64,
		     what, count, PS_BIG_TABLE_MAX_ENTRIES, PS_BIG_TABLE_MAX_ENTRIES);
		count = PS_BIG_TABLE_MAX_ENTRIES;
	}
	kernel_start = l.ptr == 8 ? UINT64_C(0xFFFF800000000000) : UINT64_C(0x80000000);
	/* Stored entries are bounded too: no dump holds more big allocations
	 * than it has pages. */
	limit = cap_bytes / PS_PAGE_SIZE + 1024;

	/* Read about a page of entries at a time (WinDbg does the same), so a
	 * page missing from the dump costs only its own entries. */
	per_read = PS_PAGE_SIZE / l.size;
	if (per_read == 0)
		per_read = 1;
	buf = malloc(per_read * l.size);
	if (!buf) {
		free(t);
		return ps_error_set(err, PS_ENOMEM, "no memory for the big-page table");
	}
	for (uint64_t i = 0; i < count; i += per_read) {
		uint64_t n = count - i < per_read ? count - i : per_read;
		uint64_t at = t->table_va + i * l.size;
		size_t done = 0;
		ps_error rerr;

		ps_error_clear(&rerr);
		if (ps_vm_read(vm, at, buf, n * l.size, &done, &rerr) != PS_OK) {
			uint64_t whole = done / l.size;
			t->entries_unread += n - whole;
			/* WinDbg's words, once per unreadable stretch. */
			if (!in_hole || whole)
				note(t, "%0*" PRIx64 ": Unable to get contents of big pool block", (int)l.ptr * 2,
				     at + whole * l.size);
			in_hole = 1;
			n = whole;
		} else {
			in_hole = 0;
		}
		for (uint64_t j = 0; j < n; j++) {
			const uint8_t *e = buf + j * l.size;
			uint64_t va = field(e, &l.va);
			uint32_t key = (uint32_t)field(e, &l.key);
			ps_big_page *b;

			if (l.ptr == 4)
				va &= 0xFFFFFFFFu;
			if (key == 0 && (va & 1))
				continue; /* never used */
			if (key == 0 && va == 0)
				continue;
			/* An allocation is a kernel address (formats.md §3.5):
			 * anything else is not an entry but damage, or memory
			 * past the end of the table. */
			if (ps_vm_canonical(vm, va & ~UINT64_C(1)) < kernel_start) {
				bogus++;
				continue;
			}
			if (t->count >= limit) {
				note(t, "more than %" PRIu64 " entries in use; the rest are not listed", limit);
				i = count;
				break;
			}
			if (t->count == cap && !grow(t, &cap)) {
				free(buf);
				ps_big_table_free(t);
				return ps_error_set(err, PS_ENOMEM, "no memory for big-page entries");
			}
			b = &t->entries[t->count++];
			memset(b, 0, sizeof *b);
			b->freed = (va & 1) != 0;
			b->va = ps_vm_canonical(vm, va & ~UINT64_C(1));
			b->tag = key;
			b->entry_va = at + j * l.size;
			b->pool_type = l.have_type ? (uint32_t)field(e, &l.type) : 0;
			b->bytes = field(e, &l.bytes);
			if (l.bytes_are_pages)
				b->bytes = b->bytes > cap_bytes / PS_PAGE_SIZE ? cap_bytes : b->bytes * PS_PAGE_SIZE;
			if (!b->freed) {
				ps_translation tr;
				ps_error terr;

				ps_error_clear(&terr);
				if (ps_vm_translate(vm, b->va, &tr, &terr) == PS_OK) {
					b->state = (uint8_t)tr.state;
					b->readable = (tr.state == PS_PAGE_VALID || tr.state == PS_PAGE_TRANSITION) &&
						      tr.present_in_dump;
				} else {
					b->state = PS_PAGE_INVALID;
				}
				if (b->bytes > cap_bytes) {
					note(t, "entry at %0*" PRIx64 " claims 0x%" PRIx64 " bytes at %0*" PRIx64
						", more than the dump's memory",
					     (int)l.ptr * 2, b->entry_va, b->bytes, (int)l.ptr * 2, b->va);
					b->bytes = cap_bytes;
				}
			}
		}
	}
	free(buf);
	if (bogus)
		note(t, "%zu entries with a Va outside the kernel's address space were skipped", bogus);
	t->by_va = malloc((t->count ? t->count : 1) * sizeof *t->by_va);
	if (!t->by_va) {
		ps_big_table_free(t);
		return ps_error_set(err, PS_ENOMEM, "no memory for the big-page index");
	}
	if (!index_in_use(t)) {
		ps_big_table_free(t);
		return ps_error_set(err, PS_ENOMEM, "no memory for the big-page index");
	}
	*out = t;
	return PS_OK;
}

ps_status ps_big_table_read(ps_symbols *sym, ps_vm *vm, ps_big_table **out, ps_error *err)
{
	uint64_t table_va, size, where;
	ps_status st;

	*out = NULL;
	if (!sym)
		return ps_error_set(err, PS_ENOTFOUND, "no kernel symbols");
	if ((st = read_global(sym, vm, "nt!PoolBigPageTable", 1, &table_va, &where, err)) != PS_OK ||
	    (st = read_global(sym, vm, "nt!PoolBigPageTableSize", 0, &size, &where, err)) != PS_OK)
		return st;
	return read_table(sym, vm, table_va, size, "nt!PoolBigPageTable", out, err);
}

ps_status ps_big_table_read_session(ps_symbols *sym, ps_vm *vm, uint64_t session_space, uint32_t id,
				    ps_big_table **out, ps_error *err)
{
	uint64_t off_table, off_size, table_va, size;
	char what[64];
	ps_status st;

	*out = NULL;
	if (!sym)
		return ps_error_set(err, PS_ENOTFOUND, "no kernel symbols");
	if (ps_symbols_field(sym, "_MM_SESSION_SPACE", "PoolTrackBigPages", &off_table, NULL) != PS_OK ||
	    ps_symbols_field(sym, "_MM_SESSION_SPACE", "PoolTrackBigPagesSize", &off_size, NULL) != PS_OK)
		return ps_error_set(err, PS_ENOTFOUND, "no _MM_SESSION_SPACE.PoolTrackBigPages for this kernel");
	/* The size is pointer-sized (ULONG on x86, SIZE_T on x64), as the
	 * expansion table's beside it (tracker.c). */
	if ((st = ps_vm_read_ptr(vm, session_space + off_table, &table_va, err)) != PS_OK ||
	    (st = ps_vm_read_ptr(vm, session_space + off_size, &size, err)) != PS_OK)
		return st;
	snprintf(what, sizeof what, "session %u's PoolTrackBigPages", id);
	return read_table(sym, vm, table_va, size, what, out, err);
}

void ps_big_table_free(ps_big_table *t)
{
	if (!t)
		return;
	free(t->entries);
	free(t->by_va);
	free(t);
}

uint64_t ps_big_table_bytes(const ps_big_table *t)
{
	uint64_t n = t->size > PS_BIG_TABLE_MAX_ENTRIES ? PS_BIG_TABLE_MAX_ENTRIES : t->size;

	return n * t->entry_size;
}

uint64_t ps_big_page_count(const ps_big_page *b)
{
	uint64_t pages = b->bytes / PS_PAGE_SIZE + ((b->bytes % PS_PAGE_SIZE) != 0);

	return pages ? pages : 1;
}

const ps_big_page *ps_big_table_find(const ps_big_table *t, uint64_t va)
{
	size_t lo = 0, hi;

	if (!t || !t->in_use)
		return NULL;
	/* The last in-use entry starting at or below va. */
	hi = t->in_use;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->entries[t->by_va[mid]].va <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Overlapping entries only occur in damaged tables; look back a few. */
	for (size_t k = lo, n = 0; k > 0 && n < 8; k--, n++) {
		const ps_big_page *b = &t->entries[t->by_va[k - 1]];
		uint64_t off = va - b->va;

		if (off / PS_PAGE_SIZE < ps_big_page_count(b))
			return b;
	}
	return NULL;
}
