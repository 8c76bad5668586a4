/*
 * test_pooltag.c - the pooltag.txt reader on the real file WinDbg ships and
 * on damaged ones.
 */
#include <stdlib.h>

#include "check.h"
#include "poolscope/pooltag.h"

#define TAG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)

static const char *describe(const ps_tagdb *db, uint32_t tag)
{
	static char buf[512];
	return ps_tagdb_describe(db, tag, buf, sizeof buf);
}

static void test_real(void)
{
	char path[4096];
	ps_tagdb *db = NULL;
	ps_error err;
	const ps_tag_info *e;

	check_shared_path(path, sizeof path, "data/pooltag.txt");
	CHECK(ps_tagdb_load(path, &db, &err) == PS_OK);
	if (!db)
		return;
	CHECK(ps_tagdb_count(db) > 4000);

	/* The seed's lines, as !poolused prints them. */
	CHECK_STR(describe(db, TAG('T', 'h', 'r', 'e')), "Thread objects , Binary: nt!ps");
	CHECK_STR(describe(db, TAG('C', 'I', 'c', 'r')),
		  "Code Integrity allocations for image integrity checking , Binary: ci.dll");
	CHECK_STR(describe(db, TAG('E', 't', 'w', 'B')), "Etw Buffer , Binary: nt!etw");
	CHECK_STR(describe(db, TAG('M', 'S', 'K', 'K')), "UNKNOWN pooltag 'MSKK', please update pooltag.txt");
	CHECK_STR(describe(db, TAG('n', 'V', 's', 'C')), "UNKNOWN pooltag 'nVsC', please update pooltag.txt");
	/* Binary <unknown>: the description alone. */
	CHECK_STR(describe(db, TAG('P', 'o', 'o', 'l')), "Pool tables, etc.");
	/* A short tag is blank-padded: "Mm  ". */
	CHECK_STR(describe(db, TAG('M', 'm', ' ', ' ')), "general Mm Allocations , Binary: nt!mm");
	/* Wildcard entry CM?? covers CM31 and CM25, as in the seed. */
	CHECK_STR(describe(db, TAG('C', 'M', '3', '1')),
		  "Internal Configuration manager allocations , Binary: nt!cm");
	CHECK_STR(describe(db, TAG('C', 'M', '2', '5')),
		  "Internal Configuration manager allocations , Binary: nt!cm");
	/* The protected bit (Win7 object tags, 'Thr\xE5') is ignored. */
	CHECK_STR(describe(db, TAG('T', 'h', 'r', 0xE5)), "Thread objects , Binary: nt!ps");
	/* Duplicate tags: the first line wins. */
	e = ps_tagdb_find(db, TAG('D', 'f', 'C', 'j'));
	CHECK(e && strcmp(e->description, "DFS Client REFERRALNAME") == 0);
	/* A description that itself contains " - " keeps it. */
	e = ps_tagdb_find(db, TAG('N', 'D', 'c', 'w'));
	CHECK(e && strcmp(e->description, "NDIS_TAG_PCW - NDIS Performance Counters") == 0);
	CHECK(e && strcmp(e->binary, "ndis.sys") == 0);
	ps_tagdb_free(db);
}

static void test_tag_text(void)
{
	char buf[5];

	CHECK_STR(ps_tag_text(0x4B4B534Du, buf), "MSKK");
	CHECK_STR(ps_tag_text(TAG('T', 'h', 'r', 0xE5), buf), "Thre");
	CHECK_STR(ps_tag_text(TAG('a', 0, 1, 'b'), buf), "a..b");
}

static void test_hostile(void)
{
	static const char text[] =
		"rem comment\n"
		"// comment\n"
		"REM FsLib allocations\n"
		"       <unknown>\n"
		"TooLongTag - x.sys - too long\n"
		" - x.sys - no tag\n"
		"Ab\0d - x.sys - NUL inside\n"
		"Good - good.sys - the good one\r\n"
		"Bare - only a description\n"
		"Wi* - w.sys - wildcard\n"
		"Last - last.sys - no newline at the end";
	ps_tagdb *db = NULL;
	ps_error err;

	CHECK(ps_tagdb_load_memory(text, sizeof text - 1, "mem", &db, &err) == PS_OK);
	if (!db)
		return;
	CHECK_EQ_U64(ps_tagdb_count(db), 4);
	CHECK_STR(describe(db, TAG('G', 'o', 'o', 'd')), "the good one , Binary: good.sys");
	CHECK_STR(describe(db, TAG('B', 'a', 'r', 'e')), "only a description");
	CHECK_STR(describe(db, TAG('W', 'i', 'z', 'z')), "wildcard , Binary: w.sys");
	CHECK_STR(describe(db, TAG('L', 'a', 's', 't')), "no newline at the end , Binary: last.sys");
	CHECK(ps_tagdb_find(db, TAG('A', 'b', 0, 'd')) == NULL);
	ps_tagdb_free(db);

	/* Empty input and a missing file. */
	CHECK(ps_tagdb_load_memory("", 0, "empty", &db, &err) == PS_OK && ps_tagdb_count(db) == 0);
	ps_tagdb_free(db);
	CHECK(ps_tagdb_load("/nonexistent/pooltag.txt", &db, &err) == PS_ENOTFOUND);
	CHECK(strstr(err.message, "/nonexistent/pooltag.txt") != NULL);
	/* No database at all still describes tags. */
	CHECK_STR(describe(NULL, TAG('T', 'h', 'r', 'e')), "UNKNOWN pooltag 'Thre', please update pooltag.txt");
}

static void test_search_order(void)
{
	char path[4096], used[4096];
	ps_tagdb *db = NULL;
	ps_error err;

	check_shared_path(path, sizeof path, "data/pooltag.txt");
	setenv("POOLTAG", path, 1);
	CHECK(ps_tagdb_open_default(NULL, &db, used, sizeof used, &err) == PS_OK);
	CHECK_STR(used, path);
	ps_tagdb_free(db);
	/* An explicit --tags file wins over $POOLTAG, and must exist. */
	CHECK(ps_tagdb_open_default("/nonexistent/tags.txt", &db, used, sizeof used, &err) == PS_ENOTFOUND);
	unsetenv("POOLTAG");
	setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
	CHECK(ps_tagdb_open_default(NULL, &db, used, sizeof used, &err) != PS_OK ||
	      strncmp(used, "/usr", 4) == 0);
	ps_tagdb_free(db);
}

int main(void)
{
	test_real();
	test_tag_text();
	test_hostile();
	test_search_order();
	return CHECK_DONE();
}
