/*
 * pool_scenario.c - the scenario's `pool` lines, at the scenario's scale.
 *
 * Lines are interleaved the way a running system mixes its tags: every
 * step allocates for the line that is furthest behind in proportion, so
 * pool pages hold blocks of several tags, and a line's freed blocks are
 * spread evenly among its allocations.
 */
#include "pool.h"

#include <stdlib.h>

ps_status lab_build_pool_lines(lab *l, ps_error *err)
{
	size_t n = l->sc.pool_count;
	uint64_t *want, *done, *freed;
	ps_status st = PS_OK;

	if (n == 0)
		return PS_OK;
	want = calloc(n, sizeof *want);
	done = calloc(n, sizeof *done);
	freed = calloc(n, sizeof *freed);
	if (!want || !done || !freed) {
		st = ps_error_set(err, PS_ENOMEM, "pool: out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		want[i] = lab_scaled(&l->sc, l->sc.pools[i].count);
		freed[i] = l->sc.pools[i].freed ? lab_scaled(&l->sc, l->sc.pools[i].freed) : 0;
		if (freed[i] > want[i])
			freed[i] = want[i];
	}
	for (;;) {
		/* The line with the smallest done/want that is not finished:
		 * compare done_i * want_j < done_j * want_i without division. */
		size_t best = n;
		for (size_t i = 0; i < n; i++) {
			if (done[i] >= want[i])
				continue;
			if (best == n || (double)done[i] * (double)want[best] < (double)done[best] * (double)want[i])
				best = i;
		}
		if (best == n)
			break;
		{
			const lab_pool_spec *p = &l->sc.pools[best];
			uint64_t k = done[best];
			/* Allocation k is freed when the running share of frees
			 * steps up here: F of N spread evenly. */
			int is_freed = freed[best] && (k + 1) * freed[best] / want[best] != k * freed[best] / want[best];
			uint64_t block;
			if ((st = lab_pool_allocate(l, (int)p->pool, p->session, p->tag, p->size,
						    p->module, is_freed, &block, err)) != PS_OK) {
				ps_error_prefix(err, "%s:%d: pool: ", l->scn_name, p->line);
				goto out;
			}
			done[best]++;
		}
	}
out:
	free(want);
	free(done);
	free(freed);
	return st;
}

/* The seed at scale 1 is 2.4 million allocations; far beyond that a
 * scenario (or a hostile --scale) would only run for hours. */
#define MAX_ALLOCATIONS 50000000ull

ps_status lab_build_pool(lab *l, ps_error *err)
{
	uint64_t total = 0;
	ps_status st;

	for (size_t i = 0; i < l->sc.pool_count; i++)
		total += lab_scaled(&l->sc, l->sc.pools[i].count);
	for (size_t i = 0; i < l->sc.thread_count; i++)
		total += lab_scaled(&l->sc, l->sc.threads[i].count);
	if (total > MAX_ALLOCATIONS)
		return ps_error_set(err, PS_EARG, "%s: %llu pool allocations at this scale; the lab lays out at most %llu",
				    l->scn_name, (unsigned long long)total, MAX_ALLOCATIONS);
	if ((st = lab_build_pool_lines(l, err)) != PS_OK)
		return st;
	if ((st = lab_build_threads(l, err)) != PS_OK)
		return st;
	/* last, so the unloaded-driver ring and the paging files leave the
	 * other blocks in place */
	if ((st = lab_build_unloaded(l, err)) != PS_OK)
		return st;
	if ((st = lab_build_paging_files(l, err)) != PS_OK)
		return st;
	return lab_build_pool_tables(l, err);
}
