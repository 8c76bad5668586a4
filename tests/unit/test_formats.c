/*
 * test_formats.c - `?` and `.formats` print exactly what WinDbg prints.
 *
 * The golden blocks are the seed article's (.formats 4B4B534Dh and
 * ? 8ab94030 - 8ab94000 on a 32-bit kernel) and WinDbg output published with
 * the sources named beside each case; the time zone of each capture is
 * recovered from its Time line and set with TZ. Sessions are built by hand:
 * no dump, no kernel, only an expression environment.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* setenv, open_memstream */
#endif

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "cmd/cmd.h"
#include "cmd/cmd_eval.h"

static ps_status fake_reg(void *ctx, const char *name, uint64_t *value)
{
	(void)ctx;
	if (strcmp(name, "cr0") == 0) {
		*value = 0x80010033;
		return PS_OK;
	}
	return PS_ENOTFOUND;
}

static ps_status fake_read(void *ctx, uint64_t va, void *buf, size_t len, ps_error *err)
{
	(void)ctx;
	if (va != 0x91969010 || len != 4)
		return ps_error_set(err, PS_EINVALID, "not mapped");
	memcpy(buf, "\xab\x7b\xf3\x82", 4); /* nt!ExAllocatePoolWithTag, 82f37bab */
	return PS_OK;
}

static void make_session(ps_session *s, unsigned pointer_size)
{
	memset(s, 0, sizeof *s);
	snprintf(s->prompt, sizeof s->prompt, "1: kd> ");
	s->env.pointer_size = pointer_size;
	s->env.reg = fake_reg;
	s->env.read = fake_read;
}

static char *run(ps_session *s, ps_cmd_fn fn, const char *cmd, const char *args, ps_status *st)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	ps_status r = fn(s, cmd, args, out);
	fclose(out);
	if (st)
		*st = r;
	return text;
}

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static void check_output(ps_session *s, ps_cmd_fn fn, const char *cmd, const char *args,
			 const char *expected)
{
	ps_status st;
	char *got = run(s, fn, cmd, args, &st);
	CHECK(st == PS_OK);
	CHECK_STR(got, expected);
	free(got);
}

static void test_evaluate(void)
{
	ps_session x86, x64;
	ps_status st;
	char *got;

	make_session(&x86, 4);
	make_session(&x64, 8);
	/* The seed walkthrough, environment 2 step 6. */
	check_output(&x86, ps_cmd_evaluate, "?", "8ab94030 - 8ab94000",
		     "Evaluate expression: 48 = 00000030\n");
	check_output(&x64, ps_cmd_evaluate, "?", "8ab94030 - 8ab94000",
		     "Evaluate expression: 48 = 00000000`00000030\n");
	/* x86 shows 32-bit values signed (captures: "?a20f4d40-0x18",
	 * "?0x0 - 320"); x64 shows 64 bits and the signed 64-bit decimal. */
	check_output(&x86, ps_cmd_evaluate, "?", "a20f4d40-0x18",
		     "Evaluate expression: -1576055512 = a20f4d28\n");
	check_output(&x86, ps_cmd_evaluate, "?", "0x0 - 320",
		     "Evaluate expression: -800 = fffffce0\n");
	check_output(&x86, ps_cmd_evaluate, "?", "320", "Evaluate expression: 800 = 00000320\n");
	check_output(&x64, ps_cmd_evaluate, "?", "-0x208",
		     "Evaluate expression: -520 = ffffffff`fffffdf8\n");
	check_output(&x64, ps_cmd_evaluate, "?", "8546c0f8 - 0b8",
		     "Evaluate expression: 2236006464 = 00000000`8546c040\n");
	check_output(&x64, ps_cmd_evaluate, "?", "fffff8a0`00d76c51 & ffffffff`fffffff0",
		     "Evaluate expression: -8108884136880 = fffff8a0`00d76c50\n");
	check_output(&x64, ps_cmd_evaluate, "?", "(0x22 & 0x00f) == 0x40",
		     "Evaluate expression: 0 = 00000000`00000000\n");
	/* A value an x86 target cannot show in 32 bits. */
	check_output(&x86, ps_cmd_evaluate, "?", "1`00000000",
		     "Evaluate expression: 4294967296 = 00000001`00000000\n");
	/* The seed's step 6 of environment 1: the IAT slot through poi. */
	check_output(&x86, ps_cmd_evaluate, "?", "poi(91969010)",
		     "Evaluate expression: -2097972309 = 82f37bab\n");

	/* Errors print WinDbg's message and fail. */
	got = run(&x64, ps_cmd_evaluate, "?", "foo", &st);
	CHECK(st == PS_ENOTFOUND);
	CHECK_STR(got, "Couldn't resolve error at 'foo'\n");
	free(got);
	got = run(&x86, ps_cmd_evaluate, "?", "poi(1234)", &st);
	CHECK(st == PS_EINVALID);
	CHECK_STR(got, "Memory access error at ')'\n");
	free(got);
	got = run(&x64, ps_cmd_evaluate, "?", "1+", &st);
	CHECK(st == PS_EARG);
	CHECK_STR(got, "Numeric expression missing from '<EOL>'\n");
	free(got);
	/* Extra characters: the caret sits under the first one, counted from the
	 * start of the prompt "1: kd> ? ". */
	got = run(&x64, ps_cmd_evaluate, "?", "1+1)", &st);
	CHECK(st == PS_EARG);
	CHECK_STR(got, "            ^ Extra character error in '? 1+1)'\n");
	free(got);
}

static void test_formats_seed(void)
{
	ps_session x86, x64;

	make_session(&x86, 4);
	make_session(&x64, 8);
	set_tz("Asia/Tokyo");
	/* The seed article, environment 1 step 8 (1: kd> on a 32-bit kernel). */
	check_output(&x86, ps_cmd_formats, ".formats", "4B4B534Dh",
		     "Evaluate expression:\n"
		     "  Hex:     4b4b534d\n"
		     "  Decimal: 1263227725\n"
		     "  Octal:   11322651515\n"
		     "  Binary:  01001011 01001011 01010011 01001101\n"
		     "  Chars:   KKSM\n"
		     "  Time:    Tue Jan 12 01:35:25 2010\n"
		     "  Float:   low 1.33251e+007 high 0\n"
		     "  Double:  6.24117e-315\n");
	/* The same value on x64: 64-bit Hex, Octal, Binary and Chars. */
	check_output(&x64, ps_cmd_formats, ".formats", "4B4B534Dh",
		     "Evaluate expression:\n"
		     "  Hex:     00000000`4b4b534d\n"
		     "  Decimal: 1263227725\n"
		     "  Octal:   0000000000011322651515\n"
		     "  Binary:  00000000 00000000 00000000 00000000 01001011 01001011 01010011 01001101\n"
		     "  Chars:   ....KKSM\n"
		     "  Time:    Tue Jan 12 01:35:25 2010\n"
		     "  Float:   low 1.33251e+007 high 0\n"
		     "  Double:  6.24117e-315\n");
}

static void test_formats_published(void)
{
	ps_session x86, x64;

	make_session(&x86, 4);
	make_session(&x64, 8);

	/* x64, "kd> .formats 0x000000000001e240" (a UTC+8 machine; that older
	 * WinDbg zero-padded the day, "Jan 02"). */
	set_tz("<+08>-8");
	check_output(&x64, ps_cmd_formats, ".formats", "0x000000000001e240",
		     "Evaluate expression:\n"
		     "  Hex:     00000000`0001e240\n"
		     "  Decimal: 123456\n"
		     "  Octal:   0000000000000000361100\n"
		     "  Binary:  00000000 00000000 00000000 00000000 00000000 00000001 11100010 01000000\n"
		     "  Chars:   .......@\n"
		     "  Time:    Fri Jan  2 18:17:36 1970\n"
		     "  Float:   low 1.72999e-040 high 0\n"
		     "  Double:  6.09954e-319\n");

	/* x64, "0: kd> .formats 57724231h", a pool tag (UTC-7). */
	set_tz("<-07>7");
	check_output(&x64, ps_cmd_formats, ".formats", "57724231h",
		     "Evaluate expression:\n"
		     "  Hex:     00000000`57724231\n"
		     "  Decimal: 1467105841\n"
		     "  Octal:   0000000000012734441061\n"
		     "  Binary:  00000000 00000000 00000000 00000000 01010111 01110010 01000010 00110001\n"
		     "  Chars:   ....WrB1\n"
		     "  Time:    Tue Jun 28 02:24:01 2016\n"
		     "  Float:   low 2.66366e+014 high 0\n"
		     "  Double:  7.24847e-315\n");

	/* x64, a 64-bit value is a FILETIME with milliseconds and the offset. */
	check_output(&x64, ps_cmd_formats, ".formats", "0x74536d4d`03880000",
		     "Evaluate expression:\n"
		     "  Hex:     74536d4d`03880000\n"
		     "  Decimal: 8382163509005778944\n"
		     "  Octal:   0721233324640342000000\n"
		     "  Binary:  01110100 01010011 01101101 01001101 00000011 10001000 00000000 00000000\n"
		     "  Chars:   tSmM....\n"
		     "  Time:    Fri Jan  7 20:15:00.577 28163 (UTC - 7:00)\n"
		     "  Float:   low 7.99336e-037 high 6.70039e+031\n"
		     "  Double:  2.22547e+252\n");

	/* x86, "0: kd> .formats cr0": a 32-bit register is sign-extended, so
	 * the high float and the double are NaNs; a negative time_t is refused. */
	check_output(&x86, ps_cmd_formats, ".formats", "cr0",
		     "Evaluate expression:\n"
		     "  Hex:     80010033\n"
		     "  Decimal: -2147418061\n"
		     "  Octal:   20000200063\n"
		     "  Binary:  10000000 00000001 00000000 00110011\n"
		     "  Chars:   ...3\n"
		     "  Time:    ***** Invalid\n"
		     "  Float:   low -9.1907e-041 high -1.#QNAN\n"
		     "  Double:  -1.#QNAN\n");

	/* x64, "lkd> .formats ffffa48bb0147290": an address is no FILETIME. */
	check_output(&x64, ps_cmd_formats, ".formats", "ffffa48bb0147290",
		     "Evaluate expression:\n"
		     "  Hex:     ffffa48b`b0147290\n"
		     "  Decimal: -100555115171184\n"
		     "  Octal:   1777775110566005071220\n"
		     "  Binary:  11111111 11111111 10100100 10001011 10110000 00010100 01110010 10010000\n"
		     "  Chars:   ......r.\n"
		     "  Time:    ***** Invalid FILETIME\n"
		     "  Float:   low -5.40049e-010 high -1.#QNAN\n"
		     "  Double:  -1.#QNAN\n");

	/* x86, nynaeve.net "0:001> .formats 01010101`01010101": a 64-bit value
	 * on a 32-bit target uses the 64-bit layout (captured in a UTC-4 zone;
	 * that WinDbg spelled the offset "(GMT-4)"). */
	set_tz("<-04>4");
	check_output(&x86, ps_cmd_formats, ".formats", "01010101`01010101",
		     "Evaluate expression:\n"
		     "  Hex:     01010101`01010101\n"
		     "  Decimal: 72340172838076673\n"
		     "  Octal:   0004010020040100200401\n"
		     "  Binary:  00000001 00000001 00000001 00000001 00000001 00000001 00000001 00000001\n"
		     "  Chars:   ........\n"
		     "  Time:    Sun Mar 28 21:14:43.807 1830 (UTC - 4:00)\n"
		     "  Float:   low 2.36943e-038 high 2.36943e-038\n"
		     "  Double:  7.7486e-304\n");
	/* The same capture: .formats 41414141 (UTC-4 at the time). */
	check_output(&x86, ps_cmd_formats, ".formats", "41414141",
		     "Evaluate expression:\n"
		     "  Hex:     41414141\n"
		     "  Decimal: 1094795585\n"
		     "  Octal:   10120240501\n"
		     "  Binary:  01000001 01000001 01000001 01000001\n"
		     "  Chars:   AAAA\n"
		     "  Time:    Fri Sep 10 01:53:05 2004\n"
		     "  Float:   low 12.0784 high 0\n"
		     "  Double:  5.40901e-315\n");

	/* The debugger documentation's example, .formats 1c407e62 (UTC-8); the
	 * page's older WinDbg zero-padded the day ("Jan 07"). */
	set_tz("<-08>8");
	check_output(&x86, ps_cmd_formats, ".formats", "1c407e62",
		     "Evaluate expression:\n"
		     "  Hex:     1c407e62\n"
		     "  Decimal: 473988706\n"
		     "  Octal:   03420077142\n"
		     "  Binary:  00011100 01000000 01111110 01100010\n"
		     "  Chars:   .@~b\n"
		     "  Time:    Mon Jan  7 15:31:46 1985\n"
		     "  Float:   low 6.36908e-022 high 0\n"
		     "  Double:  2.34182e-315\n");
}

static void test_formats_special(void)
{
	ps_session x64;
	ps_status st;
	char *got;

	make_session(&x64, 8);
	set_tz("UTC");
	/* 0: the epoch, zeros everywhere. */
	check_output(&x64, ps_cmd_formats, ".formats", "0",
		     "Evaluate expression:\n"
		     "  Hex:     00000000`00000000\n"
		     "  Decimal: 0\n"
		     "  Octal:   0000000000000000000000\n"
		     "  Binary:  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n"
		     "  Chars:   ........\n"
		     "  Time:    Thu Jan  1 00:00:00 1970\n"
		     "  Float:   low 0 high 0\n"
		     "  Double:  0\n");
	/* Infinities and the indefinite NaN in the Microsoft runtime's words. */
	got = run(&x64, ps_cmd_formats, ".formats", "7f800000`ff800000", &st);
	CHECK(st == PS_OK);
	CHECK(got && strstr(got, "  Float:   low -1.#INF high 1.#INF\n"));
	free(got);
	got = run(&x64, ps_cmd_formats, ".formats", "fff80000`00000000", &st);
	CHECK(got && strstr(got, "  Double:  -1.#IND\n"));
	CHECK(got && strstr(got, "  Time:    ***** Invalid FILETIME\n"));
	free(got);
	got = run(&x64, ps_cmd_formats, ".formats", "7ff00000`00000001", &st);
	CHECK(got && strstr(got, "  Double:  1.#SNAN\n"));
	CHECK(got && strstr(got, "  Float:   low 1.4013e-045 high 1.#QNAN\n"));
	free(got);
	/* A signalling float NaN prints quiet: it is widened to double first. */
	got = run(&x64, ps_cmd_formats, ".formats", "7f800001", &st);
	CHECK(got && strstr(got, "  Float:   low 1.#QNAN high 0\n"));
	free(got);
	/* Errors print and fail; nothing else is printed. */
	got = run(&x64, ps_cmd_formats, ".formats", "nope", &st);
	CHECK(st == PS_ENOTFOUND);
	CHECK_STR(got, "Couldn't resolve error at 'nope'\n");
	free(got);
	got = run(&x64, ps_cmd_formats, ".formats", "", &st);
	CHECK(st == PS_EARG);
	CHECK_STR(got, "Numeric expression missing from '<EOL>'\n");
	free(got);
}

int main(void)
{
	test_evaluate();
	test_formats_seed();
	test_formats_published();
	test_formats_special();
	return CHECK_DONE();
}
