/*
 * paging_files.c - nt!MmPagingFile[] and nt!MmNumberOfPagingFiles from the
 * scenario's `pagefile` lines: what !vm prints as "Page File:" with its
 * Current, Free Space, Minimum and Maximum.
 *
 * Each paging file is an MMPAGING_FILE in nonpaged pool (the WRK's
 * MiCreatePagingFile allocates it there) whose Size, MaximumSize,
 * MinimumSize and FreeSpace are pages (ULONG_PTR, the first four fields on
 * every build) and whose PageFileName is a UNICODE_STRING. The offsets of
 * PageFileName and the structure's size per build are in profile.c. The
 * lab keeps the name's buffer in the same block, right after the
 * structure. The tag is 'MmPf': the WRK's 'Mm  ' cannot be Windows 7's,
 * because the seed's 'Mm  ' row (9 nonpaged allocations, 595712 bytes)
 * has no block of MMPAGING_FILE's size, and no source here names the
 * real one.
 */
#include "lab.h"

#include <string.h>

#include "core/bytes.h"

#define TAG_MMPF 0x66506D4Du /* 'MmPf' as stored */

/* An `mm MmNumberOfPagingFiles N` line must agree with the pagefile lines. */
static ps_status check_counter(const lab *l, ps_error *err)
{
	for (size_t i = 0; i < l->sc.counter_count; i++) {
		const lab_counter *c = &l->sc.counters[i];
		if (strcmp(c->name, "MmNumberOfPagingFiles") == 0 && c->value != l->sc.pagefile_count)
			return ps_error_set(err, PS_EARG,
					    "%s:%d: mm MmNumberOfPagingFiles %llu disagrees with the %zu pagefile lines",
					    l->scn_name, c->line, (unsigned long long)c->value, l->sc.pagefile_count);
	}
	return PS_OK;
}

ps_status lab_build_paging_files(lab *l, ps_error *err)
{
	unsigned ps = lab_ptr_size(&l->pg);
	const lab_profile *p = &l->prof;
	uint8_t block[0x120 + 2 * 128];
	uint64_t va, array_va, count_va;
	ps_status st;

	if (l->sc.pagefile_count == 0)
		return PS_OK;
	if ((st = check_counter(l, err)) != PS_OK ||
	    (st = lab_global_va(l, "MmPagingFile", (uint32_t)(16 * ps), &array_va, err)) != PS_OK)
		return st;
	if (p->pf_size == 0 || p->pf_size > 0x120 || p->pf_name + 2 * ps > p->pf_size)
		return ps_error_set(err, PS_EUNSUPPORTED, "%s: no MMPAGING_FILE layout for this build", l->scn_name);
	for (size_t i = 0; i < l->sc.pagefile_count; i++) {
		const lab_pagefile_spec *f = &l->sc.pagefiles[i];
		const uint64_t pages[4] = { f->current_kb / 4, f->maximum_kb / 4, f->minimum_kb / 4, f->free_kb / 4 };
		size_t len = strlen(f->path);
		uint32_t size = p->pf_size + (uint32_t)(2 * len);

		memset(block, 0, sizeof block);
		if ((st = lab_pool_alloc(l, &l->nonpaged, TAG_MMPF, size, &va, err)) != PS_OK)
			return st;
		for (int k = 0; k < 4; k++) {
			if (ps == 8)
				ps_put_le64(block + 8 * k, pages[k]);
			else
				ps_put_le32(block + 4 * k, (uint32_t)pages[k]);
		}
		ps_put_le16(block + p->pf_name, (uint16_t)(2 * len));
		ps_put_le16(block + p->pf_name + 2, (uint16_t)(2 * len));
		if (ps == 8)
			ps_put_le64(block + p->pf_name + 8, va + p->pf_size);
		else
			ps_put_le32(block + p->pf_name + 4, (uint32_t)(va + p->pf_size));
		for (size_t c = 0; c < len; c++)
			ps_put_le16(block + p->pf_size + 2 * c, (uint8_t)f->path[c]);
		if ((st = lab_vwrite(&l->pg, 0, va, block, size, err)) != PS_OK)
			return st;
		if ((st = lab_vwrite_ptr(&l->pg, array_va + i * ps, va, err)) != PS_OK)
			return st;
	}
	if ((st = lab_global_va(l, "MmNumberOfPagingFiles", 4, &count_va, err)) != PS_OK)
		return st;
	return lab_write_u32(l, count_va, (uint32_t)l->sc.pagefile_count, err);
}
