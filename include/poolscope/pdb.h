/*
 * pdb.h - the sym layer's PDB reader.
 *
 * MSF 7.0 container and stream directory, the PDB info stream (GUID, age),
 * DBI (module list, section map, symbol record stream), public and global
 * symbols, procedure symbols in module streams, and the type stream (TPI).
 * Opening is lazy: streams are parsed when first needed. Address lookups are
 * O(log n). Every count and index from the file is bounded.
 */
#ifndef POOLSCOPE_PDB_H
#define POOLSCOPE_PDB_H

#include <stddef.h>
#include <stdint.h>

#include "poolscope/error.h"

typedef struct ps_pdb ps_pdb;

ps_status ps_pdb_open(const char *path, ps_pdb **out, ps_error *err);
/* Over bytes the caller keeps alive (tests, fuzzing). */
ps_status ps_pdb_open_memory(const void *data, size_t size, const char *name,
			     ps_pdb **out, ps_error *err);
void ps_pdb_close(ps_pdb *pdb);
const char *ps_pdb_name(const ps_pdb *pdb);

/* GUID (as stored in the info stream) and age; the age that must match an
 * image's CodeView record is the DBI age when DBI is present. */
ps_status ps_pdb_identity(ps_pdb *pdb, uint8_t guid[16], uint32_t *age, ps_error *err);

/* ---- symbols ---- */

typedef enum ps_pdb_sym_kind {
	PS_PDB_PUBLIC = 1,   /* S_PUB32 */
	PS_PDB_FUNCTION,     /* S_GPROC32 / S_LPROC32 */
	PS_PDB_DATA          /* S_GDATA32 / S_LDATA32 */
} ps_pdb_sym_kind;

typedef struct ps_pdb_symbol {
	const char *name;     /* undecorated where the record gives it; x86
	                         C decorations (_f, _f@12, @f@8, f@@8) of
	                         publics are stripped: "ExAllocatePoolWithTag" */
	const char *raw_name; /* as the record stores it ("_ExAllocatePoolWithTag@12");
	                         a procedure that absorbed its public twin carries
	                         the public's name here; == name when undecorated */
	uint32_t rva;
	uint32_t size;        /* procedures: code length; else 0 */
	uint32_t type_index;  /* procedures: LF_PROCEDURE; data: its type; 0 if none */
	ps_pdb_sym_kind kind;
	int is_code;          /* public flag or procedure */
} ps_pdb_symbol;

/* All symbols by RVA: procedures, data and publics merged (one entry per
 * address and name; a procedure or data symbol wins over its public twin).
 * At one RVA, procedures come first, then data, then publics. Symbols whose
 * segment is not a section of the image (absolute symbols) are left out.
 * When part of the symbol streams is damaged the result is PS_EFORMAT with
 * the first problem in err, and *syms / *count still hold what was read. */
ps_status ps_pdb_symbols(ps_pdb *pdb, const ps_pdb_symbol **syms, size_t *count, ps_error *err);

/* Nearest symbol at or before rva (NULL if none) and, if next is not NULL,
 * the first symbol whose RVA is above rva (NULL if none). */
const ps_pdb_symbol *ps_pdb_symbol_at(ps_pdb *pdb, uint32_t rva, const ps_pdb_symbol **next);
/* Exact name or raw (decorated) name, case-sensitive, or NULL. When several
 * symbols share the name, a procedure, then data, then a public. */
const ps_pdb_symbol *ps_pdb_symbol_named(ps_pdb *pdb, const char *name);

/* ---- types ---- */

typedef uint32_t ps_type_id;  /* a TPI type index; < 0x1000 is a base type */

typedef enum ps_type_kind {
	PS_TYPE_NONE = 0,
	PS_TYPE_BASE,        /* void, char, int, unsigned long, ... (simple types) */
	PS_TYPE_POINTER,
	PS_TYPE_MODIFIER,    /* const / volatile */
	PS_TYPE_ARRAY,
	PS_TYPE_STRUCT,
	PS_TYPE_CLASS,
	PS_TYPE_UNION,
	PS_TYPE_ENUM,
	PS_TYPE_BITFIELD,
	PS_TYPE_PROCEDURE,
	PS_TYPE_ARGLIST,
	PS_TYPE_FIELDLIST
} ps_type_kind;

typedef struct ps_type {
	ps_type_id id;
	ps_type_kind kind;
	const char *name;     /* tag name for records/enums, "" otherwise */
	uint64_t size;        /* bytes (pointers: 4 or 8) */
	ps_type_id target;    /* pointee, array element, bitfield/modifier base,
	                         enum underlying type, procedure return type */
	uint64_t count;       /* array element count (size / element size) */
	uint8_t bit_position; /* bitfields */
	uint8_t bit_length;
	int is_const, is_volatile;
	int forward_ref;      /* a declaration the reader could not resolve */
	ps_type_id arglist;   /* procedures */
	uint32_t member_count;
} ps_type;

/* Resolve a type index; forward references are resolved by name to the
 * definition. PS_ENOTFOUND for an index not in the stream. */
ps_status ps_pdb_type(ps_pdb *pdb, ps_type_id id, ps_type *out, ps_error *err);
/* A struct/class/union/enum by name ("_EPROCESS"), the definition not the
 * forward declaration. */
ps_status ps_pdb_type_named(ps_pdb *pdb, const char *name, ps_type_id *id, ps_error *err);

typedef struct ps_type_member {
	const char *name;
	uint64_t offset;      /* data members: byte offset; enumerators: value */
	ps_type_id type;      /* 0 for enumerators */
} ps_type_member;

/* Data members of a struct/class/union (in declaration order) or the
 * enumerators of an enum. The caller frees *out; names live in the PDB. */
ps_status ps_pdb_type_members(ps_pdb *pdb, ps_type_id id, ps_type_member **out, size_t *count,
			      ps_error *err);
/* Argument types of a procedure type. The caller frees *out. */
ps_status ps_pdb_procedure_args(ps_pdb *pdb, ps_type_id proc, ps_type_id **out, size_t *count,
				ps_error *err);

typedef enum ps_type_style {
	PS_TYPE_STYLE_C,      /* "unsigned long", "_LIST_ENTRY *", "_POOL_TYPE" (ln) */
	PS_TYPE_STYLE_DT      /* "Uint4B", "Ptr64 _LIST_ENTRY", "[16] UChar" (dt) */
} ps_type_style;

/* Name a type the way WinDbg writes it in the given style. */
ps_status ps_pdb_type_name(ps_pdb *pdb, ps_type_id id, ps_type_style style, char *buf, size_t n);

#endif
