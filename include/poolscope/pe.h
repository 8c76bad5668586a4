/*
 * pe.h - the sym layer's PE image reader (headers, sections, version resource).
 *
 * An image is read through a callback, so the same code serves an image
 * mapped in a dump (read at base + RVA through the vm layer; parts may be
 * missing) and a file on disk (RVA converted to a file offset).
 */
#ifndef POOLSCOPE_PE_H
#define POOLSCOPE_PE_H

#include <stddef.h>
#include <stdint.h>

#include "poolscope/error.h"

/* Read `len` bytes at relative virtual address `rva` (mapped layout). Returns
 * PS_OK, or an error status when the bytes are not available. */
typedef ps_status (*ps_pe_read_fn)(void *ctx, uint32_t rva, void *buf, size_t len);

typedef struct ps_pe_section {
	char name[9];
	uint32_t virtual_address;
	uint32_t virtual_size;
	uint32_t raw_offset;
	uint32_t raw_size;
	uint32_t characteristics;
} ps_pe_section;

#define PS_PE_MAX_SECTIONS 96
#define PS_PE_MAX_TRANSLATIONS 16

typedef struct ps_pe_version {
	int present;
	uint32_t file_version_ms, file_version_ls;       /* VS_FIXEDFILEINFO */
	uint32_t product_version_ms, product_version_ls;
	size_t translation_count;
	uint32_t translations[PS_PE_MAX_TRANSLATIONS];   /* (language << 16) | codepage */
	/* String values from the first string table (UTF-8, empty if absent). */
	char company_name[128];
	char product_name[128];
	char internal_name[128];
	char original_filename[128];
	char file_version[128];
	char product_version[128];
	char file_description[256];
	char legal_copyright[256];
} ps_pe_version;

typedef struct ps_pe {
	int is_pe32_plus;        /* PE32+ (x64) */
	uint16_t machine;
	uint16_t number_of_sections;  /* entries in sections[], at most PS_PE_MAX_SECTIONS */
	uint32_t time_date_stamp;
	uint16_t characteristics;
	uint64_t image_base;
	uint32_t size_of_image;
	uint32_t size_of_headers;
	uint32_t checksum;
	uint32_t entry_point;
	uint16_t subsystem;
	uint16_t dll_characteristics;
	uint32_t number_of_rva_and_sizes;
	struct { uint32_t rva, size; } directories[16];
	ps_pe_section sections[PS_PE_MAX_SECTIONS];
} ps_pe;

enum {
	PS_PE_DIR_EXPORT = 0,
	PS_PE_DIR_IMPORT = 1,
	PS_PE_DIR_RESOURCE = 2,
	PS_PE_DIR_EXCEPTION = 3,
	PS_PE_DIR_BASERELOC = 5,
	PS_PE_DIR_DEBUG = 6,
	PS_PE_DIR_IAT = 12
};

/* Parse the DOS, NT and section headers. */
ps_status ps_pe_parse_headers(ps_pe_read_fn read, void *ctx, ps_pe *pe, ps_error *err);

/* Read the version resource (RT_VERSION). PS_ENOTFOUND when the image has
 * none; PS_ENOTPRESENT-like statuses when the resource bytes are not
 * available (e.g. paged out of the dump). */
ps_status ps_pe_read_version(ps_pe_read_fn read, void *ctx, const ps_pe *pe,
			     ps_pe_version *ver, ps_error *err);

/* Convert an RVA to a file offset using the section table (for images read
 * from disk). PS_ENOTFOUND when the RVA is in no section's raw data. */
ps_status ps_pe_rva_to_offset(const ps_pe *pe, uint32_t rva, uint32_t *offset);

/* A PE file held in memory (a file on disk, a fuzz input). Pass it as the
 * context of ps_pe_file_read. While `pe` is NULL (headers not parsed yet)
 * RVAs are file offsets; afterwards they go through the section table, and
 * bytes a section declares beyond its raw data read as zeros, as the loader
 * would map them. */
typedef struct ps_pe_file {
	const uint8_t *data;
	size_t size;
	const ps_pe *pe;
} ps_pe_file;
ps_status ps_pe_file_read(void *ctx, uint32_t rva, void *buf, size_t len);

/* ---- exports, imports, debug directory, exception table (issue 3) ---- */

typedef struct ps_pe_export {
	char name[128];       /* empty for an export by ordinal only */
	uint32_t ordinal;     /* biased ordinal, as shown by dumpbin */
	uint32_t rva;         /* 0 for forwarders */
	char forwarder[128];  /* "NTOSKRNL.ExFoo" when forwarded, else empty */
} ps_pe_export;

/* All exports, sorted by RVA (forwarders last). The caller frees *out.
 * Counts are bounded by the export directory's size and a hard cap.
 * PS_ENOTFOUND when the image has no export directory. On any other
 * failure *out and *count still hold what could be read (partial results;
 * *out may be NULL) and err names the first RVA that failed. */
ps_status ps_pe_read_exports(ps_pe_read_fn read, void *ctx, const ps_pe *pe,
			     ps_pe_export **out, size_t *count, ps_error *err);

typedef struct ps_pe_import {
	char dll[64];
	char name[128];       /* empty when imported by ordinal */
	uint16_t hint;
	uint32_t ordinal;     /* when by ordinal */
	uint32_t iat_rva;     /* the IAT slot that holds the bound address */
} ps_pe_import;

/* All imports in directory order. The caller frees *out. PS_ENOTFOUND
 * when the image has no import directory; other failures keep partial
 * results in *out and *count, as for exports. */
ps_status ps_pe_read_imports(ps_pe_read_fn read, void *ctx, const ps_pe *pe,
			     ps_pe_import **out, size_t *count, ps_error *err);

typedef struct ps_pe_codeview {
	uint8_t guid[16];     /* as stored (GUID fields little-endian) */
	uint32_t age;
	char pdb_name[260];   /* as stored: a file name or a full build path */
} ps_pe_codeview;

/* The CodeView RSDS record from the debug directory. PS_ENOTFOUND when
 * there is none. */
ps_status ps_pe_read_codeview(ps_pe_read_fn read, void *ctx, const ps_pe *pe,
			      ps_pe_codeview *cv, ps_error *err);

typedef struct ps_pe_runtime_function {
	uint32_t begin_rva;
	uint32_t end_rva;
	uint32_t unwind_rva;
} ps_pe_runtime_function;

/* x64 .pdata (exception directory) entries, sorted by begin_rva. The
 * caller frees *out. PS_ENOTFOUND without an exception directory,
 * PS_EUNSUPPORTED for machines other than AMD64. Entries on pages missing
 * from a dump are skipped: the result holds the rest and the status and
 * err say how many were missing. */
ps_status ps_pe_read_pdata(ps_pe_read_fn read, void *ctx, const ps_pe *pe,
			   ps_pe_runtime_function **out, size_t *count, ps_error *err);

/* Read a NUL-terminated single-byte string at `rva` into buf (at most
 * cap - 1 characters; a longer string is cut and still succeeds). Reads
 * page by page, so a string that ends before a page missing from a dump
 * reads fine. Fails when the bytes up to the terminator (or the cut) cannot
 * be read; err names the RVA. */
ps_status ps_pe_read_string(ps_pe_read_fn read, void *ctx, uint32_t rva, char *buf, size_t cap,
			    ps_error *err);

/* One IMAGE_DEBUG_DIRECTORY entry (PE/COFF spec, "Debug Directory"). */
typedef struct ps_pe_debug_entry {
	uint32_t characteristics;
	uint32_t time_date_stamp;
	uint16_t major_version, minor_version;
	uint32_t type;            /* 2 = CODEVIEW, 13 = POGO, 16 = REPRO, 20 = EX_DLLCHARACTERISTICS */
	uint32_t size_of_data;
	uint32_t address_of_raw_data;
	uint32_t pointer_to_raw_data;
} ps_pe_debug_entry;

#define PS_PE_MAX_DEBUG_ENTRIES 64

/* The debug directory's entries (Size / 28 of them, at most
 * PS_PE_MAX_DEBUG_ENTRIES). PS_ENOTFOUND when the image has none. */
ps_status ps_pe_read_debug_directory(ps_pe_read_fn read, void *ctx, const ps_pe *pe,
				     ps_pe_debug_entry *entries, size_t *count, ps_error *err);

/* The RVA of a debug entry's data: AddressOfRawData, or for data the loader
 * does not map, PointerToRawData translated through the section table.
 * PS_ENOTFOUND when neither gives an RVA. */
ps_status ps_pe_debug_data_rva(const ps_pe *pe, const ps_pe_debug_entry *e, uint32_t *rva);

#endif
