/*
 * warnings.h - a bounded list of warning messages.
 *
 * Layers that keep going past damage (a truncated run list, a module list
 * that cycles) record what they skipped here. The list never fails and never
 * grows without bound: past the cap, warnings are only counted, and
 * ps_warnings_finish adds one "N more warnings not shown" line.
 */
#ifndef PS_CORE_WARNINGS_H
#define PS_CORE_WARNINGS_H

#include <stdarg.h>
#include <stddef.h>

#include "poolscope/error.h"

#define PS_WARNINGS_MAX 64

typedef struct ps_warnings {
	char *items[PS_WARNINGS_MAX + 1]; /* the last slot is for the summary */
	size_t count;
	size_t dropped;
} ps_warnings;

/* Add "<prefix>: <message>" (no prefix when prefix is NULL). */
void ps_warnings_add(ps_warnings *w, const char *prefix, const char *fmt, ...) PS_PRINTF(3, 4);
void ps_warnings_addv(ps_warnings *w, const char *prefix, const char *fmt, va_list ap);

/* Append the "N more warnings not shown" line if any were dropped. */
void ps_warnings_finish(ps_warnings *w, const char *prefix);

const char *ps_warnings_get(const ps_warnings *w, size_t i);
/* Drop warning i (one that no longer holds); later ones move up. */
void ps_warnings_remove(ps_warnings *w, size_t i);
void ps_warnings_free(ps_warnings *w);

#endif
