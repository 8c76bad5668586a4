/*
 * pdb_open.c - opening and closing a PDB, and its info stream (stream 1):
 * version, signature, age, GUID and the named stream map.
 *
 * Info stream layout (LLVM docs/PDB/PdbStream.html): Version, Signature,
 * Age (3 x uint32), GUID (16 bytes), then the named stream map: a string
 * buffer (uint32 length + bytes) and a serialized hash table - Size,
 * Capacity, the present and deleted bit vectors (uint32 word count +
 * words), and one (string offset, stream index) pair per present bucket.
 */
#include "sym/pdb_internal.h"
#include "core/mapfile.h"

#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"

#define INFO_HEADER_SIZE 28
#define NAMED_STREAMS_MAX 4096u

ps_status ps_pdb_open_memory(const void *data, size_t size, const char *name, ps_pdb **out,
			     ps_error *err)
{
	ps_pdb *pdb;
	ps_status st;

	if (!out)
		return ps_error_set(err, PS_EARG, "ps_pdb_open_memory: no output pointer");
	*out = NULL;
	if (!data && size)
		return ps_error_set(err, PS_EARG, "ps_pdb_open_memory: NULL data");
	pdb = calloc(1, sizeof *pdb);
	if (!pdb)
		return ps_error_set(err, PS_ENOMEM, "out of memory opening a PDB");
	pdb->name = strdup(name ? name : "<memory>");
	if (!pdb->name) {
		free(pdb);
		return ps_error_set(err, PS_ENOMEM, "out of memory opening a PDB");
	}
	pdb->data = data;
	pdb->size = size;
	st = pdb_msf_load(pdb, err);
	if (st != PS_OK) {
		ps_pdb_close(pdb);
		return st;
	}
	*out = pdb;
	return PS_OK;
}

ps_status ps_pdb_open(const char *path, ps_pdb **out, ps_error *err)
{
	void *map;
	size_t size;
	ps_status st;

	if (!out || !path)
		return ps_error_set(err, PS_EARG, "ps_pdb_open: no path or output pointer");
	*out = NULL;
	st = ps_map_file(path, "PDB", &map, &size, err);
	if (st != PS_OK)
		return st;
	st = ps_pdb_open_memory(map, size, path, out, err);
	if (st != PS_OK) {
		ps_unmap_file(map, size);
		return st;
	}
	(*out)->mapping = map;
	(*out)->mapping_size = size;
	return PS_OK;
}

static void free_names(ps_pdb *pdb)
{
	for (size_t i = 0; i < pdb->named_count; i++)
		free(pdb->stream_names[i]);
	free(pdb->stream_names);
	free(pdb->stream_ids);
	pdb->stream_names = NULL;
	pdb->stream_ids = NULL;
	pdb->named_count = 0;
}

void ps_pdb_close(ps_pdb *pdb)
{
	if (!pdb)
		return;
	pdb_tpi_free(pdb->tpi);
	pdb_symtab_free(pdb->symtab);
	pdb_dbi_free(pdb->dbi);
	free_names(pdb);
	pdb_msf_free(pdb);
	if (pdb->mapping)
		ps_unmap_file(pdb->mapping, pdb->mapping_size);
	free(pdb->name);
	free(pdb);
}

const char *ps_pdb_name(const ps_pdb *pdb)
{
	return pdb ? pdb->name : NULL;
}

/* Skip a serialized bit vector, counting its set bits. */
static int skip_bits(const uint8_t *s, size_t size, size_t *pos, uint64_t *set)
{
	uint32_t words;

	if (!ps_in_bounds(*pos, 4, size))
		return 0;
	words = ps_le32(s + *pos);
	*pos += 4;
	if (!ps_in_bounds(*pos, (uint64_t)words * 4, size))
		return 0;
	if (set) {
		*set = 0;
		for (uint32_t i = 0; i < words; i++) {
			uint32_t w = ps_le32(s + *pos + (size_t)i * 4);
			while (w) {
				w &= w - 1;
				(*set)++;
			}
		}
	}
	*pos += (size_t)words * 4;
	return 1;
}

/* The named stream map, after the 28-byte header. A malformed map is an
 * error only for callers that ask for a named stream. */
static ps_status parse_named_map(ps_pdb *pdb, const uint8_t *s, size_t size, ps_error *err)
{
	size_t pos = INFO_HEADER_SIZE, strings;
	uint32_t str_len, count, capacity;
	uint64_t present;

	if (!ps_in_bounds(pos, 4, size))
		goto bad;
	str_len = ps_le32(s + pos);
	pos += 4;
	if (!ps_in_bounds(pos, str_len, size))
		goto bad;
	strings = pos;
	pos += str_len;
	if (!ps_in_bounds(pos, 8, size))
		goto bad;
	count = ps_le32(s + pos);
	capacity = ps_le32(s + pos + 4);
	pos += 8;
	if (count > capacity || count > NAMED_STREAMS_MAX)
		goto bad;
	if (!skip_bits(s, size, &pos, &present) || present != count)
		goto bad;
	if (!skip_bits(s, size, &pos, NULL))
		goto bad;
	if (!ps_in_bounds(pos, (uint64_t)count * 8, size))
		goto bad;

	pdb->stream_names = calloc(count ? count : 1, sizeof *pdb->stream_names);
	pdb->stream_ids = calloc(count ? count : 1, sizeof *pdb->stream_ids);
	if (!pdb->stream_names || !pdb->stream_ids) {
		free_names(pdb);
		return ps_error_set(err, PS_ENOMEM, "%s: no memory for the named stream map",
				    pdb->name);
	}
	for (uint32_t i = 0; i < count; i++, pos += 8) {
		uint32_t off = ps_le32(s + pos), id = ps_le32(s + pos + 4);
		const char *str = (const char *)s + strings + off;
		size_t max = off < str_len ? str_len - off : 0;
		size_t len = max ? strnlen(str, max) : 0;

		if (off >= str_len || len == max) {
			free_names(pdb);
			goto bad;
		}
		pdb->stream_names[i] = strndup(str, len);
		pdb->stream_ids[i] = id;
		pdb->named_count = i + 1;
		if (!pdb->stream_names[i]) {
			free_names(pdb);
			return ps_error_set(err, PS_ENOMEM, "%s: no memory for the named stream map",
					    pdb->name);
		}
	}
	return PS_OK;
bad:
	return ps_error_set(err, PS_EFORMAT,
			    "%s: info stream: named stream map is malformed near offset %zu",
			    pdb->name, pos);
}

ps_status pdb_info_load(ps_pdb *pdb, ps_error *err)
{
	const uint8_t *s;
	size_t size;
	ps_status st;

	if (pdb->info_loaded)
		return PS_OK;
	st = pdb_stream(pdb, PDB_STREAM_INFO, &s, &size, err);
	if (st != PS_OK) {
		ps_error_prefix(err, "PDB info stream: ");
		return st;
	}
	if (size < INFO_HEADER_SIZE)
		return ps_error_set(err, PS_EFORMAT,
				    "%s: info stream is %zu bytes, shorter than its 28-byte header",
				    pdb->name, size);
	pdb->info_version = ps_le32(s);
	pdb->info_signature = ps_le32(s + 4);
	pdb->info_age = ps_le32(s + 8);
	memcpy(pdb->guid, s + 12, 16);
	/* A PDB without a usable name map still has its identity. */
	if (parse_named_map(pdb, s, size, NULL) != PS_OK)
		free_names(pdb);
	pdb->info_loaded = 1;
	return PS_OK;
}

ps_status pdb_named_stream(ps_pdb *pdb, const char *name, uint32_t *index, ps_error *err)
{
	ps_status st = pdb_info_load(pdb, err);

	if (st != PS_OK)
		return st;
	for (size_t i = 0; i < pdb->named_count; i++) {
		if (strcmp(pdb->stream_names[i], name) == 0) {
			*index = pdb->stream_ids[i];
			return PS_OK;
		}
	}
	return ps_error_set(err, PS_ENOTFOUND, "%s: no stream named \"%s\"", pdb->name, name);
}

ps_status ps_pdb_identity(ps_pdb *pdb, uint8_t guid[16], uint32_t *age, ps_error *err)
{
	const struct pdb_dbi *dbi;
	ps_status st = pdb_info_load(pdb, err);

	if (st != PS_OK)
		return st;
	memcpy(guid, pdb->guid, 16);
	*age = pdb->info_age;
	/* The image's CodeView record carries the DBI age (the linker bumps it
	 * on incremental links); the info stream age is only a fallback. */
	if (pdb_dbi_load(pdb, &dbi, NULL) == PS_OK)
		*age = dbi->age;
	return PS_OK;
}
