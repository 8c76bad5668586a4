/*
 * test_bigpages.c - nt!PoolBigPageTable read through the symbol service on
 * lab dumps of the three builds (7601 x86 and x64: Va, Key, PoolType,
 * NumberOfBytes; 1809: PoolType in a bitfield, page-rounded sizes), checked
 * against the truth file; then hostile tables: an absurd
 * PoolBigPageTableSize, an entry pointing at unmapped memory, an absurd
 * NumberOfBytes and a table page missing from the address space give
 * partial results and notes, and !poolfind marks the entry. Each session's
 * own table (MM_SESSION_SPACE.PoolTrackBigPages) holds the truth's session
 * big pages; a session space nothing maps gives an error.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* mkdtemp, open_memstream */
#endif
#include <stdlib.h>

#include "check.h"
#include "core/bytes.h"
#include "pool_lab.h"
#include "poolscope/kernel.h"
#include "poolscope/pool.h"
#include "poolscope/session.h"
#include "poolscope/symbols.h"

#define TAG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define MSKK TAG('M', 'S', 'K', 'K')

typedef struct view {
	uint8_t *buf;
	size_t size;
	ps_dump *d;
	ps_kernel *k;
	ps_symbols *sym;
	ps_vm *vm;
} view;

static int view_open(view *v, uint8_t *buf, size_t size, const char *store)
{
	ps_error err;

	memset(v, 0, sizeof *v);
	v->buf = buf;
	v->size = size;
	ps_error_clear(&err);
	if (ps_dump_open_memory(buf, size, "lab", &v->d, &err) != PS_OK ||
	    ps_kernel_open(v->d, &v->k, &err) != PS_OK || ps_symbols_open(v->k, store, &v->sym, &err) != PS_OK) {
		fprintf(stderr, "open: %s\n", err.message);
		return 0;
	}
	v->vm = ps_kernel_vm(v->k);
	return 1;
}

static void view_close(view *v)
{
	if (v->sym)
		ps_symbols_close(v->sym);
	if (v->k)
		ps_kernel_close(v->k);
	if (v->d)
		ps_dump_close(v->d);
	memset(v, 0, sizeof *v);
}

static const ps_big_page *entry_at(const ps_big_table *t, uint64_t va)
{
	for (size_t i = 0; i < t->count; i++)
		if (t->entries[i].va == va)
			return &t->entries[i];
	return NULL;
}

static size_t count_tag(const ps_big_table *t, uint32_t tag, int freed)
{
	size_t n = 0;

	for (size_t i = 0; i < t->count; i++)
		if (t->entries[i].tag == tag && t->entries[i].freed == freed)
			n++;
	return n;
}

static int64_t truth_big(json_t *truth, uint32_t key, int live)
{
	json_t *t;
	size_t i;
	int64_t n = 0;

	json_array_foreach(json_object_get(json_object_get(truth, "pool"), "tags"), i, t) {
		if ((uint32_t)lab_hex(json_object_get(t, "key")) != key)
			continue;
		if (strcmp(json_string_value(json_object_get(t, "pool")), "session") == 0)
			continue; /* session big pages live in the session's own table */
		n += live ? json_integer_value(json_object_get(t, "big_allocs")) -
				    json_integer_value(json_object_get(t, "big_frees")) -
				    json_integer_value(json_object_get(t, "big_not_in_table"))
			  : json_integer_value(json_object_get(t, "big_frees"));
	}
	return n;
}

static int64_t session_big(json_t *truth, int live)
{
	json_t *t;
	size_t i;
	int64_t n = 0;

	json_array_foreach(json_object_get(json_object_get(truth, "pool"), "tags"), i, t) {
		if (strcmp(json_string_value(json_object_get(t, "pool")), "session") != 0)
			continue;
		n += live ? json_integer_value(json_object_get(t, "big_allocs")) -
				    json_integer_value(json_object_get(t, "big_frees"))
			  : json_integer_value(json_object_get(t, "big_frees"));
	}
	return n;
}

static uint64_t unmapped_va(ps_vm *vm);

static void check_table(const lab_dump *l, const char *name)
{
	json_t *bp = json_object_get(json_object_get(l->truth, "pool"), "big_pages"), *s;
	uint8_t *buf;
	size_t size, i;
	view v;
	ps_big_table *t = NULL;
	ps_error err;
	int all_readable = 1;

	buf = check_read_file(l->dmp, &size);
	CHECK(buf != NULL);
	if (!buf || !view_open(&v, buf, size, l->store)) {
		free(buf);
		return;
	}
	ps_error_clear(&err);
	CHECK(ps_big_table_read(v.sym, v.vm, &t, &err) == PS_OK);
	if (!t) {
		fprintf(stderr, "%s: %s\n", name, err.message);
		goto out;
	}
	CHECK_EQ_U64(t->table_va, lab_hex(json_object_get(bp, "table")));
	CHECK_EQ_U64(t->size, lab_hex(json_object_get(bp, "size")));
	CHECK_EQ_U64(t->entry_size, lab_hex(json_object_get(bp, "entry_size")));
	/* The truth counts session big pages too; they are in the session's
	 * own table (MM_SESSION_SPACE.PoolTrackBigPages), not this one. */
	CHECK_EQ_U64(t->in_use, lab_hex(json_object_get(bp, "in_use")) - session_big(l->truth, 1));
	CHECK_EQ_U64(t->count - t->in_use, lab_hex(json_object_get(bp, "freed")) - session_big(l->truth, 0));
	CHECK_EQ_U64(t->note_count, 0);
	CHECK_EQ_U64(t->entries_unread, 0);
	CHECK_EQ_U64(ps_big_table_bytes(t), t->size * t->entry_size);
	CHECK_EQ_U64(count_tag(t, MSKK, 0), truth_big(l->truth, MSKK, 1));
	CHECK_EQ_U64(count_tag(t, MSKK, 1), truth_big(l->truth, MSKK, 0));
	json_array_foreach(json_object_get(bp, "sample"), i, s) {
		uint64_t va = lab_hex(json_object_get(s, "va"));
		const ps_big_page *b = entry_at(t, va);
		const char *tag = json_string_value(json_object_get(s, "tag"));
		int freed = json_is_true(json_object_get(s, "freed"));

		if (json_object_get(s, "session"))
			continue;
		CHECK(b != NULL);
		if (!b)
			continue;
		CHECK_EQ_U64(b->bytes, lab_hex(json_object_get(s, "bytes")));
		CHECK_EQ_U64(b->pool_type, lab_hex(json_object_get(s, "pool_type")));
		CHECK_EQ_U64(b->freed, freed);
		CHECK(tag && strlen(tag) == 4 && memcmp(&b->tag, tag, 4) == 0);
		if (!freed) {
			/* Any address inside the allocation finds it. */
			CHECK(ps_big_table_find(t, va) == b);
			CHECK(ps_big_table_find(t, va + b->bytes - 1) == b);
			CHECK(ps_big_table_find(t, va + 0x10) == b);
		} else {
			CHECK(ps_big_table_find(t, va) == NULL);
		}
	}
	for (i = 0; i < t->count; i++)
		if (!t->entries[i].freed && !t->entries[i].readable)
			all_readable = 0;
	CHECK(all_readable);
	CHECK(ps_big_table_find(t, t->table_va) == NULL); /* the lab does not list the table itself */
	ps_big_table_free(t);

	/* Each session's own table holds its session-pool big pages. */
	{
		ps_pool_session *list = NULL;
		size_t n = 0;
		uint64_t live = 0, freed_n = 0;

		CHECK(ps_pool_sessions(v.k, v.sym, &list, &n, &err) == PS_OK);
		for (size_t k = 0; k < n; k++) {
			ps_big_table *st = NULL;
			ps_status st_read;

			ps_error_clear(&err);
			st_read = ps_big_table_read_session(v.sym, v.vm, list[k].session_space, list[k].id, &st, &err);
			/* The lab lays out tables only for sessions with session
			 * pool: the others keep a NULL PoolTrackBigPages. */
			if (st_read == PS_ENOTFOUND && strstr(err.message, "is NULL"))
				continue;
			if (st_read != PS_OK) {
				fprintf(stderr, "%s: session %u: %s\n", name, list[k].id, err.message);
				CHECK(0);
				continue;
			}
			CHECK_EQ_U64(st->note_count, 0);
			live += st->in_use;
			freed_n += st->count - st->in_use;
			json_array_foreach(json_object_get(bp, "sample"), i, s) {
				uint64_t va = lab_hex(json_object_get(s, "va"));
				json_t *sid = json_object_get(s, "session");

				if (!sid || (uint32_t)json_integer_value(sid) != list[k].id ||
				    json_is_true(json_object_get(s, "freed")))
					continue;
				const ps_big_page *b = ps_big_table_find(st, va + 0x10);

				CHECK(b != NULL);
				CHECK(b && b->pool_type == 33);
			}
			ps_big_table_free(st);
		}
		CHECK_EQ_U64(live, (uint64_t)session_big(l->truth, 1));
		CHECK_EQ_U64(freed_n, (uint64_t)session_big(l->truth, 0));
		/* A session space nothing maps: an error, no table. */
		if (unmapped_va(v.vm)) {
			ps_big_table *st = NULL;
			CHECK(ps_big_table_read_session(v.sym, v.vm, unmapped_va(v.vm), 7, &st, &err) != PS_OK);
			CHECK(st == NULL);
		}
		free(list);
	}

	/* Without a symbol path the table cannot be found: say so. */
	ps_symbols_close(v.sym);
	v.sym = NULL;
	CHECK(ps_symbols_open(v.k, NULL, &v.sym, &err) == PS_OK);
	t = NULL;
	CHECK(ps_big_table_read(v.sym, v.vm, &t, &err) == PS_ENOTFOUND);
	CHECK(t == NULL);
	CHECK(strstr(err.message, "PoolBigPageTable") != NULL);
out:
	view_close(&v);
	free(buf);
}

/* An address no page table maps, in the kernel half. */
static uint64_t unmapped_va(ps_vm *vm)
{
	static const uint64_t x86[] = {0xA0000000u, 0xB0000000u, 0xC8000000u, 0xE0000000u};
	static const uint64_t x64[] = {UINT64_C(0xFFFFF90000000000), UINT64_C(0xFFFFF98000000000),
				       UINT64_C(0xFFFFE00000000000), UINT64_C(0xFFFF900000000000)};
	const uint64_t *c = ps_vm_pointer_size(vm) == 8 ? x64 : x86;
	ps_translation t;
	ps_error err;

	for (int i = 0; i < 4; i++)
		if (ps_vm_translate(vm, c[i], &t, &err) == PS_OK && t.state == PS_PAGE_INVALID)
			return c[i];
	return 0;
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

static void test_hostile(const lab_dump *l, const char *tmp)
{
	uint8_t *buf;
	size_t size;
	view v;
	ps_big_table *t = NULL;
	ps_error err;
	ps_symbol sym;
	unsigned ptr;
	uint64_t size_off, bad_va, e1_off, e2_off, pte_off, page2_first = 0, lost_page = 1;
	const ps_big_page *e1 = NULL, *e2 = NULL;
	char path[600], *text;

	buf = check_read_file(l->dmp, &size);
	CHECK(buf != NULL);
	if (!buf || !view_open(&v, buf, size, l->store)) {
		free(buf);
		return;
	}
	ptr = ps_vm_pointer_size(v.vm);
	ps_error_clear(&err);
	CHECK(ps_big_table_read(v.sym, v.vm, &t, &err) == PS_OK);
	CHECK(ps_symbols_lookup(v.sym, "nt!PoolBigPageTableSize", &sym) == PS_OK);
	bad_va = unmapped_va(v.vm);
	CHECK(bad_va != 0);
	if (!t || !bad_va)
		goto out;
	/* A table page with two in-use MSKK entries, and another page to lose. */
	{
		uint64_t pages = ps_big_table_bytes(t) / 0x1000, p, q = UINT64_MAX;

		for (p = 0; p < pages && !e2; p++) {
			e1 = e2 = NULL;
			for (size_t i = 0; i < t->count; i++) {
				const ps_big_page *b = &t->entries[i];
				if (b->freed || b->tag != MSKK || (b->entry_va - t->table_va) / 0x1000 != p)
					continue;
				if (!e1)
					e1 = b;
				else if (!e2)
					e2 = b;
			}
		}
		CHECK(e1 && e2);
		if (!e1 || !e2)
			goto out;
		lost_page = p == 1 ? 1 : 0; /* p is one past the chosen page */
		(void)q;
	}
	for (size_t i = 0; i < t->count; i++)
		if (!t->entries[i].freed && (t->entries[i].entry_va - t->table_va) / 0x1000 == lost_page)
			page2_first++;
	size_off = lab_va_offset(v.d, v.vm, sym.address);
	e1_off = lab_va_offset(v.d, v.vm, e1->entry_va);
	e2_off = lab_va_offset(v.d, v.vm, e2->entry_va);
	pte_off = lab_pte_offset(v.d, v.vm, t->table_va + lost_page * 0x1000);
	CHECK(size_off && e1_off && e2_off && pte_off);
	if (!size_off || !e1_off || !e2_off || !pte_off)
		goto out;

	/* 1. PoolBigPageTableSize far beyond any table. 2. An entry pointing at
	 * unmapped memory. 3. An entry claiming 4 GiB - 4 KiB. 4. A page of the
	 * table unmapped. */
	if (ptr == 8)
		ps_put_le64(buf + size_off, UINT64_C(0x7FFFFFFF));
	else
		ps_put_le32(buf + size_off, 0x7FFFFFFFu);
	if (ptr == 8) {
		ps_put_le64(buf + e1_off, bad_va);
		ps_put_le64(buf + e2_off + 0x10, UINT64_C(0xFFFFF000));
		ps_put_le64(buf + pte_off, 0);
	} else {
		ps_put_le32(buf + e1_off, (uint32_t)bad_va);
		ps_put_le32(buf + e2_off + 0xC, 0xFFFFF000u);
		if (ps_vm_paging(v.vm) == PS_PAGING_PAE)
			ps_put_le64(buf + pte_off, 0);
		else
			ps_put_le32(buf + pte_off, 0);
	}
	uint64_t e2_va = e2->va, e1_va = e1->va, real_in_use = t->in_use;
	size_t real_count = t->count, kept = 0, gone = 0;
	ps_big_page *real = malloc(t->count * sizeof *real);

	if (!real)
		goto out;
	memcpy(real, t->entries, t->count * sizeof *real);
	ps_big_table_free(t);
	t = NULL;
	view_close(&v);

	CHECK(view_open(&v, buf, size, l->store));
	ps_error_clear(&err);
	CHECK(ps_big_table_read(v.sym, v.vm, &t, &err) == PS_OK);
	if (!t)
		goto out;
	CHECK_EQ_U64(t->size, 0x7FFFFFFF);
	CHECK_EQ_U64(ps_big_table_bytes(t), PS_BIG_TABLE_MAX_ENTRIES * t->entry_size);
	CHECK(t->note_count >= 3);
	CHECK(strstr(t->notes[0], "more than the 67108864 a table can have") != NULL);
	/* The unmapped second page and everything past the real table. */
	CHECK(t->entries_unread >= 0x1000 / t->entry_size);
	{
		int saw_unread = 0, saw_bytes = 0;
		char want[64];

		(void)want;
		for (size_t i = 0; i < t->note_count; i++) {
			const char *n = t->notes[i];
			uint64_t at = strtoull(n, NULL, 16), lost = t->table_va + lost_page * 0x1000;
			/* A read of entries straddling the page start fails at the
			 * first entry that reaches into it. */
			if (strstr(n, ": Unable to get contents of big pool block") && at + t->entry_size > lost &&
			    at < lost + 0x1000)
				saw_unread = 1;
			if (strstr(n, "more than the dump's memory"))
				saw_bytes = 1;
		}
		CHECK(saw_unread);
		CHECK(saw_bytes);
		if (!saw_unread || !saw_bytes)
			for (size_t i = 0; i < t->note_count; i++)
				fprintf(stderr, "note: %s\n", t->notes[i]);
	}
	/* Every in-use entry but those on the lost page is still there (and
	 * whatever follows the real table reads as entries too). */
	CHECK(t->in_use >= real_in_use - page2_first);
	for (size_t i = 0; i < real_count; i++)
		if ((real[i].entry_va - t->table_va) / 0x1000 != lost_page && real[i].va != e1_va)
			kept += entry_at(t, real[i].va) != NULL;
		else
			gone++;
	CHECK_EQ_U64(kept + gone, real_count);
	CHECK_EQ_U64(kept, real_count - gone);
	CHECK(gone >= page2_first);
	{
		const ps_big_page *b1 = entry_at(t, bad_va), *b2 = entry_at(t, e2_va);
		CHECK(b1 && !b1->readable && b1->state == PS_PAGE_INVALID);
		CHECK(b2 && b2->bytes < UINT64_C(0xFFFFF000) && b2->readable);
	}
	ps_big_table_free(t);
	t = NULL;

	/* What !poolfind shows. */
	snprintf(path, sizeof path, "%s/hostile-big.dmp", tmp);
	CHECK(lab_save(path, buf, size));
	text = run_session(path, l->store, "!poolfind MSKK 1");
	CHECK(text != NULL);
	if (text) {
		char want[128];
		snprintf(want, sizeof want, "*%0*llx :large page allocation, Tag  is MSKK, size  is 0x1000 bytes (not mapped)",
			 (int)ptr * 2, (unsigned long long)bad_va);
		if (ps_dump_get_info(v.d)->minor_version < 10240)
			CHECK(strstr(text, want) != NULL);
		CHECK(strstr(text, "Unable to get contents of big pool block") != NULL);
		CHECK(strstr(text, "a table can have") != NULL);
		free(text);
	}
	free(real);
out:
	ps_big_table_free(t);
	view_close(&v);
	free(buf);
}

int main(void)
{
	char tmp[] = "/tmp/ps-test-bigpages-XXXXXX";
	char cmd[600];
	static const char *const names[] = {"seed-env1", "seed-env1-x64", "seed-env1-1809", "small-x86"};
	static const char *const scales[] = {"0.001", "0.001", "0.001", "1"};

	if (!mkdtemp(tmp)) {
		CHECK(0);
		return CHECK_DONE();
	}
	for (int i = 0; i < 4; i++) {
		lab_dump l;

		if (!lab_write(&l, tmp, names[i], scales[i])) {
			CHECK(0);
			continue;
		}
		check_table(&l, names[i]);
		if (i < 2)
			test_hostile(&l, tmp);
		lab_free(&l);
	}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	CHECK(system(cmd) == 0);
	return CHECK_DONE();
}
