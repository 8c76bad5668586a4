/*
 * sympath.h - the sym layer's symbol path: where PDBs (and images) are found.
 *
 * WinDbg's syntax: entries separated by ';' - a plain folder, cache*DIR
 * (later entries' downloads are cached in DIR), srv*CACHE*URL or
 * srv*URL (a symbol server; HTTP(S) via libcurl, cached). Stores use the
 * layout name.pdb/<GUID><AGE>/name.pdb (images: name.sys/<TIMESTAMP><SIZE>/
 * name.sys), may hold file.ptr redirections and CAB-compressed name.pd_
 * files. A plain folder is also searched flat (folder/name.pdb).
 */
#ifndef POOLSCOPE_SYMPATH_H
#define POOLSCOPE_SYMPATH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "poolscope/error.h"

typedef struct ps_sympath ps_sympath;

/* Parse a symbol path. An empty or NULL text gives an empty path. */
ps_status ps_sympath_parse(const char *text, ps_sympath **out, ps_error *err);
void ps_sympath_free(ps_sympath *sp);
/* The text as given (for .sympath). */
const char *ps_sympath_text(const ps_sympath *sp);

/* The store-relative path of a PDB: "ntkrnlmp.pdb/3844DBB9...A2/ntkrnlmp.pdb"
 * (GUID as 32 upper-case hex digits in Data1-Data2-Data3-Data4 order, then
 * the age in upper-case hex without leading zeros). */
ps_status ps_symstore_pdb_key(const char *pdb_name, const uint8_t guid[16], uint32_t age,
			      char *buf, size_t n);
/* The store-relative path of an image: "SIoctl.sys/4BC2E9C48000/SIoctl.sys"
 * (timestamp as 8 upper-case hex digits, SizeOfImage in hex without leading
 * zeros). */
ps_status ps_symstore_image_key(const char *name, uint32_t timestamp, uint32_t size_of_image,
				char *buf, size_t n);

/* Find a PDB. On success writes a local path to it (downloaded and
 * decompressed into a cache when needed). `log`, if not NULL, receives one
 * line per place tried (for !sym noisy / .reload /v). PS_ENOTFOUND when no
 * entry has it; a network failure is reported in the log and the search goes
 * on. */
ps_status ps_sympath_find_pdb(ps_sympath *sp, const char *pdb_name, const uint8_t guid[16],
			      uint32_t age, char *path, size_t n, FILE *log, ps_error *err);
ps_status ps_sympath_find_image(ps_sympath *sp, const char *name, uint32_t timestamp,
				uint32_t size_of_image, char *path, size_t n, FILE *log,
				ps_error *err);

#endif
