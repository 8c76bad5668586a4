/*
 * symbols.h - the nt layer's symbol service for a kernel: names for
 * addresses, addresses for names, and types, whatever their source.
 *
 * For each loaded module, symbols come from its PDB when the symbol path
 * has one whose GUID and age match the image's CodeView record; otherwise
 * from the image's export table in the dump; types come from the kernel PDB
 * or, without it, from built-in layouts per Windows build and architecture
 * (src/sym/layouts_*.c, each with its source). Every answer says where it
 * came from, so the commands can say "symbols not loaded" as WinDbg does.
 * Loading is lazy: a module's symbols are read the first time they are asked
 * for (or by ps_symbols_reload).
 */
#ifndef POOLSCOPE_SYMBOLS_H
#define POOLSCOPE_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "poolscope/error.h"
#include "poolscope/kernel.h"
#include "poolscope/pdb.h"
#include "poolscope/sympath.h"

typedef struct ps_symbols ps_symbols;

typedef enum ps_symbol_source {
	PS_SYMSRC_NONE = 0,    /* nothing: "(no symbols)" */
	PS_SYMSRC_DEFERRED,    /* not tried yet: "(deferred)" */
	PS_SYMSRC_PDB,         /* "(pdb symbols)" */
	PS_SYMSRC_EXPORTS,     /* "(export symbols)" */
	PS_SYMSRC_BUILTIN      /* built-in layout (types only) */
} ps_symbol_source;

/* `sympath` may be NULL or empty: then only exports and built-in layouts. */
ps_status ps_symbols_open(ps_kernel *k, const char *sympath, ps_symbols **out, ps_error *err);
void ps_symbols_close(ps_symbols *s);

ps_status ps_symbols_set_path(ps_symbols *s, const char *sympath, ps_error *err);
const char *ps_symbols_path(const ps_symbols *s);
/* Forget and reload (module NULL = all); progress and failures to `log`. */
ps_status ps_symbols_reload(ps_symbols *s, const char *module, FILE *log, ps_error *err);

typedef struct ps_module_symbols {
	ps_symbol_source source;
	char pdb_path[1024];      /* local file when source == PDB */
	int have_codeview;        /* the image's RSDS record was readable */
	char pdb_name[260];       /* from the image's CodeView record */
	uint8_t guid[16];
	uint32_t age;
	/* The image's own name for itself: its export directory's name
	 * ("ntkrnlmp.exe"), else the loaded file name ("SIoctl.sys"). */
	char image_name[260];
	/* What WinDbg prints on loading the module's symbols, lines separated
	 * by '\n', empty when there is nothing to say:
	 * "*** WARNING: Unable to verify checksum for SIoctl.sys" (PE CheckSum 0),
	 * "*** ERROR: Symbol file could not be found.  Defaulted to export symbols for ntkrnlmp.exe - ",
	 * "*** ERROR: Module load completed but symbols could not be loaded for SIoctl.sys". */
	char note[1024];
} ps_module_symbols;

/* State of a module's symbols; loads them when `load` is set. */
ps_status ps_symbols_module(ps_symbols *s, const ps_module *m, int load, ps_module_symbols *out);
/* The PDB of a module when loaded, else NULL (for dt and type walks). */
ps_pdb *ps_symbols_module_pdb(ps_symbols *s, const ps_module *m);

typedef struct ps_symbol {
	const ps_module *module;
	char name[256];           /* without the module prefix */
	uint64_t address;
	uint64_t size;            /* 0 if unknown */
	ps_symbol_source source;
	uint32_t type_index;      /* PDB type of the symbol, 0 if none */
} ps_symbol;

/* Nearest symbol at or before va inside the module containing va; next
 * (nullable) gets the first symbol after it. PS_ENOTFOUND when va is in no
 * module or the module has no symbol before va. */
ps_status ps_symbols_at(ps_symbols *s, uint64_t va, ps_symbol *sym, ps_symbol *next);
/* "nt!Foo", "Foo" (every module, nt first) or "SIoctl!DriverEntry". */
ps_status ps_symbols_lookup(ps_symbols *s, const char *name, ps_symbol *out);

/* Visit every symbol whose module and name match the WinDbg wildcards
 * (* and ?); the callback returns non-zero to stop. */
typedef int (*ps_symbol_visit_fn)(void *ctx, const ps_symbol *sym);
ps_status ps_symbols_match(ps_symbols *s, const char *module_pattern, const char *name_pattern,
			   ps_symbol_visit_fn fn, void *ctx);

/* "nt!ExAllocatePoolWithTag+0x1a", "SIoctl+0x4323" (no symbol), or the
 * bare address when va is in no module; buf of at least 300 bytes. */
const char *ps_symbols_format(ps_symbols *s, uint64_t va, char *buf, size_t n);

/* The C prototype of a function symbol for ln's "Exact matches:" line:
 * "(_POOL_TYPE, unsigned long, unsigned long)". PS_ENOTFOUND without type
 * information. */
ps_status ps_symbols_prototype(ps_symbols *s, const ps_symbol *sym, char *buf, size_t n);

/* A structure field's offset and a type's size, from the kernel PDB or the
 * built-in layouts ("_EPROCESS", "UniqueProcessId"). `source` (nullable)
 * says which. Later layers read Windows structures only through these. */
ps_status ps_symbols_field(ps_symbols *s, const char *type, const char *field, uint64_t *offset,
			   ps_symbol_source *source);
ps_status ps_symbols_type_size(ps_symbols *s, const char *type, uint64_t *size,
			       ps_symbol_source *source);

/* All a reader needs to load a field: `field` may be a dotted path through
 * nested structures ("Pcb.DirectoryTableBase") and index arrays
 * ("ApcListHead[1].Flink"); anonymous unions and structures are looked
 * through. For a bitfield, offset and size are its storage unit's. */
typedef struct ps_field_info {
	uint64_t offset;          /* from the start of `type` */
	uint64_t size;            /* bytes */
	uint8_t bit_position;
	uint8_t bit_length;       /* 0: not a bitfield */
	ps_symbol_source source;  /* PS_SYMSRC_PDB or PS_SYMSRC_BUILTIN */
	char type_name[128];      /* as dt prints it: "Ptr64 Void", "_LIST_ENTRY" */
} ps_field_info;
ps_status ps_symbols_field_info(ps_symbols *s, const char *type, const char *field,
				ps_field_info *out);

#endif
