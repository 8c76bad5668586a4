/*
 * msf_build.h - write a minimal MSF 7.00 container (a PDB file) around
 * streams given in memory, so tests and fuzz targets can hand the PDB
 * reader exactly the type stream they want to try.
 *
 * Layout (LLVM docs/PDB/MsfFile.html): block 0 the superblock, blocks 1-2
 * the free block maps (left zero), block 3 the block map listing the
 * directory's blocks, then the directory (stream count, sizes, each
 * stream's block list), then the streams' blocks in order.
 */
#ifndef PS_TEST_MSF_BUILD_H
#define PS_TEST_MSF_BUILD_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct msf_stream {
	const void *data;
	uint32_t size;
};

static inline void msf_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* A malloc'd file of *size bytes, or NULL. Block size 512 keeps small
 * inputs small; the directory must fit one block map block. */
static inline uint8_t *msf_build(const struct msf_stream *s, uint32_t n, size_t *size)
{
	static const char magic[32] = "Microsoft C/C++ MSF 7.00\r\n\x1a" "DS\0\0";
	const uint32_t bs = 512;
	uint32_t data_blocks = 0, dir_bytes, dir_blocks, first, next;
	uint8_t *f, *dir;

	for (uint32_t i = 0; i < n; i++)
		data_blocks += (s[i].size + bs - 1) / bs;
	dir_bytes = 4 + 4 * n + 4 * data_blocks;
	dir_blocks = (dir_bytes + bs - 1) / bs;
	if (dir_blocks > bs / 4)
		return NULL;
	first = 4 + dir_blocks;
	*size = (size_t)(first + data_blocks) * bs;
	f = calloc(1, *size);
	if (!f)
		return NULL;
	memcpy(f, magic, sizeof magic);
	msf_put32(f + 32, bs);
	msf_put32(f + 36, 1);
	msf_put32(f + 40, first + data_blocks);
	msf_put32(f + 44, dir_bytes);
	msf_put32(f + 52, 3);
	for (uint32_t i = 0; i < dir_blocks; i++)
		msf_put32(f + 3 * bs + 4 * i, 4 + i);
	dir = f + 4 * bs;
	msf_put32(dir, n);
	for (uint32_t i = 0; i < n; i++)
		msf_put32(dir + 4 + 4 * i, s[i].size);
	dir += 4 + 4 * n;
	next = first;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t blocks = (s[i].size + bs - 1) / bs;
		if (s[i].size)
			memcpy(f + (size_t)next * bs, s[i].data, s[i].size);
		for (uint32_t b = 0; b < blocks; b++) {
			msf_put32(dir, next++);
			dir += 4;
		}
	}
	return f;
}

/* A PDB whose stream 2 is `tpi` (streams 0, 1, 3 empty). */
static inline uint8_t *msf_build_tpi(const void *tpi, uint32_t tpi_size, size_t *size)
{
	struct msf_stream s[4] = {{NULL, 0}, {NULL, 0}, {tpi, tpi_size}, {NULL, 0}};
	return msf_build(s, 4, size);
}

#endif
