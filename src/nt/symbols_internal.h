/*
 * symbols_internal.h - the ps_symbols object shared by the nt layer's
 * symbol files: symbols.c (lifetime, path, reload, module state),
 * symbols_load.c (reading a module's PDB or exports), symbols_lookup.c
 * (addresses and names) and symbols_types.c (fields and sizes).
 */
#ifndef PS_NT_SYMBOLS_INTERNAL_H
#define PS_NT_SYMBOLS_INTERNAL_H

#include "poolscope/symbols.h"

/* One name at one address of a module, from its PDB or its exports. Names
 * point into the PDB or the export array the module state owns. */
typedef struct sym_entry {
	const char *name;
	uint32_t rva;
	uint32_t size;
	uint32_t type_index;
} sym_entry;

typedef struct sym_module {
	int loaded;                 /* load was tried (the rest is valid) */
	ps_module_symbols info;
	ps_pdb *pdb;                /* when info.source == PS_SYMSRC_PDB */
	ps_pe_export *exports;
	size_t nexports;
	int syms_built;             /* syms[] and by_name[] are filled */
	sym_entry *syms;            /* by RVA; at one RVA in source order */
	size_t nsyms;
	uint32_t *by_name;          /* indices into syms, by name (case folded) */
} sym_module;

struct ps_symbols {
	ps_kernel *kernel;
	ps_sympath *path;
	uint32_t build;             /* NT build number from the dump header */
	ps_arch arch;
	unsigned pointer_size;
	size_t nmods;
	sym_module *mods;           /* parallel to ps_kernel_module(kernel, i) */
};

/* Index of a module of the kernel, or (size_t)-1. */
size_t symbols_module_index(const ps_symbols *s, const ps_module *m);
/* The module at the kernel base ("nt"), or NULL. */
const ps_module *symbols_nt(const ps_symbols *s);

/* Read a module's symbols (symbols_load.c): PDB through the symbol path,
 * else exports; fills mods[i].info. Never fails: what went wrong becomes
 * the note and lines on `log`. */
void symbols_load_module(ps_symbols *s, size_t i, FILE *log);
void symbols_unload_module(sym_module *sm);
/* The module's symbol table, built on first need. */
void symbols_build_table(ps_symbols *s, size_t i);


#endif
