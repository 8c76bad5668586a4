/*
 * symstore_internal.h - what the symbol path (sympath.c), the local stores
 * (symstore.c), the HTTP stores (symsrv_http.c) and the CAB reader (cab.c)
 * share: one search in progress, and the file helpers that put a file into
 * a cache without ever leaving a half-written one under its final name.
 */
#ifndef PS_SYM_SYMSTORE_INTERNAL_H
#define PS_SYM_SYMSTORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "poolscope/error.h"
#include "poolscope/sympath.h"

/* Largest file we download, copy or decompress (ntkrnlmp.pdb is ~10 MB;
 * the biggest Windows PDBs are a few hundred MB). */
#define PS_SYM_MAX_FILE ((uint64_t)1 << 30)
/* Longest path or URL we build. */
#define PS_SYM_PATH_MAX 4096
/* Longest file.ptr we read (they hold one path or one message). */
#define PS_SYM_PTR_MAX 4096

/* One file being looked for, and where the answer goes. */
typedef struct ps_symsearch {
	char name[256];                 /* "ntkrnlmp.pdb": base name, checked */
	char packed[256];               /* "ntkrnlmp.pd_": the CAB-compressed form */
	char id[64];                    /* "3844DBB9...2" */
	char rel[600];                  /* "ntkrnlmp.pdb/<id>/ntkrnlmp.pdb" */
	char rel_packed[600];           /* "ntkrnlmp.pdb/<id>/ntkrnlmp.pd_" */
	char rel_ptr[600];              /* "ntkrnlmp.pdb/<id>/file.ptr" */
	int want_pdb;                   /* the magic to expect: MSF or MZ */
	ps_sympath_verify_fn verify;    /* may be NULL */
	void *verify_ctx;
	FILE *log;                      /* may be NULL */
	char *out;                      /* the accepted path */
	size_t out_size;
} ps_symsearch;

/* An HTTP(S) store of a srv* entry; `unreachable` remembers a connection
 * failure so later lookups through the same ps_sympath do not wait again. */
typedef struct ps_symsrv_http {
	const char *url;                /* without a trailing '/' */
	int unreachable;
	char why[200];
} ps_symsrv_http;

/* One line to the search log (nothing when log is NULL). */
void ps_symlog(FILE *log, const char *fmt, ...) PS_PRINTF(2, 3);

/* ---- symstore.c ---- */

/* Fill the name, id and store-relative paths; PS_EARG for an unusable name. */
ps_status ps_symsearch_init(ps_symsearch *s, const char *name, const char *id, int want_pdb,
			    ps_error *err);
/* Offer a candidate file: checks its magic and the caller's verifier.
 * PS_OK when accepted (copied to s->out); PS_ENOTFOUND when rejected, in
 * which case a file `created` by this search is removed again. */
ps_status ps_symsearch_accept(ps_symsearch *s, const char *path, int created);

/* DIR/name, as a plain folder holds it. */
ps_status ps_symstore_find_flat(ps_symsearch *s, const char *dir);
/* STORE/name/id/name, then name.pd_ (decompressed into unpack_to), then
 * file.ptr. A hit is copied into copy_to when that is not NULL and not the
 * store itself. */
ps_status ps_symstore_find_local(ps_symsearch *s, const char *store, const char *copy_to,
				 const char *unpack_to);

/* Parse a file.ptr: "PATH:<path>" (or a bare path, as SymStore /p writes
 * locally) gives PS_OK and the path; "MSG:<text>" gives PS_ENOTFOUND and
 * the text; anything else PS_EFORMAT. Both outputs are NUL-terminated. */
ps_status ps_symptr_parse(const char *text, size_t len, char *target, size_t tn, char *msg,
			  size_t mn);

/* Join with '/', failing (PS_EARG) instead of truncating. */
ps_status ps_sympath_join(char *buf, size_t n, const char *a, const char *b, ps_error *err);
int ps_symfile_is_regular(const char *path);
ps_status ps_symfile_mkdirs(const char *dir, ps_error *err);
/* Create a temporary file beside `final` (making its directory), mode 0644. */
ps_status ps_symfile_temp(const char *final, char *tmp, size_t n, int *fd, ps_error *err);
/* Move a finished temporary file to its final name. */
ps_status ps_symfile_commit(const char *tmp, const char *final, ps_error *err);
ps_status ps_symfile_copy(const char *src, const char *dst, ps_error *err);

/* ---- symsrv_http.c ---- */

/* URL/rel, then URL/rel_packed (decompressed), then URL/rel_ptr; results
 * land in downstream/rel. */
ps_status ps_symsrv_http_find(ps_symsearch *s, ps_symsrv_http *srv, const char *downstream);

/* ---- cab.c ---- */

/* Extract the one file of a CAB (a name.pd_) to out_path, through a
 * temporary file. `want` is the expected name inside (logged if it
 * differs); the size is bounded by PS_SYM_MAX_FILE. */
ps_status ps_cab_extract_single(const char *cab_path, const char *want, const char *out_path,
				ps_error *err);

#endif
