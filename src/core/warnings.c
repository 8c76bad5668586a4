/*
 * warnings.c - the bounded warning list (see warnings.h).
 */
#include "core/warnings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ps_warnings_addv(ps_warnings *w, const char *prefix, const char *fmt, va_list ap)
{
	char msg[PS_ERROR_MESSAGE_MAX];
	size_t n = 0;

	if (w->count >= PS_WARNINGS_MAX) {
		w->dropped++;
		return;
	}
	if (prefix) {
		n = (size_t)snprintf(msg, sizeof msg, "%s: ", prefix);
		if (n >= sizeof msg)
			n = sizeof msg - 1;
	}
	vsnprintf(msg + n, sizeof msg - n, fmt, ap);
	w->items[w->count] = strdup(msg);
	if (w->items[w->count])
		w->count++;
	else
		w->dropped++;
}

void ps_warnings_add(ps_warnings *w, const char *prefix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ps_warnings_addv(w, prefix, fmt, ap);
	va_end(ap);
}

void ps_warnings_finish(ps_warnings *w, const char *prefix)
{
	char msg[160];

	if (!w->dropped || w->count > PS_WARNINGS_MAX)
		return;
	snprintf(msg, sizeof msg, "%s%s%zu more warnings not shown", prefix ? prefix : "",
		 prefix ? ": " : "", w->dropped);
	w->items[w->count] = strdup(msg);
	if (w->items[w->count])
		w->count++;
	w->dropped = 0;
}

const char *ps_warnings_get(const ps_warnings *w, size_t i)
{
	return i < w->count ? w->items[i] : NULL;
}

void ps_warnings_remove(ps_warnings *w, size_t i)
{
	if (i >= w->count)
		return;
	free(w->items[i]);
	memmove(&w->items[i], &w->items[i + 1], (w->count - i - 1) * sizeof w->items[0]);
	w->count--;
	w->items[w->count] = NULL;
}

void ps_warnings_free(ps_warnings *w)
{
	for (size_t i = 0; i < w->count; i++)
		free(w->items[i]);
	w->count = 0;
	w->dropped = 0;
}
