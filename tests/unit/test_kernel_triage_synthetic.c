/*
 * test_kernel_triage_synthetic.c - the nt layer over small x64 triage dumps
 * built here: module names from the driver list (paths, bare names, case
 * collisions, a name the dump cannot resolve), and KDBG from the triage
 * copy, a short copy, an encoded copy, or - with no copy - from a data
 * block holding the block at its VA.
 *
 * Layouts: ../shared/reference/formats.md §1.2 and §1.7, and the
 * DUMP_DRIVER_ENTRY layout recorded in docs/kernel-data.md (0x90 bytes: u32
 * name offset, LDR_DATA_TABLE_ENTRY at +8 with DllBase +0x30, SizeOfImage
 * +0x40, CheckSum +0x78, TimeDateStamp +0x80).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/bytes.h"
#include "poolscope/kernel.h"

#define FILE_SIZE 0x8000
#define DRIVERS 0x3000
#define POOL 0x4000
#define KDBG_COPY 0x5000
#define BLOCKS 0x5800
#define BLOCK_DATA 0x6000
#define KDBG_VA 0xfffff80412340000ull

typedef struct tri {
	uint8_t b[FILE_SIZE];
	uint32_t pool_used;
	uint32_t drivers;
} tri;

static void tri_init(tri *t)
{
	uint8_t *h = t->b, *th = t->b + 0x2000;

	memset(t, 0, sizeof *t);
	for (int i = 0; i < 0x2000; i += 4)
		memcpy(h + i, "PAGE", 4);
	memcpy(h + 4, "DU64", 4);
	ps_put_le32(h + 0x08, 0xF);
	ps_put_le32(h + 0x0C, 19041);
	ps_put_le64(h + 0x10, 0x1ad000);
	ps_put_le32(h + 0x30, 0x8664);
	ps_put_le32(h + 0x34, 1);
	ps_put_le64(h + 0x80, KDBG_VA);
	ps_put_le32(h + 0xF98, 4);
	ps_put_le64(h + 0xFA0, FILE_SIZE);

	ps_put_le32(th + 0x04, FILE_SIZE);             /* SizeOfDump */
	ps_put_le32(th + 0x08, FILE_SIZE - 4);         /* ValidOffset */
	memcpy(t->b + FILE_SIZE - 4, "TRGD", 4);
	ps_put_le32(th + 0x30, DRIVERS);
	ps_put_le32(th + 0x38, POOL);
	ps_put_le32(th + 0x3C, 0x1000);
}

static void add_driver(tri *t, const char *name, uint64_t base, uint32_t size, uint32_t checksum,
		       uint32_t timestamp)
{
	uint8_t *e = t->b + DRIVERS + 0x90 * t->drivers;
	uint8_t *s = t->b + POOL + t->pool_used;
	size_t n = strlen(name);

	ps_put_le32(e, POOL + t->pool_used);
	ps_put_le64(e + 8 + 0x30, base);
	ps_put_le32(e + 8 + 0x40, size);
	ps_put_le32(e + 8 + 0x78, checksum);
	ps_put_le32(e + 8 + 0x80, timestamp);
	ps_put_le32(s, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		ps_put_le16(s + 4 + 2 * i, (uint8_t)name[i]);
	t->pool_used += (uint32_t)(4 + 2 * n + 2 + 3) & ~3u;
	t->drivers++;
	ps_put_le32(t->b + 0x2000 + 0x34, t->drivers);
}

static void set_kdbg_copy(tri *t, uint32_t stored, uint32_t header_size, uint64_t kern_base)
{
	uint8_t *k = t->b + KDBG_COPY;
	memcpy(k + 0x10, "KDBG", 4);
	ps_put_le32(k + 0x14, header_size);
	ps_put_le64(k + 0x18, kern_base);
	ps_put_le64(k + 0x48, 0xfffff80412345000ull);
	ps_put_le32(t->b + 0x2000 + 0x70, KDBG_COPY);
	ps_put_le32(t->b + 0x2000 + 0x74, stored);
}

static ps_kernel *open_tri(tri *t, const char *name, ps_dump **d)
{
	ps_kernel *k = NULL;
	ps_error err;

	if (ps_dump_open_memory(t->b, FILE_SIZE, name, d, &err) != PS_OK) {
		fprintf(stderr, "%s: %s\n", name, err.message);
		CHECK(0);
		return NULL;
	}
	if (ps_kernel_open(*d, &k, &err) != PS_OK) {
		fprintf(stderr, "%s: %s\n", name, err.message);
		CHECK(0);
		ps_dump_close(*d);
		return NULL;
	}
	for (size_t i = 0; i < ps_kernel_warning_count(k); i++)
		printf("%s: warning: %s\n", name, ps_kernel_warning(k, i));
	return k;
}

static int has_warning(const ps_kernel *k, const char *needle)
{
	for (size_t i = 0; i < ps_kernel_warning_count(k); i++)
		if (strstr(ps_kernel_warning(k, i), needle))
			return 1;
	return 0;
}

static void test_driver_names(void)
{
	static tri t;
	ps_dump *d;
	ps_kernel *k;
	uint64_t v;

	tri_init(&t);
	set_kdbg_copy(&t, 0x380, 0x380, 0xfffff80400200000ull);
	add_driver(&t, "\\SystemRoot\\system32\\ntkrnlmp.exe", 0xfffff80400200000ull, 0x800000, 0xa1, 0xb1);
	add_driver(&t, "\\SystemRoot\\system32\\hal.dll", 0xfffff80400100000ull, 0x6000, 0xa2, 0xb2);
	add_driver(&t, "foo.sys", 0xfffff80401000000ull, 0x2000, 0xa3, 0xb3);
	add_driver(&t, "\\??\\C:\\x\\FOO.SYS", 0xfffff80401100000ull, 0x3000, 0xa4, 0xb4);
	add_driver(&t, "\\SystemRoot\\x\\a.b.c.sys", 0xfffff80401200000ull, 0x1000, 0xa5, 0xb5);
	add_driver(&t, "", 0xfffff80401300000ull, 0x1000, 0xa6, 0xb6);
	k = open_tri(&t, "triage names", &d);
	if (!k)
		return;
	CHECK_EQ_U64(ps_kernel_warning_count(k), 0);
	CHECK_EQ_U64(ps_kernel_module_count(k), 6);
	if (ps_kernel_module_count(k) == 6) {
		CHECK_STR(ps_kernel_module(k, 0)->name, "nt");
		CHECK_STR(ps_kernel_module(k, 0)->image_name, "ntkrnlmp.exe");
		CHECK_STR(ps_kernel_module(k, 1)->name, "hal");
		CHECK_STR(ps_kernel_module(k, 2)->name, "foo");
		CHECK_STR(ps_kernel_module(k, 2)->image_name, "foo.sys");
		CHECK_STR(ps_kernel_module(k, 2)->path, "foo.sys");
		CHECK_STR(ps_kernel_module(k, 3)->name, "FOO_fffff80401100000");
		CHECK_STR(ps_kernel_module(k, 3)->image_name, "FOO.SYS");
		CHECK_STR(ps_kernel_module(k, 4)->name, "a_b_c");
		CHECK_STR(ps_kernel_module(k, 5)->name, "Unknown_Module_fffff80401300000");
		CHECK_EQ_U64(ps_kernel_module(k, 3)->checksum, 0xa4);
		CHECK_EQ_U64(ps_kernel_module(k, 3)->timestamp, 0xb4);
		/* The list is in load order; the index is by address. */
		CHECK(ps_kernel_module_at(k, 0xfffff80400100010ull) == ps_kernel_module(k, 1));
		CHECK(ps_kernel_module_at(k, 0xfffff80400200000ull + 0x7FFFFF) == ps_kernel_module(k, 0));
		CHECK(ps_kernel_module_at(k, 0xfffff80401102fffull) == ps_kernel_module(k, 3));
		CHECK(ps_kernel_module_at(k, 0xfffff80401103000ull) == NULL);
		CHECK(ps_kernel_module_named(k, "foo_FFFFF80401100000") == ps_kernel_module(k, 3));
	}
	CHECK_EQ_U64(ps_kernel_base(k), 0xfffff80400200000ull);
	CHECK_EQ_U64(ps_kernel_kdbg_field(k, 0x48, &v), PS_OK);
	CHECK_EQ_U64(v, 0xfffff80412345000ull);
	ps_kernel_close(k);
	ps_dump_close(d);
}

static void test_kdbg_sources(void)
{
	static tri t;
	ps_dump *d;
	ps_kernel *k;
	const uint8_t *raw;
	size_t size;
	uint64_t v, va;

	/* A copy cut shorter than its Header.Size. */
	tri_init(&t);
	set_kdbg_copy(&t, 0x100, 0x380, 0xfffff80400200000ull);
	add_driver(&t, "\\SystemRoot\\system32\\ntoskrnl.exe", 0xfffff80400200000ull, 0x1000000, 1, 2);
	k = open_tri(&t, "short copy", &d);
	if (k) {
		CHECK(has_warning(k, "Header.Size is 0x380 but only 0x100 bytes"));
		CHECK_EQ_U64(ps_kernel_kdbg(k, &raw, &size, &va), PS_OK);
		CHECK_EQ_U64(size, 0x100);
		CHECK_EQ_U64(va, KDBG_VA);
		CHECK_EQ_U64(ps_kernel_kdbg_field(k, 0x48, &v), PS_OK);
		CHECK_EQ_U64(ps_kernel_kdbg_field(k, 0xF8, &v), PS_OK);
		CHECK_EQ_U64(ps_kernel_kdbg_field(k, 0x100, &v), PS_ENOTFOUND);
		CHECK_EQ_U64(ps_kernel_kdbg_field(k, 0x360, &v), PS_ENOTFOUND);
		/* The buffer is still the promised 0x340 bytes, zeros past 0x100. */
		CHECK_EQ_U64(raw[0x33F], 0);
		ps_kernel_close(k);
		ps_dump_close(d);
	}

	/* An encoded copy (not 'KDBG'); its VA is in no data block. */
	tri_init(&t);
	set_kdbg_copy(&t, 0x380, 0x380, 0xfffff80400200000ull);
	memcpy(t.b + KDBG_COPY + 0x10, "\xde\xad\xbe\xef", 4);
	add_driver(&t, "\\SystemRoot\\system32\\ntoskrnl.exe", 0xfffff80400200000ull, 0x1000000, 1, 2);
	k = open_tri(&t, "encoded copy", &d);
	if (k) {
		CHECK(has_warning(k, "KDBG at fffff804`12340000 is encoded; decoding needs symbols"));
		CHECK_EQ_U64(ps_kernel_warning_count(k), 1);
		CHECK_EQ_U64(ps_kernel_kdbg(k, NULL, NULL, NULL), PS_ENOTFOUND);
		CHECK_EQ_U64(ps_kernel_base(k), 0xfffff80400200000ull); /* from the first module */
		CHECK_STR(ps_kernel_module(k, 0)->name, "nt");
		ps_kernel_close(k);
		ps_dump_close(d);
	}

	/* An encoded copy with the values it was encoded with (the test's own
	 * inverse of formats.md §2.4): decoded from the copy's bytes. The
	 * kernel is the second driver, so until KDBG's KernBase is known the
	 * first one (hal) is taken for nt; decoding puts that right. */
	{
		const uint64_t n = 0x5A17C0DE1234567Full, a = 0x0F1E2D3C4B5A6978ull, b = 0xfffff80400a01234ull;
		ps_error err;
		int reloaded = -1;

		tri_init(&t);
		set_kdbg_copy(&t, 0x380, 0x380, 0xfffff80400200000ull);
		for (size_t off = 0; off < 0x380; off += 8) {
			uint64_t x = ps_le64(t.b + KDBG_COPY + off) ^ a, y = 0;
			unsigned r = (unsigned)(n & 0xFF) % 64;
			for (int i = 0; i < 8; i++)
				y |= ((x >> (8 * i)) & 0xFF) << (8 * (7 - i));
			y ^= b;
			ps_put_le64(t.b + KDBG_COPY + off, (r ? (y >> r) | (y << (64 - r)) : y) ^ n);
		}
		add_driver(&t, "\\SystemRoot\\system32\\hal.dll", 0xfffff80400100000ull, 0x100000, 3, 4);
		add_driver(&t, "\\SystemRoot\\system32\\ntoskrnl.exe", 0xfffff80400200000ull, 0x1000000, 1, 2);
		k = open_tri(&t, "encoded copy, decoded", &d);
		if (k) {
			CHECK(ps_kernel_kdbg_encoded(k));
			CHECK_STR(ps_kernel_module(k, 0)->name, "nt");
			CHECK_EQ_U64(ps_kernel_decode_kdbg(k, n, a ^ 1, b, &reloaded, &err), PS_EFORMAT);
			CHECK(has_warning(k, "does not decode"));
			CHECK_EQ_U64(ps_kernel_decode_kdbg(k, n, a, b, &reloaded, &err), PS_OK);
			CHECK_EQ_U64(reloaded, 0);
			CHECK(!ps_kernel_kdbg_encoded(k));
			CHECK_EQ_U64(ps_kernel_warning_count(k), 0);
			CHECK_EQ_U64(ps_kernel_kdbg(k, &raw, &size, &va), PS_OK);
			CHECK_EQ_U64(size, 0x380);
			CHECK_EQ_U64(va, KDBG_VA);
			CHECK_EQ_U64(ps_kernel_kdbg_field(k, 0x48, &v), PS_OK);
			CHECK_EQ_U64(v, 0xfffff80412345000ull);
			CHECK_EQ_U64(ps_kernel_base(k), 0xfffff80400200000ull);
			CHECK_STR(ps_kernel_module(k, 0)->name, "hal");
			CHECK_STR(ps_kernel_module(k, 1)->name, "nt");
			ps_kernel_close(k);
			ps_dump_close(d);
		}
	}

	/* No copy, but a data block holds the block at its VA. */
	tri_init(&t);
	add_driver(&t, "\\SystemRoot\\system32\\ntoskrnl.exe", 0xfffff80400200000ull, 0x1000000, 1, 2);
	ps_put_le32(t.b + 0x2000 + 0x78, BLOCKS);
	ps_put_le32(t.b + 0x2000 + 0x7C, 1);
	ps_put_le64(t.b + BLOCKS, KDBG_VA);
	ps_put_le32(t.b + BLOCKS + 8, BLOCK_DATA);
	ps_put_le32(t.b + BLOCKS + 12, 0x380);
	memcpy(t.b + BLOCK_DATA + 0x10, "KDBG", 4);
	ps_put_le32(t.b + BLOCK_DATA + 0x14, 0x380);
	ps_put_le64(t.b + BLOCK_DATA + 0x18, 0xfffff80400200000ull);
	k = open_tri(&t, "kdbg in a block", &d);
	if (k) {
		CHECK_EQ_U64(ps_kernel_warning_count(k), 0);
		CHECK_EQ_U64(ps_kernel_kdbg(k, &raw, &size, &va), PS_OK);
		CHECK_EQ_U64(size, 0x380);
		CHECK_EQ_U64(va, KDBG_VA);
		CHECK_EQ_U64(ps_kernel_kdbg_field(k, 0x18, &v), PS_OK);
		CHECK_EQ_U64(v, 0xfffff80400200000ull);
		ps_kernel_close(k);
		ps_dump_close(d);
	}

	/* Neither a copy nor a readable block. */
	tri_init(&t);
	add_driver(&t, "\\SystemRoot\\system32\\ntoskrnl.exe", 0xfffff80400200000ull, 0x1000000, 1, 2);
	k = open_tri(&t, "no kdbg", &d);
	if (k) {
		CHECK(has_warning(k, "KDBG at fffff804`12340000 cannot be read"));
		CHECK_EQ_U64(ps_kernel_kdbg(k, NULL, NULL, NULL), PS_ENOTFOUND);
		CHECK_EQ_U64(ps_kernel_module_count(k), 1);
		ps_kernel_close(k);
		ps_dump_close(d);
	}
}

int main(void)
{
	test_driver_names();
	test_kdbg_sources();
	return CHECK_DONE();
}
