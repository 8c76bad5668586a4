/*
 * pdb_tpi.c - the PDB type stream (TPI, stream 2): its header and an index
 * of where each type record starts.
 *
 * The stream is a 56-byte header (LLVM, docs/PDB/TpiStream.html: Version,
 * HeaderSize, TypeIndexBegin, TypeIndexEnd, TypeRecordBytes, the hash
 * stream's index and layout) followed by TypeRecordBytes of records. Each
 * record is a u16 length (not counting itself) and a u16 leaf kind; the
 * first record is type index TypeIndexBegin (0x1000), the next one more.
 * There is no table of offsets we could trust (the hash stream's index
 * offsets are only hints), so one pass over the records builds it; every
 * step is checked against both the header's counts and the stream size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "sym/pdb_internal.h"
#include "sym/pdb_tpi.h"

#define TPI_HEADER_SIZE 56
#define TPI_VERSION_V70 19990903u
#define TPI_VERSION_V80 20040203u

static ps_status tpi_parse_header(struct pdb_tpi *tpi, ps_error *err)
{
	const uint8_t *h = tpi->data;

	if (tpi->size < TPI_HEADER_SIZE)
		return ps_error_set(err, PS_EFORMAT,
				    "%s: TPI stream is %zu bytes, shorter than its %u-byte header",
				    tpi->file, tpi->size, TPI_HEADER_SIZE);
	tpi->version = ps_le32(h);
	tpi->header_size = ps_le32(h + 4);
	tpi->begin = ps_le32(h + 8);
	tpi->end = ps_le32(h + 12);
	tpi->record_bytes = ps_le32(h + 16);
	tpi->hash_stream = ps_le16(h + 20);
	tpi->hash_aux_stream = ps_le16(h + 22);
	tpi->hash_key_size = ps_le32(h + 24);
	tpi->hash_buckets = ps_le32(h + 28);

	/* V70 (VC 7.0) introduced 32-bit type indices; V80 is what every
	 * toolchain since VS 2005 (and lld-link) writes, with the same records. */
	if (tpi->version != TPI_VERSION_V80 && tpi->version != TPI_VERSION_V70)
		return ps_error_set(err, PS_EUNSUPPORTED,
				    "%s: TPI stream version %u is not supported (expected %u)",
				    tpi->file, tpi->version, TPI_VERSION_V80);
	if (tpi->header_size < TPI_HEADER_SIZE || tpi->header_size > tpi->size)
		return ps_error_set(err, PS_EFORMAT,
				    "%s: TPI header size %u is outside the %zu-byte stream",
				    tpi->file, tpi->header_size, tpi->size);
	if (tpi->begin < PDB_TPI_FIRST_INDEX || tpi->end < tpi->begin)
		return ps_error_set(err, PS_EFORMAT,
				    "%s: TPI type index range [0x%x, 0x%x) is invalid",
				    tpi->file, tpi->begin, tpi->end);
	return PS_OK;
}

/* One pass over the records. Stops (keeping what it indexed) at the first
 * record that cannot be right, and says why in tpi->stop. */
static ps_status tpi_index(struct pdb_tpi *tpi, ps_error *err)
{
	size_t pos = tpi->header_size;
	size_t limit = tpi->size;
	uint64_t wanted = (uint64_t)tpi->end - tpi->begin;
	uint64_t room;

	if ((uint64_t)tpi->record_bytes < limit - pos)
		limit = pos + tpi->record_bytes;
	else if ((uint64_t)tpi->record_bytes > limit - pos)
		snprintf(tpi->stop, sizeof tpi->stop,
			 "TPI header promises 0x%x record bytes but the stream holds 0x%zx",
			 tpi->record_bytes, limit - pos);
	/* Every record takes at least 4 bytes, so a hostile TypeIndexEnd cannot
	 * make us allocate more than the stream could describe. */
	room = (limit - pos) / 4;
	if (wanted > room)
		wanted = room;
	tpi->offsets = malloc((wanted ? wanted : 1) * sizeof *tpi->offsets);
	if (!tpi->offsets)
		return ps_error_set(err, PS_ENOMEM, "%s: no memory to index %llu type records",
				    tpi->file, (unsigned long long)wanted);

	while (tpi->count < wanted) {
		uint16_t len;

		if (!ps_in_bounds(pos, 4, limit)) {
			snprintf(tpi->stop, sizeof tpi->stop,
				 "type 0x%x: record header at stream offset 0x%zx runs past the records' end 0x%zx",
				 tpi->begin + tpi->count, pos, limit);
			break;
		}
		len = ps_le16(tpi->data + pos);
		if (len < 2) {
			snprintf(tpi->stop, sizeof tpi->stop,
				 "type 0x%x: record at stream offset 0x%zx has length %u, too short for its kind",
				 tpi->begin + tpi->count, pos, len);
			break;
		}
		if (!ps_in_bounds(pos + 2, len, limit)) {
			snprintf(tpi->stop, sizeof tpi->stop,
				 "type 0x%x: record at stream offset 0x%zx (length 0x%x) runs past the records' end 0x%zx",
				 tpi->begin + tpi->count, pos, len, limit);
			break;
		}
		tpi->offsets[tpi->count++] = (uint32_t)pos;
		pos += 2 + (size_t)len;
	}
	if (!tpi->stop[0] && tpi->count < tpi->end - tpi->begin)
		snprintf(tpi->stop, sizeof tpi->stop,
			 "TPI header names types up to 0x%x but the records end after 0x%x",
			 tpi->end, tpi->begin + tpi->count);
	return PS_OK;
}

void pdb_tpi_free(struct pdb_tpi *tpi)
{
	if (!tpi)
		return;
	free(tpi->offsets);
	free(tpi->by_name);
	free(tpi->by_unique);
	free(tpi);
}

ps_status pdb_tpi_get(ps_pdb *pdb, struct pdb_tpi **out, ps_error *err)
{
	struct pdb_tpi *tpi;
	ps_status st;

	if (pdb->tpi) {
		*out = pdb->tpi;
		return PS_OK;
	}
	tpi = calloc(1, sizeof *tpi);
	if (!tpi)
		return ps_error_set(err, PS_ENOMEM, "%s: no memory for the type stream",
				    ps_pdb_name(pdb));
	tpi->file = ps_pdb_name(pdb);
	st = pdb_stream(pdb, PDB_STREAM_TPI, &tpi->data, &tpi->size, err);
	if (st == PS_ENOTFOUND)
		st = ps_error_set(err, PS_ENOTFOUND, "%s: the PDB has no type stream (stream 2)",
				  tpi->file);
	if (st == PS_OK)
		st = tpi_parse_header(tpi, err);
	if (st == PS_OK)
		st = tpi_index(tpi, err);
	if (st != PS_OK) {
		pdb_tpi_free(tpi);
		return st;
	}
	pdb->tpi = tpi;
	*out = tpi;
	return PS_OK;
}

ps_status pdb_tpi_record(const struct pdb_tpi *tpi, uint32_t id, uint16_t *leaf,
			 const uint8_t **body, size_t *len, ps_error *err)
{
	const uint8_t *rec;
	uint32_t n;

	if (id < tpi->begin || id >= tpi->end)
		return ps_error_set(err, PS_ENOTFOUND,
				    "%s: type index 0x%x is outside the type stream [0x%x, 0x%x)",
				    tpi->file, id, tpi->begin, tpi->end);
	n = id - tpi->begin;
	if (n >= tpi->count)
		return ps_error_set(err, PS_EFORMAT, "%s: type 0x%x cannot be read: %s",
				    tpi->file, id, tpi->stop);
	rec = tpi->data + tpi->offsets[n];
	*leaf = ps_le16(rec + 2);
	*body = rec + 4;
	*len = (size_t)ps_le16(rec) - 2;
	return PS_OK;
}

int pdb_leaf_numeric(const uint8_t *p, size_t avail, uint64_t *value, size_t *used)
{
	uint16_t kind;
	size_t n;

	if (avail < 2)
		return 0;
	kind = ps_le16(p);
	if (kind < LF_NUMERIC) {
		*value = kind;
		*used = 2;
		return 1;
	}
	p += 2;
	avail -= 2;
	switch (kind) {
	case LF_CHAR: n = 1; break;
	case LF_SHORT: case LF_USHORT: case LF_REAL16: n = 2; break;
	case LF_LONG: case LF_ULONG: case LF_REAL32: n = 4; break;
	case LF_REAL48: n = 6; break;
	case LF_QUADWORD: case LF_UQUADWORD: case LF_REAL64: case LF_COMPLEX32:
	case LF_DATE: n = 8; break;
	case LF_REAL80: n = 10; break;
	case LF_REAL128: case LF_OCTWORD: case LF_UOCTWORD: case LF_COMPLEX64:
	case LF_DECIMAL: n = 16; break;
	case LF_COMPLEX80: n = 20; break;
	case LF_COMPLEX128: n = 32; break;
	case LF_VARSTRING:
		if (avail < 2)
			return 0;
		n = 2 + (size_t)ps_le16(p);
		break;
	default:
		return 0;
	}
	if (n > avail)
		return 0;
	switch (kind) {
	case LF_CHAR: *value = (uint64_t)(int64_t)(int8_t)p[0]; break;
	case LF_SHORT: *value = (uint64_t)(int64_t)(int16_t)ps_le16(p); break;
	case LF_USHORT: *value = ps_le16(p); break;
	case LF_LONG: *value = (uint64_t)(int64_t)(int32_t)ps_le32(p); break;
	case LF_ULONG: *value = ps_le32(p); break;
	case LF_QUADWORD: case LF_UQUADWORD: case LF_OCTWORD: case LF_UOCTWORD:
		*value = ps_le64(p);  /* 128-bit values keep their low half */
		break;
	default: *value = 0; break;
	}
	*used = 2 + n;
	return 1;
}

const char *pdb_leaf_string(const uint8_t *p, size_t avail, size_t *used)
{
	const uint8_t *nul = avail ? memchr(p, 0, avail) : NULL;

	if (!nul)
		return NULL;
	*used = (size_t)(nul - p) + 1;
	return (const char *)p;
}
