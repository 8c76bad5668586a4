/*
 * lab_image.h - loading the lab's own PE images (kernel, HAL, drivers) into
 * the simulated kernel: map sections, relocate to the scenario's base, bind
 * imports to the kernel's exports.
 *
 * The lab reads PE files with its own code, from the PE/COFF specification,
 * not with the reader's src/sym: the two must not share layouts.
 */
#ifndef LAB_IMAGE_H
#define LAB_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "poolscope/error.h"

typedef struct lab_export {
	char name[96];
	uint64_t va;          /* absolute, after relocation */
	uint32_t rva;
} lab_export;

typedef struct lab_import {
	char dll[64];
	char name[96];
	uint64_t iat_va;      /* address of the IAT slot */
	uint64_t target;      /* bound value, 0 until lab_image_bind */
} lab_import;

/* A global from the sidecar symbol list (see lab_image_symbol). */
typedef struct lab_symbol {
	char name[96];
	uint32_t rva;
} lab_symbol;

typedef struct lab_image {
	char file_name[64];   /* "SIoctl.sys" */
	char pdb_path[512];   /* CodeView PDB path from the debug directory, "" if none */
	uint16_t machine;     /* 0x14C or 0x8664 */
	uint64_t base;        /* where it is loaded */
	uint32_t size_of_image;
	uint32_t entry_rva;
	uint32_t timestamp;
	uint32_t checksum;
	uint8_t *mapped;      /* size_of_image bytes: the image as loaded at base */
	lab_export *exports;
	size_t export_count;
	lab_import *imports;
	size_t import_count;
	lab_symbol *symbols;  /* "<image>.syms" read at load; none for mingw images */
	size_t symbol_count;
	/* Added for issue 3 (the symbol store): where the file was read from,
	 * and the CodeView RSDS record's GUID (as stored: Data1-3 little-endian)
	 * and age; has_pdb_id is 0 when the image has no RSDS record. */
	char source_path[1024];
	uint8_t pdb_guid[16];
	uint32_t pdb_age;
	int has_pdb_id;
} lab_image;

/* Import resolver: set *va for (dll, name), return 0; non-zero when unknown. */
typedef int (*lab_import_resolver)(void *ctx, const char *dll, const char *name, uint64_t *va);

/* Read the PE file at `path`, map it and apply base relocations for `base`.
 * Parses exports and imports (unbound). */
ps_status lab_image_load(const char *path, uint64_t base, lab_image *img, ps_error *err);

/* Write the IAT slots from the resolver; every import must resolve. */
ps_status lab_image_bind(lab_image *img, lab_import_resolver resolve, void *ctx, ps_error *err);

/* Export by name, or NULL. */
const lab_export *lab_image_export(const lab_image *img, const char *name);

/* Any global the image defines, exported or not: exports first, then the
 * sidecar symbol list written at build time next to the image
 * ("<image>.syms": one "name rva" per line, from the linker map). Sets *va
 * and returns 0, non-zero when unknown. The lab uses it to find the kernel's
 * KdDebuggerDataBlock, PsActiveProcessHead, Mm counters... */
int lab_image_symbol(const lab_image *img, const char *name, uint64_t *va);

/* The symbol-store keys (Microsoft symbol server layout, also the SSQP
 * "PE-timestamp-filesize" and "PDB-Signature-Age" keys): the image's
 * "%08X%x" of TimeDateStamp and SizeOfImage, and the PDB's GUID as
 * Data1 Data2 Data3 Data4 in upper-case hex followed by the age in hex.
 * lab_image_pdb_key returns -1 when the image has no RSDS record. */
void lab_image_file_key(const lab_image *img, char out[32]);
int lab_image_pdb_key(const lab_image *img, char out[48]);
/* The GUID as "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX" ("" without RSDS). */
void lab_image_pdb_guid(const lab_image *img, char out[40]);

void lab_image_free(lab_image *img);

/* Directory holding the built images (PS_LAB_IMAGE_DIR unless overridden
 * with --images or the POOLSCOPE_LAB_IMAGES environment variable). */
const char *lab_image_dir(const char *override);

#endif
