/*
 * pe_imports.c - the import directory of a PE image: which DLL and name
 * each import address table (IAT) slot is bound to.
 *
 * The directory (data directory 1) is an array of 20-byte
 * IMAGE_IMPORT_DESCRIPTORs ended by an all-zero one: OriginalFirstThunk
 * (the import lookup table, ILT) at +0, Name (the DLL's name) at +12,
 * FirstThunk (the IAT) at +16 (PE/COFF spec, "The .idata Section"). Both
 * tables hold one pointer-sized thunk an import, ended by zero: with the
 * top bit set it is an ordinal (low 16 bits), otherwise the RVA of a
 * hint/name entry (a 16-bit hint, then the name). In a loaded image the IAT
 * holds bound addresses, so names come from the ILT; only an image without
 * an ILT (old linkers) is read from the IAT, which works for files only.
 *
 * Nothing here trusts the image: descriptors stop at the terminator, at
 * MAX_DESCRIPTORS or at the first unreadable one; thunk lists stop at zero
 * or MAX_THUNKS_PER_DLL; a hint/name RVA that cannot be read gives an
 * import without a name and an error naming the RVA.
 */
#include "poolscope/pe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"

#define DESCRIPTOR_SIZE 20
#define MAX_DESCRIPTORS 4096u
#define MAX_THUNKS_PER_DLL 65536u
#define MAX_IMPORTS (1u << 20)

typedef struct import_list {
	ps_pe_import *items;
	size_t count, cap;
	ps_status first;
	ps_error *err;
} import_list;

static void note(import_list *l, ps_status st, const ps_error *e)
{
	if (l->first == PS_OK) {
		l->first = st;
		if (l->err && e)
			*l->err = *e;
	}
}

static ps_pe_import *grow(import_list *l)
{
	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		ps_pe_import *p = realloc(l->items, cap * sizeof *p);
		if (!p)
			return NULL;
		l->items = p;
		l->cap = cap;
	}
	memset(&l->items[l->count], 0, sizeof l->items[0]);
	return &l->items[l->count++];
}

/* Read the thunks of one descriptor. Returns PS_ENOMEM only; other
 * problems are noted and end this DLL's list. */
static ps_status read_thunks(ps_pe_read_fn read, void *ctx, const ps_pe *pe, import_list *l,
			     const char *dll, uint32_t lookup_rva, uint32_t iat_rva)
{
	unsigned ptr = pe->is_pe32_plus ? 8 : 4;
	uint64_t ordinal_flag = pe->is_pe32_plus ? 1ull << 63 : 1ull << 31;
	ps_error e;

	for (uint32_t i = 0;; i++) {
		uint8_t raw[8];
		uint64_t thunk, rva = (uint64_t)lookup_rva + (uint64_t)i * ptr;
		uint64_t slot = (uint64_t)iat_rva + (uint64_t)i * ptr;
		ps_pe_import *imp;
		ps_status st;

		if (i == MAX_THUNKS_PER_DLL || l->count >= MAX_IMPORTS) {
			ps_error_set(&e, PS_EFORMAT, "PE imports from %s: thunk list at RVA 0x%x has no terminator within %u entries",
				     dll, lookup_rva, i);
			note(l, PS_EFORMAT, &e);
			return PS_OK;
		}
		if (rva + ptr > UINT32_MAX || slot + ptr > UINT32_MAX) {
			ps_error_set(&e, PS_EFORMAT, "PE imports from %s: thunk list at RVA 0x%x runs past the 4 GB RVA space",
				     dll, lookup_rva);
			note(l, PS_EFORMAT, &e);
			return PS_OK;
		}
		st = read(ctx, (uint32_t)rva, raw, ptr);
		if (st != PS_OK) {
			ps_error_set(&e, st, "PE imports from %s: thunk %u at RVA 0x%llx cannot be read: %s",
				     dll, i, (unsigned long long)rva, ps_status_name(st));
			note(l, st, &e);
			return PS_OK;
		}
		thunk = ptr == 8 ? ps_le64(raw) : ps_le32(raw);
		if (thunk == 0)
			return PS_OK;
		if (!(imp = grow(l)))
			return PS_ENOMEM;
		snprintf(imp->dll, sizeof imp->dll, "%s", dll);
		imp->iat_rva = (uint32_t)slot;
		if (thunk & ordinal_flag) {
			imp->ordinal = (uint32_t)(thunk & 0xFFFF);
			continue;
		}
		/* Bits 30..0 (31..0 on PE32+, whose upper half must be 0) are
		 * the hint/name entry's RVA. */
		if (thunk > UINT32_MAX - 2) {
			ps_error_set(&e, PS_EFORMAT, "PE imports from %s: thunk %u at RVA 0x%llx holds 0x%llx, not a hint/name RVA",
				     dll, i, (unsigned long long)rva, (unsigned long long)thunk);
			note(l, PS_EFORMAT, &e);
			continue;
		}
		if (pe->size_of_image && thunk >= pe->size_of_image) {
			ps_error_set(&e, PS_EFORMAT, "PE imports from %s: thunk %u at RVA 0x%llx points at RVA 0x%llx, outside the 0x%x-byte image",
				     dll, i, (unsigned long long)rva, (unsigned long long)thunk, pe->size_of_image);
			note(l, PS_EFORMAT, &e);
			continue;
		}
		st = read(ctx, (uint32_t)thunk, raw, 2);
		if (st == PS_OK) {
			imp->hint = ps_le16(raw);
			st = ps_pe_read_string(read, ctx, (uint32_t)thunk + 2, imp->name, sizeof imp->name, &e);
		} else {
			ps_error_set(&e, st, "PE hint/name entry at RVA 0x%llx cannot be read: %s",
				     (unsigned long long)thunk, ps_status_name(st));
		}
		if (st != PS_OK) {
			imp->name[0] = '\0';
			ps_error_prefix(&e, "PE imports from %s, IAT slot RVA 0x%x: ", dll, imp->iat_rva);
			note(l, st, &e);
		}
	}
}

ps_status ps_pe_read_imports(ps_pe_read_fn read, void *ctx, const ps_pe *pe,
			     ps_pe_import **out, size_t *count, ps_error *err)
{
	uint32_t dir = pe->directories[PS_PE_DIR_IMPORT].rva;
	import_list l = { NULL, 0, 0, PS_OK, err };
	ps_error e;
	uint32_t i;

	*out = NULL;
	*count = 0;
	if (dir == 0 || pe->directories[PS_PE_DIR_IMPORT].size == 0)
		return ps_error_set(err, PS_ENOTFOUND, "PE image has no import directory");

	/* The declared size is not trusted to count descriptors (linkers
	 * disagree on whether it includes the terminator); the terminator is. */
	for (i = 0; i < MAX_DESCRIPTORS; i++) {
		uint8_t d[DESCRIPTOR_SIZE], zero[DESCRIPTOR_SIZE] = { 0 };
		uint64_t at = (uint64_t)dir + (uint64_t)i * DESCRIPTOR_SIZE;
		uint32_t ilt, name_rva, iat;
		char dll[sizeof l.items[0].dll];
		ps_status st;

		if (at + DESCRIPTOR_SIZE > UINT32_MAX) {
			ps_error_set(&e, PS_EFORMAT, "PE import directory at RVA 0x%x runs past the 4 GB RVA space", dir);
			note(&l, PS_EFORMAT, &e);
			break;
		}
		st = read(ctx, (uint32_t)at, d, sizeof d);
		if (st != PS_OK) {
			ps_error_set(&e, st, "PE import descriptor %u at RVA 0x%llx cannot be read: %s",
				     i, (unsigned long long)at, ps_status_name(st));
			note(&l, st, &e);
			break;
		}
		if (memcmp(d, zero, sizeof d) == 0)
			break;
		ilt = ps_le32(d);
		name_rva = ps_le32(d + 12);
		iat = ps_le32(d + 16);
		/* The loader also stops at a descriptor without a name. */
		if (name_rva == 0)
			break;
		if (ps_pe_read_string(read, ctx, name_rva, dll, sizeof dll, &e) != PS_OK) {
			ps_error_prefix(&e, "PE import descriptor %u: DLL name: ", i);
			note(&l, e.status, &e);
			snprintf(dll, sizeof dll, "?");
		}
		if (iat == 0) {
			ps_error_set(&e, PS_EFORMAT, "PE import descriptor %u (%s) at RVA 0x%llx has no import address table",
				     i, dll, (unsigned long long)at);
			note(&l, PS_EFORMAT, &e);
			continue;
		}
		if (read_thunks(read, ctx, pe, &l, dll, ilt ? ilt : iat, iat) != PS_OK) {
			free(l.items);
			return ps_error_set(err, PS_ENOMEM, "PE imports: out of memory after %zu imports", l.count);
		}
	}
	if (i == MAX_DESCRIPTORS) {
		ps_error_set(&e, PS_EFORMAT, "PE import directory at RVA 0x%x has no terminating descriptor within %u",
			     dir, MAX_DESCRIPTORS);
		note(&l, PS_EFORMAT, &e);
	}
	if (l.count == 0) {
		free(l.items);
		l.items = NULL;
	}
	*out = l.items;
	*count = l.count;
	return l.first;
}
