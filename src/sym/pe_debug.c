/*
 * pe_debug.c - the debug directory of a PE image and its CodeView record.
 *
 * The debug directory (data directory 6) is an array of 28-byte
 * IMAGE_DEBUG_DIRECTORY entries: Characteristics, TimeDateStamp,
 * MajorVersion, MinorVersion, Type, SizeOfData, AddressOfRawData,
 * PointerToRawData (PE/COFF spec, "The .debug Section"). Type 2 is
 * CODEVIEW; its data in every image a PDB-era linker makes is an RSDS
 * record: 'RSDS', the PDB's GUID (16 bytes), its age (4 bytes) and the PDB
 * path as a NUL-terminated string (the layout symbol servers key on; see
 * formats.md and the "Debug Directory" section of the spec). Older NB10
 * records carry a 32-bit signature instead and are not what a PDB 7.0
 * lookup needs, so they are skipped.
 */
#include "poolscope/pe.h"

#include <string.h>

#include "core/bytes.h"

#define DEBUG_ENTRY_SIZE 28
#define DEBUG_TYPE_CODEVIEW 2
#define RSDS_SIGNATURE 0x53445352u  /* "RSDS" */
#define NB10_SIGNATURE 0x3031424Eu  /* "NB10" */
#define RSDS_FIXED 24               /* signature, GUID, age */

ps_status ps_pe_read_debug_directory(ps_pe_read_fn read, void *ctx, const ps_pe *pe,
				     ps_pe_debug_entry *entries, size_t *count, ps_error *err)
{
	uint8_t raw[PS_PE_MAX_DEBUG_ENTRIES * DEBUG_ENTRY_SIZE];
	uint32_t rva = pe->directories[PS_PE_DIR_DEBUG].rva;
	uint32_t size = pe->directories[PS_PE_DIR_DEBUG].size;
	size_t n;
	ps_status st;

	*count = 0;
	if (rva == 0 || size < DEBUG_ENTRY_SIZE)
		return ps_error_set(err, PS_ENOTFOUND, "PE image has no debug directory");
	n = size / DEBUG_ENTRY_SIZE;
	if (n > PS_PE_MAX_DEBUG_ENTRIES)
		n = PS_PE_MAX_DEBUG_ENTRIES;
	st = read(ctx, rva, raw, n * DEBUG_ENTRY_SIZE);
	if (st != PS_OK)
		return ps_error_set(err, st, "PE debug directory at RVA 0x%x (%zu entries) cannot be read: %s",
				    rva, n, ps_status_name(st));
	for (size_t i = 0; i < n; i++) {
		const uint8_t *e = raw + i * DEBUG_ENTRY_SIZE;
		entries[i].characteristics = ps_le32(e);
		entries[i].time_date_stamp = ps_le32(e + 4);
		entries[i].major_version = ps_le16(e + 8);
		entries[i].minor_version = ps_le16(e + 10);
		entries[i].type = ps_le32(e + 12);
		entries[i].size_of_data = ps_le32(e + 16);
		entries[i].address_of_raw_data = ps_le32(e + 20);
		entries[i].pointer_to_raw_data = ps_le32(e + 24);
	}
	*count = n;
	if (size / DEBUG_ENTRY_SIZE > PS_PE_MAX_DEBUG_ENTRIES)
		return ps_error_set(err, PS_EFORMAT, "PE debug directory at RVA 0x%x declares %u entries; only the first %d are read",
				    rva, size / DEBUG_ENTRY_SIZE, PS_PE_MAX_DEBUG_ENTRIES);
	return PS_OK;
}

ps_status ps_pe_debug_data_rva(const ps_pe *pe, const ps_pe_debug_entry *e, uint32_t *rva)
{
	if (e->address_of_raw_data) {
		*rva = e->address_of_raw_data;
		return PS_OK;
	}
	if (e->pointer_to_raw_data == 0)
		return PS_ENOTFOUND;
	for (unsigned i = 0; i < pe->number_of_sections && i < PS_PE_MAX_SECTIONS; i++) {
		const ps_pe_section *s = &pe->sections[i];
		if (e->pointer_to_raw_data >= s->raw_offset &&
		    e->pointer_to_raw_data - s->raw_offset < s->raw_size) {
			uint64_t r = (uint64_t)s->virtual_address + (e->pointer_to_raw_data - s->raw_offset);
			if (r > UINT32_MAX)
				return PS_ENOTFOUND;
			*rva = (uint32_t)r;
			return PS_OK;
		}
	}
	return PS_ENOTFOUND;
}

/* Read the RSDS record of one CODEVIEW entry. PS_ENOTFOUND when the
 * record is another format. */
static ps_status read_rsds(ps_pe_read_fn read, void *ctx, const ps_pe *pe, const ps_pe_debug_entry *e,
			   ps_pe_codeview *cv, ps_error *err)
{
	uint8_t head[RSDS_FIXED];
	uint32_t rva, sig;
	size_t name_max;
	ps_status st;

	if (ps_pe_debug_data_rva(pe, e, &rva) != PS_OK)
		return ps_error_set(err, PS_ENOTFOUND, "PE CodeView entry (file offset 0x%x) is not mapped in the image",
				    e->pointer_to_raw_data);
	if (e->size_of_data < 4)
		return ps_error_set(err, PS_EFORMAT, "PE CodeView record at RVA 0x%x: SizeOfData %u is too small",
				    rva, e->size_of_data);
	st = read(ctx, rva, head, e->size_of_data < RSDS_FIXED ? 4 : RSDS_FIXED);
	if (st != PS_OK)
		return ps_error_set(err, st, "PE CodeView record at RVA 0x%x cannot be read: %s", rva, ps_status_name(st));
	sig = ps_le32(head);
	if (sig != RSDS_SIGNATURE)
		return ps_error_set(err, PS_ENOTFOUND, "PE CodeView record at RVA 0x%x is %s, not RSDS",
				    rva, sig == NB10_SIGNATURE ? "NB10" : "of an unknown format");
	if (e->size_of_data <= RSDS_FIXED)
		return ps_error_set(err, PS_EFORMAT, "PE CodeView RSDS record at RVA 0x%x: SizeOfData %u leaves no room for the PDB name",
				    rva, e->size_of_data);
	memcpy(cv->guid, head + 4, 16);
	cv->age = ps_le32(head + 20);
	/* The name ends at its NUL or at SizeOfData, whichever comes first. */
	name_max = e->size_of_data - RSDS_FIXED + 1;
	if (name_max > sizeof cv->pdb_name)
		name_max = sizeof cv->pdb_name;
	st = ps_pe_read_string(read, ctx, rva + RSDS_FIXED, cv->pdb_name, name_max, err);
	if (st != PS_OK) {
		ps_error_prefix(err, "PE CodeView RSDS record at RVA 0x%x: PDB name: ", rva);
		return st;
	}
	if (cv->pdb_name[0] == '\0')
		return ps_error_set(err, PS_EFORMAT, "PE CodeView RSDS record at RVA 0x%x has an empty PDB name", rva);
	return PS_OK;
}

ps_status ps_pe_read_codeview(ps_pe_read_fn read, void *ctx, const ps_pe *pe,
			      ps_pe_codeview *cv, ps_error *err)
{
	ps_pe_debug_entry entries[PS_PE_MAX_DEBUG_ENTRIES];
	size_t n = 0;
	ps_status st, kept = PS_OK;
	ps_error kept_err, tmp;

	memset(cv, 0, sizeof *cv);
	ps_error_clear(&kept_err);
	st = ps_pe_read_debug_directory(read, ctx, pe, entries, &n, err);
	if (st != PS_OK && n == 0)
		return st;
	for (size_t i = 0; i < n; i++) {
		if (entries[i].type != DEBUG_TYPE_CODEVIEW)
			continue;
		st = read_rsds(read, ctx, pe, &entries[i], cv, &tmp);
		if (st == PS_OK)
			return PS_OK;
		memset(cv, 0, sizeof *cv);
		/* Report the first failure, but prefer a real one (an
		 * unreadable page, a damaged record) to "not RSDS". */
		if (kept == PS_OK || (kept == PS_ENOTFOUND && st != PS_ENOTFOUND)) {
			kept = st;
			kept_err = tmp;
		}
	}
	if (kept != PS_OK) {
		if (err)
			*err = kept_err;
		return kept;
	}
	return ps_error_set(err, PS_ENOTFOUND, "PE debug directory has no CodeView entry");
}
