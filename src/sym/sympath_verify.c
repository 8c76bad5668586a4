/*
 * sympath_verify.c - the verifier that makes a symbol path lookup return
 * only the PDB an image asks for: same GUID and age, as the PDB reader
 * reads them (the DBI age when there is a DBI stream, as WinDbg compares).
 * A flat folder's name.pdb from another build, or a store holding the wrong
 * file, is then passed over and the search goes on.
 */
#include <string.h>

#include "poolscope/pdb.h"
#include "poolscope/sympath.h"

int ps_sympath_pdb_matches(void *ctx, const char *path)
{
	const ps_sympath_pdb_id *want = ctx;
	ps_pdb *pdb = NULL;
	uint8_t guid[16];
	uint32_t age = 0;
	int ok = 0;
	if (!want || ps_pdb_open(path, &pdb, NULL) != PS_OK)
		return 0;
	if (ps_pdb_identity(pdb, guid, &age, NULL) == PS_OK)
		ok = memcmp(guid, want->guid, sizeof guid) == 0 && age == want->age;
	ps_pdb_close(pdb);
	return ok;
}
