/*
 * dump_runs.c - the page map of run-based full dumps (DumpType 1).
 *
 * The header's PhysicalMemoryBlock lists runs of physical pages; their data
 * follows the header back to back, in run order (formats.md §1.4):
 *   offset(p) = HeaderSize + 0x1000 * (pages of earlier runs + p - BasePage)
 * At open the runs are checked, clipped to the file and sorted by base page,
 * so a lookup is a binary search over at most 86 runs.
 */
#include "dump/dump_internal.h"

#include <stdlib.h>

/* Physical addresses are at most 52 bits wide on x86-64 and PAE, so no real
 * page number reaches 2^40. Anything beyond is damage. */
#define MAX_PFN_END (1ull << 40)

static int run_cmp(const void *a, const void *b)
{
	const dump_run *x = a, *y = b;
	return x->base_page < y->base_page ? -1 : x->base_page > y->base_page;
}

ps_status dump_runs_init(ps_dump *d, ps_error *err)
{
	const ps_dump_info *in = &d->info;
	uint64_t file_pages, index = 0, total = 0;
	size_t kept = 0;
	int sorted = 1;

	d->data_offset = in->header_size;
	file_pages = (d->size - in->header_size) / PS_PAGE_SIZE;
	if (in->run_count == 0) {
		dump_warn(d, "full dump (DumpType 1) with no runs in its PhysicalMemoryBlock: no physical pages");
		return PS_OK;
	}
	d->runs = calloc(in->run_count, sizeof *d->runs);
	if (!d->runs)
		return ps_error_set(err, PS_ENOMEM, "%s: out of memory for %zu runs", d->name, in->run_count);

	for (size_t i = 0; i < in->run_count; i++) {
		uint64_t base = in->runs[i].base_page, count = in->runs[i].page_count;

		if (count == 0)
			continue;
		if (base >= MAX_PFN_END || count > MAX_PFN_END - base) {
			dump_warn(d, "run %zu (base page 0x%llx, %llu pages) lies beyond any physical address; "
				  "ignoring it and the runs after it",
				  i, (unsigned long long)base, (unsigned long long)count);
			break;
		}
		total += count;
		if (index >= file_pages) {
			dump_warn(d, "run %zu (base page 0x%llx, %llu pages) starts at file offset 0x%llx, past the end "
				  "of the file (0x%zx bytes): its pages are missing",
				  i, (unsigned long long)base, (unsigned long long)count,
				  (unsigned long long)(d->data_offset + index * PS_PAGE_SIZE), d->size);
			index += count;
			continue;
		}
		if (count > file_pages - index) {
			dump_warn(d, "run %zu (base page 0x%llx, %llu pages) is cut short by the end of the file: "
				  "only %llu pages are stored",
				  i, (unsigned long long)base, (unsigned long long)count,
				  (unsigned long long)(file_pages - index));
			d->runs[kept] = (dump_run){ base, file_pages - index, index };
			index += count;
			kept++;
			continue;
		}
		if (kept && base < d->runs[kept - 1].base_page)
			sorted = 0;
		d->runs[kept++] = (dump_run){ base, count, index };
		index += count;
	}
	if (!sorted)
		dump_warn(d, "the PhysicalMemoryBlock runs are not in ascending order");
	qsort(d->runs, kept, sizeof *d->runs, run_cmp);

	/* Overlapping runs would give one page two file offsets; keep the
	 * first in address order and drop the rest. */
	size_t out = 0;
	for (size_t i = 0; i < kept; i++) {
		if (out) {
			dump_run *prev = &d->runs[out - 1];
			if (d->runs[i].base_page < prev->base_page + prev->page_count) {
				dump_warn(d, "run at base page 0x%llx overlaps the run at base page 0x%llx; ignoring it",
					  (unsigned long long)d->runs[i].base_page,
					  (unsigned long long)prev->base_page);
				continue;
			}
		}
		d->runs[out++] = d->runs[i];
	}
	d->run_count = out;

	if (in->number_of_pages && in->number_of_pages != total)
		dump_warn(d, "PhysicalMemoryBlock says %llu pages but its runs add up to %llu",
			  (unsigned long long)in->number_of_pages, (unsigned long long)total);
	d->info.present_pages = 0;
	for (size_t i = 0; i < d->run_count; i++)
		d->info.present_pages += d->runs[i].page_count;
	if (d->run_count) {
		const dump_run *last = &d->runs[d->run_count - 1];
		d->page_limit = last->base_page + last->page_count;
	}
	d->map_kind = DUMP_MAP_RUNS;
	return PS_OK;
}

const uint8_t *dump_runs_page(const ps_dump *d, uint64_t pfn, uint64_t *offset)
{
	size_t lo = 0, hi = d->run_count;

	/* Find the last run whose base is <= pfn. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->runs[mid].base_page <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const dump_run *r = &d->runs[lo - 1];
	if (pfn - r->base_page >= r->page_count)
		return NULL;
	uint64_t off = d->data_offset + (r->first_index + (pfn - r->base_page)) * PS_PAGE_SIZE;
	if (offset)
		*offset = off;
	return d->data + off;
}
