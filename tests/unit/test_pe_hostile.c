/*
 * test_pe_hostile.c - the PE reader on damaged and crafted images:
 * truncation at every length, e_lfanew out of range, bad signatures, huge
 * section and directory counts, resource directories that loop or claim
 * huge entry counts, version blocks with lying lengths, and resource bytes
 * that are not available (as when paged out of a dump). Each must end in a
 * clear status, never a crash or a hang.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/bytes.h"
#include "poolscope/pe.h"

/* ---- a synthetic mapped image: RVA == offset ------------------------- */

#define IMG_SIZE 0x4000
#define RSRC_RVA 0x1000
#define RSRC_SIZE 0x1000
#define VER_RVA 0x2000

typedef struct flat {
	uint8_t b[IMG_SIZE];
	uint32_t hole_start, hole_end; /* reads touching [start, end) fail */
} flat;

static ps_status flat_read(void *ctx, uint32_t rva, void *buf, size_t len)
{
	flat *f = ctx;
	if (!ps_in_bounds(rva, len, IMG_SIZE))
		return PS_EINVALID;
	if (f->hole_end > f->hole_start && rva < f->hole_end && rva + len > f->hole_start)
		return PS_ENOTPRESENT;
	memcpy(buf, f->b + rva, len);
	return PS_OK;
}

/* MZ at 0, PE at 0x40, PE32+, one section covering everything after the
 * headers, resource directory at RSRC_RVA. */
static void build_headers(flat *f)
{
	uint8_t *p = f->b;
	uint8_t *opt = p + 0x40 + 24;

	memset(f, 0, sizeof *f);
	p[0] = 'M';
	p[1] = 'Z';
	ps_put_le32(p + 0x3C, 0x40);
	memcpy(p + 0x40, "PE\0\0", 4);
	ps_put_le16(p + 0x44, 0x8664);
	ps_put_le16(p + 0x46, 1);
	ps_put_le16(p + 0x54, 240);
	ps_put_le16(opt, 0x20B);
	ps_put_le64(opt + 24, 0x140000000ull);
	ps_put_le32(opt + 56, IMG_SIZE);
	ps_put_le32(opt + 60, 0x400);
	ps_put_le32(opt + 108, 16);
	ps_put_le32(opt + 112 + 8 * 2, RSRC_RVA);
	ps_put_le32(opt + 112 + 8 * 2 + 4, RSRC_SIZE);
	/* Section table at 0x40 + 24 + 240 = 0x148. */
	memcpy(p + 0x148, ".rsrc", 5);
	ps_put_le32(p + 0x148 + 8, IMG_SIZE - 0x1000);
	ps_put_le32(p + 0x148 + 12, 0x1000);
	ps_put_le32(p + 0x148 + 16, IMG_SIZE - 0x1000);
	ps_put_le32(p + 0x148 + 20, 0x1000);
}

/* One directory at `off` in the resource section with `count` ID entries. */
static void put_dir(flat *f, uint32_t off, uint16_t named, uint16_t ids)
{
	ps_put_le16(f->b + RSRC_RVA + off + 12, named);
	ps_put_le16(f->b + RSRC_RVA + off + 14, ids);
}

static void put_entry(flat *f, uint32_t dir_off, unsigned i, uint32_t name, uint32_t value)
{
	uint8_t *e = f->b + RSRC_RVA + dir_off + 16 + 8 * i;
	ps_put_le32(e, name);
	ps_put_le32(e + 4, value);
}

/* type 16 -> name 1 -> language 0x409 -> data entry -> VER_RVA. */
static void build_chain(flat *f, uint32_t version_size)
{
	put_dir(f, 0x00, 0, 1);
	put_entry(f, 0x00, 0, 16, 0x80000000u | 0x20);
	put_dir(f, 0x20, 0, 1);
	put_entry(f, 0x20, 0, 1, 0x80000000u | 0x40);
	put_dir(f, 0x40, 0, 1);
	put_entry(f, 0x40, 0, 0x409, 0x60);
	ps_put_le32(f->b + RSRC_RVA + 0x60, VER_RVA);
	ps_put_le32(f->b + RSRC_RVA + 0x64, version_size);
}

/* Write a node header + key; returns the offset after the key's padding. */
static size_t put_node(uint8_t *b, size_t off, uint16_t len, uint16_t vlen, uint16_t type, const char *key)
{
	size_t p = off + 6;
	ps_put_le16(b + off, len);
	ps_put_le16(b + off + 2, vlen);
	ps_put_le16(b + off + 4, type);
	for (; *key; key++, p += 2)
		ps_put_le16(b + p, (uint8_t)*key);
	ps_put_le16(b + p, 0);
	p += 2;
	return (p + 3) & ~(size_t)3;
}

static ps_status parse_flat(flat *f, ps_pe *pe, ps_pe_version *ver, ps_error *err)
{
	ps_status st = ps_pe_parse_headers(flat_read, f, pe, err);
	if (st != PS_OK)
		return st;
	return ps_pe_read_version(flat_read, f, pe, ver, err);
}

static void test_synthetic_valid(void)
{
	static flat f;
	ps_pe pe;
	ps_pe_version ver;
	ps_error err;
	uint8_t *v;
	size_t p, s;

	build_headers(&f);
	build_chain(&f, 0x200);
	v = f.b + VER_RVA;
	p = put_node(v, 0, 0x200, 52, 0, "VS_VERSION_INFO");
	ps_put_le32(v + p, 0xFEEF04BD);
	ps_put_le32(v + p + 8, 0x00010002);
	ps_put_le32(v + p + 12, 0x00030004);
	p += 52;
	/* StringFileInfo > StringTable > one String. */
	s = put_node(v, p, 0x60, 0, 1, "StringFileInfo");
	s = put_node(v, s, 0x40, 0, 1, "000004b0");
	{
		size_t str = s;
		size_t val = put_node(v, str, 0x28, 3, 1, "CompanyName");
		ps_put_le16(v + val, 'A');
		ps_put_le16(v + val + 2, 'b');
		ps_put_le16(v + val + 4, 0);
		ps_put_le16(v + str, (uint16_t)(val + 6 - str));
	}
	CHECK_EQ_U64(parse_flat(&f, &pe, &ver, &err), PS_OK);
	CHECK(ver.present);
	CHECK_EQ_U64(ver.file_version_ms, 0x00010002);
	CHECK_EQ_U64(ver.file_version_ls, 0x00030004);
	CHECK_STR(ver.company_name, "Ab");
	CHECK_EQ_U64(ver.translation_count, 0);

	/* The same image with the version bytes "paged out". */
	f.hole_start = VER_RVA;
	f.hole_end = VER_RVA + 0x1000;
	CHECK_EQ_U64(parse_flat(&f, &pe, &ver, &err), PS_ENOTPRESENT);
	CHECK(strstr(err.message, "0x2000") != NULL);
	CHECK(!ver.present);
	/* ... and the resource directory itself missing. */
	f.hole_start = RSRC_RVA;
	f.hole_end = RSRC_RVA + 0x10;
	CHECK_EQ_U64(parse_flat(&f, &pe, &ver, &err), PS_ENOTPRESENT);
	f.hole_start = f.hole_end = 0;
}

static void test_resource_directory_abuse(void)
{
	static flat f;
	ps_pe pe;
	ps_pe_version ver;
	ps_error err;

	/* No resource directory at all. */
	build_headers(&f);
	ps_put_le32(f.b + 0x40 + 24 + 112 + 16, 0);
	CHECK_EQ_U64(parse_flat(&f, &pe, &ver, &err), PS_ENOTFOUND);

	/* No RT_VERSION among the types. */
	build_headers(&f);
	put_dir(&f, 0, 0, 2);
	put_entry(&f, 0, 0, 3, 0x80000000u | 0x20);
	put_entry(&f, 0, 1, 24, 0x80000000u | 0x20);
	CHECK_EQ_U64(parse_flat(&f, &pe, &ver, &err), PS_ENOTFOUND);
	CHECK(strstr(err.message, "no version resource") != NULL);

	/* A type directory that points at itself at every level. */
	build_headers(&f);
	put_dir(&f, 0, 0, 1);
	put_entry(&f, 0, 0, 16, 0x80000000u | 0);
	CHECK_EQ_U64(parse_flat(&f, &pe, &ver, &err), PS_EFORMAT);

	/* Two directories pointing at each other. */
	build_headers(&f);
	put_dir(&f, 0, 0, 1);
	put_entry(&f, 0, 0, 16, 0x80000000u | 0x20);
	put_dir(&f, 0x20, 0, 1);
	put_entry(&f, 0x20, 0, 16, 0x80000000u | 0);
	CHECK_EQ_U64(parse_flat(&f, &pe, &ver, &err), PS_EFORMAT);

	/* 0xFFFF + 0xFFFF entries claimed, none of them RT_VERSION. */
	build_headers(&f);
	put_dir(&f, 0, 0xFFFF, 0xFFFF);
	CHECK_EQ_U64(parse_flat(&f, &pe, &ver, &err), PS_ENOTFOUND);

	/* The same, with RT_VERSION as the very last entry that fits: found. */
	build_headers(&f);
	build_chain(&f, 0x40);
	put_dir(&f, 0, 0xFFFF, 0xFFFF);
	put_entry(&f, 0, 0, 3, 0);
	put_entry(&f, 0, (RSRC_SIZE - 16) / 8 - 1, 16, 0x80000000u | 0x20);
	put_node(f.b + VER_RVA, 0, 0x40, 0, 0, "VS_VERSION_INFO");
	CHECK_EQ_U64(parse_flat(&f, &pe, &ver, &err), PS_OK);
	CHECK(ver.present);

	/* Subdirectory offset outside the section. */
	build_headers(&f);
	put_dir(&f, 0, 0, 1);
	put_entry(&f, 0, 0, 16, 0x80000000u | 0x7FFFFFF0u);
	CHECK_EQ_U64(parse_flat(&f, &pe, &ver, &err), PS_EFORMAT);
	CHECK(strstr(err.message, "outside") != NULL);

	/* Data entry with a huge size and an RVA past the image. */
	build_headers(&f);
	build_chain(&f, 0xFFFFFFFFu);
	CHECK_EQ_U64(parse_flat(&f, &pe, &ver, &err), PS_EFORMAT);
	build_headers(&f);
	build_chain(&f, 0x100);
	ps_put_le32(f.b + RSRC_RVA + 0x60, 0xFFFFFF00u);
	CHECK_EQ_U64(parse_flat(&f, &pe, &ver, &err), PS_EFORMAT);

	/* Resource directory size running past SizeOfImage. */
	build_headers(&f);
	ps_put_le32(f.b + 0x40 + 24 + 112 + 20, 0xFFFFFFF0u);
	CHECK_EQ_U64(parse_flat(&f, &pe, &ver, &err), PS_EFORMAT);
}

static void test_version_block_abuse(void)
{
	static flat f;
	ps_pe pe;
	ps_pe_version ver;
	ps_error err;
	uint8_t *v;
	size_t p;

	/* Not a VS_VERSION_INFO key. */
	build_headers(&f);
	build_chain(&f, 0x100);
	put_node(f.b + VER_RVA, 0, 0x100, 0, 0, "VS_SOMETHING");
	CHECK_EQ_U64(parse_flat(&f, &pe, &ver, &err), PS_EFORMAT);

	/* wLength 0. */
	build_headers(&f);
	build_chain(&f, 0x100);
	CHECK_EQ_U64(parse_flat(&f, &pe, &ver, &err), PS_EFORMAT);

	/* Root claims more than the resource holds; children of wLength 6
	 * (the smallest node) all the way: bounded, no strings. */
	build_headers(&f);
	build_chain(&f, 0x1000);
	v = f.b + VER_RVA;
	p = put_node(v, 0, 0xFFFF, 0, 0, "VS_VERSION_INFO");
	for (; p + 8 <= 0x1000; p += 8)
		ps_put_le16(v + p, 6);
	CHECK_EQ_U64(parse_flat(&f, &pe, &ver, &err), PS_OK);
	CHECK(ver.present);
	CHECK_STR(ver.company_name, "");

	/* Fixed info with a wrong signature is ignored; a key with no NUL
	 * running to the end of the block; a Translation value longer than its
	 * node; a string without terminator. */
	build_headers(&f);
	build_chain(&f, 0x200);
	v = f.b + VER_RVA;
	p = put_node(v, 0, 0x200, 52, 0, "VS_VERSION_INFO");
	ps_put_le32(v + p, 0x12345678);
	ps_put_le32(v + p + 8, 0x00010002);
	p += 52;
	{
		size_t var_info = p, var;
		var = put_node(v, var_info, 0x50, 0, 1, "VarFileInfo");
		p = put_node(v, var, 0x50 - (uint16_t)(var - var_info), 0x400, 0, "Translation");
		for (size_t i = 0; p + 4 <= var_info + 0x50; p += 4, i++)
			ps_put_le32(v + p, 0x04b00409u);
		p = var_info + 0x50;
	}
	{
		size_t sfi = p, table, str;
		table = put_node(v, sfi, (uint16_t)(0x200 - sfi), 0, 1, "StringFileInfo");
		str = put_node(v, table, (uint16_t)(0x200 - table), 0, 1, "040904b0");
		p = put_node(v, str, (uint16_t)(0x200 - str), 200, 1, "ProductName");
		for (; p + 2 <= 0x200; p += 2)
			ps_put_le16(v + p, 'x');
	}
	CHECK_EQ_U64(parse_flat(&f, &pe, &ver, &err), PS_OK);
	CHECK_EQ_U64(ver.file_version_ms, 0);
	CHECK_EQ_U64(ver.translation_count, 4); /* 16 value bytes left in the node */
	CHECK_EQ_U64(ver.translations[0], 0x040904b0u);
	CHECK(strlen(ver.product_name) > 0 && strlen(ver.product_name) < sizeof ver.product_name);
	CHECK(strspn(ver.product_name, "x") == strlen(ver.product_name));
}

static void test_header_abuse(void)
{
	static flat f;
	ps_pe pe;
	ps_error err;

	build_headers(&f);
	CHECK_EQ_U64(ps_pe_parse_headers(flat_read, &f, &pe, &err), PS_OK);
	CHECK_EQ_U64(pe.number_of_sections, 1);
	CHECK_STR(pe.sections[0].name, ".rsrc");

	f.b[0] = 'Z';
	CHECK_EQ_U64(ps_pe_parse_headers(flat_read, &f, &pe, &err), PS_EFORMAT);
	CHECK(strstr(err.message, "MZ") != NULL);

	build_headers(&f);
	ps_put_le32(f.b + 0x3C, 0xFFFFFFF0u);
	CHECK_EQ_U64(ps_pe_parse_headers(flat_read, &f, &pe, &err), PS_EFORMAT);
	CHECK(strstr(err.message, "e_lfanew") != NULL);
	ps_put_le32(f.b + 0x3C, IMG_SIZE - 2);
	CHECK(ps_pe_parse_headers(flat_read, &f, &pe, &err) != PS_OK);

	build_headers(&f);
	f.b[0x42] = 'X';
	CHECK_EQ_U64(ps_pe_parse_headers(flat_read, &f, &pe, &err), PS_EFORMAT);

	build_headers(&f);
	ps_put_le16(f.b + 0x40 + 24, 0x107);
	CHECK_EQ_U64(ps_pe_parse_headers(flat_read, &f, &pe, &err), PS_EFORMAT);

	/* SizeOfOptionalHeader shorter than the fixed PE32+ part. */
	build_headers(&f);
	ps_put_le16(f.b + 0x54, 100);
	CHECK_EQ_U64(ps_pe_parse_headers(flat_read, &f, &pe, &err), PS_EFORMAT);

	/* Huge NumberOfRvaAndSizes: 16 directories at most. */
	build_headers(&f);
	ps_put_le32(f.b + 0x40 + 24 + 108, 0xFFFFFFFFu);
	CHECK_EQ_U64(ps_pe_parse_headers(flat_read, &f, &pe, &err), PS_OK);
	CHECK_EQ_U64(pe.directories[PS_PE_DIR_RESOURCE].rva, RSRC_RVA);

	/* Directories cut by a short SizeOfOptionalHeader (3 of 16 fit). */
	build_headers(&f);
	ps_put_le16(f.b + 0x54, 112 + 3 * 8);
	CHECK_EQ_U64(ps_pe_parse_headers(flat_read, &f, &pe, &err), PS_OK);
	CHECK_EQ_U64(pe.directories[PS_PE_DIR_RESOURCE].rva, RSRC_RVA);
	CHECK_EQ_U64(pe.directories[PS_PE_DIR_EXCEPTION].rva, 0);

	/* 0xFFFF sections: refused, the first 96 kept. */
	build_headers(&f);
	ps_put_le16(f.b + 0x46, 0xFFFF);
	CHECK_EQ_U64(ps_pe_parse_headers(flat_read, &f, &pe, &err), PS_EFORMAT);
	CHECK(strstr(err.message, "65535 sections") != NULL);
	CHECK_EQ_U64(pe.number_of_sections, PS_PE_MAX_SECTIONS);
}

/* The x64 fixture cut at every length, and with its .rsrc raw data
 * pointing past the end of the file. */
static void test_truncation(void)
{
	char path[1024];
	FILE *fp;
	uint8_t *data;
	long n;
	int ok_full = 0, ok_short = 0;

	check_build_path(path, sizeof path, "tests/fixtures/pe_x64.sys");
	fp = fopen(path, "rb");
	CHECK(fp != NULL);
	if (!fp)
		return;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	data = malloc((size_t)n);
	CHECK(data && fread(data, 1, (size_t)n, fp) == (size_t)n);
	fclose(fp);

	for (long len = 0; len <= n; len++) {
		/* A fresh copy per length, so reading past `len` is caught by
		 * ASan instead of landing in the rest of the file. */
		uint8_t *cut = malloc(len ? (size_t)len : 1);
		ps_pe_file pf = { cut, (size_t)len, NULL };
		ps_pe pe;
		ps_pe_version ver;
		ps_error err;
		memcpy(cut, data, (size_t)len);
		if (ps_pe_parse_headers(ps_pe_file_read, &pf, &pe, &err) == PS_OK) {
			pf.pe = &pe;
			if (ps_pe_read_version(ps_pe_file_read, &pf, &pe, &ver, &err) == PS_OK) {
				if (len == n)
					ok_full = 1;
				else
					ok_short++;
			}
		}
		free(cut);
	}
	CHECK(ok_full);
	/* The version block is the last thing in the file but for padding. */
	CHECK(ok_short < 0x200);
	free(data);
}

int main(void)
{
	test_header_abuse();
	test_synthetic_valid();
	test_resource_directory_abuse();
	test_version_block_abuse();
	test_truncation();
	return CHECK_DONE();
}
