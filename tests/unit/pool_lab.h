/*
 * pool_lab.h - what the pool scan and big-page tests share: writing a lab
 * dump with its truth file and symbol store, loading it into memory to patch
 * it, and finding the file bytes behind a kernel address.
 */
#ifndef PS_TEST_POOL_LAB_H
#define PS_TEST_POOL_LAB_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "poolscope/dump.h"
#include "poolscope/vm.h"

typedef struct lab_dump {
	char dmp[512], truth_path[512], store[512];
	json_t *truth;
} lab_dump;

static inline uint64_t lab_hex(json_t *o)
{
	const char *s = json_string_value(o);
	return s ? strtoull(s, NULL, 16) : (uint64_t)json_integer_value(o);
}

/* Write scenarios/NAME.scn at `scale` into `dir`, with truth and store. */
static inline int lab_write(lab_dump *l, const char *dir, const char *name, const char *scale)
{
	char cmd[4096], lab[512];
	const char *sdir = getenv("PS_SOURCE_DIR");
	json_error_t jerr;

	memset(l, 0, sizeof *l);
	snprintf(l->dmp, sizeof l->dmp, "%s/%s.dmp", dir, name);
	snprintf(l->truth_path, sizeof l->truth_path, "%s/%s.json", dir, name);
	snprintf(l->store, sizeof l->store, "%s/%s-store", dir, name);
	check_build_path(lab, sizeof lab, "poolscope-lab");
	snprintf(cmd, sizeof cmd, "'%s' -q '%s/scenarios/%s.scn' -o '%s' --truth '%s' --symbols '%s' --scale %s",
		 lab, sdir ? sdir : "..", name, l->dmp, l->truth_path, l->store, scale);
	if (system(cmd) != 0) {
		fprintf(stderr, "the lab failed: %s\n", cmd);
		return 0;
	}
	l->truth = json_load_file(l->truth_path, 0, &jerr);
	return l->truth != NULL;
}

static inline void lab_free(lab_dump *l)
{
	if (l->truth)
		json_decref(l->truth);
	l->truth = NULL;
}

static inline int lab_save(const char *path, const uint8_t *buf, size_t size)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(buf, 1, size, f) == size;

	if (f)
		fclose(f);
	return ok;
}

/* File offset of the byte at kernel address va, or 0. */
static inline uint64_t lab_va_offset(const ps_dump *d, ps_vm *vm, uint64_t va)
{
	ps_translation t;
	ps_error err;
	uint64_t off;

	ps_error_clear(&err);
	if (ps_vm_translate(vm, va, &t, &err) != PS_OK || t.state != PS_PAGE_VALID ||
	    ps_dump_page_offset(d, t.pa / 0x1000, &off, &err) != PS_OK)
		return 0;
	return off + (t.pa & 0xFFF);
}

/* File offset of the PTE that maps va (the last level of the walk), or 0. */
static inline uint64_t lab_pte_offset(const ps_dump *d, ps_vm *vm, uint64_t va)
{
	ps_translation t;
	ps_error err;
	uint64_t off, pa;

	ps_error_clear(&err);
	if (ps_vm_translate(vm, va, &t, &err) != PS_OK || t.level_count < 1)
		return 0;
	pa = t.levels[t.level_count - 1].entry_pa;
	if (ps_dump_page_offset(d, pa / 0x1000, &off, &err) != PS_OK)
		return 0;
	return off + (pa & 0xFFF);
}

/* The truth's tag entries for `tag` in `pool` ("nonpaged"...), summed:
 * small blocks live, small blocks freed. */
static inline void lab_tag_counts(json_t *truth, uint32_t key, const char *pool, int64_t *live_small,
				  int64_t *freed_small)
{
	json_t *t;
	size_t i;

	*live_small = *freed_small = 0;
	json_array_foreach(json_object_get(json_object_get(truth, "pool"), "tags"), i, t) {
		const char *p = json_string_value(json_object_get(t, "pool"));
		int64_t allocs = json_integer_value(json_object_get(t, "allocs"));
		int64_t frees = json_integer_value(json_object_get(t, "frees"));
		int64_t ba = json_integer_value(json_object_get(t, "big_allocs"));
		int64_t bf = json_integer_value(json_object_get(t, "big_frees"));

		if ((uint32_t)lab_hex(json_object_get(t, "key")) != key || !p || strcmp(p, pool) != 0)
			continue;
		*live_small += (allocs - ba) - (frees - bf);
		*freed_small += frees - bf;
	}
}

#endif
