/*
 * error.h - status codes and error messages shared by every layer.
 *
 * Every public function returns a ps_status and, when it fails, fills the
 * caller's ps_error (which may be NULL) with a message that names the file,
 * offset or address and what was wrong. There is no hidden "last error":
 * the library keeps no global mutable state.
 */
#ifndef POOLSCOPE_ERROR_H
#define POOLSCOPE_ERROR_H

#include <stddef.h>

typedef enum ps_status {
	PS_OK = 0,
	PS_EIO,          /* a file could not be opened, mapped or read */
	PS_EFORMAT,      /* bytes are not what the format says: corrupt, truncated, hostile */
	PS_ENOMEM,       /* an allocation failed or would exceed a bound */
	PS_EARG,         /* bad argument or command syntax */
	PS_EUNSUPPORTED, /* a valid input this version does not handle */
	PS_ENOTFOUND,    /* a named thing (module, symbol, field) does not exist */
	PS_EINVALID,     /* a virtual address the page tables say is not mapped */
	PS_ENOTPRESENT,  /* mapped (or physical) but the page is not in this dump */
	PS_EPAGEDOUT     /* the page table entry points at a paging file */
} ps_status;

#define PS_ERROR_MESSAGE_MAX 512

typedef struct ps_error {
	ps_status status;
	char message[PS_ERROR_MESSAGE_MAX];
} ps_error;

#if defined(__GNUC__) || defined(__clang__)
#define PS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define PS_PRINTF(fmt, args)
#endif

/* Fill err (if not NULL) and return st, so callers can write
 * `return ps_error_set(err, PS_EFORMAT, "...", ...);`. */
ps_status ps_error_set(ps_error *err, ps_status st, const char *fmt, ...) PS_PRINTF(3, 4);

/* Prefix an existing message with more context ("while reading X: "). */
ps_status ps_error_prefix(ps_error *err, const char *fmt, ...) PS_PRINTF(2, 3);

/* Reset to PS_OK with an empty message. */
void ps_error_clear(ps_error *err);

/* A short, stable name for a status ("format error", "not in dump", ...). */
const char *ps_status_name(ps_status st);

#endif
