/*
 * test_sympath.c - symbol path parsing, store keys, file.ptr parsing and
 * lookups in local stores and folders (the HTTP side and .pd_ files are in
 * tests/scripts/test_symsrv_http.sh, which needs a server and gcab).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "poolscope/pdb.h"
#include "poolscope/sympath.h"
#include "sym/symstore_internal.h"

/* ntkrnlmp.pdb {3844DBB9-2017-4967-BE7A-A4A2C20430FA} as the bytes are
 * stored in an RSDS record: Data1, Data2, Data3 little-endian. */
static const uint8_t nt_guid[16] = {0xB9, 0xDB, 0x44, 0x38, 0x17, 0x20, 0x67, 0x49,
				    0xBE, 0x7A, 0xA4, 0xA2, 0xC2, 0x04, 0x30, 0xFA};

static char tmpdir[256];
static const char pdb_head[] = "Microsoft C/C++ MSF 7.00\r\n\x1a" "DS\0\0\0";

static const char *tpath(char *buf, size_t n, const char *rel)
{
	snprintf(buf, n, "%s/%s", tmpdir, rel);
	return buf;
}

/* Write a file (making its directories) under the temporary directory. */
static void put(const char *rel, const void *data, size_t len)
{
	char path[1024], dir[1024];
	tpath(path, sizeof path, rel);
	snprintf(dir, sizeof dir, "%s", path);
	*strrchr(dir, '/') = '\0';
	CHECK(ps_symfile_mkdirs(dir, NULL) == PS_OK);
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL);
	if (f) {
		fwrite(data, 1, len, f);
		fclose(f);
	}
}

/* A fake PDB: the MSF signature and a tag to tell copies apart. */
static void put_pdb(const char *rel, const char *tag)
{
	char buf[128];
	memcpy(buf, pdb_head, sizeof pdb_head - 1);
	size_t len = sizeof pdb_head - 1;
	memcpy(buf + len, tag, strlen(tag));
	put(rel, buf, len + strlen(tag));
}

static int file_has_tag(const char *path, const char *tag)
{
	char buf[128] = {0};
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	size_t got = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	size_t hl = sizeof pdb_head - 1;
	return got == hl + strlen(tag) && memcmp(buf + hl, tag, strlen(tag)) == 0;
}

static void test_keys(void)
{
	char key[512];
	CHECK(ps_symstore_pdb_key("ntkrnlmp.pdb", nt_guid, 2, key, sizeof key) == PS_OK);
	CHECK_STR(key, "ntkrnlmp.pdb/3844DBB920174967BE7AA4A2C20430FA2/ntkrnlmp.pdb");
	/* Age in upper-case hex without leading zeros. */
	CHECK(ps_symstore_pdb_key("ntkrnlmp.pdb", nt_guid, 0x1A, key, sizeof key) == PS_OK);
	CHECK_STR(key, "ntkrnlmp.pdb/3844DBB920174967BE7AA4A2C20430FA1A/ntkrnlmp.pdb");
	/* A CodeView record's full build path keeps its file name. */
	CHECK(ps_symstore_pdb_key("C:\\lab\\x86\\ntoskrnl.pdb", nt_guid, 1, key, sizeof key) ==
	      PS_OK);
	CHECK_STR(key, "ntoskrnl.pdb/3844DBB920174967BE7AA4A2C20430FA1/ntoskrnl.pdb");
	CHECK(ps_symstore_pdb_key("/build/out/SIoctl.pdb", nt_guid, 1, key, sizeof key) == PS_OK);
	CHECK_STR(key, "SIoctl.pdb/3844DBB920174967BE7AA4A2C20430FA1/SIoctl.pdb");
	/* Names that are no file name, and a buffer one byte short. */
	CHECK(ps_symstore_pdb_key("", nt_guid, 1, key, sizeof key) == PS_EARG);
	CHECK(ps_symstore_pdb_key("C:\\lab\\", nt_guid, 1, key, sizeof key) == PS_EARG);
	CHECK(ps_symstore_pdb_key("a/..", nt_guid, 1, key, sizeof key) == PS_EARG);
	CHECK(ps_symstore_pdb_key("x;y.pdb", nt_guid, 1, key, sizeof key) == PS_EARG);
	CHECK(ps_symstore_pdb_key(NULL, nt_guid, 1, key, sizeof key) == PS_EARG);
	size_t need = strlen("ntkrnlmp.pdb/3844DBB920174967BE7AA4A2C20430FA2/ntkrnlmp.pdb");
	CHECK(ps_symstore_pdb_key("ntkrnlmp.pdb", nt_guid, 2, key, need) == PS_EARG);
	CHECK(ps_symstore_pdb_key("ntkrnlmp.pdb", nt_guid, 2, key, need + 1) == PS_OK);

	/* Images: timestamp as 8 upper-case digits, SizeOfImage lower-case. */
	CHECK(ps_symstore_image_key("SIoctl.sys", 0x4BC2E9C4, 0x8000, key, sizeof key) == PS_OK);
	CHECK_STR(key, "SIoctl.sys/4BC2E9C48000/SIoctl.sys");
	CHECK(ps_symstore_image_key("ntoskrnl.exe", 0x0A2B3C4D, 0x1f000, key, sizeof key) == PS_OK);
	CHECK_STR(key, "ntoskrnl.exe/0A2B3C4D1f000/ntoskrnl.exe");
}

static void check_entry(const ps_sympath *sp, size_t i, ps_sympath_kind kind, const char *dir,
			const char *cache, size_t nstores, const char *s0, const char *s1)
{
	ps_sympath_entry e;
	CHECK(ps_sympath_entry_at(sp, i, &e) == PS_OK);
	CHECK_EQ_U64(e.kind, kind);
	if (dir)
		CHECK_STR(e.dir, dir);
	else
		CHECK(e.dir == NULL);
	if (cache)
		CHECK_STR(e.cache, cache);
	else
		CHECK(e.cache == NULL);
	CHECK_EQ_U64(e.nstores, nstores);
	if (nstores > 0)
		CHECK_STR(e.stores[0], s0);
	if (nstores > 1)
		CHECK_STR(e.stores[1], s1);
}

static void test_parse(void)
{
	ps_sympath *sp = NULL;
	ps_error err;

	setenv("XDG_CACHE_HOME", "/xdg", 1);
	setenv("HOME", "/home/u", 1);

	CHECK(ps_sympath_parse(NULL, &sp, &err) == PS_OK);
	CHECK_EQ_U64(ps_sympath_count(sp), 0);
	CHECK_STR(ps_sympath_text(sp), "");
	ps_sympath_free(sp);

	const char *text = "  /sym/a/ ;; cache*/c ; srv*https://msdl.microsoft.com/download/symbols/ ;"
			   "SRV*/down*http://h:8000/s;symsrv*symsrv.dll*/d2*https://x;  ";
	CHECK(ps_sympath_parse(text, &sp, &err) == PS_OK);
	CHECK_STR(ps_sympath_text(sp), text);
	CHECK_EQ_U64(ps_sympath_count(sp), 5);
	/* A folder before any cache* decompresses into the default store. */
	check_entry(sp, 0, PS_SYMPATH_FOLDER, "/sym/a", "/xdg/poolscope/symbols", 0, NULL, NULL);
	check_entry(sp, 1, PS_SYMPATH_CACHE, "/c", "/c", 0, NULL, NULL);
	/* srv*URL downloads into the cache* in effect. */
	check_entry(sp, 2, PS_SYMPATH_SERVER, NULL, "/c", 1,
		    "https://msdl.microsoft.com/download/symbols", NULL);
	/* srv*DIR*URL: DIR is the downstream store. */
	check_entry(sp, 3, PS_SYMPATH_SERVER, NULL, "/down", 2, "/down", "http://h:8000/s");
	check_entry(sp, 4, PS_SYMPATH_SERVER, NULL, "/d2", 2, "/d2", "https://x");
	ps_sympath_entry e;
	CHECK(ps_sympath_entry_at(sp, 5, &e) == PS_ENOTFOUND);
	ps_sympath_free(sp);

	/* srv* alone is WinDbg's default: Microsoft's server, default store;
	 * srv**URL puts the default store first explicitly. */
	CHECK(ps_sympath_parse("srv*;srv**http://h/s;~/syms;cache*;srv*http://h", &sp, &err) ==
	      PS_OK);
	CHECK_EQ_U64(ps_sympath_count(sp), 5);
	check_entry(sp, 0, PS_SYMPATH_SERVER, NULL, "/xdg/poolscope/symbols", 1,
		    "https://msdl.microsoft.com/download/symbols", NULL);
	check_entry(sp, 1, PS_SYMPATH_SERVER, NULL, "/xdg/poolscope/symbols", 1, "http://h/s",
		    NULL);
	check_entry(sp, 2, PS_SYMPATH_FOLDER, "/home/u/syms", "/xdg/poolscope/symbols", 0, NULL,
		    NULL);
	check_entry(sp, 3, PS_SYMPATH_CACHE, "/xdg/poolscope/symbols", "/xdg/poolscope/symbols", 0,
		    NULL, NULL);
	check_entry(sp, 4, PS_SYMPATH_SERVER, NULL, "/xdg/poolscope/symbols", 1, "http://h", NULL);
	ps_sympath_free(sp);

	/* A relative XDG_CACHE_HOME is ignored (XDG spec): HOME's .cache. */
	setenv("XDG_CACHE_HOME", "rel", 1);
	CHECK(ps_sympath_parse("srv*http://h", &sp, &err) == PS_OK);
	check_entry(sp, 0, PS_SYMPATH_SERVER, NULL, "/home/u/.cache/poolscope/symbols", 1,
		    "http://h", NULL);
	ps_sympath_free(sp);

	/* Neither: no default store; a server without a cache has nowhere to
	 * download to (said at search time), and cache* needs its folder. */
	unsetenv("XDG_CACHE_HOME");
	unsetenv("HOME");
	CHECK(ps_sympath_parse("srv*http://h;/f", &sp, &err) == PS_OK);
	check_entry(sp, 0, PS_SYMPATH_SERVER, NULL, NULL, 1, "http://h", NULL);
	check_entry(sp, 1, PS_SYMPATH_FOLDER, "/f", NULL, 0, NULL, NULL);
	ps_sympath_free(sp);
	sp = (ps_sympath *)1;
	CHECK(ps_sympath_parse("cache*", &sp, &err) == PS_EARG);
	CHECK(sp == NULL);
	CHECK(strstr(err.message, "cache*") != NULL);

	/* Windows paths are kept (for .sympath) and skipped when searching;
	 * a Windows downstream store does not become the cache. */
	CHECK(ps_sympath_parse("cache*/c;srv*C:\\Symbols*https://x;\\\\server\\share", &sp, &err) ==
	      PS_OK);
	check_entry(sp, 1, PS_SYMPATH_SERVER, NULL, "/c", 2, "C:\\Symbols", "https://x");
	check_entry(sp, 2, PS_SYMPATH_FOLDER, "\\\\server\\share", "/c", 0, NULL, NULL);
	ps_sympath_free(sp);

	/* Bounds: entries, stores per entry, total length. */
	char big[20000];
	size_t len = 0;
	for (int i = 0; i < 65; i++)
		len += (size_t)snprintf(big + len, sizeof big - len, "/d%d;", i);
	CHECK(ps_sympath_parse(big, &sp, &err) == PS_EARG);
	CHECK(strstr(err.message, "more than 64 entries") != NULL);
	CHECK(ps_sympath_parse("srv*a*b*c*d*e*f*g*h*i", &sp, &err) == PS_EARG);
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	CHECK(ps_sympath_parse(big, &sp, &err) == PS_EARG);
}

static void test_ptr(void)
{
	char target[256], msg[64];
	const char *t = "PATH:/srv/x/ntoskrnl.pdb\r\n";
	CHECK(ps_symptr_parse(t, strlen(t), target, sizeof target, msg, sizeof msg) == PS_OK);
	CHECK_STR(target, "/srv/x/ntoskrnl.pdb");
	/* SymStore /p writes the bare path locally. */
	t = "  /srv/y.pdb  ";
	CHECK(ps_symptr_parse(t, strlen(t), target, sizeof target, msg, sizeof msg) == PS_OK);
	CHECK_STR(target, "/srv/y.pdb");
	t = "\xEF\xBB\xBFPATH:\\\\server\\share\\a.pdb\nsecond line";
	CHECK(ps_symptr_parse(t, strlen(t), target, sizeof target, msg, sizeof msg) == PS_OK);
	CHECK_STR(target, "\\\\server\\share\\a.pdb");
	t = "MSG: gone\tfor good\n";
	CHECK(ps_symptr_parse(t, strlen(t), target, sizeof target, msg, sizeof msg) ==
	      PS_ENOTFOUND);
	CHECK_STR(msg, "gone?for good");
	CHECK(ps_symptr_parse("", 0, target, sizeof target, msg, sizeof msg) == PS_EFORMAT);
	CHECK(ps_symptr_parse("PATH:  \n", 8, target, sizeof target, msg, sizeof msg) == PS_EFORMAT);
	CHECK(ps_symptr_parse("a\0b", 3, target, sizeof target, msg, sizeof msg) == PS_EFORMAT);
	/* A target longer than the buffer is refused, not cut. */
	CHECK(ps_symptr_parse("PATH:/0123456789", 16, target, 8, msg, sizeof msg) == PS_EFORMAT);
}

typedef struct verify_ctx {
	const char *want_tag;
	int calls;
} verify_ctx;

static int verify_tag(void *ctx, const char *path)
{
	verify_ctx *v = ctx;
	v->calls++;
	return file_has_tag(path, v->want_tag);
}

static void test_local(void)
{
	char sympath[4096], path[1024], want[1024], key[512];
	ps_sympath *sp = NULL;
	ps_error err;
	CHECK(ps_symstore_pdb_key("ntkrnlmp.pdb", nt_guid, 2, key, sizeof key) == PS_OK);

	/* A flat folder holding a different build's PDB, then a store. */
	put_pdb("flat/ntkrnlmp.pdb", "flat");
	char rel[600];
	snprintf(rel, sizeof rel, "store/%s", key);
	put_pdb(rel, "store");
	snprintf(sympath, sizeof sympath, "%s/missing;%s/flat;srv*%s/cache*%s/store", tmpdir, tmpdir,
		 tmpdir, tmpdir);
	CHECK(ps_sympath_parse(sympath, &sp, &err) == PS_OK);

	/* Without a verifier the first file with a PDB signature wins. */
	CHECK(ps_sympath_find_pdb(sp, "ntkrnlmp.pdb", nt_guid, 2, path, sizeof path, NULL, &err) ==
	      PS_OK);
	CHECK_STR(path, tpath(want, sizeof want, "flat/ntkrnlmp.pdb"));

	/* The caller's verifier rejects it: the store's file is copied into
	 * the chain's first store and returned. */
	verify_ctx v = {"store", 0};
	CHECK(ps_sympath_find_pdb_verified(sp, "ntkrnlmp.pdb", nt_guid, 2, verify_tag, &v, path,
					   sizeof path, NULL, &err) == PS_OK);
	snprintf(rel, sizeof rel, "cache/%s", key);
	CHECK_STR(path, tpath(want, sizeof want, rel));
	CHECK(file_has_tag(path, "store"));
	CHECK_EQ_U64(v.calls, 2);

	/* Nothing acceptable: the copy made for this search is removed. */
	snprintf(rel, sizeof rel, "cache/%s", key);
	unlink(tpath(want, sizeof want, rel));
	v = (verify_ctx){"other", 0};
	CHECK(ps_sympath_find_pdb_verified(sp, "ntkrnlmp.pdb", nt_guid, 2, verify_tag, &v, path,
					   sizeof path, NULL, &err) == PS_ENOTFOUND);
	CHECK(err.status == PS_ENOTFOUND);
	CHECK(strstr(err.message, key) != NULL);
	CHECK(access(tpath(want, sizeof want, rel), F_OK) != 0);
	ps_sympath_free(sp);

	/* file.ptr in a local store, pointing at a file elsewhere; one with a
	 * message; one pointing nowhere. The log says each. */
	uint8_t g2[16];
	memcpy(g2, nt_guid, 16);
	g2[15] ^= 1;
	char key2[512], ptr[1200], target[1024];
	CHECK(ps_symstore_pdb_key("hal.pdb", g2, 1, key2, sizeof key2) == PS_OK);
	put_pdb("elsewhere/hal.pdb", "ptr");
	int plen = snprintf(ptr, sizeof ptr, "PATH:%s\r\n", tpath(target, sizeof target,
								 "elsewhere/hal.pdb"));
	snprintf(rel, sizeof rel, "pstore/%.*s/file.ptr", (int)(strrchr(key2, '/') - key2), key2);
	put(rel, ptr, (size_t)plen);
	snprintf(sympath, sizeof sympath, "%s/pstore", tmpdir);
	CHECK(ps_sympath_parse(sympath, &sp, &err) == PS_OK);
	CHECK(ps_sympath_find_pdb(sp, "hal.pdb", g2, 1, path, sizeof path, NULL, &err) == PS_OK);
	CHECK_STR(path, target); /* no cache in a plain folder entry: used in place */

	put(rel, "MSG: withdrawn", 14);
	char logbuf[4096] = {0};
	FILE *log = fmemopen(logbuf, sizeof logbuf - 1, "w");
	CHECK(ps_sympath_find_pdb(sp, "hal.pdb", g2, 1, path, sizeof path, log, &err) ==
	      PS_ENOTFOUND);
	fclose(log);
	CHECK(strstr(logbuf, "message from the store: withdrawn") != NULL);

	put(rel, "PATH:relative/x.pdb", 19);
	memset(logbuf, 0, sizeof logbuf);
	log = fmemopen(logbuf, sizeof logbuf - 1, "w");
	CHECK(ps_sympath_find_pdb(sp, "hal.pdb", g2, 1, path, sizeof path, log, &err) ==
	      PS_ENOTFOUND);
	fclose(log);
	CHECK(strstr(logbuf, "not a local absolute path") != NULL);

	/* A file.ptr too big to be one is refused without reading it all. */
	static char huge[PS_SYM_PTR_MAX + 10];
	memset(huge, 'x', sizeof huge);
	put(rel, huge, sizeof huge);
	memset(logbuf, 0, sizeof logbuf);
	log = fmemopen(logbuf, sizeof logbuf - 1, "w");
	CHECK(ps_sympath_find_pdb(sp, "hal.pdb", g2, 1, path, sizeof path, log, &err) ==
	      PS_ENOTFOUND);
	fclose(log);
	CHECK(strstr(logbuf, "larger than a file pointer can be") != NULL);
	ps_sympath_free(sp);

	/* A file without the PDB signature (an HTML error page) is rejected. */
	snprintf(rel, sizeof rel, "html/%s", key);
	put(rel, "<html>404</html>", 16);
	snprintf(sympath, sizeof sympath, "srv*%s/html", tmpdir);
	CHECK(ps_sympath_parse(sympath, &sp, &err) == PS_OK);
	memset(logbuf, 0, sizeof logbuf);
	log = fmemopen(logbuf, sizeof logbuf - 1, "w");
	CHECK(ps_sympath_find_pdb(sp, "ntkrnlmp.pdb", nt_guid, 2, path, sizeof path, log, &err) ==
	      PS_ENOTFOUND);
	fclose(log);
	CHECK(strstr(logbuf, "rejected: not a PDB") != NULL);
	/* ... and the user's store is not touched. */
	CHECK(access(tpath(want, sizeof want, rel), F_OK) == 0);
	ps_sympath_free(sp);

	/* Images: name.sys/<TS><size>/name.sys, MZ checked. */
	char ikey[512];
	CHECK(ps_symstore_image_key("SIoctl.sys", 0x4BC2E9C4, 0x8000, ikey, sizeof ikey) == PS_OK);
	snprintf(rel, sizeof rel, "istore/%s", ikey);
	put(rel, "MZ\x90\0", 4);
	snprintf(sympath, sizeof sympath, "srv*%s/istore", tmpdir);
	CHECK(ps_sympath_parse(sympath, &sp, &err) == PS_OK);
	CHECK(ps_sympath_find_image(sp, "SIoctl.sys", 0x4BC2E9C4, 0x8000, path, sizeof path, NULL,
				    &err) == PS_OK);
	CHECK_STR(path, tpath(want, sizeof want, rel));
	CHECK(ps_sympath_find_image(sp, "SIoctl.sys", 0x4BC2E9C4, 0x9000, path, sizeof path, NULL,
				    &err) == PS_ENOTFOUND);
	/* The caller's buffer is too small for the path: not found, no overflow. */
	char tiny[8];
	CHECK(ps_sympath_find_image(sp, "SIoctl.sys", 0x4BC2E9C4, 0x8000, tiny, sizeof tiny, NULL,
				    &err) == PS_ENOTFOUND);
	ps_sympath_free(sp);

	/* The empty path says so. */
	CHECK(ps_sympath_parse("", &sp, &err) == PS_OK);
	CHECK(ps_sympath_find_pdb(sp, "ntkrnlmp.pdb", nt_guid, 2, path, sizeof path, NULL, &err) ==
	      PS_ENOTFOUND);
	CHECK(strstr(err.message, "symbol path is empty") != NULL);
	CHECK(ps_sympath_find_pdb(sp, "..", nt_guid, 2, path, sizeof path, NULL, &err) == PS_EARG);
	ps_sympath_free(sp);
}

/* The ready verifier on a real PDB: the lab kernel's, read by the PDB
 * reader, matches its own identity and not a neighbour's. */
static void test_verifier(void)
{
	char pdbfile[1024];
	ps_pdb *pdb = NULL;
	ps_sympath_pdb_id id = {{0}, 0};
	check_build_path(pdbfile, sizeof pdbfile, "lab/images/x86/ntoskrnl.pdb");
	CHECK(ps_pdb_open(pdbfile, &pdb, NULL) == PS_OK);
	if (!pdb)
		return;
	CHECK(ps_pdb_identity(pdb, id.guid, &id.age, NULL) == PS_OK);
	ps_pdb_close(pdb);
	CHECK(ps_sympath_pdb_matches(&id, pdbfile));
	id.age++;
	CHECK(!ps_sympath_pdb_matches(&id, pdbfile));
	id.age--;
	id.guid[0] ^= 0x80;
	CHECK(!ps_sympath_pdb_matches(&id, pdbfile));
	id.guid[0] ^= 0x80;
	/* Not a PDB at all, and no file. */
	put("notpdb.pdb", "Microsoft C/C++ MSF 7.00\r\n", 26);
	CHECK(!ps_sympath_pdb_matches(&id, tpath(pdbfile, sizeof pdbfile, "notpdb.pdb")));
	CHECK(!ps_sympath_pdb_matches(&id, tpath(pdbfile, sizeof pdbfile, "absent.pdb")));
}

static void remove_tree(void)
{
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "%s/ps-sympath-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_keys();
	test_ptr();
	test_local();
	test_verifier();
	test_parse(); /* last: it changes HOME and XDG_CACHE_HOME */
	remove_tree();
	return CHECK_DONE();
}
