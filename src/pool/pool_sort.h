/*
 * pool_sort.h - sorting (key, value) pairs by key, for the pool layer's
 * address-ordered results. Not a public header.
 */
#ifndef PS_POOL_SORT_H
#define PS_POOL_SORT_H

#include <stddef.h>
#include <stdint.h>

typedef struct ps_sort_item {
	uint64_t key;
	uint64_t value;
} ps_sort_item;

/* Sort `n` items by key, stable. Returns 0 when out of memory (the array is
 * then left as it was). */
int ps_pool_sort(ps_sort_item *items, size_t n);

#endif
