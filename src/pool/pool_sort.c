/*
 * pool_sort.c - a least-significant-digit radix sort on 64-bit keys.
 *
 * Scans produce a million pages or blocks to put in physical or address
 * order; a radix sort does that in a few linear passes, and skips the 16-bit
 * digits all keys share (the top of every x64 kernel address, the high
 * bits of page numbers), so most sorts take two passes.
 */
#include "pool/pool_sort.h"

#include <stdlib.h>
#include <string.h>

#define DIGIT_BITS 16
#define BUCKETS (1u << DIGIT_BITS)

static void insertion(ps_sort_item *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		ps_sort_item x = a[i];
		size_t j = i;

		while (j > 0 && a[j - 1].key > x.key) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = x;
	}
}

int ps_pool_sort(ps_sort_item *items, size_t n)
{
	ps_sort_item *tmp, *src = items, *dst;
	size_t *count;
	uint64_t all_and = UINT64_MAX, all_or = 0;

	if (n < 64) {
		insertion(items, n);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		all_and &= items[i].key;
		all_or |= items[i].key;
	}
	tmp = malloc(n * sizeof *tmp);
	count = malloc(BUCKETS * sizeof *count);
	if (!tmp || !count) {
		free(tmp);
		free(count);
		return 0;
	}
	dst = tmp;
	for (unsigned shift = 0; shift < 64; shift += DIGIT_BITS) {
		size_t sum = 0;

		/* Every key has the same digit here: the pass would change nothing. */
		if ((((all_and ^ all_or) >> shift) & (BUCKETS - 1)) == 0)
			continue;
		memset(count, 0, BUCKETS * sizeof *count);
		for (size_t i = 0; i < n; i++)
			count[(src[i].key >> shift) & (BUCKETS - 1)]++;
		for (size_t b = 0; b < BUCKETS; b++) {
			size_t c = count[b];
			count[b] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i].key >> shift) & (BUCKETS - 1)]++] = src[i];
		ps_sort_item *t = src;
		src = dst;
		dst = t;
	}
	if (src != items)
		memcpy(items, src, n * sizeof *items);
	free(tmp);
	free(count);
	return 1;
}
