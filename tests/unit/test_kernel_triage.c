/*
 * test_kernel_triage.c - the nt layer over the real Windows 10 19041 x64
 * triage dump (bugcheck 0x1000007E): KDBG from the dump's copy, the module
 * list from its driver list, WinDbg module names, address lookups and the
 * PE reader over the image bytes the dump stores.
 *
 * Expected values were read off the file with xxd: the KDBG copy at file
 * offset 0x104a8 (DebuggerDataOffset), the 0x90-byte driver entries from
 * 0x10828 with their checksum at +0x80 and timestamp at +0x88, the names
 * in the string pool at 0x15d18.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "core/bytes.h"
#include "poolscope/kernel.h"

static void test_kdbg(const ps_kernel *k)
{
	const uint8_t *raw = NULL;
	size_t size = 0;
	uint64_t va = 0, v = 0;

	CHECK_EQ_U64(ps_kernel_kdbg(k, &raw, &size, &va), PS_OK);
	if (!raw)
		return;
	CHECK_EQ_U64(size, 0x380);                     /* Header.Size on 19041 */
	CHECK_EQ_U64(va, 0xfffff8047c600b20ull);       /* header KdDebuggerDataBlock */
	CHECK(memcmp(raw + 0x10, "KDBG", 4) == 0);
	CHECK_EQ_U64(ps_le32(raw + 0x14), 0x380);

	CHECK_EQ_U64(ps_kernel_kdbg_field(k, 0x18, &v), PS_OK);  /* KernBase */
	CHECK_EQ_U64(v, 0xfffff8047ba00000ull);
	CHECK_EQ_U64(ps_kernel_kdbg_field(k, 0x48, &v), PS_OK);  /* PsLoadedModuleList */
	CHECK_EQ_U64(v, 0xfffff8047c62a390ull);
	CHECK_EQ_U64(ps_kernel_kdbg_field(k, 0x50, &v), PS_OK);  /* PsActiveProcessHead */
	CHECK_EQ_U64(v, 0xfffff8047c61e200ull);
	CHECK_EQ_U64(ps_kernel_kdbg_field(k, 0x138, &v), PS_OK); /* MmPageSize (a value) */
	CHECK_EQ_U64(v, 0x1000);
	CHECK_EQ_U64(ps_kernel_kdbg_field(k, 0x360, &v), PS_OK); /* PteBase, 1607+ */
	CHECK_EQ_U64(v, 0xfffffd8000000000ull);
	CHECK_EQ_U64(ps_kernel_kdbg_field(k, 0x378, &v), PS_OK); /* last whole slot */
	CHECK_EQ_U64(ps_kernel_kdbg_field(k, 0x37C, &v), PS_ENOTFOUND);
	CHECK_EQ_U64(ps_kernel_kdbg_field(k, 0x380, &v), PS_ENOTFOUND);
	CHECK_EQ_U64(ps_kernel_kdbg_field(k, 0xFFFFFFFFu, &v), PS_ENOTFOUND);
	CHECK_EQ_U64(ps_kernel_base(k), 0xfffff8047ba00000ull);
}

static void check_module(const ps_module *m, const char *name, const char *image, uint64_t base,
			 uint64_t size, uint32_t checksum, uint32_t timestamp)
{
	CHECK(m != NULL);
	if (!m)
		return;
	CHECK_STR(m->name, name);
	CHECK_STR(m->image_name, image);
	CHECK_EQ_U64(m->base, base);
	CHECK_EQ_U64(m->size, size);
	CHECK_EQ_U64(m->checksum, checksum);
	CHECK_EQ_U64(m->timestamp, timestamp);
	CHECK(m->have_header_fields);
	CHECK_EQ_U64(m->ldr_entry, 0);
}

static void test_modules(const ps_kernel *k)
{
	size_t n = ps_kernel_module_count(k);
	int sane = 0, found_self = 0, unique = 1;
	const ps_module *m;

	CHECK_EQ_U64(n, 151);
	if (n != 151)
		return;
	check_module(ps_kernel_module(k, 0), "nt", "ntoskrnl.exe", 0xfffff8047ba00000ull, 0x1046000,
		     0x00a5938c, 0x0d8333e6);
	CHECK_STR(ps_kernel_module(k, 0)->path, "\\SystemRoot\\system32\\ntoskrnl.exe");
	check_module(ps_kernel_module(k, 1), "hal", "hal.dll", 0xfffff80479440000ull, 0x6000,
		     0x0000ce9f, 0x1a7be8e9);
	check_module(ps_kernel_module(k, 150), "rdpbus", "rdpbus.sys", 0xfffff8048b680000ull, 0xe000,
		     0x000106ce, 0x84dfd52a);
	CHECK_STR(ps_kernel_module(k, 150)->path, "\\SystemRoot\\System32\\drivers\\rdpbus.sys");

	/* Names as WinDbg prints them: extension dropped, case kept. */
	CHECK_STR(ps_kernel_module(k, 2)->name, "kd");
	CHECK_STR(ps_kernel_module(k, 3)->name, "CLFS");
	CHECK_STR(ps_kernel_module(k, 16)->name, "Wdf01000");
	CHECK_STR(ps_kernel_module(k, 72)->name, "dump_dumpstorport");
	CHECK_STR(ps_kernel_module(k, 78)->name, "Null");
	CHECK_STR(ps_kernel_module(k, 83)->name, "BasicDisplay");
	CHECK_STR(ps_kernel_module(k, 83)->path,
		  "\\SystemRoot\\System32\\DriverStore\\FileRepository\\basicdisplay.inf_amd64_62ba5773ba05edee\\BasicDisplay.sys");
	CHECK_STR(ps_kernel_module(k, 112)->name, "fastfat");

	for (size_t i = 0; i < n; i++) {
		m = ps_kernel_module(k, i);
		sane += m->base >= 0xfffff80000000000ull && m->base < m->base + m->size &&
			m->name[0] && m->have_header_fields;
		found_self += ps_kernel_module_at(k, m->base + 0x10) == m &&
			      ps_kernel_module_at(k, m->base) == m &&
			      ps_kernel_module_at(k, m->base + m->size - 1) == m;
		for (size_t j = 0; j < i; j++)
			if (strcasecmp(ps_kernel_module(k, j)->name, m->name) == 0)
				unique = 0;
	}
	CHECK_EQ_U64(sane, 151);
	CHECK_EQ_U64(found_self, 151);
	CHECK(unique);

	/* Lookups by name, without case. */
	CHECK(ps_kernel_module_named(k, "nt") == ps_kernel_module(k, 0));
	CHECK(ps_kernel_module_named(k, "NT") == ps_kernel_module(k, 0));
	CHECK(ps_kernel_module_named(k, "hal") == ps_kernel_module(k, 1));
	CHECK(ps_kernel_module_named(k, "wdf01000") == ps_kernel_module(k, 16));
	CHECK(ps_kernel_module_named(k, "ntoskrnl") == NULL);
	CHECK(ps_kernel_module_named(k, "nosuchdriver") == NULL);

	/* The faulting address of the bugcheck (parameter 2) is in amdppm. */
	m = ps_kernel_module_at(k, 0xfffff8048b58334cull);
	CHECK(m != NULL && strcmp(m->name, "amdppm") == 0);
	CHECK(m && m->base == 0xfffff8048b580000ull);

	/* Addresses in no module. */
	CHECK(ps_kernel_module_at(k, 0) == NULL);
	CHECK(ps_kernel_module_at(k, 0xfffff8047ba00000ull + 0x1046000) == NULL); /* nt's end, a gap */
	CHECK(ps_kernel_module_at(k, 0xfffff80479440000ull - 1) == NULL);
	CHECK(ps_kernel_module_at(k, UINT64_MAX) == NULL);
}

static void test_image_reader(ps_kernel *k)
{
	const ps_module *nt = ps_kernel_module(k, 0);
	ps_kernel_image_reader r;
	ps_pe pe;
	ps_pe_version ver;
	ps_error err;
	uint8_t b[16];
	ps_status st;

	if (!nt)
		return;
	r = (ps_kernel_image_reader){ k, nt->base, nt->size, PS_OK };
	/* The triage dump stores ntoskrnl's header page as a data block. */
	st = ps_pe_parse_headers(ps_kernel_image_read, &r, &pe, &err);
	if (st != PS_OK)
		fprintf(stderr, "nt headers: %s\n", err.message);
	CHECK_EQ_U64(st, PS_OK);
	CHECK_EQ_U64(pe.machine, 0x8664);
	CHECK(pe.is_pe32_plus);
	CHECK_EQ_U64(pe.time_date_stamp, nt->timestamp);
	CHECK_EQ_U64(pe.checksum, nt->checksum);
	CHECK_EQ_U64(pe.size_of_image, nt->size);

	/* Clamped to the image: the last byte yes (if stored), past it never. */
	CHECK_EQ_U64(ps_kernel_image_read(&r, (uint32_t)nt->size - 8, b, 16), PS_EINVALID);
	CHECK_EQ_U64(r.last, PS_EINVALID);
	CHECK_EQ_U64(ps_kernel_image_read(&r, 0xFFFFFFF0u, b, 16), PS_EINVALID);

	/* The resource section is not in a triage dump: a status, no guess. */
	st = ps_pe_read_version(ps_kernel_image_read, &r, &pe, &ver, &err);
	printf("nt version resource: %s (%s)\n", ps_status_name(st), st == PS_OK ? "" : err.message);
	CHECK(st != PS_OK);
	CHECK(st == PS_ENOTPRESENT || st == PS_EINVALID);
	CHECK(!ver.present);
	CHECK_STR(ver.company_name, "");
}

int main(void)
{
	char path[4096];
	ps_dump *d = NULL;
	ps_kernel *k = NULL;
	ps_error err;

	check_shared_path(path, sizeof path, "data/triage_x64.dmp");
	CHECK_EQ_U64(ps_dump_open(path, &d, &err), PS_OK);
	if (!d) {
		fprintf(stderr, "%s\n", err.message);
		return CHECK_DONE();
	}
	CHECK_EQ_U64(ps_kernel_open(d, &k, &err), PS_OK);
	if (!k) {
		fprintf(stderr, "%s\n", err.message);
		ps_dump_close(d);
		return CHECK_DONE();
	}
	CHECK(ps_kernel_dump(k) == d);
	CHECK(ps_kernel_vm(k) != NULL);
	CHECK_EQ_U64(ps_kernel_warning_count(k), 0);
	for (size_t i = 0; i < ps_kernel_warning_count(k); i++)
		fprintf(stderr, "warning: %s\n", ps_kernel_warning(k, i));
	CHECK(ps_kernel_warning(k, 0) == NULL);

	test_kdbg(k);
	test_modules(k);
	test_image_reader(k);

	ps_kernel_close(k);
	ps_dump_close(d);
	return CHECK_DONE();
}
