/*
 * pdb_tpi.c - the PDB type stream (TPI). Placeholder owned by helper R,
 * who replaces it with the real reader; until then it only frees the state.
 */
#include "sym/pdb_internal.h"

#include <stdlib.h>

void pdb_tpi_free(struct pdb_tpi *tpi)
{
	free(tpi);
}
