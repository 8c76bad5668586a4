/*
 * fuzz_expr.c - arbitrary text through the MASM evaluator, `?` and .formats.
 *
 * A fake environment answers every memory read with bytes derived from the
 * address (and refuses reads near the top of the address space), knows a few
 * registers and symbols, and checks that the evaluator's end pointer stays
 * inside the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/cmd_eval.h"

static ps_status fuzz_read(void *ctx, uint64_t va, void *buf, size_t len, ps_error *err)
{
	uint8_t *out = buf;
	(void)ctx;
	if (len > 8 || va >= 0xffff000000000000ull)
		return ps_error_set(err, PS_EINVALID, "unmapped %llx", (unsigned long long)va);
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(((va + i) * 0x9e3779b1u) >> 24);
	return PS_OK;
}

static ps_status fuzz_reg(void *ctx, const char *name, uint64_t *value)
{
	(void)ctx;
	if (strcmp(name, "rip") == 0 || strcmp(name, "$ip") == 0 || strcmp(name, "eax") == 0) {
		*value = 0xfffff8047bdf5a80ull;
		return PS_OK;
	}
	return PS_ENOTFOUND;
}

static ps_status fuzz_symbol(void *ctx, const char *name, uint64_t *value)
{
	(void)ctx;
	if (strcmp(name, "nt") == 0 || strcmp(name, "nt!KiSystemStartup") == 0) {
		*value = 0xfffff80479a00000ull;
		return PS_OK;
	}
	return PS_ENOTFOUND;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	char *text = malloc(size + 1);
	ps_expr_env env = { NULL, 8, fuzz_read, fuzz_reg, fuzz_symbol };
	ps_session s;
	const char *end = NULL;
	uint64_t value = 0;
	ps_error err;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (!sink)
		sink = fopen("/dev/null", "w");

	/* The first byte picks the pointer size, so both layouts are reached. */
	env.pointer_size = size && (data[0] & 1) ? 4 : 8;
	ps_error_clear(&err);
	ps_expr_eval(&env, text, &end, &value, &err);
	if (!end || end < text || end > text + strlen(text))
		abort();
	if (memchr(err.message, '\0', sizeof err.message) == NULL)
		abort();

	memset(&s, 0, sizeof s);
	snprintf(s.prompt, sizeof s.prompt, "0: kd> ");
	s.env = env;
	if (sink) {
		ps_cmd_evaluate(&s, "?", text, sink);
		ps_cmd_formats(&s, ".formats", text, sink);
	}
	free(text);
	return 0;
}
