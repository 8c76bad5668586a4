/*
 * test_pe.c - PE headers and the version resource, on drivers real linkers
 * built (tests/fixtures: clang + lld-link for x64 and x86, mingw-w64 gcc +
 * windres for x64 and x86), read from the file through the section table.
 *
 * Every expected value comes from tests/fixtures/pe_driver.rc or from the
 * linker command lines in tests/fixtures/CMakeLists.txt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/bytes.h"
#include "poolscope/pe.h"

static const ps_pe_section *section_named(const ps_pe *pe, const char *name)
{
	for (unsigned i = 0; i < pe->number_of_sections; i++)
		if (strcmp(pe->sections[i].name, name) == 0)
			return &pe->sections[i];
	return NULL;
}

static void check_image(const char *file, uint16_t machine, int pe32_plus)
{
	char path[1024], tr[64];
	size_t size = 0;
	uint8_t *data;
	ps_pe pe;
	ps_pe_version ver;
	ps_pe_file pf;
	ps_error err;
	ps_status st;
	uint32_t lfanew, off;
	const ps_pe_section *rsrc;

	check_build_path(path, sizeof path, file);
	data = check_read_file(path, &size);
	if (!data) {
		fprintf(stderr, "%s: fixture missing (are clang/lld-link/llvm-rc and mingw-w64 installed?)\n", path);
		CHECK(data != NULL);
		return;
	}
	printf("%s: %zu bytes\n", file, size);

	pf = (ps_pe_file){ data, size, NULL };
	st = ps_pe_parse_headers(ps_pe_file_read, &pf, &pe, &err);
	if (st != PS_OK)
		fprintf(stderr, "%s: %s\n", file, err.message);
	CHECK_EQ_U64(st, PS_OK);

	/* Header fields, against plain reads of the file. */
	lfanew = ps_le32(data + 0x3C);
	CHECK_EQ_U64(pe.machine, machine);
	CHECK_EQ_U64(pe.is_pe32_plus, pe32_plus);
	CHECK_EQ_U64(pe.time_date_stamp, ps_le32(data + lfanew + 8));
	CHECK_EQ_U64(pe.number_of_sections, ps_le16(data + lfanew + 6));
	CHECK_EQ_U64(pe.checksum, ps_le32(data + lfanew + 24 + 64));
	CHECK_EQ_U64(pe.size_of_image, ps_le32(data + lfanew + 24 + 56));
	CHECK_EQ_U64(pe.subsystem, 1); /* IMAGE_SUBSYSTEM_NATIVE: /subsystem:native */
	CHECK(pe.size_of_image >= 0x2000 && pe.size_of_image % 0x1000 == 0);
	CHECK(pe.size_of_headers > 0 && pe.size_of_headers <= 0x1000);
	CHECK(pe.entry_point > 0 && pe.entry_point < pe.size_of_image);
	CHECK(pe32_plus ? pe.image_base >= 0x10000 : pe.image_base <= 0xFFFFFFFFu);
	CHECK_EQ_U64(pe.number_of_rva_and_sizes, 16);
	CHECK(section_named(&pe, ".text") != NULL);
	rsrc = section_named(&pe, ".rsrc");
	CHECK(rsrc != NULL);
	if (!rsrc) {
		free(data);
		return;
	}
	CHECK_EQ_U64(pe.directories[PS_PE_DIR_RESOURCE].rva, rsrc->virtual_address);
	CHECK(pe.directories[PS_PE_DIR_RESOURCE].size > 0);

	/* RVA to file offset through the section table. */
	CHECK_EQ_U64(ps_pe_rva_to_offset(&pe, rsrc->virtual_address + 4, &off), PS_OK);
	CHECK_EQ_U64(off, rsrc->raw_offset + 4);
	CHECK_EQ_U64(ps_pe_rva_to_offset(&pe, 0x3C, &off), PS_OK);
	CHECK_EQ_U64(off, 0x3C);
	CHECK_EQ_U64(ps_pe_rva_to_offset(&pe, pe.size_of_image + 0x1000, &off), PS_ENOTFOUND);

	/* The version resource, every field. */
	pf.pe = &pe;
	st = ps_pe_read_version(ps_pe_file_read, &pf, &pe, &ver, &err);
	if (st != PS_OK)
		fprintf(stderr, "%s: %s\n", file, err.message);
	CHECK_EQ_U64(st, PS_OK);
	CHECK(ver.present);
	CHECK_EQ_U64(ver.file_version_ms, (10u << 16) | 0);
	CHECK_EQ_U64(ver.file_version_ls, (19041u << 16) | 1);
	CHECK_EQ_U64(ver.product_version_ms, (10u << 16) | 0);
	CHECK_EQ_U64(ver.product_version_ls, (19041u << 16) | 2);
	CHECK_STR(ver.company_name, "Poolscope Test Fixtures");
	CHECK_STR(ver.product_name, "poolscope fixtures");
	CHECK_STR(ver.internal_name, "SIoctl.sys");
	CHECK_STR(ver.original_filename, "SIoctl.sys");
	CHECK_STR(ver.file_version, "10.0.19041.1 (fixture.200101-0000)");
	CHECK_STR(ver.product_version, "10.0.19041.2");
	CHECK_STR(ver.file_description, "Pool tag fixture driver \xc3\xa9t\xc3\xa9 \xe2\x98\x83");
	CHECK_STR(ver.legal_copyright, "(c) Nobody. No rights reserved.");
	CHECK_EQ_U64(ver.translation_count, 4);
	tr[0] = '\0';
	for (size_t i = 0; i < ver.translation_count && i < 4; i++) {
		char one[16];
		snprintf(one, sizeof one, "%s%04x.%04x", i ? " " : "",
			 ver.translations[i] >> 16, ver.translations[i] & 0xFFFF);
		strcat(tr, one);
	}
	/* As lmv prints them in the seed article. */
	CHECK_STR(tr, "0000.04b0 0000.04e4 0409.04b0 0409.04e4");
	free(data);
}

int main(void)
{
	check_image("tests/fixtures/pe_x64.sys", 0x8664, 1);
	check_image("tests/fixtures/pe_x86.sys", 0x14C, 0);
	check_image("tests/fixtures/pe_mingw64.sys", 0x8664, 1);
	check_image("tests/fixtures/pe_mingw32.sys", 0x14C, 0);
	return CHECK_DONE();
}
