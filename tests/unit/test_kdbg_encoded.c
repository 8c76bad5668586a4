/*
 * test_kdbg_encoded.c - decoding the KDBG block Windows 8+ x64 keeps
 * encoded in memory (formats.md §2.4).
 *
 * First the arithmetic: vectors worked out by hand from the formula, and
 * blocks encoded by this test's own inverse of it (never the reader's
 * code), decoded by ps_kdbg_decode. Then the nt layer on a 1809 lab dump
 * written with `kdbg-encoded yes` beside its plain twin (same seed, same
 * layout): the kernel view reports the encoded block, refuses wrong values
 * (each of the three) with a warning that says why, a header that decodes
 * to an absurd Size, and adopts
 * the right values from the truth file, after which the block equals the
 * plain dump's byte for byte. A dump header without PsLoadedModuleList
 * makes the decoded KDBG the only way to the module list.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* mkdtemp */
#endif
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "core/bytes.h"
#include "poolscope/kernel.h"

/* ---- the test's own encoder: the inverse of formats.md §2.4 ------------ */

static uint64_t t_ror(uint64_t v, unsigned n)
{
	n %= 64;
	return n ? (v >> n) | (v << (64 - n)) : v;
}

static uint64_t t_bswap(uint64_t v)
{
	uint64_t r = 0;

	for (int i = 0; i < 8; i++)
		r |= ((v >> (8 * i)) & 0xFF) << (8 * (7 - i));
	return r;
}

/* decode: t = ROL(E ^ N, N & 0xFF); t = BSWAP(t ^ B); D = t ^ A, so
 * encode: t = BSWAP(D ^ A) ^ B; E = ROR(t, N & 0xFF) ^ N. */
static uint64_t t_encode(uint64_t d, uint64_t n, uint64_t a, uint64_t b)
{
	uint64_t t = t_bswap(d ^ a) ^ b;
	return t_ror(t, (unsigned)(n & 0xFF)) ^ n;
}

static uint64_t decode1(uint64_t e, uint64_t n, uint64_t a, uint64_t b)
{
	uint8_t buf[8];

	ps_put_le64(buf, e);
	ps_kdbg_decode(buf, 8, n, a, b);
	return ps_le64(buf);
}

static void test_vectors(void)
{
	/* Worked by hand: D = 0, N = 0x4000000000000040 (N & 0xFF = 64, a
	 * rotation by 0), A = 1, B = 0xfffff80000000008.
	 *   t = D ^ A = 1; BSWAP -> 0x0100000000000000; ^ B -> 0xfefff80000000008
	 *   ROR 0 -> same; ^ N -> 0xbefff80000000048 */
	CHECK_EQ_U64(decode1(0xbefff80000000048ull, 0x4000000000000040ull, 1, 0xfffff80000000008ull), 0);
	CHECK_EQ_U64(t_encode(0, 0x4000000000000040ull, 1, 0xfffff80000000008ull), 0xbefff80000000048ull);
	/* The header qword of a 1809 block ('KDBG', Size 0x380) under the
	 * values the lab drew for seed 1809; the low dword is the OwnerTag a
	 * reader sees in the encoded dump (0xe55745b1). */
	CHECK_EQ_U64(decode1(0xfd86829be55745b1ull, 0x1E92C04341E7272Cull, 0xF3D9CCDE756492B2ull,
			     0xfffff8031ae253b8ull), 0x000003804742444Bull);
	/* N & 0xFF = 0xC5: the rotation count is taken modulo 64 (5). */
	CHECK_EQ_U64(decode1(0xf08715949b25eea2ull, 0xC5, 0x0123456789ABCDEFull, 0xfffff80000001000ull),
		     0xfffff8031ae1d000ull);
	CHECK_EQ_U64(t_encode(0xfffff8031ae1d000ull, 0xC5, 0x0123456789ABCDEFull, 0xfffff80000001000ull),
		     0xf08715949b25eea2ull);

	/* A whole block through the test's encoder and back; a trailing
	 * partial qword is left alone. */
	{
		uint8_t block[0x3A4], copy[0x3A4];
		uint64_t n = 0x9E3779B97F4A7C15ull, a = 0x0BADC0FFEE0DDF00ull, b = 0xfffff80412345678ull;

		for (size_t i = 0; i < sizeof block; i++)
			block[i] = (uint8_t)(i * 7 + 3);
		memcpy(copy, block, sizeof block);
		for (size_t off = 0; off + 8 <= sizeof block; off += 8)
			ps_put_le64(block + off, t_encode(ps_le64(block + off), n, a, b));
		CHECK(memcmp(block, copy, 8) != 0);
		ps_kdbg_decode(block, sizeof block, n, a, b);
		CHECK(memcmp(block, copy, sizeof block) == 0);
	}
}

/* ---- the nt layer on lab dumps ----------------------------------------- */

static uint64_t jhex(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? strtoull(json_string_value(v), NULL, 0) : 0;
}

static int run(const char *cmd)
{
	int rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "%s: exit %d\n", cmd, rc);
	return rc == 0;
}

/* The seed's 1809 scenario, with `extra` appended, as dir/name.scn. */
static int write_scenario(const char *dir, const char *name, const char *extra)
{
	char in_path[1024], out_path[1024], buf[4096];
	const char *src = getenv("PS_SOURCE_DIR");
	FILE *in, *out;
	size_t n;

	snprintf(in_path, sizeof in_path, "%s/scenarios/seed-env1-1809.scn", src ? src : "..");
	snprintf(out_path, sizeof out_path, "%s/%s.scn", dir, name);
	in = fopen(in_path, "rb");
	out = fopen(out_path, "wb");
	if (!in || !out) {
		if (in)
			fclose(in);
		if (out)
			fclose(out);
		fprintf(stderr, "cannot copy %s to %s\n", in_path, out_path);
		return 0;
	}
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		fwrite(buf, 1, n, out);
	fprintf(out, "\n%s\n", extra);
	fclose(in);
	return fclose(out) == 0;
}

static int lab(const char *dir, const char *name)
{
	char exe[1024], cmd[4096];

	check_build_path(exe, sizeof exe, "poolscope-lab");
	snprintf(cmd, sizeof cmd, "'%s' '%s/%s.scn' --memory 64M -q -o '%s/%s.dmp' -t '%s/%s.json'", exe, dir, name,
		 dir, name, dir, name);
	return run(cmd);
}

static int has_warning(const ps_kernel *k, const char *part)
{
	for (size_t i = 0; i < ps_kernel_warning_count(k); i++)
		if (strstr(ps_kernel_warning(k, i), part))
			return 1;
	return 0;
}

/* Find `len` bytes in a file and overwrite them; 1 if found exactly once. */
static int patch_file(const char *path, const uint8_t *find, const uint8_t *repl, size_t len)
{
	FILE *f = fopen(path, "r+b");
	uint8_t *buf;
	long size, at = -1;
	int hits = 0;

	if (!f)
		return 0;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	buf = malloc((size_t)size);
	fseek(f, 0, SEEK_SET);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		fclose(f);
		return 0;
	}
	for (long i = 0; i + (long)len <= size; i++) {
		if (memcmp(buf + i, find, len) == 0) {
			hits++;
			at = i;
		}
	}
	if (hits == 1) {
		fseek(f, at, SEEK_SET);
		fwrite(repl, 1, len, f);
	}
	free(buf);
	fclose(f);
	return hits == 1;
}

/* Offset `off` of an x64 dump header set to `value`. */
static int patch_header64(const char *path, long off, uint64_t value)
{
	FILE *f = fopen(path, "r+b");
	uint8_t b[8];
	int ok;

	if (!f)
		return 0;
	ps_put_le64(b, value);
	ok = fseek(f, off, SEEK_SET) == 0 && fwrite(b, 1, 8, f) == 8;
	return fclose(f) == 0 && ok;
}

typedef struct opened {
	ps_dump *d;
	ps_kernel *k;
} opened;

static int open_dump(const char *path, opened *o)
{
	ps_error err;

	memset(o, 0, sizeof *o);
	if (ps_dump_open(path, &o->d, &err) != PS_OK || ps_kernel_open(o->d, &o->k, &err) != PS_OK) {
		fprintf(stderr, "%s: %s\n", path, err.message);
		if (o->d)
			ps_dump_close(o->d);
		o->d = NULL;
		return 0;
	}
	return 1;
}

static void close_dump(opened *o)
{
	ps_kernel_close(o->k);
	if (o->d)
		ps_dump_close(o->d);
}

static void test_lab(const char *dir)
{
	char path[1024], plain_path[1024];
	json_t *truth, *encoding;
	json_error_t jerr;
	opened enc, plain, o;
	const uint8_t *raw, *plain_raw;
	size_t size = 0, plain_size = 0;
	uint64_t n, a, b, va, kdbg_va;
	int reloaded = -1;
	size_t warnings;
	ps_error err;

	CHECK(write_scenario(dir, "plain", ""));
	CHECK(write_scenario(dir, "enc", "kdbg-encoded yes"));
	if (!lab(dir, "plain") || !lab(dir, "enc")) {
		CHECK(0);
		return;
	}
	snprintf(path, sizeof path, "%s/enc.json", dir);
	truth = json_load_file(path, 0, &jerr);
	CHECK(truth != NULL);
	if (!truth)
		return;
	CHECK(json_is_true(json_object_get(truth, "kdbg_encoded")));
	encoding = json_object_get(truth, "kdbg_encoding");
	n = jhex(encoding, "ki_wait_never");
	a = jhex(encoding, "ki_wait_always");
	b = jhex(encoding, "kdp_data_block_encoded");
	kdbg_va = jhex(truth, "kdbg");
	CHECK(n != 0 && a != 0 && b != 0 && kdbg_va != 0);

	snprintf(path, sizeof path, "%s/enc.dmp", dir);
	snprintf(plain_path, sizeof plain_path, "%s/plain.dmp", dir);
	if (!open_dump(path, &enc) || !open_dump(plain_path, &plain)) {
		CHECK(0);
		json_decref(truth);
		return;
	}

	/* Plain: nothing to decode. */
	CHECK(!ps_kernel_kdbg_encoded(plain.k));
	CHECK_EQ_U64(ps_kernel_decode_kdbg(plain.k, n, a, b, NULL, &err), PS_EINVALID);
	CHECK_EQ_U64(ps_kernel_kdbg(plain.k, &plain_raw, &plain_size, NULL), PS_OK);
	CHECK_EQ_U64(plain_size, 0x380);

	/* Encoded, before decoding: reported, no KDBG, modules from the header. */
	CHECK(ps_kernel_kdbg_encoded(enc.k));
	CHECK_EQ_U64(ps_kernel_kdbg(enc.k, NULL, NULL, NULL), PS_ENOTFOUND);
	CHECK(has_warning(enc.k, "is encoded; decoding needs symbols"));
	CHECK_EQ_U64(ps_kernel_module_count(enc.k), ps_kernel_module_count(plain.k));
	warnings = ps_kernel_warning_count(enc.k);

	/* Wrong values, one at a time: refused, nothing changes. A wrong N or
	 * A spoils the OwnerTag; B = &KdpDataBlockEncoded + 8 differs in a
	 * low byte, which BSWAP moves to the top of the qword: the tag decodes
	 * right and Size (0x78000380) gives it away. */
	{
		const uint64_t bad[4][3] = { { n ^ 0x100, a, b }, { n, a + 1, b }, { n, a, b ^ (1ull << 40) },
					     { n, a, b + 8 } };
		for (int i = 0; i < 4; i++) {
			ps_error_clear(&err);
			CHECK_EQ_U64(ps_kernel_decode_kdbg(enc.k, bad[i][0], bad[i][1], bad[i][2], &reloaded, &err),
				     PS_EFORMAT);
			if (i < 3)
				CHECK(strstr(err.message, "does not decode") != NULL &&
				      strstr(err.message, "not 'KDBG'") != NULL);
			else
				CHECK(strstr(err.message, "Header.Size 0x78000380, which is implausible") != NULL);
			printf("wrong value %d: %s\n", i, err.message);
			CHECK(ps_kernel_kdbg_encoded(enc.k));
			CHECK_EQ_U64(ps_kernel_kdbg(enc.k, NULL, NULL, NULL), PS_ENOTFOUND);
			/* The warning now says why, once. */
			CHECK(!has_warning(enc.k, "is encoded; decoding needs symbols"));
			CHECK(has_warning(enc.k, err.message));
			CHECK_EQ_U64(ps_kernel_warning_count(enc.k), warnings);
		}
	}

	/* The right ones: the block is the plain dump's, byte for byte. */
	CHECK_EQ_U64(ps_kernel_decode_kdbg(enc.k, n, a, b, &reloaded, &err), PS_OK);
	CHECK_EQ_U64(reloaded, 0);
	CHECK(!ps_kernel_kdbg_encoded(enc.k));
	CHECK(!has_warning(enc.k, "is encoded"));
	CHECK(!has_warning(enc.k, "decode"));
	CHECK_EQ_U64(ps_kernel_warning_count(enc.k), warnings - 1);
	CHECK_EQ_U64(ps_kernel_kdbg(enc.k, &raw, &size, &va), PS_OK);
	CHECK_EQ_U64(va, kdbg_va);
	CHECK_EQ_U64(size, plain_size);
	CHECK(size == plain_size && memcmp(raw, plain_raw, size) == 0);
	CHECK_EQ_U64(ps_kernel_base(enc.k), ps_kernel_base(plain.k));
	CHECK_EQ_U64(ps_kernel_base(enc.k), jhex(truth, "kernel_base"));
	/* Once is enough. */
	CHECK_EQ_U64(ps_kernel_decode_kdbg(enc.k, n, a, b, NULL, &err), PS_EINVALID);
	close_dump(&enc);

	/* No PsLoadedModuleList in the header (never filled in: 'PAGE'):
	 * only the decoded KDBG leads to the module list. */
	CHECK(patch_header64(path, 0x20, 0x4547415045474150ull));
	if (open_dump(path, &o)) {
		CHECK_EQ_U64(ps_kernel_module_count(o.k), 0);
		CHECK_EQ_U64(ps_kernel_decode_kdbg(o.k, n, a, b, &reloaded, &err), PS_OK);
		CHECK_EQ_U64(reloaded, 1);
		CHECK_EQ_U64(ps_kernel_module_count(o.k), ps_kernel_module_count(plain.k));
		for (size_t i = 0; i < ps_kernel_module_count(o.k) && i < ps_kernel_module_count(plain.k); i++) {
			CHECK_EQ_U64(ps_kernel_module(o.k, i)->base, ps_kernel_module(plain.k, i)->base);
			CHECK_STR(ps_kernel_module(o.k, i)->name, ps_kernel_module(plain.k, i)->name);
		}
		CHECK(ps_kernel_module_named(o.k, "nt") != NULL);
		close_dump(&o);
	} else {
		CHECK(0);
	}

	/* An encoded header whose OwnerTag decodes right but whose Size is
	 * absurd (0x10000): found in the file by its encoded bytes and
	 * replaced with this test's encoding. */
	{
		uint8_t find[8], repl[8];

		ps_put_le64(find, t_encode(0x000003804742444Bull, n, a, b));
		ps_put_le64(repl, t_encode(0x000100004742444Bull, n, a, b));
		CHECK(patch_file(path, find, repl, 8));
		if (open_dump(path, &o)) {
			ps_error_clear(&err);
			CHECK_EQ_U64(ps_kernel_decode_kdbg(o.k, n, a, b, &reloaded, &err), PS_EFORMAT);
			CHECK(strstr(err.message, "Header.Size 0x10000") != NULL);
			printf("absurd size: %s\n", err.message);
			CHECK(ps_kernel_kdbg_encoded(o.k));
			CHECK_EQ_U64(ps_kernel_kdbg(o.k, NULL, NULL, NULL), PS_ENOTFOUND);
			close_dump(&o);
		} else {
			CHECK(0);
		}
	}
	close_dump(&plain);
	json_decref(truth);
}

int main(void)
{
	char dir[] = "/tmp/test_kdbg_encoded.XXXXXX";
	char cmd[256];

	test_vectors();
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_lab(dir);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return CHECK_DONE();
}
