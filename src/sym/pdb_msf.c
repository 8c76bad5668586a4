/*
 * pdb_msf.c - the MSF 7.0 container under every PDB: superblock, stream
 * directory and streams read as contiguous buffers.
 *
 * Layout (LLVM docs/PDB/MsfFile.html): a 56-byte superblock in block 0;
 * the stream directory is spread over blocks listed, as 32-bit block
 * indices, in the block at BlockMapAddr. The directory is NumStreams,
 * then each stream's size (0xFFFFFFFF = nil), then each stream's block
 * list. Every index is checked against the blocks the file really holds,
 * and the sum of all block lists against the file's block count, so a
 * hostile directory cannot make us cache more than the file's size.
 */
#include "sym/pdb_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"

static const uint8_t msf_magic[32] = "Microsoft C/C++ MSF 7.00\r\n\x1a" "DS\0\0";

#define SB_BLOCK_SIZE      32
#define SB_FREE_MAP        36
#define SB_NUM_BLOCKS      40
#define SB_DIRECTORY_BYTES 44
#define SB_BLOCK_MAP_ADDR  52
#define SB_SIZE            56

static uint64_t blocks_for(uint64_t bytes, uint32_t block_size)
{
	return (bytes + block_size - 1) / block_size;
}

/* Copy `size` bytes laid out over `list` (count blocks) into out. */
static ps_status gather(const ps_pdb *pdb, const uint32_t *list, uint64_t count, uint64_t size,
			uint8_t *out, const char *what, ps_error *err)
{
	uint64_t done = 0;

	for (uint64_t i = 0; i < count && done < size; i++) {
		uint64_t n = size - done < pdb->block_size ? size - done : pdb->block_size;
		if (list[i] >= pdb->block_count)
			return ps_error_set(err, PS_EFORMAT,
					    "%s: %s: block %" PRIu64 " is block index %u, past the "
					    "file's %u blocks",
					    pdb->name, what, i, list[i], pdb->block_count);
		memcpy(out + done, pdb->data + (uint64_t)list[i] * pdb->block_size, (size_t)n);
		done += n;
	}
	return PS_OK;
}

/* Read the directory (its block list comes from the block map block). */
static ps_status read_directory(ps_pdb *pdb, uint32_t dir_bytes, uint32_t map_block,
				uint8_t **out, ps_error *err)
{
	uint64_t dir_blocks = blocks_for(dir_bytes, pdb->block_size);
	uint32_t *list;
	uint8_t *dir;
	ps_status st;

	if (dir_bytes < 4)
		return ps_error_set(err, PS_EFORMAT, "%s: stream directory of %u bytes is too small",
				    pdb->name, dir_bytes);
	/* The directory's block list must fit in the single block map block,
	 * and the directory itself in the file. */
	if (dir_blocks * 4 > pdb->block_size || dir_blocks > pdb->block_count)
		return ps_error_set(err, PS_EFORMAT,
				    "%s: stream directory of %u bytes does not fit the file "
				    "(%u blocks of %u bytes)",
				    pdb->name, dir_bytes, pdb->block_count, pdb->block_size);
	if (map_block == 0 || map_block >= pdb->block_count)
		return ps_error_set(err, PS_EFORMAT,
				    "%s: block map address %u is outside the file's %u blocks",
				    pdb->name, map_block, pdb->block_count);

	list = malloc((size_t)dir_blocks * sizeof *list);
	dir = malloc(dir_bytes);
	if (!list || !dir) {
		free(list);
		free(dir);
		return ps_error_set(err, PS_ENOMEM, "%s: no memory for the stream directory",
				    pdb->name);
	}
	for (uint64_t i = 0; i < dir_blocks; i++)
		list[i] = ps_le32(pdb->data + (uint64_t)map_block * pdb->block_size + i * 4);
	st = gather(pdb, list, dir_blocks, dir_bytes, dir, "stream directory", err);
	free(list);
	if (st != PS_OK) {
		free(dir);
		return st;
	}
	*out = dir;
	return PS_OK;
}

static ps_status parse_directory(ps_pdb *pdb, const uint8_t *dir, uint32_t dir_bytes, ps_error *err)
{
	uint32_t n = ps_le32(dir);
	uint64_t pos, total = 0;

	if (n > PDB_MAX_STREAMS || !ps_in_bounds(4, (uint64_t)n * 4, dir_bytes))
		return ps_error_set(err, PS_EFORMAT,
				    "%s: stream directory claims %u streams, more than its %u bytes hold",
				    pdb->name, n, dir_bytes);
	pdb->streams = calloc(n ? n : 1, sizeof *pdb->streams);
	if (!pdb->streams)
		return ps_error_set(err, PS_ENOMEM, "%s: no memory for %u streams", pdb->name, n);
	pdb->stream_count = n;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t size = ps_le32(dir + 4 + (uint64_t)i * 4);
		pdb->streams[i].size = size;
		if (size == PDB_NIL_STREAM)
			continue;
		if ((uint64_t)size > pdb->size)
			return ps_error_set(err, PS_EFORMAT,
					    "%s: stream %u claims %u bytes, more than the file's %zu",
					    pdb->name, i, size, pdb->size);
		pdb->streams[i].first = (uint32_t)total;
		total += blocks_for(size, pdb->block_size);
		/* No two streams share a block in a real MSF file, so all lists
		 * together cannot name more blocks than the file has. */
		if (total > pdb->block_count)
			return ps_error_set(err, PS_EFORMAT,
					    "%s: streams 0..%u need %" PRIu64 " blocks, more than the "
					    "file's %u",
					    pdb->name, i, total, pdb->block_count);
	}

	pos = 4 + (uint64_t)n * 4;
	if (!ps_in_bounds(pos, total * 4, dir_bytes))
		return ps_error_set(err, PS_EFORMAT,
				    "%s: stream directory of %u bytes is too short for %" PRIu64
				    " block indices",
				    pdb->name, dir_bytes, total);
	pdb->blocks = malloc(total ? (size_t)total * sizeof *pdb->blocks : 1);
	if (!pdb->blocks)
		return ps_error_set(err, PS_ENOMEM, "%s: no memory for the block lists", pdb->name);
	for (uint64_t i = 0; i < total; i++)
		pdb->blocks[i] = ps_le32(dir + pos + i * 4);
	pdb->block_total = (size_t)total;
	return PS_OK;
}

ps_status pdb_msf_load(ps_pdb *pdb, ps_error *err)
{
	uint32_t bs, num_blocks, dir_bytes, map_block;
	uint8_t *dir = NULL;
	ps_status st;

	if (pdb->size < SB_SIZE || memcmp(pdb->data, msf_magic, sizeof msf_magic) != 0)
		return ps_error_set(err, PS_EFORMAT,
				    "%s: not a PDB (no MSF 7.00 superblock at offset 0)", pdb->name);
	bs = ps_le32(pdb->data + SB_BLOCK_SIZE);
	if (bs != 512 && bs != 1024 && bs != 2048 && bs != 4096)
		return ps_error_set(err, PS_EFORMAT, "%s: MSF block size %u is not 512..4096",
				    pdb->name, bs);
	num_blocks = ps_le32(pdb->data + SB_NUM_BLOCKS);
	dir_bytes = ps_le32(pdb->data + SB_DIRECTORY_BYTES);
	map_block = ps_le32(pdb->data + SB_BLOCK_MAP_ADDR);
	pdb->block_size = bs;
	/* A truncated file still opens: only the blocks it holds are readable,
	 * and a stream that needs a missing one fails when it is read. */
	pdb->block_count = num_blocks;
	if ((uint64_t)num_blocks * bs > pdb->size)
		pdb->block_count = (uint32_t)(pdb->size / bs);

	st = read_directory(pdb, dir_bytes, map_block, &dir, err);
	if (st == PS_OK)
		st = parse_directory(pdb, dir, dir_bytes, err);
	free(dir);
	return st;
}

void pdb_msf_free(ps_pdb *pdb)
{
	if (pdb->streams)
		for (uint32_t i = 0; i < pdb->stream_count; i++)
			free(pdb->streams[i].copy);
	free(pdb->streams);
	free(pdb->blocks);
	pdb->streams = NULL;
	pdb->blocks = NULL;
	pdb->stream_count = 0;
}

/* True when the stream's blocks follow each other in the file, so it can
 * be read in place (lld writes most streams so). */
static int consecutive(const ps_pdb *pdb, const struct pdb_stream *s)
{
	uint64_t n = blocks_for(s->size, pdb->block_size);
	const uint32_t *list = pdb->blocks + s->first;

	if (list[0] >= pdb->block_count || n > pdb->block_count - list[0])
		return 0;
	for (uint64_t i = 1; i < n; i++)
		if (list[i] != list[0] + i)
			return 0;
	/* The last block may be cut short by the end of the file. */
	return ps_in_bounds((uint64_t)list[0] * pdb->block_size, s->size, pdb->size);
}

int pdb_stream_present(const ps_pdb *pdb, uint32_t index)
{
	return index < pdb->stream_count && pdb->streams[index].size != PDB_NIL_STREAM;
}

ps_status pdb_stream(ps_pdb *pdb, uint32_t index, const uint8_t **data, size_t *size,
		     ps_error *err)
{
	static const uint8_t empty[1];
	struct pdb_stream *s;
	char what[32];
	ps_status st;

	*data = NULL;
	*size = 0;
	if (index >= pdb->stream_count)
		return ps_error_set(err, PS_ENOTFOUND, "%s: no stream %u (the directory has %u)",
				    pdb->name, index, pdb->stream_count);
	s = &pdb->streams[index];
	if (s->size == PDB_NIL_STREAM)
		return ps_error_set(err, PS_ENOTFOUND, "%s: stream %u is nil", pdb->name, index);
	if (s->size == 0) {
		*data = empty;
		return PS_OK;
	}
	if (!s->loaded && consecutive(pdb, s)) {
		s->data = pdb->data + (uint64_t)pdb->blocks[s->first] * pdb->block_size;
		s->loaded = 1;
	}
	if (!s->loaded) {
		uint8_t *buf = malloc(s->size);
		if (!buf)
			return ps_error_set(err, PS_ENOMEM, "%s: no memory for stream %u (%u bytes)",
					    pdb->name, index, s->size);
		snprintf(what, sizeof what, "stream %u", index);
		st = gather(pdb, pdb->blocks + s->first, blocks_for(s->size, pdb->block_size),
			    s->size, buf, what, err);
		if (st != PS_OK) {
			free(buf);
			return st;
		}
		s->data = s->copy = buf;
		s->loaded = 1;
	}
	*data = s->data;
	*size = s->size;
	return PS_OK;
}
