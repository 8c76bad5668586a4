/*
 * sympath_probe.c - look one file up on a symbol path, for script tests.
 *
 *   sympath_probe pdb   SYMPATH NAME {GUID} AGE      find a PDB
 *   sympath_probe pdbv  SYMPATH NAME {GUID} AGE      the same, opening each
 *                                                    candidate to compare GUID and age
 *   sympath_probe image SYMPATH NAME TIMESTAMP SIZE  find an image (hex numbers)
 *   sympath_probe key   NAME {GUID} AGE              print the store key
 *   sympath_probe parse SYMPATH                      print the parsed entries
 *
 * The found path goes to stdout, the search log to stderr. Exit status: 0
 * found, 2 not found, 1 anything else. GUIDs are written as llvm-pdbutil
 * prints them: {A52605C6-5DA8-CDB2-4C4C-44205044422E}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "poolscope/sympath.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Text GUID to the 16 bytes as stored (Data1..3 little-endian). */
static int parse_guid(const char *text, uint8_t guid[16])
{
	uint8_t be[16];
	int nib = 0;
	for (const char *p = text; *p; p++) {
		if (*p == '{' || *p == '}' || *p == '-')
			continue;
		int v = hexval(*p);
		if (v < 0 || nib >= 32)
			return 0;
		if (nib % 2 == 0)
			be[nib / 2] = (uint8_t)(v << 4);
		else
			be[nib / 2] |= (uint8_t)v;
		nib++;
	}
	if (nib != 32)
		return 0;
	static const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
	for (int i = 0; i < 16; i++)
		guid[i] = be[order[i]];
	return 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: sympath_probe pdb|pdbv SYMPATH NAME {GUID} AGE\n"
			"       sympath_probe image SYMPATH NAME TIMESTAMP SIZE\n"
			"       sympath_probe key NAME {GUID} AGE\n"
			"       sympath_probe parse SYMPATH\n");
	return 1;
}

static int print_entries(const ps_sympath *sp)
{
	static const char *const kinds[] = {"?", "folder", "cache", "server"};
	for (size_t i = 0; i < ps_sympath_count(sp); i++) {
		ps_sympath_entry e;
		if (ps_sympath_entry_at(sp, i, &e) != PS_OK)
			return 1;
		printf("%s", kinds[e.kind <= PS_SYMPATH_SERVER ? e.kind : 0]);
		if (e.dir)
			printf(" dir=%s", e.dir);
		for (size_t j = 0; j < e.nstores; j++)
			printf(" store=%s", e.stores[j]);
		printf(" cache=%s\n", e.cache ? e.cache : "(none)");
	}
	return 0;
}

int main(int argc, char **argv)
{
	char path[4096], key[1024];
	uint8_t guid[16];
	ps_error err = {0};
	ps_sympath *sp = NULL;
	ps_status st;

	if (argc == 5 && strcmp(argv[1], "key") == 0) {
		if (!parse_guid(argv[3], guid))
			return usage();
		st = ps_symstore_pdb_key(argv[2], guid, (uint32_t)strtoul(argv[4], NULL, 0), key,
					 sizeof key);
		if (st != PS_OK)
			return 1;
		printf("%s\n", key);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "parse") == 0) {
		if (ps_sympath_parse(argv[2], &sp, &err) != PS_OK) {
			fprintf(stderr, "error: %s\n", err.message);
			return 1;
		}
		int rc = print_entries(sp);
		ps_sympath_free(sp);
		return rc;
	}
	if (argc != 6)
		return usage();
	if (ps_sympath_parse(argv[2], &sp, &err) != PS_OK) {
		fprintf(stderr, "error: %s\n", err.message);
		return 1;
	}
	if (strcmp(argv[1], "pdb") == 0 && parse_guid(argv[4], guid)) {
		st = ps_sympath_find_pdb(sp, argv[3], guid, (uint32_t)strtoul(argv[5], NULL, 0),
					 path, sizeof path, stderr, &err);
	} else if (strcmp(argv[1], "pdbv") == 0 && parse_guid(argv[4], guid)) {
		ps_sympath_pdb_id id = {.age = (uint32_t)strtoul(argv[5], NULL, 0)};
		memcpy(id.guid, guid, sizeof guid);
		st = ps_sympath_find_pdb_verified(sp, argv[3], guid, id.age, ps_sympath_pdb_matches,
						  &id, path, sizeof path, stderr, &err);
	} else if (strcmp(argv[1], "image") == 0) {
		st = ps_sympath_find_image(sp, argv[3], (uint32_t)strtoul(argv[4], NULL, 16),
					   (uint32_t)strtoul(argv[5], NULL, 16), path, sizeof path,
					   stderr, &err);
	} else {
		ps_sympath_free(sp);
		return usage();
	}
	ps_sympath_free(sp);
	if (st != PS_OK) {
		fprintf(stderr, "error: %s\n", err.message);
		return st == PS_ENOTFOUND ? 2 : 1;
	}
	printf("%s\n", path);
	return 0;
}
