/*
 * fuzz_pdb.c - the PDB reader's container and symbols on arbitrary bytes:
 * superblock, stream directory, every stream, the info stream, DBI and the
 * merged symbol table must never crash, hang, read outside the input or
 * allocate without bound. Seeds in corpus/fuzz_pdb/ are lab PDBs repacked
 * with 512- and 1024-byte blocks so each stays under 64 KiB.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sym/pdb_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const ps_pdb_symbol *syms, *s, *next;
	const struct pdb_dbi *dbi;
	const uint8_t *stream;
	size_t count, n;
	uint8_t guid[16];
	uint32_t age, index;
	ps_error err;
	ps_pdb *pdb;

	if (ps_pdb_open_memory(data, size, "fuzz.pdb", &pdb, &err) != PS_OK)
		return 0;
	for (uint32_t i = 0; i < pdb->stream_count && i < 64; i++)
		(void)pdb_stream(pdb, i, &stream, &n, &err);
	(void)ps_pdb_identity(pdb, guid, &age, &err);
	(void)pdb_named_stream(pdb, "/names", &index, &err);
	(void)pdb_dbi_load(pdb, &dbi, &err);
	if (ps_pdb_symbols(pdb, &syms, &count, &err) == PS_OK || count) {
		for (size_t i = 0; i < count && i < 256; i++) {
			if (syms[i].rva == UINT32_MAX)
				continue;
			s = ps_pdb_symbol_at(pdb, syms[i].rva + 1, &next);
			if (!s || s->rva > syms[i].rva + 1 || (next && next->rva <= syms[i].rva + 1))
				__builtin_trap();
			if (!ps_pdb_symbol_named(pdb, syms[i].name) ||
			    !ps_pdb_symbol_named(pdb, syms[i].raw_name))
				__builtin_trap();
		}
	}
	for (size_t i = 0; pdb_symbol_warning(pdb, i); i++)
		(void)strlen(pdb_symbol_warning(pdb, i));
	(void)ps_pdb_symbol_at(pdb, 0, &next);
	(void)ps_pdb_symbol_at(pdb, UINT32_MAX, &next);
	(void)ps_pdb_symbol_named(pdb, "DriverEntry");
	ps_pdb_close(pdb);
	return 0;
}
