/*
 * test_expr.c - the MASM expression evaluator against what WinDbg computes.
 *
 * A fake environment supplies memory (a small byte array at 0x1000 whose
 * byte at address a is (a & 0xff) ^ 0x5a), registers and a few symbols.
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "poolscope/expr.h"

#define MEM_BASE 0x1000u
#define MEM_SIZE 0x100u

static ps_status fake_read(void *ctx, uint64_t va, void *buf, size_t len, ps_error *err)
{
	uint8_t *out = buf;
	(void)ctx;
	if (va < MEM_BASE || va + len > MEM_BASE + MEM_SIZE || va + len < va)
		return ps_error_set(err, PS_EINVALID, "address %llx is not mapped", (unsigned long long)va);
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(((va + i) & 0xff) ^ 0x5a);
	return PS_OK;
}

static ps_status fake_reg(void *ctx, const char *name, uint64_t *value)
{
	(void)ctx;
	if (strcmp(name, "rip") == 0 || strcmp(name, "$ip") == 0) {
		*value = 0xfffff8047bdf5a80ull;
		return PS_OK;
	}
	if (strcmp(name, "eax") == 0) {
		*value = 0x30;
		return PS_OK;
	}
	if (strcmp(name, "ah") == 0) {
		*value = 3;
		return PS_OK;
	}
	return PS_ENOTFOUND;
}

static ps_status fake_symbol(void *ctx, const char *name, uint64_t *value)
{
	(void)ctx;
	if (strcmp(name, "SIoctl") == 0) {
		*value = 0x91967000;
		return PS_OK;
	}
	if (strcmp(name, "nt") == 0) {
		*value = 0xfffff80479a00000ull;
		return PS_OK;
	}
	if (strcmp(name, "nt!PsLoadedModuleList") == 0) {
		*value = 0xfffff8047a02a2d0ull;
		return PS_OK;
	}
	/* A module whose name is valid hex: the number wins without '!'. */
	if (strcmp(name, "dead") == 0 || strcmp(name, "!dead") == 0) {
		*value = 0x5000;
		return PS_OK;
	}
	if (strcmp(name, "Foo::Bar") == 0) {
		*value = 0x40;
		return PS_OK;
	}
	return PS_ENOTFOUND;
}

static ps_expr_env env64 = { NULL, 8, fake_read, fake_reg, fake_symbol };
static ps_expr_env env32 = { NULL, 4, fake_read, fake_reg, fake_symbol };

static uint64_t ev(const ps_expr_env *env, const char *text)
{
	uint64_t v = 0xdeadbeefdeadbeefull;
	ps_error err;
	ps_status st = ps_expr_eval(env, text, NULL, &v, &err);
	if (st != PS_OK)
		fprintf(stderr, "  unexpected error for \"%s\": %s\n", text, err.message);
	return v;
}

/* The error message for `text`, or "(ok)". */
static const char *ev_err(const char *text)
{
	static ps_error err;
	uint64_t v;
	ps_error_clear(&err);
	if (ps_expr_eval(&env64, text, NULL, &v, &err) == PS_OK)
		return "(ok)";
	return err.message;
}

static const char *ev_end(const char *text)
{
	const char *end = NULL;
	uint64_t v;
	ps_error err;
	ps_expr_eval(&env64, text, &end, &v, &err);
	return end;
}

static void test_numbers(void)
{
	CHECK_EQ_U64(ev(&env64, "10"), 0x10);
	CHECK_EQ_U64(ev(&env64, "0x10"), 0x10);
	CHECK_EQ_U64(ev(&env64, "0X4aB3"), 0x4ab3);
	CHECK_EQ_U64(ev(&env64, "0n10"), 10);
	CHECK_EQ_U64(ev(&env64, "0N1263227725"), 0x4b4b534d);
	CHECK_EQ_U64(ev(&env64, "0t17"), 15);
	CHECK_EQ_U64(ev(&env64, "0y101001001"), 0x149);
	CHECK_EQ_U64(ev(&env64, "4B4B534Dh"), 0x4b4b534d);
	CHECK_EQ_U64(ev(&env64, "4ab3H"), 0x4ab3);
	CHECK_EQ_U64(ev(&env64, "ah"), 0xa); /* a number, not the register */
	CHECK_EQ_U64(ev(&env64, "a"), 0xa);
	CHECK_EQ_U64(ev(&env64, "dead"), 0xdead); /* number first, even though a module is named so */
	CHECK_EQ_U64(ev(&env64, "!dead"), 0x5000);
	CHECK_EQ_U64(ev(&env64, "0x"), 0);
	CHECK_EQ_U64(ev(&env64, "0n"), 0);
	CHECK_EQ_U64(ev(&env64, "fffff804`7bdf5a80"), 0xfffff8047bdf5a80ull);
	CHECK_EQ_U64(ev(&env64, "00000000`4b4b534d"), 0x4b4b534d);
	CHECK_EQ_U64(ev(&env64, "1`1"), 0x11);
	CHECK_EQ_U64(ev(&env64, "1`"), 1);
	CHECK_EQ_U64(ev(&env64, "ffffffffffffffff"), UINT64_MAX);
	CHECK_EQ_U64(ev(&env64, "0000000000000000000000041"), 0x41);
	CHECK_EQ_U64(ev(&env64, "0n18446744073709551615"), UINT64_MAX);
	CHECK_STR(ev_err("10000000000000000"), "Syntax error at '10000000000000000'");
	CHECK_STR(ev_err("0n18446744073709551616"), "Syntax error at '0n18446744073709551616'");
	CHECK_STR(ev_err("`1"), "Syntax error at '`1'");
	/* Not a number in its base: a name, which does not resolve. */
	CHECK_STR(ev_err("0y102"), "Couldn't resolve error at '0y102'");
	CHECK_STR(ev_err("0t8"), "Couldn't resolve error at '0t8'");
}

static void test_operators(void)
{
	CHECK_EQ_U64(ev(&env64, "8ab94030 - 8ab94000"), 0x30);
	CHECK_EQ_U64(ev(&env64, "1+2*3"), 7);
	CHECK_EQ_U64(ev(&env64, "(1+2)*3"), 9);
	CHECK_EQ_U64(ev(&env64, "1 + 2 * 3 / 4"), 2);
	CHECK_EQ_U64(ev(&env64, "10/3"), 5);
	CHECK_EQ_U64(ev(&env64, "10%3"), 1);
	CHECK_EQ_U64(ev(&env64, "10 mod 3"), 1);
	CHECK_EQ_U64(ev(&env64, "10 MOD 3"), 1);
	CHECK_EQ_U64(ev(&env64, "0 - 1"), UINT64_MAX);
	CHECK_EQ_U64(ev(&env64, "-1"), UINT64_MAX);
	CHECK_EQ_U64(ev(&env64, "--1"), 1);
	CHECK_EQ_U64(ev(&env64, "+-1"), UINT64_MAX);
	CHECK_EQ_U64(ev(&env64, "+5"), 5);
	CHECK_EQ_U64(ev(&env64, "~0"), UINT64_MAX);
	CHECK_EQ_U64(ev(&env64, "not 0"), 1);
	CHECK_EQ_U64(ev(&env64, "not 5"), 0);
	CHECK_EQ_U64(ev(&env64, "f0 & 3c"), 0x30);
	CHECK_EQ_U64(ev(&env64, "f0 and 3c"), 0x30);
	CHECK_EQ_U64(ev(&env64, "f0 | f"), 0xff);
	CHECK_EQ_U64(ev(&env64, "1 or 2"), 3);
	CHECK_EQ_U64(ev(&env64, "ff ^ f"), 0xf0);
	CHECK_EQ_U64(ev(&env64, "ff xor f"), 0xf0);
	CHECK_EQ_U64(ev(&env64, "1 << 4"), 0x10);
	CHECK_EQ_U64(ev(&env64, "1 << 28"), 0x10000000000ull); /* 28 is hex: 40 bits */
	CHECK_EQ_U64(ev(&env64, "1 << 0n40"), 0x10000000000ull);
	CHECK_EQ_U64(ev(&env64, "3 << 40"), 3); /* counts wrap at 64, like the x86 shifts */
	CHECK_EQ_U64(ev(&env64, "100 >> 4"), 0x10);
	CHECK_EQ_U64(ev(&env64, "-8 >> 1"), 0x7ffffffffffffffcull);
	CHECK_EQ_U64(ev(&env64, "-8 >>> 1"), 0xfffffffffffffffcull);
	CHECK_EQ_U64(ev(&env64, "-8 >>> 0"), 0xfffffffffffffff8ull);
	CHECK_EQ_U64(ev(&env64, "3 == 3"), 1);
	CHECK_EQ_U64(ev(&env64, "3 = 3"), 1);
	CHECK_EQ_U64(ev(&env64, "3 != 3"), 0);
	CHECK_EQ_U64(ev(&env64, "3!=4"), 1);
	CHECK_EQ_U64(ev(&env64, "3 < 4"), 1);
	CHECK_EQ_U64(ev(&env64, "3 > 4"), 0);
	CHECK_EQ_U64(ev(&env64, "4 <= 4"), 1);
	CHECK_EQ_U64(ev(&env64, "5 >= 4"), 1);
	CHECK_EQ_U64(ev(&env64, "-1 > 0"), 1); /* unsigned, as WinDbg's ULONG64 */
	CHECK_EQ_U64(ev(&env64, "hi(12345678)"), 0x1234);
	CHECK_EQ_U64(ev(&env64, "low(12345678)"), 0x5678);
	/* Precedence: comparison below shift below addition; and/xor/or last. */
	CHECK_EQ_U64(ev(&env64, "1 + 1 << 2"), 8);
	CHECK_EQ_U64(ev(&env64, "1 << 2 == 4"), 1);
	CHECK_EQ_U64(ev(&env64, "(22 & f) == 2"), 1);
	CHECK_EQ_U64(ev(&env64, "6 & 3 == 3"), 0); /* 6 & (3 == 3) */
	CHECK_EQ_U64(ev(&env64, "1 | 2 ^ 3 & 6"), 1 | (2 ^ (3 & 6)));
	CHECK_EQ_U64(ev(&env64, "2 * -3"), (uint64_t)-6);
	CHECK_EQ_U64(ev(&env64, "  ( ( 7 ) )  "), 7);
	CHECK_STR(ev_err("1/0"), "Divide by zero error at '0'");
	CHECK_STR(ev_err("1 % (2-2)"), "Divide by zero error at ')'");
}

static void test_memory(void)
{
	/* bytes at 0x1010: 0x10^0x5a=4a, 4b, 48, 49, 4e, 4f, 4c, 4d */
	CHECK_EQ_U64(ev(&env64, "by(1010)"), 0x4a);
	CHECK_EQ_U64(ev(&env64, "wo(1010)"), 0x4b4a);
	CHECK_EQ_U64(ev(&env64, "dwo(1010)"), 0x49484b4a);
	CHECK_EQ_U64(ev(&env64, "qwo(1010)"), 0x4d4c4f4e49484b4aull);
	CHECK_EQ_U64(ev(&env64, "poi(1010)"), 0x4d4c4f4e49484b4aull);
	CHECK_EQ_U64(ev(&env32, "poi(1010)"), 0x49484b4a);
	CHECK_EQ_U64(ev(&env64, "poi 1010"), 0x4d4c4f4e49484b4aull);
	CHECK_EQ_U64(ev(&env64, "by(1000+10)+1"), 0x4b);
	CHECK_EQ_U64(ev(&env64, "by(by(1010) + fc6)"), 0x4a); /* 4a + fc6 = 1010 */
	/* x86: addresses are 32-bit, whatever sits in the high half. */
	CHECK_EQ_U64(ev(&env32, "by(ffffffff`00001010)"), 0x4a);
	CHECK_STR(ev_err("poi(1)"), "Memory access error at ')'");
	CHECK_STR(ev_err("poi 1"), "Memory access error at '1'");
	CHECK_STR(ev_err("dwo(2000) == 0x100) { .echo x }"), "Memory access error at ') == 0x100) { .echo x }'");
	{
		ps_expr_env nomem = { NULL, 8, NULL, NULL, NULL };
		ps_error err;
		uint64_t v;
		CHECK(ps_expr_eval(&nomem, "poi(1010)", NULL, &v, &err) != PS_OK);
		CHECK_STR(err.message, "Memory access error at ')'");
	}
}

static void test_names(void)
{
	CHECK_EQ_U64(ev(&env64, "@rip"), 0xfffff8047bdf5a80ull);
	CHECK_EQ_U64(ev(&env64, "@$ip"), 0xfffff8047bdf5a80ull);
	CHECK_EQ_U64(ev(&env64, "$ip"), 0xfffff8047bdf5a80ull);
	CHECK_EQ_U64(ev(&env64, "."), 0xfffff8047bdf5a80ull);
	CHECK_EQ_U64(ev(&env64, ". + 10"), 0xfffff8047bdf5a90ull);
	CHECK_EQ_U64(ev(&env64, "@eax+8"), 0x38);
	CHECK_EQ_U64(ev(&env64, "eax"), 0x30); /* not hex, not a symbol: a register */
	CHECK_EQ_U64(ev(&env64, "@ah"), 3);
	CHECK_EQ_U64(ev(&env64, "SIoctl"), 0x91967000);
	CHECK_EQ_U64(ev(&env64, "SIoctl+0x2010"), 0x91969010);
	CHECK_EQ_U64(ev(&env64, "nt!PsLoadedModuleList"), 0xfffff8047a02a2d0ull);
	CHECK_EQ_U64(ev(&env64, "nt!PsLoadedModuleList+8"), 0xfffff8047a02a2d8ull);
	CHECK_EQ_U64(ev(&env64, "nt"), 0xfffff80479a00000ull);
	CHECK_EQ_U64(ev(&env64, "Foo::Bar+1"), 0x41);
	CHECK_STR(ev_err("foo"), "Couldn't resolve error at 'foo'");
	CHECK_STR(ev_err("foo+1"), "Couldn't resolve error at 'foo+1'");
	CHECK_STR(ev_err("1 + nt!Nope * 2"), "Couldn't resolve error at 'nt!Nope * 2'");
	CHECK_STR(ev_err("!1"), "Couldn't resolve error at '!1'");
	CHECK_STR(ev_err("@foo"), "Bad register error at '@foo'");
	CHECK_STR(ev_err("@"), "Bad register error at '@'");
	CHECK_STR(ev_err("$nope"), "Bad register error at '$nope'");
}

static void test_errors_and_end(void)
{
	const char *text;

	CHECK_STR(ev_err(""), "Numeric expression missing from '<EOL>'");
	CHECK_STR(ev_err("   "), "Numeric expression missing from '<EOL>'");
	CHECK_STR(ev_err("1+"), "Numeric expression missing from '<EOL>'");
	CHECK_STR(ev_err("1*"), "Numeric expression missing from '<EOL>'");
	CHECK_STR(ev_err("*1"), "Numeric expression missing from '*1'");
	CHECK_STR(ev_err("1 & & 2"), "Numeric expression missing from '& 2'");
	CHECK_STR(ev_err("(1+1"), "Syntax error at '<EOL>'");
	CHECK_STR(ev_err("(1+1 2"), "Syntax error at '2'");
	CHECK_STR(ev_err("\"abc\""), "Syntax error at '\"abc\"'");
	CHECK_STR(ev_err("@@c++(1)"), "Syntax error at '@@c++(1)'");
	CHECK(ps_expr_eval(&env64, NULL, NULL, NULL, NULL) == PS_EARG);

	/* The status names the kind of failure. */
	{
		ps_error err;
		uint64_t v;
		CHECK(ps_expr_eval(&env64, "foo", NULL, &v, &err) == PS_ENOTFOUND);
		CHECK(err.status == PS_ENOTFOUND);
		CHECK(ps_expr_eval(&env64, "poi(0)", NULL, &v, &err) == PS_EINVALID);
		CHECK(ps_expr_eval(&env64, "(", NULL, &v, &err) == PS_EARG);
	}

	/* Parsing stops before what cannot continue the expression. */
	text = "1000 L20";
	CHECK(ev_end(text) == text + 5);
	CHECK_EQ_U64(ev(&env64, text), 0x1000);
	text = "1000+10 L?20";
	CHECK(ev_end(text) == text + 8);
	text = "8ab94030 - 8ab94000";
	CHECK(ev_end(text) == text + strlen(text));
	text = "1+1)";
	CHECK(ev_end(text) == text + 3);
	text = "poi(1010) , 5";
	CHECK(ev_end(text) == text + 10);
	text = "10 ; dd 20";
	CHECK(ev_end(text) == text + 3);
	text = "@rip 4";
	CHECK(ev_end(text) == text + 5);
	text = "1 2";
	CHECK(ev_end(text) == text + 2);
	CHECK_EQ_U64(ev(&env64, "1 2"), 1);
	text = "foo";
	CHECK(ev_end(text) == text + 3); /* end sits after the failing token */

	/* Nesting is bounded; very long flat input is fine. */
	{
		static char deep[4096];
		static char deep_unary[4096];
		static char wide[200001];
		size_t n = 0;
		ps_error err;
		uint64_t v;

		for (int i = 0; i < 1000; i++)
			deep[n++] = '(';
		deep[n++] = '1';
		for (int i = 0; i < 1000; i++)
			deep[n++] = ')';
		deep[n] = '\0';
		CHECK(ps_expr_eval(&env64, deep, NULL, &v, &err) == PS_EARG);
		CHECK(strncmp(err.message, "Syntax error at '((", 19) == 0);

		n = 0;
		for (int i = 0; i < 200; i++)
			deep[n++] = '(';
		deep[n++] = '1';
		for (int i = 0; i < 200; i++)
			deep[n++] = ')';
		deep[n] = '\0';
		CHECK(ps_expr_eval(&env64, deep, NULL, &v, &err) == PS_OK);
		CHECK_EQ_U64(v, 1);

		n = 0;
		for (int i = 0; i < 3000; i++)
			deep_unary[n++] = '-';
		deep_unary[n++] = '1';
		deep_unary[n] = '\0';
		CHECK(ps_expr_eval(&env64, deep_unary, NULL, &v, &err) == PS_EARG);

		n = 0;
		while (n + 2 < sizeof wide - 1) {
			wide[n++] = '1';
			wide[n++] = '+';
		}
		wide[n++] = '1';
		wide[n] = '\0';
		CHECK(ps_expr_eval(&env64, wide, NULL, &v, &err) == PS_OK);
		CHECK_EQ_U64(v, n / 2 + 1);
		/* A long unresolved name quotes a bounded part of the rest. */
		memset(wide, 'z', sizeof wide - 1);
		wide[sizeof wide - 1] = '\0';
		CHECK(ps_expr_eval(&env64, wide, NULL, &v, &err) == PS_ENOTFOUND);
		CHECK(strncmp(err.message, "Couldn't resolve error at 'zzz", 30) == 0);
		CHECK(strlen(err.message) < sizeof err.message);
	}
}

int main(void)
{
	test_numbers();
	test_operators();
	test_memory();
	test_names();
	test_errors_and_end();
	return CHECK_DONE();
}
