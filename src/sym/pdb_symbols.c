/*
 * pdb_symbols.c - the PDB's symbols: publics, globals and module procedures
 * merged into one array sorted by RVA, with lookups by address and name.
 */
#include "sym/pdb_internal.h"

#include <stdlib.h>

struct pdb_symtab {
	ps_pdb_symbol *syms;
	size_t count;
};

void pdb_symtab_free(struct pdb_symtab *symtab)
{
	if (!symtab)
		return;
	free(symtab->syms);
	free(symtab);
}
