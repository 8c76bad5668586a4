/*
 * fuzz_pdb_types.c - the PDB type reader (TPI) on arbitrary type records.
 *
 * The input becomes stream 2 of a small MSF file (tests/unit/msf_build.h),
 * so the fuzzer spends its time in the type stream, not the container. The
 * first byte picks how: odd, the rest is the whole stream, header included;
 * even, a valid V80 header is put in front of the rest, naming one type per
 * 4 bytes (more than the records hold, usually). Then every type is decoded,
 * named in both styles, and asked for members and arguments; names found
 * are looked up again. Nothing may crash, hang or read outside the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/unit/msf_build.h"
#include "poolscope/pdb.h"

/* Types visited per input: enough for every seed, bounded for speed. */
#define MAX_TYPES 2048

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void visit(ps_pdb *pdb, ps_type_id id)
{
	char name[256];
	ps_error err;
	ps_type t;
	ps_type_member *m;
	ps_type_id *args, found;
	size_t n;

	if (ps_pdb_type(pdb, id, &t, &err) == PS_OK && t.name[0])
		(void)ps_pdb_type_named(pdb, t.name, &found, &err);
	(void)ps_pdb_type_name(pdb, id, PS_TYPE_STYLE_C, name, sizeof name);
	(void)ps_pdb_type_name(pdb, id, PS_TYPE_STYLE_DT, name, sizeof name);
	if (ps_pdb_type_members(pdb, id, &m, &n, &err) == PS_OK) {
		for (size_t i = 0; i < n && i < 64; i++)
			(void)ps_pdb_type_name(pdb, m[i].type, PS_TYPE_STYLE_DT, name, sizeof name);
		free(m);
	}
	if (ps_pdb_procedure_args(pdb, id, &args, &n, &err) == PS_OK)
		free(args);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *stream, *file;
	size_t stream_size, file_size;
	ps_pdb *pdb = NULL;
	ps_error err;

	if (size < 1 || size > (1u << 20))
		return 0;
	if (data[0] & 1) {
		stream_size = size - 1;
		stream = malloc(stream_size ? stream_size : 1);
		if (!stream)
			return 0;
		memcpy(stream, data + 1, stream_size);
	} else {
		stream_size = 56 + size - 1;
		stream = calloc(1, stream_size);
		if (!stream)
			return 0;
		msf_put32(stream, 20040203);
		msf_put32(stream + 4, 56);
		msf_put32(stream + 8, 0x1000);
		msf_put32(stream + 12, 0x1000 + (uint32_t)((size - 1) / 4));
		msf_put32(stream + 16, (uint32_t)(size - 1));
		memcpy(stream + 56, data + 1, size - 1);
	}
	file = msf_build_tpi(stream, (uint32_t)stream_size, &file_size);
	free(stream);
	if (!file)
		return 0;
	if (ps_pdb_open_memory(file, file_size, "fuzz.pdb", &pdb, &err) == PS_OK) {
		for (ps_type_id id = 0x1000; id < 0x1000 + MAX_TYPES; id++) {
			ps_type t;
			if (ps_pdb_type(pdb, id, &t, &err) == PS_ENOTFOUND)
				break;
			visit(pdb, id);
		}
		/* A few simple types, pointers among them, and junk indices. */
		static const ps_type_id simple[] = {0, 3, 0x22, 0x403, 0x623, 0x7FF, 0xFFF,
						    0xFFFFFFFF};
		for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
			visit(pdb, simple[i]);
		ps_pdb_close(pdb);
	}
	free(file);
	return 0;
}
