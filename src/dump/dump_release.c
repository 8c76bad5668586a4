/*
 * dump_release.c - letting scanned pages of a mapped dump leave the resident
 * set (see ps_dump_release in dump.h).
 *
 * The file is mapped read-only and private and never written, so no page of
 * the mapping is ever a private copy: MADV_DONTNEED only drops the page-table
 * entries, and a later read faults the same file bytes back in from the page
 * cache. Memory the caller owns (ps_dump_open_memory) is never touched:
 * there MADV_DONTNEED would zero anonymous pages.
 */
#include "dump/dump_internal.h"

#include <sys/mman.h>
#include <unistd.h>

void ps_dump_release(const ps_dump *d, const void *p, size_t len)
{
	uintptr_t base, start, end, page;
	long ps;

	if (!d || !d->mapping || !p || !len)
		return;
	base = (uintptr_t)d->mapping;
	start = (uintptr_t)p;
	if (start < base || start - base >= d->mapping_size)
		return;
	if (len > d->mapping_size - (start - base))
		len = d->mapping_size - (start - base);
	ps = sysconf(_SC_PAGESIZE);
	page = ps > 0 ? (uintptr_t)ps : 4096u;
	/* Only whole pages inside the range: a partial page may hold bytes
	 * someone still uses (it would come back anyway, but for nothing). */
	end = (start + len) & ~(page - 1);
	start = (start + page - 1) & ~(page - 1);
	if (start >= end)
		return;
	(void)madvise((void *)start, end - start, MADV_DONTNEED);
}
