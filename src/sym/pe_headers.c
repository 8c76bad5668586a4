/*
 * pe_headers.c - the DOS, NT and section headers of a PE image.
 *
 * The image is read through a callback, so the same code serves an image
 * mapped in a dump and a file on disk. Layouts follow the Microsoft PE/COFF
 * specification ("PE Format", learn.microsoft.com/windows/win32/debug/pe-format):
 * IMAGE_DOS_HEADER.e_lfanew at 0x3C, the 'PE\0\0' signature, the 20-byte COFF
 * file header, the PE32 (magic 0x10B) or PE32+ (0x20B) optional header and
 * 40-byte section headers placed right after the optional header.
 */
#include "poolscope/pe.h"

#include <string.h>

#include "core/bytes.h"

#define DOS_MAGIC 0x5A4D          /* "MZ" */
#define NT_SIGNATURE 0x00004550u  /* "PE\0\0" */
#define OPT_MAGIC_PE32 0x10B
#define OPT_MAGIC_PE32_PLUS 0x20B

/* Real images keep e_lfanew small (0x80..0x200 for every linker in use); a
 * larger value is accepted up to this bound so hostile input cannot make us
 * read far away. */
#define MAX_E_LFANEW 0x100000u

#define COFF_HEADER_SIZE 20
#define SECTION_HEADER_SIZE 40
/* Fixed part of the optional header before the data directories. */
#define OPT_FIXED_PE32 96
#define OPT_FIXED_PE32_PLUS 112
#define OPT_MAX (OPT_FIXED_PE32_PLUS + 16 * 8)

static ps_status read_at(ps_pe_read_fn read, void *ctx, uint32_t rva, void *buf,
			 size_t len, const char *what, ps_error *err)
{
	ps_status st = read(ctx, rva, buf, len);
	if (st != PS_OK)
		return ps_error_set(err, st, "PE %s at RVA 0x%x (0x%zx bytes) cannot be read: %s",
				    what, rva, len, ps_status_name(st));
	return PS_OK;
}

static void parse_optional(ps_pe *pe, const uint8_t *opt, size_t have)
{
	unsigned dir_off = pe->is_pe32_plus ? OPT_FIXED_PE32_PLUS : OPT_FIXED_PE32;
	uint32_t ndirs;

	pe->entry_point = ps_le32(opt + 16);
	pe->image_base = pe->is_pe32_plus ? ps_le64(opt + 24) : ps_le32(opt + 28);
	pe->size_of_image = ps_le32(opt + 56);
	pe->size_of_headers = ps_le32(opt + 60);
	pe->checksum = ps_le32(opt + 64);
	pe->subsystem = ps_le16(opt + 68);
	pe->dll_characteristics = ps_le16(opt + 70);
	pe->number_of_rva_and_sizes = ps_le32(opt + dir_off - 4);

	/* Directories exist only as far as both NumberOfRvaAndSizes and
	 * SizeOfOptionalHeader say. */
	ndirs = pe->number_of_rva_and_sizes;
	if (ndirs > 16)
		ndirs = 16;
	if (ndirs > (have - dir_off) / 8)
		ndirs = (uint32_t)((have - dir_off) / 8);
	for (uint32_t i = 0; i < ndirs; i++) {
		pe->directories[i].rva = ps_le32(opt + dir_off + 8 * i);
		pe->directories[i].size = ps_le32(opt + dir_off + 8 * i + 4);
	}
}

ps_status ps_pe_parse_headers(ps_pe_read_fn read, void *ctx, ps_pe *pe, ps_error *err)
{
	uint8_t dos[0x40], nt[4 + COFF_HEADER_SIZE], opt[OPT_MAX];
	uint8_t table[PS_PE_MAX_SECTIONS * SECTION_HEADER_SIZE];
	uint32_t lfanew, opt_rva, table_rva;
	uint16_t opt_size, magic, declared;
	size_t opt_have;
	ps_status st;

	memset(pe, 0, sizeof *pe);
	if ((st = read_at(read, ctx, 0, dos, sizeof dos, "DOS header", err)) != PS_OK)
		return st;
	if (ps_le16(dos) != DOS_MAGIC)
		return ps_error_set(err, PS_EFORMAT, "PE DOS header at RVA 0: magic 0x%04x is not 'MZ'",
				    ps_le16(dos));
	lfanew = ps_le32(dos + 0x3C);
	if (lfanew > MAX_E_LFANEW)
		return ps_error_set(err, PS_EFORMAT, "PE e_lfanew 0x%x is beyond the 0x%x limit",
				    lfanew, MAX_E_LFANEW);

	if ((st = read_at(read, ctx, lfanew, nt, sizeof nt, "NT headers", err)) != PS_OK)
		return st;
	if (ps_le32(nt) != NT_SIGNATURE)
		return ps_error_set(err, PS_EFORMAT, "PE signature at RVA 0x%x is 0x%08x, not 'PE\\0\\0'",
				    lfanew, ps_le32(nt));
	pe->machine = ps_le16(nt + 4);
	declared = ps_le16(nt + 6);
	pe->time_date_stamp = ps_le32(nt + 8);
	opt_size = ps_le16(nt + 20);
	pe->characteristics = ps_le16(nt + 22);

	opt_rva = lfanew + 4 + COFF_HEADER_SIZE;
	if (opt_size < 2)
		return ps_error_set(err, PS_EFORMAT, "PE optional header at RVA 0x%x: SizeOfOptionalHeader %u is too small",
				    opt_rva, opt_size);
	opt_have = opt_size < sizeof opt ? opt_size : sizeof opt;
	if ((st = read_at(read, ctx, opt_rva, opt, opt_have, "optional header", err)) != PS_OK)
		return st;
	magic = ps_le16(opt);
	if (magic == OPT_MAGIC_PE32_PLUS)
		pe->is_pe32_plus = 1;
	else if (magic != OPT_MAGIC_PE32)
		return ps_error_set(err, PS_EFORMAT, "PE optional header at RVA 0x%x: magic 0x%x is neither PE32 nor PE32+",
				    opt_rva, magic);
	if (opt_have < (pe->is_pe32_plus ? OPT_FIXED_PE32_PLUS : OPT_FIXED_PE32))
		return ps_error_set(err, PS_EFORMAT, "PE optional header at RVA 0x%x: SizeOfOptionalHeader %u is shorter than a %s header",
				    opt_rva, opt_size, pe->is_pe32_plus ? "PE32+" : "PE32");
	parse_optional(pe, opt, opt_have);

	/* The Windows loader refuses more than 96 sections (PE/COFF spec,
	 * "COFF File Header"); so do we, after keeping the first 96. */
	pe->number_of_sections = declared > PS_PE_MAX_SECTIONS ? PS_PE_MAX_SECTIONS : declared;
	table_rva = opt_rva + opt_size;
	if (pe->number_of_sections) {
		st = read_at(read, ctx, table_rva, table,
			     (size_t)pe->number_of_sections * SECTION_HEADER_SIZE, "section table", err);
		if (st != PS_OK) {
			pe->number_of_sections = 0;
			return st;
		}
	}
	for (unsigned i = 0; i < pe->number_of_sections; i++) {
		const uint8_t *h = table + i * SECTION_HEADER_SIZE;
		ps_pe_section *s = &pe->sections[i];
		memcpy(s->name, h, 8);
		s->name[8] = '\0';
		s->virtual_size = ps_le32(h + 8);
		s->virtual_address = ps_le32(h + 12);
		s->raw_size = ps_le32(h + 16);
		s->raw_offset = ps_le32(h + 20);
		s->characteristics = ps_le32(h + 36);
	}
	if (declared > PS_PE_MAX_SECTIONS)
		return ps_error_set(err, PS_EFORMAT, "PE file header at RVA 0x%x declares %u sections; at most %u are allowed",
				    lfanew + 4, declared, PS_PE_MAX_SECTIONS);
	return PS_OK;
}

ps_status ps_pe_rva_to_offset(const ps_pe *pe, uint32_t rva, uint32_t *offset)
{
	for (unsigned i = 0; i < pe->number_of_sections && i < PS_PE_MAX_SECTIONS; i++) {
		const ps_pe_section *s = &pe->sections[i];
		if (rva >= s->virtual_address && rva - s->virtual_address < s->raw_size) {
			uint64_t off = (uint64_t)s->raw_offset + (rva - s->virtual_address);
			if (off > UINT32_MAX)
				return PS_ENOTFOUND;
			*offset = (uint32_t)off;
			return PS_OK;
		}
	}
	/* The headers are mapped at RVA 0 exactly as they are in the file. */
	if (rva < pe->size_of_headers) {
		*offset = rva;
		return PS_OK;
	}
	return PS_ENOTFOUND;
}
