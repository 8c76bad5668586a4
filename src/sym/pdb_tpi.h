/*
 * pdb_tpi.h - what the type stream's files share: the record index of the
 * TPI stream (pdb_tpi.c), the leaf decoder and resolver (pdb_types.c) and
 * the type namer (pdb_type_name.c).
 *
 * Record layouts are CodeView's, as LLVM documents them (llvm.org/docs/PDB/
 * TpiStream.html, CodeViewTypes.html) and as Microsoft's cvinfo.h in
 * microsoft-pdb declares them. docs/pdb-types.md lists every layout used.
 */
#ifndef PS_SYM_PDB_TPI_H
#define PS_SYM_PDB_TPI_H

#include <stddef.h>
#include <stdint.h>

#include "poolscope/pdb.h"

/* Leaf kinds (cvinfo.h LEAF_ENUM_e). */
enum {
	LF_MODIFIER = 0x1001,
	LF_POINTER = 0x1002,
	LF_PROCEDURE = 0x1008,
	LF_MFUNCTION = 0x1009,
	LF_VTSHAPE = 0x000A,
	LF_ARGLIST = 0x1201,
	LF_FIELDLIST = 0x1203,
	LF_BITFIELD = 0x1205,
	LF_METHODLIST = 0x1206,
	LF_BCLASS = 0x1400,
	LF_VBCLASS = 0x1401,
	LF_IVBCLASS = 0x1402,
	LF_INDEX = 0x1404,
	LF_VFUNCTAB = 0x1409,
	LF_FRIENDCLS = 0x140B,
	LF_VFUNCOFF = 0x140C,
	LF_ENUMERATE = 0x1502,
	LF_ARRAY = 0x1503,
	LF_CLASS = 0x1504,
	LF_STRUCTURE = 0x1505,
	LF_UNION = 0x1506,
	LF_ENUM = 0x1507,
	LF_FRIENDFCN = 0x150C,
	LF_MEMBER = 0x150D,
	LF_STMEMBER = 0x150E,
	LF_METHOD = 0x150F,
	LF_NESTTYPE = 0x1510,
	LF_ONEMETHOD = 0x1511,
	LF_NESTTYPEEX = 0x1512,
	LF_MEMBERMODIFY = 0x1513,
	LF_INTERFACE = 0x1519
};

/* Numeric leaves: a u16 below LF_NUMERIC is the value itself. */
enum {
	LF_NUMERIC = 0x8000,
	LF_CHAR = 0x8000,
	LF_SHORT = 0x8001,
	LF_USHORT = 0x8002,
	LF_LONG = 0x8003,
	LF_ULONG = 0x8004,
	LF_REAL32 = 0x8005,
	LF_REAL64 = 0x8006,
	LF_REAL80 = 0x8007,
	LF_REAL128 = 0x8008,
	LF_QUADWORD = 0x8009,
	LF_UQUADWORD = 0x800A,
	LF_REAL48 = 0x800B,
	LF_COMPLEX32 = 0x800C,
	LF_COMPLEX64 = 0x800D,
	LF_COMPLEX80 = 0x800E,
	LF_COMPLEX128 = 0x800F,
	LF_VARSTRING = 0x8010,
	LF_OCTWORD = 0x8017,
	LF_UOCTWORD = 0x8018,
	LF_DECIMAL = 0x8019,
	LF_DATE = 0x801A,
	LF_UTF8STRING = 0x801B,
	LF_REAL16 = 0x801C
};

/* Class/union/enum property bits (cvinfo.h CV_prop_t). */
#define CV_PROP_FWDREF 0x0080
#define CV_PROP_HASUNIQUENAME 0x0200

/* The first index that names a record rather than a simple type. */
#define PDB_TPI_FIRST_INDEX 0x1000u
/* How deep any chase through type references may go (modifier of pointer of
 * array of ...). Real types need a handful; a cycle needs infinity. */
#define PDB_TPI_MAX_DEPTH 64

struct pdb_tpi_name {
	const char *name;
	uint32_t id;
};

struct pdb_tpi {
	const char *file;        /* the PDB's name, for messages */
	const uint8_t *data;     /* the whole TPI stream */
	size_t size;
	uint32_t version;
	uint32_t header_size;
	uint32_t begin, end;     /* TypeIndexBegin, TypeIndexEnd from the header */
	uint32_t record_bytes;
	uint16_t hash_stream, hash_aux_stream;
	uint32_t hash_key_size, hash_buckets;

	uint32_t count;          /* records indexed: begin .. begin+count-1 */
	uint32_t *offsets;       /* stream offset of each record's length field */
	char stop[200];          /* why indexing stopped before `end`, or "" */

	/* Built on first need (pdb_types.c): definitions by name and by
	 * unique (decorated) name, each sorted for binary search. */
	int names_built;
	struct pdb_tpi_name *by_name;
	size_t by_name_count;
	struct pdb_tpi_name *by_unique;
	size_t by_unique_count;
};

/* Parse the TPI header of stream 2 and index its records, once; later calls
 * return the same object. A stream that is cut short is indexed as far as
 * it goes (tpi->stop says why). */
ps_status pdb_tpi_get(ps_pdb *pdb, struct pdb_tpi **tpi, ps_error *err);

/* One record: its leaf kind and the bytes after the kind. PS_ENOTFOUND for
 * an index outside [begin, end); PS_EFORMAT for one the index could not
 * reach because the stream is corrupt. */
ps_status pdb_tpi_record(const struct pdb_tpi *tpi, uint32_t id, uint16_t *leaf,
			 const uint8_t **body, size_t *len, ps_error *err);

/* A numeric leaf at p (at most `avail` bytes): its value (signed kinds are
 * sign-extended into the 64 bits; real and decimal kinds give 0) and the
 * bytes it takes. 0 when it does not fit or the kind is unknown. */
int pdb_leaf_numeric(const uint8_t *p, size_t avail, uint64_t *value, size_t *used);

/* A NUL-terminated name at p within `avail` bytes, or NULL when the record
 * ends before the NUL. *used counts the NUL. */
const char *pdb_leaf_string(const uint8_t *p, size_t avail, size_t *used);

/* ---- pdb_types.c ---- */

/* A simple type's kind (bits 0-7 of an index below 0x1000): its size and
 * how ln (C) and dt name it. */
struct pdb_simple {
	uint8_t kind;
	uint8_t size;
	const char *c_name;
	const char *dt_name;
};

/* NULL for a kind the table does not know. */
const struct pdb_simple *pdb_simple_type(uint32_t kind);
/* Bytes of a simple pointer of mode (bits 8-11) 1..7; 0 for mode 0 or
 * an unknown mode. */
unsigned pdb_simple_pointer_size(uint32_t mode);

/* Is this a tag the compiler made up for an anonymous struct/union/enum
 * ("<unnamed-tag>", "_X::<unnamed-tag>", "<anonymous-tag>", "__unnamed",
 * "<unnamed-type-u>")? Such names are not unique and never looked up. */
int pdb_tpi_name_is_unnamed(const char *name);

/* Type `id` decoded, with its forward reference resolved; depth counts the
 * chase so far (callers outside pdb_types.c pass 0). */
ps_status pdb_type_at_depth(ps_pdb *pdb, ps_type_id id, ps_type *out, int depth, ps_error *err);

#endif
