/*
 * fuzz_pooltag.c - the pooltag.txt reader over arbitrary bytes, then a few
 * lookups (exact, wildcard, protected bit) on whatever it accepted.
 */
#include <stddef.h>
#include <stdint.h>

#include "poolscope/pooltag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ps_tagdb *db = NULL;
	ps_error err;
	char buf[512];

	if (ps_tagdb_load_memory((const char *)data, size, "fuzz", &db, &err) != PS_OK)
		return 0;
	for (size_t i = 0; i + 4 <= size && i < 64; i += 4) {
		uint32_t tag = (uint32_t)data[i] | (uint32_t)data[i + 1] << 8 |
			       (uint32_t)data[i + 2] << 16 | (uint32_t)data[i + 3] << 24;
		ps_tagdb_describe(db, tag, buf, sizeof buf);
		ps_tagdb_describe(db, tag | 0x80000000u, buf, sizeof buf);
	}
	ps_tagdb_describe(db, 0x65726854u, buf, sizeof buf);
	ps_tagdb_free(db);
	return 0;
}
