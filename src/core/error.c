/*
 * error.c - filling ps_error values.
 */
#include "poolscope/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

ps_status ps_error_set(ps_error *err, ps_status st, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		err->status = st;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof err->message, fmt, ap);
		va_end(ap);
	}
	return st;
}

ps_status ps_error_prefix(ps_error *err, const char *fmt, ...)
{
	char prefix[PS_ERROR_MESSAGE_MAX];
	char old[PS_ERROR_MESSAGE_MAX];
	va_list ap;

	if (!err)
		return PS_OK;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	memcpy(old, err->message, sizeof old);
	/* Both halves fit the buffer on their own; the join is cut to size. */
	size_t n = strlen(prefix);
	memcpy(err->message, prefix, n + 1);
	snprintf(err->message + n, sizeof err->message - n, "%.*s",
		 (int)(sizeof err->message - n - 1), old);
	return err->status;
}

void ps_error_clear(ps_error *err)
{
	if (err) {
		err->status = PS_OK;
		err->message[0] = '\0';
	}
}

const char *ps_status_name(ps_status st)
{
	switch (st) {
	case PS_OK: return "ok";
	case PS_EIO: return "i/o error";
	case PS_EFORMAT: return "format error";
	case PS_ENOMEM: return "out of memory";
	case PS_EARG: return "bad argument";
	case PS_EUNSUPPORTED: return "unsupported";
	case PS_ENOTFOUND: return "not found";
	case PS_EINVALID: return "invalid address";
	case PS_ENOTPRESENT: return "not in dump";
	case PS_EPAGEDOUT: return "paged out";
	}
	return "unknown status";
}
