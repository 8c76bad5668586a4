/*
 * pdb_internal.h - what the PDB reader's files share: struct ps_pdb and the
 * MSF stream API.
 *
 * pdb_msf.c parses the container and hands out streams as contiguous
 * buffers; pdb_open.c owns the object and the info stream; pdb_dbi.c the DBI
 * stream; pdb_symbols.c the symbol tables; pdb_tpi*.c the type stream.
 * Everything past the superblock is parsed lazily, on first use.
 */
#ifndef PS_SYM_PDB_INTERNAL_H
#define PS_SYM_PDB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "poolscope/pdb.h"

/* Fixed stream indices (LLVM docs/PDB/index: "Streams"). */
enum {
	PDB_STREAM_OLD_DIRECTORY = 0,
	PDB_STREAM_INFO = 1,
	PDB_STREAM_TPI = 2,
	PDB_STREAM_DBI = 3,
	PDB_STREAM_IPI = 4
};

/* A stream size of 0xFFFFFFFF in the directory marks a nil (deleted or
 * never written) stream; it owns no blocks. */
#define PDB_NIL_STREAM 0xFFFFFFFFu

/* Bounds that no real PDB reaches but that keep hostile ones cheap. */
#define PDB_MAX_STREAMS 0x10000u       /* stream indices are 16-bit in DBI */

/* One stream's place in the directory, and its contents once read. */
struct pdb_stream {
	uint32_t size;       /* bytes; PDB_NIL_STREAM for a nil stream */
	uint32_t first;      /* index of its first block in ps_pdb.blocks */
	const uint8_t *data; /* the stream's bytes once read: in the file itself
	                        when its blocks are consecutive, else `copy` */
	uint8_t *copy;
	int loaded;
};

/* The DBI stream (pdb_dbi.c). */
struct pdb_module {
	const char *name;      /* module name (object file), points into DBI */
	const char *obj_name;  /* library / object file name */
	uint16_t sym_stream;   /* 0xFFFF: no symbols */
	uint32_t sym_bytes;    /* CodeView symbols: [4, sym_bytes) of the stream */
	uint32_t c11_bytes;
	uint32_t c13_bytes;
};

struct pdb_section {
	uint32_t virtual_address;
	uint32_t virtual_size;
	uint32_t characteristics;
	char name[9];
};

struct pdb_dbi {
	uint32_t age;
	uint16_t global_stream;    /* 0xFFFF if none */
	uint16_t public_stream;
	uint16_t symrec_stream;
	uint16_t section_header_stream;
	uint16_t machine;          /* IMAGE_FILE_MACHINE_*: 0x14C x86, 0x8664 x64 */
	struct pdb_module *modules;
	size_t module_count;
	struct pdb_section *sections;
	size_t section_count;
	/* Images rearranged after linking (BBT/OMAP): sections are the
	 * original ones and every RVA goes through the OMAP_FROM_SRC map,
	 * (from, to) pairs sorted by from. */
	const uint8_t *omap;
	size_t omap_count;
};

struct pdb_symtab;  /* pdb_symbols.c */
struct pdb_tpi;     /* pdb_tpi*.c (helper R) */

struct ps_pdb {
	char *name;
	const uint8_t *data;
	size_t size;
	void *mapping;        /* mmap'd file, or NULL for ps_pdb_open_memory */
	size_t mapping_size;

	/* MSF superblock and stream directory (pdb_msf.c). */
	uint32_t block_size;
	uint32_t block_count;    /* blocks actually present in the file */
	uint32_t stream_count;
	struct pdb_stream *streams;
	uint32_t *blocks;        /* every stream's block list, back to back */
	size_t block_total;

	/* Info stream (pdb_open.c). */
	int info_loaded;
	uint32_t info_version, info_signature, info_age;
	uint8_t guid[16];
	char **stream_names;     /* named stream map, parallel to stream_ids */
	uint32_t *stream_ids;
	size_t named_count;

	/* DBI (pdb_dbi.c); NULL until first use. */
	struct pdb_dbi *dbi;
	/* Symbols (pdb_symbols.c); a failed build is not retried. */
	struct pdb_symtab *symtab;
	int symtab_failed;
	ps_error symtab_error;
	/* Types (helper R). */
	struct pdb_tpi *tpi;
};

/* ---- pdb_msf.c ---- */

/* Parse the superblock and the stream directory of pdb->data. */
ps_status pdb_msf_load(ps_pdb *pdb, ps_error *err);
void pdb_msf_free(ps_pdb *pdb);

/* Stream `index` as one contiguous buffer, read on first use and kept until
 * ps_pdb_close. A stream of size 0 gives a non-NULL pointer and size 0.
 * PS_ENOTFOUND for an index past the directory or a nil stream;
 * PS_EFORMAT for a stream whose blocks are not in the file. */
ps_status pdb_stream(ps_pdb *pdb, uint32_t index, const uint8_t **data, size_t *size,
		     ps_error *err);
/* True when stream `index` exists and is not nil (no reading). */
int pdb_stream_present(const ps_pdb *pdb, uint32_t index);

/* ---- pdb_open.c ---- */

/* Parse the info stream (stream 1) once. */
ps_status pdb_info_load(ps_pdb *pdb, ps_error *err);
/* Stream index of a named stream ("/names", "/LinkInfo", ...) from the
 * info stream's map; PS_ENOTFOUND if absent. */
ps_status pdb_named_stream(ps_pdb *pdb, const char *name, uint32_t *index, ps_error *err);

/* ---- pdb_dbi.c ---- */

ps_status pdb_dbi_load(ps_pdb *pdb, const struct pdb_dbi **dbi, ps_error *err);
void pdb_dbi_free(struct pdb_dbi *dbi);
/* segment (1-based section number) and offset to an RVA, through the OMAP
 * map when the image has one; 0 when there is no such section or the OMAP
 * map says the code was dropped. */
int pdb_section_rva(const struct pdb_dbi *dbi, uint16_t segment, uint32_t offset, uint32_t *rva);

/* ---- pdb_symbols.c ---- */

void pdb_symtab_free(struct pdb_symtab *symtab);
/* The i-th warning met while building the symbol table, or NULL. */
const char *pdb_symbol_warning(ps_pdb *pdb, size_t i);

/* ---- pdb_tpi.c (helper R owns it) ---- */

void pdb_tpi_free(struct pdb_tpi *tpi);

#endif
