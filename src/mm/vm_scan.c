/*
 * vm_scan.c - finding the next readable page, for scans over large virtual
 * ranges (pool scans, !poolfind, searches).
 *
 * Rather than translating every page, the search walks the page tables
 * themselves: an entry that maps nothing skips its whole range at once (512
 * GiB for an x64 PML4E, 1 GiB for a PDPTE, 2 MiB for a PDE), so the empty
 * parts of the x64 kernel half cost a few hundred entry reads.
 *
 * Hostile tables can make a naive search enormous: every PML4E may point at
 * the same PDPT, whose entries all point at the same PD, and so on, mapping
 * 2^36 pages that are not in the dump with four pages of tables. Two things
 * keep the work bounded:
 *  - a memo of tables (and large pages) already searched from end to end and
 *    found empty, so each distinct table is searched once per call;
 *  - a step budget; when it runs out the call fails with PS_EFORMAT and
 *    *next says where the search stopped, so a caller may go on from there.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mm/vm_internal.h"


enum { SCAN_NONE = 0, SCAN_FOUND = 1, SCAN_STOP = -1 };

typedef struct scan {
	ps_vm *vm;
	const ps_mm_mode *m;
	ps_vm_memo *memo;
	uint64_t end;        /* linear, exclusive */
	uint64_t cursor;     /* linear: nothing readable between the start and here */
	uint64_t steps;
	int exhausted;
} scan;

/* Memo keys: a page-aligned physical address tagged in its low bits with
 * what it was searched as (a table of level L, or a large page at level L),
 * so 0 is never a key. */
static uint64_t key_table(int level, uint64_t pa)
{
	return (pa & ~0xFFFull) | (uint64_t)(level + 1);
}

static uint64_t key_large(int level, uint64_t pa)
{
	return (pa & ~0xFFFull) | (uint64_t)(level + 8);
}

static unsigned memo_slot(uint64_t key)
{
	return (unsigned)((key * 0x9E3779B97F4A7C15ull) >> 52) & (PS_VM_MEMO_SLOTS - 1);
}

static int slot_live(const ps_vm_memo *mm, unsigned i)
{
	return mm->gen[i] == mm->generation;
}

static int memo_has(const scan *s, uint64_t key)
{
	const ps_vm_memo *mm = s->memo;
	unsigned i = memo_slot(key);

	for (unsigned n = 0; n < PS_VM_MEMO_SLOTS && slot_live(mm, i); n++) {
		if (mm->key[i] == key)
			return 1;
		i = (i + 1) & (PS_VM_MEMO_SLOTS - 1);
	}
	return 0;
}

static void memo_add(scan *s, uint64_t key)
{
	ps_vm_memo *mm = s->memo;
	unsigned i;

	/* Past three quarters full the memo stops learning; the budget still
	 * bounds the search. */
	if (mm->used >= PS_VM_MEMO_SLOTS / 4 * 3 || memo_has(s, key))
		return;
	for (i = memo_slot(key); slot_live(mm, i); i = (i + 1) & (PS_VM_MEMO_SLOTS - 1))
		;
	mm->key[i] = key;
	mm->gen[i] = mm->generation;
	mm->used++;
}

/* Forget everything the previous call learned, in O(1) nearly always. */
static void memo_reset(ps_vm_memo *mm)
{
	mm->used = 0;
	if (++mm->generation == 0) {
		memset(mm->gen, 0, sizeof mm->gen);
		mm->generation = 1;
	}
}

static int spend(scan *s)
{
	if (++s->steps <= s->vm->scan_budget)
		return 1;
	s->exhausted = 1;
	return 0;
}

/* Linear address of entry `index` of a table whose range starts at `base`. */
static uint64_t entry_va(const scan *s, int level, uint64_t base, uint64_t index)
{
	uint64_t va = base + (index << s->m->level[level].shift);

	if (level == 0 && s->vm->wide && (va & (1ull << 47)))
		va |= 0xFFFF000000000000ull;
	return va;
}

/*
 * The first page number at or after `pfn` that the dump may store, or
 * UINT64_MAX. A full dump stores exactly the runs of its PhysicalMemoryBlock
 * (formats.md §1.4), so a large page that is mostly absent is crossed run by
 * run. Other layouts are not described by the runs: every page is a candidate.
 */
static uint64_t next_candidate(const ps_dump *d, uint64_t pfn)
{
	const ps_dump_info *in = ps_dump_get_info(d);
	uint64_t best = UINT64_MAX;

	if (in->dump_type != PS_DUMPTYPE_FULL || !in->runs)
		return pfn;
	for (size_t i = 0; i < in->run_count; i++) {
		uint64_t base = in->runs[i].base_page;
		if (pfn >= base && pfn - base < in->runs[i].page_count)
			return pfn;
		if (base > pfn && base < best)
			best = base;
	}
	return best;
}

/* Search a mapped page of `size` bytes at physical `pa`, mapped at `va`. */
static int scan_page(scan *s, int level, uint64_t pa, uint64_t size, uint64_t va)
{
	const ps_dump *d = s->vm->dump;
	uint64_t limit = ps_dump_page_limit(d);
	int whole = s->cursor == va;

	if (size > 0x1000 && memo_has(s, key_large(level, pa)))
		return SCAN_NONE;
	for (uint64_t off = s->cursor - va; off < size;) {
		uint64_t pfn = (pa + off) >> 12, cand;

		if (va + off >= s->end)
			return SCAN_STOP;
		/* Page numbers only grow from here: nothing further can be stored. */
		if (pfn >= limit)
			break;
		if (!spend(s))
			return SCAN_STOP;
		if (ps_dump_page(d, pfn)) {
			s->cursor = va + off;
			return SCAN_FOUND;
		}
		cand = next_candidate(d, pfn + 1);
		if (cand == UINT64_MAX || cand - pfn >= (size - off) >> 12)
			break;
		off += (cand - pfn) << 12;
	}
	if (whole && size > 0x1000)
		memo_add(s, key_large(level, pa));
	return SCAN_NONE;
}

static int scan_table(scan *s, int level, uint64_t table_pa, uint64_t base)
{
	const ps_mm_level *lv = &s->m->level[level];
	uint64_t span = 1ull << lv->shift;
	uint64_t count = 1ull << lv->bits;
	int whole = s->cursor == base;

	for (uint64_t index = (s->cursor >> lv->shift) & (count - 1); index < count; index++) {
		uint64_t va = entry_va(s, level, base, index);
		uint64_t entry_pa, entry = 0, addr = 0, size = 0;
		ps_page_state state;
		int r = SCAN_NONE;

		if (va >= s->end)
			return SCAN_STOP;
		if (s->cursor < va)
			s->cursor = va;
		if (!spend(s))
			return SCAN_STOP;
		/* A table's entries share one page: if it is missing, they all are. */
		if (!ps_mm_entry(s->vm, table_pa, index, &entry_pa, &entry))
			break;
		switch (ps_mm_step(s->m, level, entry, &addr, &size, &state)) {
		case PS_MM_TABLE:
			if (!memo_has(s, key_table(level + 1, addr)))
				r = scan_table(s, level + 1, addr, va);
			break;
		case PS_MM_PAGE:
			r = scan_page(s, level, addr, size, va);
			break;
		case PS_MM_STOP:
			break;
		}
		if (r != SCAN_NONE)
			return r;
		if (va + span - 1 == UINT64_MAX)
			return SCAN_STOP; /* the last entry of the address space */
		s->cursor = va + span;
	}
	/* The top table is searched once per call: no need to remember it. */
	if (whole && level > 0)
		memo_add(s, key_table(level, table_pa));
	return SCAN_NONE;
}

ps_status ps_vm_next_readable(ps_vm *vm, uint64_t va, uint64_t end, uint64_t *next, ps_error *err)
{
	static const uint64_t x64_high = 0xFFFF800000000000ull;
	uint64_t lin = va, lin_end = end, high = 0;
	scan sc, *s;
	int r;

	*next = va;
	if (!vm->desc)
		return ps_vm_triage_next(vm, va, end, next, err);
	if (vm->wide) {
		/* Skip the non-canonical hole. */
		if (lin >= 0x0000800000000000ull && lin < x64_high)
			lin = x64_high;
	} else {
		int ok;
		lin = ps_vm_linear(vm, va, &ok);
		if (!ok)
			return ps_error_set(err, PS_ENOTFOUND, "%s: 0x%016" PRIx64 " is above 4 GiB",
					    ps_dump_name(vm->dump), va);
		if (lin != va)
			high = 0xFFFFFFFF00000000ull; /* answer in the caller's sign-extended form */
		if (lin_end > 0xFFFFFFFFull) {
			if ((lin_end >> 32) == 0xFFFFFFFFull && (lin_end & 0x80000000ull))
				lin_end &= 0xFFFFFFFFull;
			else
				lin_end = 0x100000000ull;
		}
	}
	if (lin >= lin_end)
		return ps_error_set(err, PS_ENOTFOUND,
				    "%s: nothing readable between 0x%016" PRIx64 " and 0x%016" PRIx64,
				    ps_dump_name(vm->dump), va, end);

	if (!vm->memo) {
		vm->memo = calloc(1, sizeof *vm->memo);
		if (!vm->memo)
			return ps_error_set(err, PS_ENOMEM, "%s: no memory to search for readable pages",
					    ps_dump_name(vm->dump));
	}
	memo_reset(vm->memo);
	s = &sc;
	memset(s, 0, sizeof *s);
	s->vm = vm;
	s->m = vm->desc;
	s->memo = vm->memo;
	s->end = lin_end;
	s->cursor = lin & ~0xFFFull;
	r = scan_table(s, 0, vm->dtb & vm->desc->top_mask, 0);
	if (r == SCAN_FOUND) {
		*next = (s->cursor == (lin & ~0xFFFull) ? lin : s->cursor) | high;
		return PS_OK;
	}
	if (s->exhausted) {
		*next = s->cursor | high;
		return ps_error_set(err, PS_EFORMAT,
				    "%s: the page tables map too many pages that are not in the dump; "
				    "gave up searching at 0x%016" PRIx64 " (from 0x%016" PRIx64 ")",
				    ps_dump_name(vm->dump), *next, va);
	}
	return ps_error_set(err, PS_ENOTFOUND,
			    "%s: nothing readable between 0x%016" PRIx64 " and 0x%016" PRIx64,
			    ps_dump_name(vm->dump), va, end);
}
