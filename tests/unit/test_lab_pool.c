/*
 * test_lab_pool.c - poolscope-lab's pool, checked by a reader of its own.
 *
 * For every seed scenario at a small scale (and small-x86 at scale 1) the
 * lab writes a full dump and its truth file; this test then reads the dump
 * with nothing but its own page walker and its own copy of the layouts
 * (transcribed here from ../shared/reference/formats.md §3-§5, not taken
 * from the lab's profile.c or the library): every pool page in the pool
 * regions must be a complete POOL_HEADER chain, the allocated and free
 * blocks per tag must be what the truth says the lab allocated and freed,
 * the tracker tables (summed over the processors' tables on 1809) and the
 * big-page table must add up to the same figures, the descriptors and Mm
 * globals must hold the !vm figures, and thread objects must look as
 * Windows makes them. seed-env1 at scale 1 must give the seed's MSKK line
 * exactly.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

/* ---- layouts (formats.md) -------------------------------------------------- */

typedef struct layout {
	int is64, pae, build;
	unsigned hdr, unit;
	/* §3.4 tracker entry */
	unsigned trk_size, np_allocs, np_frees, np_bytes, p_allocs, p_frees, p_bytes, cw, bw;
	/* §3.5 big page entry */
	unsigned big_size, big_key, big_bytes;
	/* §4.1 OBJECT_HEADER */
	unsigned oh_type, oh_mask, oh_body;
	/* §5 */
	unsigned kt_state, kt_process, et_cid, et_list, ep_list, et_cross;
	uint32_t thread_tag;
} layout;

static void layout_for(layout *L, const char *arch, int build)
{
	memset(L, 0, sizeof *L);
	L->is64 = strcmp(arch, "x64") == 0;
	L->pae = strcmp(arch, "x86-pae") == 0;
	L->build = build;
	L->hdr = L->unit = L->is64 ? 16 : 8;
	if (!L->is64) {
		L->trk_size = 0x1C; L->np_allocs = 4; L->np_frees = 8; L->np_bytes = 0xC;
		L->p_allocs = 0x10; L->p_frees = 0x14; L->p_bytes = 0x18; L->cw = 4; L->bw = 4;
		L->big_size = 0x10; L->big_key = 4; L->big_bytes = 0xC;
		L->oh_type = 0xC; L->oh_mask = 0xE; L->oh_body = 0x18;
		L->kt_state = 0x68; L->kt_process = 0x150; L->et_cid = 0x22C; L->et_list = 0x268;
		L->ep_list = 0x188; L->et_cross = 0x280;
	} else if (build == 7601) {
		L->trk_size = 0x28; L->np_allocs = 4; L->np_frees = 8; L->np_bytes = 0x10;
		L->p_allocs = 0x18; L->p_frees = 0x1C; L->p_bytes = 0x20; L->cw = 4; L->bw = 8;
		L->big_size = 0x18; L->big_key = 8; L->big_bytes = 0x10;
		L->oh_type = 0x18; L->oh_mask = 0x1A; L->oh_body = 0x30;
		L->kt_state = 0x164; L->kt_process = 0x210; L->et_cid = 0x3B0; L->et_list = 0x420;
		L->ep_list = 0x308; L->et_cross = 0x448;
	} else {
		L->trk_size = 0x38; L->np_bytes = 8; L->np_allocs = 0x10; L->np_frees = 0x18;
		L->p_bytes = 0x20; L->p_allocs = 0x28; L->p_frees = 0x30; L->cw = 8; L->bw = 8;
		L->big_size = 0x18; L->big_key = 8; L->big_bytes = 0x10;
		L->oh_type = 0x18; L->oh_mask = 0x1A; L->oh_body = 0x30;
		L->kt_state = 0x184; L->kt_process = 0x220; L->et_cid = 0x638; L->et_list = 0x6A8;
		L->ep_list = 0x488; L->et_cross = 0x6D0;
	}
	/* §3.2: protected 'Thr\xE5' before Windows 8, 'Thre' after */
	L->thread_tag = build == 7601 ? 0xE5726854u : 0x65726854u;
}

/* ---- the dump: full (type 1) dumps, runs from the truth ------------------ */

typedef struct dump {
	FILE *f;
	uint64_t header;
	uint64_t base[32], count[32], first[32];   /* run base page, pages, index of its first page */
	size_t runs;
	uint64_t dtb;
	layout L;
} dump;

static uint64_t hexv(json_t *o)
{
	const char *s = json_string_value(o);
	return s ? strtoull(s, NULL, 16) : (uint64_t)json_integer_value(o);
}

static int read_pa(const dump *d, uint64_t pa, void *buf, size_t n)
{
	uint64_t pfn = pa >> 12;
	for (size_t i = 0; i < d->runs; i++) {
		if (pfn >= d->base[i] && pfn < d->base[i] + d->count[i]) {
			uint64_t off = d->header + (d->first[i] + pfn - d->base[i]) * 4096 + (pa & 0xFFF);
			if ((pa & 0xFFF) + n > 4096)
				return -1;
			if (fseeko(d->f, (off_t)off, SEEK_SET) != 0 || fread(buf, 1, n, d->f) != n)
				return -1;
			return 0;
		}
	}
	return -1;
}

static uint64_t rd(const uint8_t *p, unsigned w)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < w; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static int entry(const dump *d, uint64_t pa, unsigned w, uint64_t *v)
{
	uint8_t b[8];
	if (read_pa(d, pa, b, w) != 0)
		return -1;
	*v = rd(b, w);
	return 0;
}

/* Intel SDM vol. 3A ch. 4 (formats.md §6.1): 2-level, PAE, 4-level. */
static int translate(const dump *d, uint64_t va, uint64_t *pa)
{
	uint64_t e;
	if (!d->L.is64 && !d->L.pae) {
		if (entry(d, d->dtb + ((va >> 22) & 0x3FF) * 4, 4, &e) || !(e & 1))
			return -1;
		if (e & 0x80) {
			*pa = (e & 0xFFC00000u) | (va & 0x3FFFFF);
			return 0;
		}
		if (entry(d, (e & 0xFFFFF000u) + ((va >> 12) & 0x3FF) * 4, 4, &e) || !(e & 1))
			return -1;
		*pa = (e & 0xFFFFF000u) | (va & 0xFFF);
		return 0;
	}
	{
		const uint64_t m = 0x000FFFFFFFFFF000ull;
		uint64_t t = d->dtb;
		int levels = d->L.is64 ? 4 : 3;
		for (int lv = levels; lv >= 1; lv--) {
			unsigned shift = 12 + 9 * (unsigned)(lv - 1);
			uint64_t idx = lv == 3 && !d->L.is64 ? (va >> 30) & 3 : (va >> shift) & 0x1FF;
			if (entry(d, (lv == 3 && !d->L.is64 ? t : (t & m)) + idx * 8, 8, &e) || !(e & 1))
				return -1;
			if (lv == 2 && (e & 0x80)) {
				*pa = (e & 0x000FFFFFFFE00000ull) | (va & 0x1FFFFF);
				return 0;
			}
			t = e & m;
		}
		*pa = t | (va & 0xFFF);
		return 0;
	}
}

static int read_va(const dump *d, uint64_t va, void *buf, size_t n)
{
	uint8_t *p = buf;
	while (n) {
		size_t k = 4096 - (va & 0xFFF);
		uint64_t pa;
		if (k > n)
			k = n;
		if (translate(d, va, &pa) || read_pa(d, pa, p, k))
			return -1;
		p += k;
		va += k;
		n -= k;
	}
	return 0;
}

static uint64_t va_u(const dump *d, uint64_t va, unsigned w)
{
	uint8_t b[8] = { 0 };
	if (read_va(d, va, b, w))
		return UINT64_MAX;
	return rd(b, w);
}

static uint64_t ptr(const dump *d, uint64_t va)
{
	return va_u(d, va, d->L.is64 ? 8 : 4);
}

static uint64_t global(json_t *truth, const char *name)
{
	json_t *g = json_object_get(json_object_get(json_object_get(truth, "globals"), name), "va");
	return g ? hexv(g) : 0;
}

/* ---- expected figures from the truth -------------------------------------- */

#define MAX_TAGS 64

typedef struct tagsum {
	uint32_t key;
	int kind;                /* 0 nonpaged, 1 paged, 2 session */
	uint64_t allocs, frees, bytes, big_allocs, big_frees, untabled;
	/* found in the dump */
	uint64_t blocks, free_blocks, big_live, big_freed;
} tagsum;

static int kind_of(const char *s)
{
	return strcmp(s, "nonpaged") == 0 ? 0 : strcmp(s, "paged") == 0 ? 1 : 2;
}

static tagsum *find_tag(tagsum *t, size_t n, uint32_t key, int kind)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].key == key && t[i].kind == kind)
			return &t[i];
	return NULL;
}

/* ---- the checks ------------------------------------------------------------- */

/* §3.3: a pool page is a chain of headers from offset 0 with PreviousSize
 * 0, next.PreviousSize == BlockSize, BlockSize != 0, ending at 0x1000. */
static int walk_page(const dump *d, const uint8_t *pg, tagsum *tags, size_t ntags, int count, uint64_t *blocks)
{
	unsigned off = 0, prev = 0, unit = d->L.unit;
	*blocks = 0;
	while (off < 4096) {
		const uint8_t *h = pg + off;
		unsigned ps, bs, type, idx;
		uint32_t tag;
		if (d->L.is64) {
			ps = h[0]; idx = h[1]; bs = h[2]; type = h[3];
		} else {
			unsigned a = (unsigned)rd(h, 2), b = (unsigned)rd(h + 2, 2);
			ps = a & 0x1FF; idx = a >> 9; bs = b & 0x1FF; type = b >> 9;
		}
		tag = (uint32_t)rd(h + 4, 4);
		if (bs == 0 || ps != prev || off + bs * unit > 4096)
			return -1;
		/* §3.2 Vista+: allocated = POOL_TYPE | 2; the lab's are 2, 3, 0x23. */
		if (type != 0 && type != 2 && type != 3 && type != 0x23)
			return -1;
		if (count) {
			int kind = type == 2 ? 0 : type == 3 ? 1 : 2;
			tagsum *t;
			if (type == 0) {
				for (size_t i = 0; i < ntags; i++)
					if (tags[i].key == (tag & 0x7FFFFFFFu) && tag)
						tags[i].free_blocks++;
			} else if ((t = find_tag(tags, ntags, tag & 0x7FFFFFFFu, kind))) {
				t->blocks++;
			} else {
				fprintf(stderr, "unexpected block tag %08x type %u at page offset 0x%x\n", tag, type, off);
				return -2;
			}
			(void)idx;
		}
		(*blocks)++;
		prev = bs;
		off += bs * unit;
	}
	return off == 4096 ? 0 : -1;
}

static void check_threads(const dump *d, json_t *truth)
{
	json_t *th = json_object_get(json_object_get(truth, "pool"), "threads");
	json_t *sample = json_object_get(th, "sample"), *procs = json_object_get(truth, "processes");
	uint64_t cookie = json_object_get(truth, "ob_header_cookie") ? hexv(json_object_get(truth, "ob_header_cookie")) : 0;
	unsigned psz = d->L.is64 ? 8 : 4;
	size_t i;
	json_t *t;
	uint64_t live = 0;

	json_array_foreach(sample, i, t) {
		uint64_t block = hexv(json_object_get(t, "block")), et = hexv(json_object_get(t, "ethread"));
		uint64_t oh = hexv(json_object_get(t, "object_header"));
		int quota = json_is_true(json_object_get(t, "quota")), term = strcmp(json_string_value(json_object_get(t, "state")), "terminated") == 0;
		uint8_t h[16], o[0x30];
		unsigned bs;
		CHECK(read_va(d, block, h, d->L.hdr) == 0);
		CHECK_EQ_U64(rd(h + 4, 4), d->L.thread_tag);
		bs = d->L.is64 ? h[2] : (unsigned)(rd(h + 2, 2) & 0x1FF);
		/* block = header + [QUOTA_INFO 0x10/0x20] + OBJECT_HEADER + ETHREAD */
		CHECK_EQ_U64(oh, block + d->L.hdr + (quota ? (d->L.is64 ? 0x20 : 0x10) : 0));
		CHECK_EQ_U64(et, oh + d->L.oh_body);
		if (!d->L.is64 && d->L.build == 7601)
			CHECK_EQ_U64(bs * 8, quota ? 0x2E8 : 0x2D8);   /* the seed's blocks */
		CHECK(read_va(d, oh, o, d->L.oh_body) == 0);
		{
			uint8_t ti = o[d->L.oh_type];
			if (d->L.build != 7601)
				ti ^= (uint8_t)cookie ^ (uint8_t)(oh >> 8);
			CHECK_EQ_U64(ti, 8);
			CHECK_EQ_U64(o[d->L.oh_mask], quota ? 8 : 0);
		}
		CHECK_EQ_U64(va_u(d, et, 1), 6);                        /* Header.Type = ThreadObject */
		CHECK_EQ_U64(va_u(d, et + d->L.kt_state, 1), term ? 4 : 5);
		CHECK_EQ_U64(ptr(d, et + d->L.kt_process), hexv(json_object_get(t, "eprocess")));
		CHECK_EQ_U64(ptr(d, et + d->L.et_cid), hexv(json_object_get(t, "pid")));
		CHECK_EQ_U64(ptr(d, et + d->L.et_cid + psz), hexv(json_object_get(t, "tid")));
		CHECK_EQ_U64(va_u(d, et + d->L.et_cross, 4) & 1, term);
	}
	/* Live threads are on their processes' lists; exited ones are not. */
	json_array_foreach(procs, i, t) {
		uint64_t head = hexv(json_object_get(t, "eprocess")) + d->L.ep_list, e = ptr(d, head);
		unsigned guard = 0;
		while (e != head && e != UINT64_MAX && guard++ < 100000) {
			CHECK_EQ_U64(va_u(d, e - d->L.et_list + d->L.kt_state, 1), 5);
			CHECK_EQ_U64(ptr(d, e + psz) != UINT64_MAX, 1);
			live++;
			e = ptr(d, e);
		}
		CHECK(e == head);
	}
	CHECK_EQ_U64(live, json_integer_value(json_object_get(th, "total")) - json_integer_value(json_object_get(th, "terminated")));
}

static void check_scenario(const char *name, const char *scale, const char *tmp)
{
	char cmd[4096], dmp[512], tru[512], lab[512], src[512];
	json_error_t jerr;
	json_t *truth, *pool, *arr, *t, *vm;
	tagsum tags[MAX_TAGS];
	size_t ntags = 0, i;
	dump d;
	const char *sdir = getenv("PS_SOURCE_DIR");
	uint64_t pages_ok = 0;

	memset(&d, 0, sizeof d);
	snprintf(src, sizeof src, "%s/scenarios/%s.scn", sdir ? sdir : "..", name);
	snprintf(dmp, sizeof dmp, "%s/%s.dmp", tmp, name);
	snprintf(tru, sizeof tru, "%s/%s.json", tmp, name);
	check_build_path(lab, sizeof lab, "poolscope-lab");
	snprintf(cmd, sizeof cmd, "'%s' -q '%s' -o '%s' --truth '%s' --type 1 --memory 64M --scale %s", lab, src, dmp,
		 tru, scale);
	if (system(cmd) != 0) {
		fprintf(stderr, "%s: the lab failed: %s\n", name, cmd);
		CHECK(0);
		return;
	}
	truth = json_load_file(tru, 0, &jerr);
	CHECK(truth != NULL);
	if (!truth)
		return;
	pool = json_object_get(truth, "pool");
	vm = json_object_get(pool, "vm");
	layout_for(&d.L, json_string_value(json_object_get(truth, "arch")),
		   (int)json_integer_value(json_object_get(truth, "build")));
	d.header = d.L.is64 ? 0x2000 : 0x1000;
	d.dtb = hexv(json_object_get(truth, "dtb"));
	arr = json_object_get(json_object_get(truth, "physical_memory"), "runs");
	json_array_foreach(arr, i, t) {
		if (d.runs >= 32)
			break;
		d.base[d.runs] = hexv(json_object_get(t, "base_page"));
		d.count[d.runs] = hexv(json_object_get(t, "page_count"));
		d.first[d.runs] = d.runs ? d.first[d.runs - 1] + d.count[d.runs - 1] : 0;
		d.runs++;
	}
	d.f = fopen(dmp, "rb");
	CHECK(d.f != NULL);
	if (!d.f) {
		json_decref(truth);
		return;
	}

	/* What the lab says it allocated. */
	json_array_foreach(json_object_get(pool, "tags"), i, t) {
		tagsum *s;
		if (ntags >= MAX_TAGS)
			break;
		s = &tags[ntags++];
		memset(s, 0, sizeof *s);
		s->key = (uint32_t)hexv(json_object_get(t, "key"));
		s->kind = kind_of(json_string_value(json_object_get(t, "pool")));
		s->allocs = (uint64_t)json_integer_value(json_object_get(t, "allocs"));
		s->frees = (uint64_t)json_integer_value(json_object_get(t, "frees"));
		s->bytes = (uint64_t)json_integer_value(json_object_get(t, "bytes"));
		s->big_allocs = (uint64_t)json_integer_value(json_object_get(t, "big_allocs"));
		s->big_frees = (uint64_t)json_integer_value(json_object_get(t, "big_frees"));
		s->untabled = (uint64_t)json_integer_value(json_object_get(t, "big_not_in_table"));
		CHECK(s->key && !(s->key & 0x80000000u));
	}

	/* 1. Every page of the pool regions that starts a chain is a whole
	 *    chain; the blocks per tag are the truth's. */
	{
		const char *regions[] = { "nonpaged", "paged", "session" };
		for (int r = 0; r < 3; r++) {
			json_t *ext = json_object_get(json_object_get(json_object_get(truth, "regions"), regions[r]), "extents");
			size_t k;
			json_t *e;
			json_array_foreach(ext, k, e) {
				uint64_t start = hexv(json_array_get(e, 0)), end = hexv(json_array_get(e, 1));
				for (uint64_t va = start & ~0xFFFull; va < end; va += 4096) {
					uint8_t pg[4096];
					uint64_t pa, nb;
					if (translate(&d, va, &pa) || read_pa(&d, pa & ~0xFFFull, pg, 4096))
						continue;
					/* A chain candidate: PreviousSize 0, BlockSize set. */
					if ((d.L.is64 ? pg[0] : (unsigned)(rd(pg, 2) & 0x1FF)) != 0 ||
					    (d.L.is64 ? pg[2] : (unsigned)(rd(pg + 2, 2) & 0x1FF)) == 0)
						continue;
					if (walk_page(&d, pg, tags, ntags, 0, &nb) == 0) {
						CHECK(walk_page(&d, pg, tags, ntags, 1, &nb) == 0);
						pages_ok++;
					}
				}
			}
		}
	}
	CHECK(pages_ok > 0);
	for (i = 0; i < ntags; i++) {
		tagsum *s = &tags[i];
		uint64_t small_live = s->allocs - s->big_allocs - (s->frees - s->big_frees);
		if (s->blocks != small_live || s->free_blocks < s->frees - s->big_frees)
			fprintf(stderr, "%s: tag %08x kind %d: %llu blocks (expected %llu), %llu free (expected %llu)\n",
				name, s->key, s->kind, (unsigned long long)s->blocks, (unsigned long long)small_live,
				(unsigned long long)s->free_blocks, (unsigned long long)(s->frees - s->big_frees));
		CHECK_EQ_U64(s->blocks, small_live);
		/* Freed blocks keep their tag (at least as many as freed: a
		 * same-tag neighbour is never merged away in the lab). */
		CHECK(s->free_blocks >= s->frees - s->big_frees);
	}

	/* 2. Big-page table (§3.5): live entries Va & 1 == 0, freed Va | 1. */
	{
		uint64_t tab = ptr(&d, global(truth, "PoolBigPageTable"));
		uint64_t size = ptr(&d, global(truth, "PoolBigPageTableSize"));
		uint8_t *buf;
		CHECK(size >= 64 && (size & (size - 1)) == 0);
		buf = malloc(size * d.L.big_size);
		CHECK(buf && read_va(&d, tab, buf, size * d.L.big_size) == 0);
		for (uint64_t k = 0; buf && k < size; k++) {
			const uint8_t *e = buf + k * d.L.big_size;
			uint64_t va = rd(e, d.L.is64 ? 8 : 4), pa;
			uint32_t key = (uint32_t)rd(e + d.L.big_key, 4) & 0x7FFFFFFFu;
			tagsum *s = NULL;
			if (!key)
				continue;
			for (size_t j = 0; j < ntags && !s; j++)
				if (tags[j].key == key && tags[j].kind != 2 && tags[j].big_allocs)
					s = &tags[j];
			CHECK(s != NULL);
			if (!s)
				continue;
			if (va & 1) {
				s->big_freed++;
			} else {
				s->big_live++;
				CHECK(translate(&d, va, &pa) == 0);   /* mapped */
				CHECK(rd(e + d.L.big_bytes, 4) > (d.L.is64 ? 0xFE0u : 0xFF0u));
			}
		}
		free(buf);
		for (i = 0; i < ntags; i++) {
			if (tags[i].kind == 2)
				continue;
			/* A tag in both pools has all its big entries counted on one row. */
			tagsum *other = find_tag(tags, ntags, tags[i].key, !tags[i].kind);
			uint64_t want = tags[i].big_allocs - tags[i].big_frees - tags[i].untabled +
					(other ? other->big_allocs - other->big_frees - other->untabled : 0);
			if (tags[i].big_live || tags[i].big_freed)
				CHECK_EQ_U64(tags[i].big_live, want);
		}
	}

	/* 3. Tracker tables (§3.4): the sum over every processor's table. */
	{
		uint64_t size = ptr(&d, global(truth, "PoolTrackTableSize"));
		uint64_t tables[64];
		unsigned ntab = 1, spread = 0;
		tables[0] = ptr(&d, global(truth, "PoolTrackTable"));
		CHECK(size > 64 && ((size - 1) & (size - 2)) == 0);   /* 2^n + 1 */
		if (d.L.build != 7601) {
			unsigned cpus = (unsigned)json_integer_value(json_object_get(truth, "processors"));
			uint64_t pt = global(truth, "ExPoolTagTables");
			CHECK(pt != 0);
			CHECK_EQ_U64(ptr(&d, pt), tables[0]);
			for (ntab = 1; ntab < cpus && ntab < 64; ntab++)
				tables[ntab] = ptr(&d, pt + ntab * 8);
		}
		for (i = 0; i < ntags; i++) {
			tagsum *s = &tags[i];
			int64_t a = 0, f = 0, b = 0;
			int64_t want_a = 0, want_f = 0, want_b = 0;
			uint64_t mask = size - 2, prod = 40543ull * s->key;
			uint64_t h = ((uint32_t)prod ^ (uint32_t)(prod >> 32)) & mask, probes = 0;
			if (s->kind == 2)
				continue;
			/* Linear probing from the hash finds the key. */
			while (va_u(&d, tables[0] + h * d.L.trk_size, 4) != s->key && probes++ < size)
				h = (h + 1) & mask;
			CHECK(probes < size);
			for (unsigned c = 0; c < ntab; c++) {
				uint64_t e = tables[c] + h * d.L.trk_size;
				uint64_t key = va_u(&d, e, 4);
				int64_t pa, pf, pb;
				if (key == 0)
					continue;
				CHECK_EQ_U64(key, s->key);
				pa = (int64_t)va_u(&d, e + (s->kind ? d.L.p_allocs : d.L.np_allocs), d.L.cw);
				pf = (int64_t)va_u(&d, e + (s->kind ? d.L.p_frees : d.L.np_frees), d.L.cw);
				pb = (int64_t)va_u(&d, e + (s->kind ? d.L.p_bytes : d.L.np_bytes), d.L.bw);
				if (c && (pa || pf))
					spread = 1;
				a += pa;
				f += pf;
				b += pb;
			}
			want_a = (int64_t)s->allocs;
			want_f = (int64_t)s->frees;
			want_b = (int64_t)s->bytes;
			if (d.L.cw == 4) {
				a = (uint32_t)a; f = (uint32_t)f;
			}
			if (d.L.bw == 4)
				b = (uint32_t)b;
			CHECK_EQ_U64(a, want_a);
			CHECK_EQ_U64(f, want_f);
			CHECK_EQ_U64(b, want_b);
		}
		if (ntab > 1)
			CHECK(spread);   /* the counters really are spread over processors */
	}

	/* 4. Descriptors and globals behind !vm (docs/lab.md). */
	{
		unsigned w = d.L.is64 ? 8 : 4;
		uint64_t npools = va_u(&d, global(truth, "ExpNumberOfPagedPools"), 4), sum = 0;
		uint64_t np = global(truth, "NonPagedPoolDescriptor");
		CHECK(npools >= 1 && npools <= 16);
		for (uint64_t k = 0; k <= npools && k <= 16; k++) {
			uint64_t desc = ptr(&d, global(truth, "ExpPagedPoolDescriptor") + k * w), use;
			char key[32];
			if (d.L.build == 7601)
				use = va_u(&d, desc + 0xC0, 4) + va_u(&d, desc + 0x48, 4);
			else
				use = va_u(&d, desc + 0x48, 8) - va_u(&d, desc + 0x88, 8) + va_u(&d, desc + 0x50, 8) -
				      va_u(&d, desc + 0x90, 8);
			snprintf(key, sizeof key, "paged-usage-%llu", (unsigned long long)k);
			CHECK_EQ_U64(use, json_integer_value(json_object_get(vm, key)));
			sum += use;
		}
		CHECK_EQ_U64(sum, json_integer_value(json_object_get(vm, "paged-usage")));
		if (d.L.build == 7601)
			CHECK_EQ_U64(va_u(&d, np + 0xC0, 4) + va_u(&d, np + 0x48, 4),
				     json_integer_value(json_object_get(vm, "nonpaged-usage")));
		CHECK_EQ_U64(va_u(&d, global(truth, "MmAllocatedNonPagedPool"), w),
			     json_integer_value(json_object_get(vm, "nonpaged-usage")));
		CHECK_EQ_U64(va_u(&d, global(truth, "ExPoolFailures"), 4), json_integer_value(json_object_get(vm, "failures")));
		if (json_object_get(vm, "committed"))
			CHECK_EQ_U64(va_u(&d, global(truth, "MmTotalCommittedPages"), w),
				     json_integer_value(json_object_get(vm, "committed")));
	}

	check_threads(&d, truth);
	fclose(d.f);
	remove(dmp);
	remove(tru);
	json_decref(truth);
}

/* At scale 1 the truth carries the seed's !poolused 4 line exactly. */
static void check_seed_scale1(const char *tmp)
{
	char cmd[4096], dmp[512], tru[512], lab[512], src[512];
	const char *sdir = getenv("PS_SOURCE_DIR");
	json_error_t jerr;
	json_t *truth, *t;
	size_t i;
	int seen = 0;

	snprintf(src, sizeof src, "%s/scenarios/seed-env1.scn", sdir ? sdir : "..");
	snprintf(dmp, sizeof dmp, "%s/env1-scale1.dmp", tmp);
	snprintf(tru, sizeof tru, "%s/env1-scale1.json", tmp);
	check_build_path(lab, sizeof lab, "poolscope-lab");
	snprintf(cmd, sizeof cmd, "'%s' -q '%s' -o '%s' --truth '%s' --scale 1", lab, src, dmp, tru);
	CHECK(system(cmd) == 0);
	truth = json_load_file(tru, 0, &jerr);
	CHECK(truth != NULL);
	if (!truth)
		return;
	json_array_foreach(json_object_get(json_object_get(truth, "pool"), "tags"), i, t) {
		const char *tag = json_string_value(json_object_get(t, "tag"));
		int64_t live = json_integer_value(json_object_get(t, "allocs")) - json_integer_value(json_object_get(t, "frees"));
		int64_t bytes = json_integer_value(json_object_get(t, "bytes"));
		if (tag && strcmp(tag, "MSKK") == 0) {
			CHECK_EQ_U64(live, 415447);
			CHECK_EQ_U64(bytes, 1701670912);
			CHECK_STR(json_string_value(json_object_get(t, "module")), "SIoctl.sys");
			seen++;
		} else if (tag && strcmp(tag, "CM31") == 0) {
			CHECK_EQ_U64(live, 5555);
			CHECK_EQ_U64(bytes, 24899584);
			seen++;
		} else if (tag && strcmp(tag, "MmSt") == 0) {
			CHECK_EQ_U64(live, 664);
			CHECK_EQ_U64(bytes, 1268752);
			seen++;
		}
	}
	CHECK_EQ_U64(seen, 3);
	{
		json_t *vm = json_object_get(json_object_get(truth, "pool"), "vm");
		CHECK_EQ_U64(json_integer_value(json_object_get(vm, "paged-usage")), 428544);
		CHECK_EQ_U64(json_integer_value(json_object_get(vm, "paged-usage-0")), 425939);
		CHECK_EQ_U64(json_integer_value(json_object_get(vm, "paged-max")), 523264);
		CHECK_EQ_U64(json_integer_value(json_object_get(vm, "failures")), 34553);
		CHECK_EQ_U64(json_integer_value(json_object_get(vm, "nonpaged-usage")), 11089);
		CHECK_EQ_U64(json_integer_value(json_object_get(vm, "session-1-paged-pool")), 3477);
	}
	remove(dmp);
	remove(tru);
	json_decref(truth);
}

int main(void)
{
	char tmp[] = "/tmp/test_lab_pool.XXXXXX";
	static const char *const scenarios[] = { "seed-env1", "seed-env2", "seed-env1-x64", "seed-env2-x64",
						 "seed-env1-1809", "seed-env2-1809", NULL };

	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	for (int i = 0; scenarios[i]; i++)
		check_scenario(scenarios[i], "0.001", tmp);
	check_scenario("small-x86", "1", tmp);
	check_seed_scale1(tmp);
	rmdir(tmp);
	return CHECK_DONE();
}
