/*
 * physmem.h - the lab's simulated physical memory.
 *
 * Only pages the lab touches are held in RAM (a hash from page number to a
 * 4 KiB buffer), so a scenario with 64 GiB of "RAM" costs a few megabytes.
 * Pages are handed out from the scenario's runs by a deterministic
 * pseudo-random allocator (same seed, same layout), which scatters
 * structures over physical memory the way a running Windows system does.
 */
#ifndef LAB_PHYSMEM_H
#define LAB_PHYSMEM_H

#include <stddef.h>
#include <stdint.h>

#include "poolscope/error.h"
#include "scenario.h"

typedef struct lab_physmem lab_physmem;

ps_status lab_phys_create(const lab_scenario *sc, lab_physmem **out, ps_error *err);
void lab_phys_free(lab_physmem *pm);

/* One free page, chosen pseudo-randomly; marked used. */
ps_status lab_phys_alloc(lab_physmem *pm, uint64_t *pfn, ps_error *err);
/* `count` free contiguous pages starting at a multiple of `align` pages,
 * inside one run. */
ps_status lab_phys_alloc_contig(lab_physmem *pm, uint64_t count, uint64_t align,
				uint64_t *pfn, ps_error *err);
/* Claim a given range; fails if a page is outside RAM or already used. */
ps_status lab_phys_claim(lab_physmem *pm, uint64_t pfn, uint64_t count, ps_error *err);

int lab_phys_is_ram(const lab_physmem *pm, uint64_t pfn);
int lab_phys_is_used(const lab_physmem *pm, uint64_t pfn);

/* The page's bytes, created (zeroed) on first use; NULL when out of memory
 * or not RAM. */
uint8_t *lab_phys_page(lab_physmem *pm, uint64_t pfn);
/* The page's bytes if it was ever written, else NULL (reads as zeros). */
const uint8_t *lab_phys_peek(const lab_physmem *pm, uint64_t pfn);

ps_status lab_phys_write(lab_physmem *pm, uint64_t pa, const void *buf, size_t len, ps_error *err);
void lab_phys_read(const lab_physmem *pm, uint64_t pa, void *buf, size_t len);

/* Pages that a kernel memory dump leaves out (user-mode pages). */
void lab_phys_set_user(lab_physmem *pm, uint64_t pfn);
int lab_phys_is_user(const lab_physmem *pm, uint64_t pfn);

uint64_t lab_phys_max_page(const lab_physmem *pm);
uint64_t lab_phys_used_count(const lab_physmem *pm);

/* Deterministic pseudo-random numbers from the scenario seed. */
uint64_t lab_phys_random(lab_physmem *pm);

#endif
