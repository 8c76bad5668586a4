/*
 * test_dump_triage.c - the dump layer over the real Windows 10 19041 x64
 * triage dump in the shared data directory (bugcheck 0x1000007E).
 *
 * Expected values were read off the file with xxd and cross-checked: the
 * driver list's checksum/timestamp for ntoskrnl.exe equal the ones in the
 * PE header the dump stores in a data block. Data block contents are
 * compared against the file read with stdio, with offsets taken from the
 * raw triage header here, not from the library.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/bytes.h"
#include "poolscope/dump.h"

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void test_header(ps_dump *d, const uint8_t *raw)
{
	const ps_dump_info *in = ps_dump_get_info(d);

	CHECK(in->arch == PS_ARCH_X64);
	CHECK(in->paging == PS_PAGING_X64);
	CHECK_EQ_U64(in->dump_type, PS_DUMPTYPE_TRIAGE);
	CHECK_EQ_U64(in->header_size, 0x2000);
	CHECK_EQ_U64(in->major_version, 0xF);
	CHECK_EQ_U64(in->minor_version, 19041);
	CHECK_EQ_U64(in->machine_image_type, 0x8664);
	CHECK_EQ_U64(in->number_processors, 16);
	CHECK_EQ_U64(in->directory_table_base, 0x1ad000);
	CHECK_EQ_U64(in->ps_loaded_module_list, 0xfffff8047c62a390ull);
	CHECK_EQ_U64(in->kd_debugger_data_block, 0xfffff8047c600b20ull);
	CHECK_EQ_U64(in->bugcheck_code, 0x1000007E);
	CHECK_EQ_U64(in->bugcheck_parameters[0], 0xffffffffc0000005ull);
	CHECK_EQ_U64(in->bugcheck_parameters[1], 0xfffff8048b58334cull);
	CHECK_EQ_U64(in->bugcheck_parameters[2], 0xffff850429891ee8ull);
	CHECK_EQ_U64(in->bugcheck_parameters[3], 0xffff850429891720ull);
	for (int i = 0; i < 4; i++)
		CHECK_EQ_U64(in->bugcheck_parameters[i], ps_le64(raw + 0x40 + 8 * i));
	CHECK_EQ_U64(in->exception.code, 0x80000003);
	CHECK_EQ_U64(in->exception.address, 0xfffff8047bdf5a80ull);
	CHECK_EQ_U64(in->exception.number_parameters, 0);
	CHECK(in->context == ps_dump_bytes(d, NULL) + 0x348);
	CHECK(memcmp(in->context, raw + 0x348, 0x4D0) == 0);
	CHECK_EQ_U64(in->context_size, 0x4D0);
	/* The PhysicalMemoryBlock of a triage dump is left as 'PAGE'. */
	CHECK_EQ_U64(in->run_count, 0);
	CHECK_EQ_U64(in->present_pages, 0);
	CHECK_EQ_U64(in->system_uptime, 0x23bc1e9);
	CHECK_EQ_U64(in->system_time, 0x01d707f23dbb3399ull);
	CHECK_STR(in->comment, "");
	CHECK(ps_dump_page(d, 0) == NULL);
	CHECK(ps_dump_page(d, 0x1ad) == NULL);
	CHECK_EQ_U64(ps_dump_page_limit(d), 0);
	CHECK_EQ_U64(ps_dump_warning_count(d), 0);
	for (size_t i = 0; i < ps_dump_warning_count(d); i++)
		fprintf(stderr, "warning: %s\n", ps_dump_warning(d, i));
}

static void test_drivers(ps_dump *d)
{
	const ps_triage_driver *drv = ps_dump_triage_drivers(d);
	size_t n = ps_dump_triage_driver_count(d);
	int named = 0;

	CHECK_EQ_U64(n, 151);
	if (n != 151)
		return;
	CHECK_STR(drv[0].name, "\\SystemRoot\\system32\\ntoskrnl.exe");
	CHECK_EQ_U64(drv[0].base, 0xfffff8047ba00000ull);
	CHECK_EQ_U64(drv[0].size, 0x1046000);
	CHECK_EQ_U64(drv[0].checksum, 0x00a5938c);
	CHECK_EQ_U64(drv[0].timestamp, 0x0d8333e6);
	CHECK_STR(drv[1].name, "\\SystemRoot\\system32\\hal.dll");
	CHECK_EQ_U64(drv[1].base, 0xfffff80479440000ull);
	CHECK_EQ_U64(drv[1].size, 0x6000);
	CHECK_STR(drv[2].name, "\\SystemRoot\\system32\\kd.dll");
	CHECK_STR(drv[3].name, "\\SystemRoot\\System32\\drivers\\CLFS.SYS");
	CHECK_EQ_U64(drv[3].base, 0xfffff80479490000ull);
	CHECK_EQ_U64(drv[3].size, 0x6a000);
	CHECK_STR(drv[150].name, "\\SystemRoot\\System32\\drivers\\rdpbus.sys");
	CHECK_EQ_U64(drv[150].base, 0xfffff8048b680000ull);
	CHECK_EQ_U64(drv[150].size, 0xe000);
	CHECK(ends_with(drv[149].name, "\\swenum.sys"));
	for (size_t i = 0; i < n; i++)
		named += drv[i].name[0] == '\\' && drv[i].base >= 0xffff800000000000ull && drv[i].size;
	CHECK_EQ_U64(named, 151);

	/* The faulting address (parameter 2) lies inside one of the drivers. */
	uint64_t fault = ps_dump_get_info(d)->bugcheck_parameters[1];
	int hits = 0;
	for (size_t i = 0; i < n; i++)
		hits += fault >= drv[i].base && fault - drv[i].base < drv[i].size;
	CHECK_EQ_U64(hits, 1);
}

static void test_kdbg(ps_dump *d, const uint8_t *raw)
{
	size_t size = 0;
	const uint8_t *k = ps_dump_triage_kdbg(d, &size);

	CHECK(k != NULL);
	if (!k)
		return;
	CHECK(k == raw + ps_le32(raw + 0x2070));
	CHECK_EQ_U64(size, 0x380);
	CHECK(memcmp(k + 0x10, "KDBG", 4) == 0);   /* Header.OwnerTag */
	CHECK_EQ_U64(ps_le32(k + 0x14), 0x380);     /* Header.Size */
	CHECK_EQ_U64(ps_le64(k + 0x18), 0xfffff8047ba00000ull); /* KernBase */
}

static void test_blocks(ps_dump *d, const uint8_t *raw, size_t raw_size)
{
	const ps_triage_block *b = ps_dump_triage_blocks(d);
	size_t n = ps_dump_triage_block_count(d);
	uint32_t table = ps_le32(raw + 0x2078), count = ps_le32(raw + 0x207C);
	size_t avail = 0;
	int sorted = 1, inside = 1, matched = 0;
	const uint8_t *p;

	CHECK_EQ_U64(n, 1828); /* 1831 data blocks + the stack, 4 blocks inside the stack */
	CHECK_EQ_U64(count, 1831);
	for (size_t i = 0; i < n; i++) {
		if (i && b[i].va < b[i - 1].va + b[i - 1].size)
			sorted = 0;
		if (b[i].file_offset + b[i].size > raw_size)
			inside = 0;
	}
	CHECK(sorted);
	CHECK(inside);

	/* Every block of the raw table resolves to its own bytes, at its
	 * start and its last byte. */
	for (uint32_t i = 0; i < count && table + 16 * (i + 1) <= raw_size; i++) {
		const uint8_t *e = raw + table + 16 * i;
		uint64_t va = ps_le64(e);
		uint32_t off = ps_le32(e + 8), size = ps_le32(e + 12);
		const uint8_t *first = ps_dump_triage_va(d, va, &avail);
		const uint8_t *last = ps_dump_triage_va(d, va + size - 1, NULL);
		if (first && avail >= 1 && last && *first == raw[off] && *last == raw[off + size - 1])
			matched++;
	}
	CHECK_EQ_U64(matched, count);

	/* The first table entry, read through the library and from the file. */
	uint64_t va0 = ps_le64(raw + table);
	uint32_t off0 = ps_le32(raw + table + 8), size0 = ps_le32(raw + table + 12);
	p = ps_dump_triage_va(d, va0 + 0x10, &avail);
	CHECK(p != NULL && avail == size0 - 0x10 && memcmp(p, raw + off0 + 0x10, avail) == 0);

	/* ntoskrnl's PE header is one of the blocks. */
	p = ps_dump_triage_va(d, 0xfffff8047ba00000ull, &avail);
	CHECK(p != NULL && avail >= 0x400 && memcmp(p, "MZ", 2) == 0);
	if (p && avail >= 0x400) {
		uint32_t pe = ps_le32(p + 0x3C);
		CHECK(pe + 0x60 < avail && memcmp(p + pe, "PE\0\0", 4) == 0);
		CHECK_EQ_U64(ps_le32(p + pe + 8), 0x0d8333e6);
	}

	/* The call stack: TopOfStack VA maps to CallStackOffset. */
	uint64_t top = ps_le64(raw + 0x2048);
	uint32_t stack_off = ps_le32(raw + 0x2028), stack_size = ps_le32(raw + 0x202C);
	const uint8_t *base = ps_dump_bytes(d, NULL);
	p = ps_dump_triage_va(d, top, &avail);
	CHECK(p == base + stack_off);
	CHECK_EQ_U64(avail, stack_size);
	p = ps_dump_triage_va(d, top + stack_size - 8, &avail);
	CHECK(p == base + stack_off + stack_size - 8 && avail == 8);

	/* Addresses outside every block. */
	CHECK(ps_dump_triage_va(d, 0, &avail) == NULL && avail == 0);
	CHECK(ps_dump_triage_va(d, 0x1000, NULL) == NULL);
	CHECK(ps_dump_triage_va(d, UINT64_MAX, NULL) == NULL);
}

/* The unloaded-driver list as stored at UnloadedDriversOffset 0x20d0:
 * four records, most recent first (bytes checked with xxd). */
static void test_unloaded(const ps_dump *d)
{
	const ps_triage_unloaded *u = ps_dump_triage_unloaded(d);

	CHECK_EQ_U64(ps_dump_triage_unloaded_count(d), 4);
	if (ps_dump_triage_unloaded_count(d) != 4)
		return;
	CHECK_STR(u[0].name, "dam.sys");
	CHECK_EQ_U64(u[0].start, 0xfffff80487de0000ull);
	CHECK_EQ_U64(u[0].end, 0xfffff80487dfc000ull);
	CHECK_STR(u[1].name, "WdBoot.sys");
	CHECK_STR(u[2].name, "hwpolicy.sys");
	CHECK_STR(u[3].name, "mcupdate.dll");
	for (int i = 0; i < 4; i++)
		CHECK(u[i].start < u[i].end);
}

int main(void)
{
	char path[4096];
	size_t raw_size = 0;
	uint8_t *raw;
	ps_dump *d = NULL;
	ps_error err;

	check_shared_path(path, sizeof path, "data/triage_x64.dmp");
	raw = check_read_file(path, &raw_size);
	CHECK(raw != NULL);
	if (!raw) {
		fprintf(stderr, "cannot read %s (set PS_SHARED_DIR)\n", path);
		return CHECK_DONE();
	}
	CHECK(ps_dump_open(path, &d, &err) == PS_OK);
	if (!d) {
		fprintf(stderr, "%s\n", err.message);
		free(raw);
		return CHECK_DONE();
	}
	CHECK_EQ_U64(ps_dump_get_info(d)->file_size, raw_size);
	size_t mapped = 0;
	CHECK(ps_dump_bytes(d, &mapped) != NULL && mapped == raw_size);
	CHECK_STR(ps_dump_name(d), path);

	test_header(d, raw);
	const ps_triage_info *ti = ps_dump_triage_info(d);
	CHECK(ti != NULL);
	if (ti) {
		CHECK_EQ_U64(ti->size_of_dump, 0x13a28c);
		CHECK_EQ_U64(ti->context_offset, 0x348);
		CHECK_EQ_U64(ti->exception_offset, 0xf00);
		CHECK_EQ_U64(ti->prcb_offset, 0x21b8);
		CHECK_EQ_U64(ti->process_offset, 0xd0b8);
		CHECK_EQ_U64(ti->thread_offset, 0xdaf8);
		CHECK_EQ_U64(ti->driver_count, 151);
		CHECK_EQ_U64(ti->string_pool_offset, 0x15d18);
		CHECK_EQ_U64(ti->top_of_stack, 0xffff850429890ee8ull);
		CHECK_EQ_U64(ti->debugger_data_offset, 0x104a8);
		CHECK_EQ_U64(ti->data_blocks_count, 1831);
	}
	test_drivers(d);
	test_unloaded(d);
	test_kdbg(d, ps_dump_bytes(d, NULL));
	test_blocks(d, raw, raw_size);
	ps_dump_close(d);

	/* The same bytes opened from memory give the same view. */
	CHECK(ps_dump_open_memory(raw, raw_size, "mem", &d, &err) == PS_OK);
	if (d) {
		CHECK_EQ_U64(ps_dump_triage_driver_count(d), 151);
		CHECK(ps_dump_triage_kdbg(d, NULL) == raw + ps_le32(raw + 0x2070));
		ps_dump_close(d);
	}
	free(raw);
	return CHECK_DONE();
}
