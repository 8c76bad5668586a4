/*
 * cmd_eval.c - the `?` and `.formats` commands.
 *
 * Both print a value the way WinDbg does. On an x86 target WinDbg keeps
 * 32-bit numbers sign-extended to 64 bits and shows a value as 32-bit when
 * its high half is zero or the sign extension of bit 31 ("Sign Extension" in
 * the debugger documentation); this evaluator does not sign-extend, so the
 * display applies that rule itself: 8ab94030 prints as
 * "-1967570896 = 8ab94030" and its .formats "high" float is the sign half.
 *
 * The .formats layout is the one of the WinDbg builds the seed article and
 * many public captures show (two leading spaces, no "Decimal (unsigned)"
 * line, asctime-style dates); docs/expressions.md has the details and the
 * sources.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* localtime_r, tm_gmtoff */
#endif

#include "cmd/cmd_eval.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

/* Seconds between 1601-01-01 (FILETIME epoch) and 1970-01-01. */
#define FILETIME_UNIX_DELTA 11644473600LL

static const char *const day_names[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char *const month_names[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static unsigned eval_pointer_size(const ps_session *s)
{
	return s->env.pointer_size == 4 ? 4 : 8;
}

/* WinDbg shows a value as 32-bit when the high half is zero or the sign
 * extension of bit 31. */
static int shows_as_32(uint64_t v)
{
	uint32_t high = (uint32_t)(v >> 32);
	return high == 0 || (high == 0xffffffffu && (v & 0x80000000u));
}

/* On x86 the value is 32-bit unless it cannot be. */
static int target_shows_32(const ps_session *s, uint64_t v)
{
	return eval_pointer_size(s) == 4 && shows_as_32(v);
}

static void print_hex64(FILE *out, uint64_t v)
{
	fprintf(out, "%08" PRIx32 "`%08" PRIx32, (uint32_t)(v >> 32), (uint32_t)v);
}

/* Evaluate `args` as the whole argument of `cmd`. Errors print WinDbg's
 * message; text left after the expression prints WinDbg's caret line under
 * the first extra character. */
static ps_status eval_argument(ps_session *s, const char *cmd, const char *args, uint64_t *value,
			       FILE *out)
{
	const char *end = NULL;
	ps_error err;
	ps_status st;

	ps_error_clear(&err);
	st = ps_expr_eval(&s->env, args ? args : "", &end, value, &err);
	if (st != PS_OK) {
		fprintf(out, "%s\n", err.message);
		return st;
	}
	if (end && *end) {
		/* The caret sits under the character, counted from the start of
		 * the prompt; the command is shown as "<cmd> <args>". */
		size_t column = strlen(s->prompt) + strlen(cmd) + 1 + (size_t)(end - args);
		fprintf(out, "%*s^ Extra character error in '%s %s'\n", (int)column, "", cmd, args);
		return PS_EARG;
	}
	return PS_OK;
}

ps_status ps_cmd_evaluate(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	uint64_t v;
	ps_status st = eval_argument(s, cmd, args, &v, out);

	if (st != PS_OK)
		return st;
	if (target_shows_32(s, v)) {
		fprintf(out, "Evaluate expression: %" PRId32 " = %08" PRIx32 "\n", (int32_t)(uint32_t)v,
			(uint32_t)v);
	} else {
		fprintf(out, "Evaluate expression: %" PRId64 " = ", (int64_t)v);
		print_hex64(out, v);
		fputc('\n', out);
	}
	return PS_OK;
}

/* ---- .formats ------------------------------------------------------------ */

/* printf("%g") as the Microsoft C runtime WinDbg links prints it: at least
 * three exponent digits (1.33251e+007) and the 1.#QNAN / 1.#INF / -1.#IND
 * spellings for the special values. */
static void format_finite_g(char *buf, size_t size, double d)
{
	char tmp[64];
	char *e;

	snprintf(tmp, sizeof tmp, "%g", d);
	e = strchr(tmp, 'e');
	if (e && (e[1] == '+' || e[1] == '-')) {
		size_t digits = strlen(e + 2);
		if (digits < 3) {
			char exp[8];
			snprintf(exp, sizeof exp, "%s", e + 2);
			snprintf(e + 2, sizeof tmp - (size_t)(e + 2 - tmp), "%0*d%s", (int)(3 - digits), 0,
				 exp);
		}
	}
	snprintf(buf, size, "%s", tmp);
}

static void format_double_bits(char *buf, size_t size, uint64_t bits)
{
	int neg = (int)(bits >> 63);
	unsigned exp = (unsigned)(bits >> 52) & 0x7ff;
	uint64_t mant = bits & ((UINT64_C(1) << 52) - 1);
	const uint64_t quiet = UINT64_C(1) << 51;
	double d;

	if (exp == 0x7ff) {
		const char *what;
		if (mant == 0)
			what = "INF";
		else if (!(mant & quiet))
			what = "SNAN";
		else if (neg && mant == quiet)
			what = "IND";
		else
			what = "QNAN";
		snprintf(buf, size, "%s1.#%s", neg ? "-" : "", what);
		return;
	}
	memcpy(&d, &bits, sizeof d);
	format_finite_g(buf, size, d);
}

/* A float is widened to double before printing, which makes a signalling
 * NaN quiet: widen the bits the way the hardware does. */
static void format_float_bits(char *buf, size_t size, uint32_t bits)
{
	uint64_t sign = (uint64_t)(bits >> 31) << 63;
	unsigned exp = (bits >> 23) & 0xff;
	uint32_t mant = bits & 0x7fffff;
	float f;

	if (exp == 0xff) {
		uint64_t m = mant ? ((uint64_t)(mant | 0x400000) << 29) : 0;
		format_double_bits(buf, size, sign | (UINT64_C(0x7ff) << 52) | m);
		return;
	}
	memcpy(&f, &bits, sizeof f);
	format_finite_g(buf, size, (double)f);
}

/* "Tue Jan 12 01:35:25 2010", local time, asctime's layout. */
static void format_tm(char *buf, size_t size, const struct tm *tm, const char *fraction)
{
	snprintf(buf, size, "%s %s %2d %02d:%02d:%02d%s %lld", day_names[(tm->tm_wday % 7 + 7) % 7],
		 month_names[(tm->tm_mon % 12 + 12) % 12], tm->tm_mday, tm->tm_hour, tm->tm_min,
		 tm->tm_sec, fraction, (long long)tm->tm_year + 1900);
}

/* A 32-bit value is a C runtime time_t; WinDbg's runtime refuses negative
 * ones. */
static void format_crt_time(char *buf, size_t size, uint32_t low)
{
	int32_t t32 = (int32_t)low;
	time_t t = (time_t)t32;
	struct tm tm;

	if (t32 < 0 || !localtime_r(&t, &tm)) {
		snprintf(buf, size, "***** Invalid");
		return;
	}
	format_tm(buf, size, &tm, "");
}

/* A 64-bit value is a FILETIME (100 ns units since 1601), shown in local
 * time with milliseconds and the offset from UTC. */
static void format_filetime(char *buf, size_t size, uint64_t ft)
{
	char fraction[8];
	long long secs;
	time_t t;
	struct tm tm;
	long off;

	if (ft >> 63) {
		snprintf(buf, size, "***** Invalid FILETIME");
		return;
	}
	secs = (long long)(ft / 10000000u) - FILETIME_UNIX_DELTA;
	t = (time_t)secs;
	if ((long long)t != secs || !localtime_r(&t, &tm)) {
		snprintf(buf, size, "***** Invalid FILETIME");
		return;
	}
	snprintf(fraction, sizeof fraction, ".%03u", (unsigned)((ft / 10000u) % 1000u));
	format_tm(buf, size, &tm, fraction);
	off = tm.tm_gmtoff;
	snprintf(buf + strlen(buf), size - strlen(buf), " (UTC %c %ld:%02ld)", off < 0 ? '-' : '+',
		 (off < 0 ? -off : off) / 3600, ((off < 0 ? -off : off) % 3600) / 60);
}

static void print_binary(FILE *out, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--) {
		uint8_t b = (uint8_t)(v >> (8 * i));
		for (int bit = 7; bit >= 0; bit--)
			fputc((b >> bit) & 1 ? '1' : '0', out);
		if (i)
			fputc(' ', out);
	}
}

static void print_chars(FILE *out, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--) {
		uint8_t b = (uint8_t)(v >> (8 * i));
		fputc(b >= 0x20 && b < 0x7f ? b : '.', out);
	}
}

ps_status ps_cmd_formats(ps_session *s, const char *cmd, const char *args, FILE *out)
{
	char time_text[96], low_text[64], high_text[64], double_text[64];
	uint64_t v;
	int narrow;
	ps_status st = eval_argument(s, cmd, args, &v, out);

	if (st != PS_OK)
		return st;
	narrow = target_shows_32(s, v);
	if (narrow)
		v = (uint64_t)(int64_t)(int32_t)(uint32_t)v; /* WinDbg's x86 sign extension */

	if (shows_as_32(v))
		format_crt_time(time_text, sizeof time_text, (uint32_t)v);
	else
		format_filetime(time_text, sizeof time_text, v);
	format_float_bits(low_text, sizeof low_text, (uint32_t)v);
	format_float_bits(high_text, sizeof high_text, (uint32_t)(v >> 32));
	format_double_bits(double_text, sizeof double_text, v);

	fprintf(out, "Evaluate expression:\n");
	if (narrow) {
		fprintf(out, "  Hex:     %08" PRIx32 "\n", (uint32_t)v);
		fprintf(out, "  Decimal: %" PRId32 "\n", (int32_t)(uint32_t)v);
		fprintf(out, "  Octal:   %011" PRIo32 "\n", (uint32_t)v);
	} else {
		fprintf(out, "  Hex:     ");
		print_hex64(out, v);
		fprintf(out, "\n  Decimal: %" PRId64 "\n", (int64_t)v);
		fprintf(out, "  Octal:   %022" PRIo64 "\n", v);
	}
	fprintf(out, "  Binary:  ");
	print_binary(out, v, narrow ? 4 : 8);
	fprintf(out, "\n  Chars:   ");
	print_chars(out, v, narrow ? 4 : 8);
	fprintf(out, "\n  Time:    %s\n", time_text);
	fprintf(out, "  Float:   low %s high %s\n", low_text, high_text);
	fprintf(out, "  Double:  %s\n", double_text);
	return PS_OK;
}
