/*
 * pdb_lookup.c - benchmark: open a PDB, then resolve N random addresses to
 * their nearest symbol. Prints the open time, the number of symbols and the
 * time per lookup. Run by bench/run.sh, never by the tests.
 *
 *   pdb_lookup FILE.pdb [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "poolscope/pdb.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	ps_pdb *pdb = NULL;
	ps_error err;
	const ps_pdb_symbol *syms;
	size_t count = 0, n = argc > 2 ? strtoul(argv[2], NULL, 0) : 1000000, found = 0;
	uint32_t lo, hi, x = 2463534242u;
	double t0, t1, t2;

	if (argc < 2) {
		fprintf(stderr, "usage: pdb_lookup FILE.pdb [N]\n");
		return 2;
	}
	t0 = now();
	if (ps_pdb_open(argv[1], &pdb, &err) != PS_OK ||
	    ps_pdb_symbols(pdb, &syms, &count, &err) != PS_OK || count == 0) {
		fprintf(stderr, "pdb_lookup: %s\n", err.message);
		return 1;
	}
	t1 = now();
	lo = syms[0].rva;
	hi = syms[count - 1].rva + 0x100;
	for (size_t i = 0; i < n; i++) {
		/* xorshift32: cheap and repeatable */
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		if (ps_pdb_symbol_at(pdb, lo + x % (hi - lo), NULL))
			found++;
	}
	t2 = now();
	printf("%-34s %10.4f s (%zu symbols)\n", "PDB open + symbol table", t1 - t0, count);
	printf("%-34s %10.1f ns per lookup (%zu lookups, %zu hits)\n", "nearest-symbol lookup",
	       (t2 - t1) * 1e9 / (double)n, n, found);
	ps_pdb_close(pdb);
	return 0;
}
