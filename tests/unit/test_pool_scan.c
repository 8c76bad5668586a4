/*
 * test_pool_scan.c - tag patterns, and the pool page scan on lab dumps:
 * every small block the lab allocated (and freed) is found, in its pool, in
 * address order, the same with one thread or two; damaged pages (BlockSize
 * 0, a chain running past the page end) give the blocks before the damage
 * and a report; the session's !poolfind and !pool print them.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* mkdtemp, open_memstream */
#endif
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "core/bytes.h"
#include "pool_lab.h"
#include "poolscope/kernel.h"
#include "poolscope/pool.h"
#include "poolscope/session.h"

#define TAG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define THRE TAG('T', 'h', 'r', 'e')

/* ---- patterns --------------------------------------------------------------- */

static int matches(const char *pat, uint32_t tag)
{
	ps_tag_pattern p;
	ps_error err;

	ps_error_clear(&err);
	if (ps_tag_pattern_parse(pat, &p, NULL, &err) != PS_OK)
		return -1;
	return ps_tag_pattern_match(&p, tag);
}

static void test_patterns(void)
{
	ps_tag_pattern p;
	ps_error err;
	const char *end;

	CHECK(matches("Thre", THRE) == 1);
	CHECK(matches("Thre", THRE | PS_POOL_PROTECTED) == 1); /* 'Thr\xE5' */
	CHECK(matches("Thre", TAG('T', 'h', 'r', 'E')) == 0);  /* case-sensitive */
	CHECK(matches("Thr?", TAG('T', 'h', 'r', 'x')) == 1);
	CHECK(matches("T*", TAG('T', 'x', 'y', 'z')) == 1);
	CHECK(matches("T*", TAG('t', 'x', 'y', 'z')) == 0);
	CHECK(matches("*", 0) == 1);
	CHECK(matches("Mm", TAG('M', 'm', ' ', ' ')) == 1);     /* padded with blanks */
	CHECK(matches("Mm", TAG('M', 'm', 'S', 't')) == 0);
	CHECK(matches("0x65726854", THRE) == 1);
	CHECK(matches("0x65726854", THRE | PS_POOL_PROTECTED) == 1);
	CHECK(matches("0xe5726854", THRE) == 0);                /* asks for the bit itself */
	CHECK(matches("0xe5726854", THRE | PS_POOL_PROTECTED) == 1);
	CHECK(matches("0X65726854", THRE) == -1);               /* "0X" is a tag string: too long */
	CHECK(matches("Threx", THRE) == -1);
	CHECK(matches("0x1zz", THRE) == -1);
	CHECK(matches("0x123456789", THRE) == -1);
	ps_error_clear(&err);
	CHECK(ps_tag_pattern_parse("  Thre 1", &p, &end, &err) == PS_OK);
	CHECK_STR(end, " 1");
	CHECK_EQ_U64(p.tag, THRE);
	CHECK(ps_tag_pattern_parse("   ", &p, &end, &err) != PS_OK);
}

static void test_kinds(void)
{
	CHECK_EQ_U64(ps_pool_kind(0, 7601), PS_POOL_UNKNOWN);
	CHECK_EQ_U64(ps_pool_kind(2, 7601), PS_POOL_NONPAGED);
	CHECK_EQ_U64(ps_pool_kind(3, 7601), PS_POOL_PAGED);
	CHECK_EQ_U64(ps_pool_kind(6, 7601), PS_POOL_NONPAGED);    /* cache aligned */
	CHECK_EQ_U64(ps_pool_kind(0xB, 17763), PS_POOL_PAGED);    /* quota */
	CHECK_EQ_U64(ps_pool_kind(0x23, 7601), PS_POOL_SESSION_PAGED);
	CHECK_EQ_U64(ps_pool_kind(0x22, 7601), PS_POOL_SESSION_NONPAGED);
	CHECK_EQ_U64(ps_pool_kind(1, 2600), PS_POOL_NONPAGED);    /* XP: type + 1 */
	CHECK_EQ_U64(ps_pool_kind(2, 2600), PS_POOL_PAGED);
}

/* ---- scans of lab dumps ----------------------------------------------------- */

typedef struct opened {
	uint8_t *buf;
	size_t size;
	ps_dump *d;
	ps_vm *vm;
} opened;

static int open_buf(opened *o, uint8_t *buf, size_t size, const char *name)
{
	ps_error err;

	memset(o, 0, sizeof *o);
	o->buf = buf;
	o->size = size;
	ps_error_clear(&err);
	if (ps_dump_open_memory(buf, size, name, &o->d, &err) != PS_OK ||
	    ps_vm_create_kernel(o->d, &o->vm, &err) != PS_OK) {
		fprintf(stderr, "%s: %s\n", name, err.message);
		return 0;
	}
	return 1;
}

static void close_buf(opened *o)
{
	ps_vm_destroy(o->vm);
	ps_dump_close(o->d);
	memset(o, 0, sizeof *o);
}

static ps_status scan(opened *o, unsigned threads, unsigned pools, const char *pattern, int include_free,
		      ps_pool_scan_result *r)
{
	ps_pool_scan_options opt;
	ps_error err;

	memset(&opt, 0, sizeof opt);
	opt.threads = threads;
	opt.pools = pools;
	opt.include_free = include_free;
	ps_error_clear(&err);
	if (pattern)
		ps_tag_pattern_parse(pattern, &opt.pattern, NULL, &err);
	return ps_pool_scan(o->vm, &opt, r, &err);
}

static unsigned kind_of(const char *pool)
{
	if (strcmp(pool, "paged") == 0)
		return PS_POOL_PAGED;
	if (strcmp(pool, "session") == 0)
		return PS_POOL_SESSION_PAGED;
	return PS_POOL_NONPAGED;
}

/* Every (tag, pool) of the truth: live small blocks and freed ones. */
static void check_all_tags(opened *o, json_t *truth, const char *name)
{
	ps_pool_scan_result r;
	json_t *t;
	size_t i;

	CHECK(scan(o, 2, 0, "*", 1, &r) == PS_OK);
	CHECK_EQ_U64(r.damaged_pages, 0);
	json_array_foreach(json_object_get(json_object_get(truth, "pool"), "tags"), i, t) {
		uint32_t key = (uint32_t)lab_hex(json_object_get(t, "key"));
		const char *pool = json_string_value(json_object_get(t, "pool"));
		int64_t live, freed;
		uint64_t got_live = 0, got_free = 0;

		lab_tag_counts(truth, key, pool, &live, &freed);
		for (size_t k = 0; k < r.count; k++) {
			const ps_pool_block *b = &r.hits[k].block;
			if ((b->tag & ~PS_POOL_PROTECTED) != key)
				continue;
			if (b->allocated && r.hits[k].pool == kind_of(pool))
				got_live++;
			/* A free block has no pool type: count it wherever it is. */
			if (!b->allocated && (r.hits[k].pool & kind_of(pool)))
				got_free++;
		}
		if ((int64_t)got_live != live || (int64_t)got_free != freed)
			fprintf(stderr, "%s: tag %s %s: %llu live (truth %lld), %llu free (truth %lld)\n", name,
				json_string_value(json_object_get(t, "tag")), pool, (unsigned long long)got_live,
				(long long)live, (unsigned long long)got_free, (long long)freed);
		CHECK_EQ_U64(got_live, live);
		CHECK_EQ_U64(got_free, freed);
	}
	ps_pool_scan_result_free(&r);
}

static void check_threads(opened *o, json_t *truth, int protected_tags)
{
	ps_pool_scan_result one, two;
	json_t *th = json_object_get(json_object_get(truth, "pool"), "threads"), *s;
	int64_t live, freed;
	size_t i;
	int sorted = 1, same = 1, tags_ok = 1;

	CHECK(scan(o, 1, PS_POOL_NONPAGED, "Thre", 0, &one) == PS_OK);
	CHECK(scan(o, 2, PS_POOL_NONPAGED, "Thre", 0, &two) == PS_OK);
	lab_tag_counts(truth, THRE, "nonpaged", &live, &freed);
	CHECK_EQ_U64(one.count, live);
	CHECK_EQ_U64(one.count, json_integer_value(json_object_get(th, "total")));
	CHECK_EQ_U64(two.count, one.count);
	for (size_t k = 0; k < one.count && k < two.count; k++) {
		if (k && one.hits[k].block.va <= one.hits[k - 1].block.va)
			sorted = 0;
		if (one.hits[k].block.va != two.hits[k].block.va || one.hits[k].block.size != two.hits[k].block.size ||
		    one.hits[k].block.tag != two.hits[k].block.tag || one.hits[k].pool != two.hits[k].pool)
			same = 0;
		if ((one.hits[k].block.tag & PS_POOL_PROTECTED) != (protected_tags ? PS_POOL_PROTECTED : 0))
			tags_ok = 0;
	}
	CHECK(sorted);
	CHECK(same);
	CHECK(tags_ok);
	/* The truth's sample threads: block address and size. */
	json_array_foreach(json_object_get(th, "sample"), i, s) {
		uint64_t block = lab_hex(json_object_get(s, "block"));
		uint64_t size = lab_hex(json_object_get(s, "block_size"));
		int found = 0;

		for (size_t k = 0; k < one.count; k++)
			if (one.hits[k].block.va == block) {
				found = one.hits[k].block.size == size && one.hits[k].pool == PS_POOL_NONPAGED;
				break;
			}
		CHECK(found);
	}
	/* Nothing of Thre in paged pool. */
	ps_pool_scan_result_free(&two);
	CHECK(scan(o, 2, PS_POOL_PAGED, "Thre", 0, &two) == PS_OK);
	CHECK_EQ_U64(two.count, 0);
	ps_pool_scan_result_free(&one);
	ps_pool_scan_result_free(&two);
}

/* ---- damaged pages ------------------------------------------------------------ */

/* Allocated Thre blocks of a page from index `from` on. */
static size_t thre_from(const ps_pool_page *pg, size_t from)
{
	size_t n = 0;

	for (size_t i = from; i < pg->count; i++)
		if (pg->blocks[i].allocated && (pg->blocks[i].tag & ~PS_POOL_PROTECTED) == THRE)
			n++;
	return n;
}

/* Set the BlockSize of the header at file offset `off` (in bytes). */
static void put_size(uint8_t *h, unsigned hs, uint32_t size)
{
	if (hs == 8)
		ps_put_le16(h + 2, (uint16_t)((ps_le16(h + 2) & ~0x1FFu) | (size / 8)));
	else
		h[2] = (uint8_t)(size / 16);
}

static char *run_session(const char *dmp, const char *store, const char *cmd)
{
	ps_session_options opt;
	ps_session *s;
	ps_error err;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	memset(&opt, 0, sizeof opt);
	opt.symbol_path = store;
	opt.quiet = 1;
	ps_error_clear(&err);
	if (ps_session_open(dmp, &opt, NULL, &s, &err) != PS_OK)
		return NULL;
	out = open_memstream(&text, &len);
	ps_session_exec(s, cmd, out);
	fclose(out);
	ps_session_close(s);
	return text;
}

static void test_damage(const lab_dump *l, const char *tmp)
{
	opened o;
	uint8_t *buf;
	size_t size;
	ps_pool_scan_result before, after;
	json_t *sample = json_object_get(json_object_get(json_object_get(l->truth, "pool"), "threads"), "sample");
	uint64_t page1, page2, off1, off2;
	ps_pool_page pg1, pg2;
	unsigned hs;
	size_t lost;
	char patched[600], cmd[128], *text;

	buf = check_read_file(l->dmp, &size);
	CHECK(buf != NULL);
	if (!buf || !open_buf(&o, buf, size, "damaged"))
		return;
	hs = ps_vm_pointer_size(o.vm) == 8 ? 16 : 8;
	CHECK(scan(&o, 2, PS_POOL_NONPAGED, "Thre", 0, &before) == PS_OK);
	/* Two pages of thread objects: the second sample's and the last's. */
	page1 = lab_hex(json_object_get(json_array_get(sample, 1), "block")) & ~UINT64_C(0xFFF);
	page2 = lab_hex(json_object_get(json_array_get(sample, json_array_size(sample) - 1), "block")) &
		~UINT64_C(0xFFF);
	CHECK(page1 != page2);
	off1 = lab_va_offset(o.d, o.vm, page1);
	off2 = lab_va_offset(o.d, o.vm, page2);
	CHECK(off1 && off2);
	if (!off1 || !off2 || page1 == page2)
		goto out;
	ps_pool_walk_page(buf + off1, page1, hs, &pg1);
	ps_pool_walk_page(buf + off2, page2, hs, &pg2);
	CHECK(pg1.complete && pg1.count >= 3);
	CHECK(pg2.complete && pg2.count >= 2);
	if (!pg1.complete || pg1.count < 3 || !pg2.complete || pg2.count < 2)
		goto out;
	/* Page 1: the third header says BlockSize 0. Page 2: the last block
	 * claims more than the page has left. */
	put_size(buf + off1 + (pg1.blocks[2].va - page1), hs, 0);
	put_size(buf + off2 + (pg2.blocks[pg2.count - 1].va - page2), hs, 0xF80);
	lost = thre_from(&pg1, 2) + thre_from(&pg2, pg2.count - 1);

	CHECK(scan(&o, 2, PS_POOL_NONPAGED, "Thre", 0, &after) == PS_OK);
	CHECK_EQ_U64(after.count, before.count - lost);
	CHECK_EQ_U64(after.damaged_pages, 2);
	CHECK_EQ_U64(after.damage_count, 2);
	if (after.damage_count == 2) {
		int first = page1 < page2 ? 0 : 1;
		CHECK_EQ_U64(after.damage[first].page_va, page1);
		CHECK_EQ_U64(after.damage[first].problem_va, pg1.blocks[2].va);
		CHECK(strstr(after.damage[first].problem, "BlockSize 0") != NULL);
		CHECK_EQ_U64(after.damage[1 - first].page_va, page2);
		CHECK(strstr(after.damage[1 - first].problem, "runs past the page end") != NULL);
	}
	ps_pool_scan_result_free(&after);

	/* What a user sees. */
	snprintf(patched, sizeof patched, "%s/damaged.dmp", tmp);
	CHECK(lab_save(patched, buf, size));
	text = run_session(patched, l->store, "!poolfind Thre 0");
	CHECK(text != NULL);
	if (text) {
		CHECK(strstr(text, "*** 2 pool pages with a damaged header chain") != NULL);
		CHECK(strstr(text, "BlockSize 0 at ") != NULL);
		free(text);
	}
	snprintf(cmd, sizeof cmd, "!pool %llx", (unsigned long long)pg1.blocks[2].va + 8);
	text = run_session(patched, l->store, cmd);
	CHECK(text != NULL);
	if (text) {
		char want[96];
		snprintf(want, sizeof want, "Bad allocation size @%08llx, zero is invalid",
			 (unsigned long long)pg1.blocks[2].va);
		if (hs == 8)
			CHECK(strstr(text, want) != NULL);
		CHECK(strstr(text, "*** An error (or corruption) in the pool was detected;") != NULL);
		CHECK(strstr(text, " ] is __inVALID.") != NULL);
		/* The two good blocks before the damage are listed. */
		CHECK(strstr(text, "previous size:    0  (Allocated)") != NULL);
		free(text);
	}
out:
	ps_pool_scan_result_free(&before);
	close_buf(&o);
	free(buf);
}

static void test_lab(const char *tmp, const char *name, const char *scale, int protected_tags, int damage)
{
	lab_dump l;
	opened o;
	uint8_t *buf;
	size_t size;

	if (!lab_write(&l, tmp, name, scale)) {
		CHECK(0);
		return;
	}
	buf = check_read_file(l.dmp, &size);
	CHECK(buf != NULL);
	if (buf && open_buf(&o, buf, size, name)) {
		check_all_tags(&o, l.truth, name);
		if (protected_tags >= 0)
			check_threads(&o, l.truth, protected_tags);
		close_buf(&o);
	}
	free(buf);
	if (damage)
		test_damage(&l, tmp);
	lab_free(&l);
}

int main(void)
{
	char tmp[] = "/tmp/ps-test-pool-scan-XXXXXX";
	char cmd[600];

	test_patterns();
	test_kinds();
	if (!mkdtemp(tmp)) {
		CHECK(0);
		return CHECK_DONE();
	}
	test_lab(tmp, "seed-env2", "0.001", 1, 1);
	test_lab(tmp, "seed-env2-x64", "0.001", 1, 1);
	test_lab(tmp, "seed-env2-1809", "0.001", 0, 0);
	test_lab(tmp, "small-x86", "1", 1, 0);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	CHECK(system(cmd) == 0);
	return CHECK_DONE();
}
