/*
 * sympath.h - the sym layer's symbol path: where PDBs (and images) are found.
 *
 * WinDbg's syntax: entries separated by ';' - a plain folder, cache*DIR
 * (later entries' downloads are cached in DIR), srv*CACHE*URL or
 * srv*URL (a symbol server; HTTP(S) via libcurl, cached). Stores use the
 * layout name.pdb/<GUID><AGE>/name.pdb (images: name.sys/<TIMESTAMP><SIZE>/
 * name.sys), may hold file.ptr redirections and CAB-compressed name.pd_
 * files. A plain folder is also searched flat (folder/name.pdb).
 * docs/symbols.md describes the syntax, the search order and the caches.
 * A ps_sympath remembers servers found unreachable (so a machine without
 * network waits once, not once per module): use one from one thread at a
 * time.
 */
#ifndef POOLSCOPE_SYMPATH_H
#define POOLSCOPE_SYMPATH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "poolscope/error.h"

typedef struct ps_sympath ps_sympath;

/* Parse a symbol path. An empty or NULL text gives an empty path. The
 * default downstream store (for srv*URL without a cache) is read from the
 * environment here: $XDG_CACHE_HOME/poolscope/symbols, else
 * $HOME/.cache/poolscope/symbols, else none. */
ps_status ps_sympath_parse(const char *text, ps_sympath **out, ps_error *err);
void ps_sympath_free(ps_sympath *sp);
/* The text as given (for .sympath). */
const char *ps_sympath_text(const ps_sympath *sp);

/* One parsed entry, for .sympath and tests. Strings belong to the path. */
typedef enum ps_sympath_kind {
	PS_SYMPATH_FOLDER = 1, /* a plain folder: flat, then store layout */
	PS_SYMPATH_CACHE,      /* cache*DIR: searched, and later entries copy into it */
	PS_SYMPATH_SERVER      /* srv*... / symsrv*dll*...: a chain of stores */
} ps_sympath_kind;

typedef struct ps_sympath_entry {
	ps_sympath_kind kind;
	const char *dir;       /* FOLDER and CACHE: the folder */
	const char *cache;     /* where files from this entry are copied,
				  downloaded or decompressed; NULL if none */
	size_t nstores;        /* SERVER: stores (folders or URLs), in order */
	const char *const *stores;
} ps_sympath_entry;

size_t ps_sympath_count(const ps_sympath *sp);
ps_status ps_sympath_entry_at(const ps_sympath *sp, size_t i, ps_sympath_entry *out);

/* The store-relative path of a PDB: "ntkrnlmp.pdb/3844DBB9...A2/ntkrnlmp.pdb"
 * (GUID as 32 upper-case hex digits in Data1-Data2-Data3-Data4 order, then
 * the age in upper-case hex without leading zeros). `guid` is as stored in
 * CodeView records and PDB info streams: Data1, Data2, Data3 little-endian.
 * A full path as pdb_name ("C:\lab\x86\ntoskrnl.pdb") keeps its last
 * component. */
ps_status ps_symstore_pdb_key(const char *pdb_name, const uint8_t guid[16], uint32_t age,
			      char *buf, size_t n);
/* The store-relative path of an image: "SIoctl.sys/4BC2E9C48000/SIoctl.sys"
 * (timestamp as 8 upper-case hex digits, SizeOfImage in lower-case hex
 * without leading zeros, as SymStore writes it). */
ps_status ps_symstore_image_key(const char *name, uint32_t timestamp, uint32_t size_of_image,
				char *buf, size_t n);

/* Find a PDB. On success writes a local path to it (downloaded and
 * decompressed into a cache when needed). `log`, if not NULL, receives one
 * line per place tried (for !sym noisy / .reload /v). PS_ENOTFOUND when no
 * entry has it; a network failure is reported in the log and the search goes
 * on. The file is only checked to look like a PDB (MSF signature): the
 * caller opens it and compares GUID and age, or uses the _verified form. */
ps_status ps_sympath_find_pdb(ps_sympath *sp, const char *pdb_name, const uint8_t guid[16],
			      uint32_t age, char *path, size_t n, FILE *log, ps_error *err);
ps_status ps_sympath_find_image(ps_sympath *sp, const char *name, uint32_t timestamp,
				uint32_t size_of_image, char *path, size_t n, FILE *log,
				ps_error *err);

/* Called for each candidate file; returns non-zero to accept it. A rejected
 * candidate that this search itself wrote into a cache is removed again,
 * and the search goes on with the next place. */
typedef int (*ps_sympath_verify_fn)(void *ctx, const char *path);

ps_status ps_sympath_find_pdb_verified(ps_sympath *sp, const char *pdb_name,
				       const uint8_t guid[16], uint32_t age,
				       ps_sympath_verify_fn verify, void *ctx, char *path,
				       size_t n, FILE *log, ps_error *err);
/* The usual verifier for PDBs: `ctx` points at a ps_sympath_pdb_id; a file
 * is accepted when ps_pdb_identity gives that GUID and age. */
typedef struct ps_sympath_pdb_id {
	uint8_t guid[16];
	uint32_t age;
} ps_sympath_pdb_id;
int ps_sympath_pdb_matches(void *ctx, const char *path);

ps_status ps_sympath_find_image_verified(ps_sympath *sp, const char *name, uint32_t timestamp,
					 uint32_t size_of_image, ps_sympath_verify_fn verify,
					 void *ctx, char *path, size_t n, FILE *log,
					 ps_error *err);

#endif
