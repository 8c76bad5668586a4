/*
 * fuzz_scenario.c - poolscope-lab's scenario parser over arbitrary text.
 *
 * Any input must give a scenario or an error message that names a line;
 * never a crash, a hang or an unbounded allocation.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lab_scenario *sc = malloc(sizeof *sc);
	ps_error err;

	if (!sc)
		return 0;
	if (lab_scenario_parse((const char *)data, size, "fuzz", sc, NULL, NULL, &err) == PS_OK) {
		/* A parsed scenario is consistent: runs ascend, one kernel. */
		uint64_t total = lab_scenario_total_pages(sc);
		if (total == 0 || lab_scenario_max_page(sc) < total)
			abort();
		lab_scenario_limit_memory(sc, 16u << 20, &err);
	} else if (strlen(err.message) == 0) {
		abort();
	}
	free(sc);
	return 0;
}
