/*
 * pdb_dbi.c - the DBI stream (stream 3): header, module list and the
 * section headers that turn segment:offset into RVAs.
 *
 * Layout (LLVM docs/PDB/DbiStream.html): a 64-byte header, then the
 * substreams in this order: module info, section contributions, section
 * map, file info, type server map, EC, optional debug header. Each module
 * info record is 64 bytes of fixed fields and two NUL-terminated names,
 * padded to 4 bytes. The optional debug header is an array of 16-bit stream
 * indices; entry 5 is the stream of the image's IMAGE_SECTION_HEADERs.
 */
#include "sym/pdb_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"

#define DBI_HEADER_SIZE      64
#define DBI_SIGNATURE        0xFFFFFFFFu
#define DBI_V70              19990903u
#define MODI_FIXED_SIZE      64
#define DBG_OMAP_FROM_SRC    4
#define DBG_SECTION_HDR      5
#define DBG_SECTION_HDR_ORIG 10
#define SECTION_HEADER_SIZE  40
#define DBI_MAX_SECTIONS     0x10000u

/* One module record at `pos`; its names must end inside the substream. */
static ps_status parse_module(ps_pdb *pdb, const uint8_t *s, size_t end, size_t *pos,
			      struct pdb_module *m, ps_error *err)
{
	const uint8_t *name, *obj, *nul;
	size_t p = *pos;

	if (!ps_in_bounds(p, MODI_FIXED_SIZE, end))
		return ps_error_set(err, PS_EFORMAT,
				    "%s: DBI: module record at offset %zu runs past the module "
				    "info substream", pdb->name, p);
	m->sym_stream = ps_le16(s + p + 34);
	m->sym_bytes = ps_le32(s + p + 36);
	m->c11_bytes = ps_le32(s + p + 40);
	m->c13_bytes = ps_le32(s + p + 44);
	name = s + p + MODI_FIXED_SIZE;
	nul = memchr(name, 0, end - (p + MODI_FIXED_SIZE));
	if (!nul)
		goto unterminated;
	obj = nul + 1;
	nul = memchr(obj, 0, (size_t)(s + end - obj));
	if (!nul)
		goto unterminated;
	m->name = (const char *)name;
	m->obj_name = (const char *)obj;
	p = (size_t)(nul + 1 - s);
	p = (p + 3) & ~(size_t)3;
	*pos = p;
	return PS_OK;
unterminated:
	return ps_error_set(err, PS_EFORMAT,
			    "%s: DBI: module record at offset %zu has an unterminated name",
			    pdb->name, p);
}

static ps_status parse_modules(ps_pdb *pdb, struct pdb_dbi *dbi, const uint8_t *s,
			       size_t start, size_t len, ps_error *err)
{
	size_t pos = start, end = start + len, cap;

	/* Each record takes at least 68 bytes, which bounds the count. */
	cap = len / (MODI_FIXED_SIZE + 4) + 1;
	dbi->modules = calloc(cap, sizeof *dbi->modules);
	if (!dbi->modules)
		return ps_error_set(err, PS_ENOMEM, "%s: no memory for the module list", pdb->name);
	while (pos < end && end - pos >= MODI_FIXED_SIZE && dbi->module_count < cap) {
		ps_status st = parse_module(pdb, s, end, &pos, &dbi->modules[dbi->module_count], err);
		if (st != PS_OK)
			return st;
		dbi->module_count++;
	}
	return PS_OK;
}

/* IMAGE_SECTION_HEADERs from the stream the optional debug header names. */
static ps_status load_sections(ps_pdb *pdb, struct pdb_dbi *dbi, uint16_t stream, ps_error *err)
{
	const uint8_t *s;
	size_t size, n;
	ps_status st;

	if (stream == 0xFFFF)
		return PS_OK;
	st = pdb_stream(pdb, stream, &s, &size, err);
	if (st != PS_OK) {
		ps_error_prefix(err, "DBI section headers: ");
		return st;
	}
	n = size / SECTION_HEADER_SIZE;
	if (n > DBI_MAX_SECTIONS)
		n = DBI_MAX_SECTIONS;
	dbi->sections = calloc(n ? n : 1, sizeof *dbi->sections);
	if (!dbi->sections)
		return ps_error_set(err, PS_ENOMEM, "%s: no memory for section headers", pdb->name);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *h = s + i * SECTION_HEADER_SIZE;
		struct pdb_section *sec = &dbi->sections[i];
		memcpy(sec->name, h, 8);
		sec->name[8] = '\0';
		sec->virtual_size = ps_le32(h + 8);
		sec->virtual_address = ps_le32(h + 12);
		sec->characteristics = ps_le32(h + 36);
	}
	dbi->section_count = n;
	return PS_OK;
}

static ps_status parse_dbi(ps_pdb *pdb, struct pdb_dbi *dbi, const uint8_t *s, size_t size,
			   ps_error *err)
{
	uint32_t sizes[6];   /* modinfo, seccontrib, secmap, srcinfo, tsmap, ec */
	uint32_t dbg_size;
	uint16_t omap_stream = 0xFFFF, orig_stream = 0xFFFF;
	uint64_t pos = DBI_HEADER_SIZE;
	size_t mod_start;
	ps_status st;

	if (size < DBI_HEADER_SIZE)
		return ps_error_set(err, PS_EFORMAT,
				    "%s: DBI stream is %zu bytes, shorter than its 64-byte header",
				    pdb->name, size);
	if (ps_le32(s) != DBI_SIGNATURE)
		return ps_error_set(err, PS_EFORMAT,
				    "%s: DBI stream signature is 0x%08x, not -1 (pre-7.0 DBI)",
				    pdb->name, ps_le32(s));
	if (ps_le32(s + 4) != DBI_V70)
		return ps_error_set(err, PS_EUNSUPPORTED, "%s: DBI version %u is not V70 (19990903)",
				    pdb->name, ps_le32(s + 4));
	dbi->age = ps_le32(s + 8);
	dbi->global_stream = ps_le16(s + 12);
	dbi->public_stream = ps_le16(s + 16);
	dbi->symrec_stream = ps_le16(s + 20);
	sizes[0] = ps_le32(s + 24);
	sizes[1] = ps_le32(s + 28);
	sizes[2] = ps_le32(s + 32);
	sizes[3] = ps_le32(s + 36);
	sizes[4] = ps_le32(s + 40);
	dbg_size = ps_le32(s + 48);
	sizes[5] = ps_le32(s + 52);
	dbi->machine = ps_le16(s + 58);
	dbi->section_header_stream = 0xFFFF;

	mod_start = DBI_HEADER_SIZE;
	for (int i = 0; i < 6; i++) {
		if (!ps_in_bounds(pos, sizes[i], size))
			return ps_error_set(err, PS_EFORMAT,
					    "%s: DBI substream %d (%u bytes at offset %" PRIu64
					    ") runs past the %zu-byte stream",
					    pdb->name, i, sizes[i], pos, size);
		pos += sizes[i];
	}
	if (!ps_in_bounds(pos, dbg_size, size))
		return ps_error_set(err, PS_EFORMAT,
				    "%s: DBI optional debug header (%u bytes at offset %" PRIu64
				    ") runs past the %zu-byte stream",
				    pdb->name, dbg_size, pos, size);
	if (dbg_size >= (DBG_SECTION_HDR + 1) * 2)
		dbi->section_header_stream = ps_le16(s + pos + DBG_SECTION_HDR * 2);
	if (dbg_size >= (DBG_SECTION_HDR_ORIG + 1) * 2) {
		omap_stream = ps_le16(s + pos + DBG_OMAP_FROM_SRC * 2);
		orig_stream = ps_le16(s + pos + DBG_SECTION_HDR_ORIG * 2);
	}

	st = parse_modules(pdb, dbi, s, mod_start, sizes[0], err);
	if (st != PS_OK)
		return st;
	/* With an OMAP map, symbols are addressed in the original layout
	 * (LLVM DbiStream.html, "Optional Debug Header Stream"). */
	if (omap_stream != 0xFFFF && orig_stream != 0xFFFF &&
	    pdb_stream_present(pdb, omap_stream) && pdb_stream_present(pdb, orig_stream)) {
		const uint8_t *m;
		size_t msize;

		st = pdb_stream(pdb, omap_stream, &m, &msize, err);
		if (st != PS_OK) {
			ps_error_prefix(err, "DBI OMAP map: ");
			return st;
		}
		dbi->omap = m;
		dbi->omap_count = msize / 8;
		return load_sections(pdb, dbi, orig_stream, err);
	}
	return load_sections(pdb, dbi, dbi->section_header_stream, err);
}

void pdb_dbi_free(struct pdb_dbi *dbi)
{
	if (!dbi)
		return;
	free(dbi->modules);
	free(dbi->sections);
	free(dbi);
}

ps_status pdb_dbi_load(ps_pdb *pdb, const struct pdb_dbi **out, ps_error *err)
{
	struct pdb_dbi *dbi;
	const uint8_t *s;
	size_t size;
	ps_status st;

	if (pdb->dbi) {
		*out = pdb->dbi;
		return PS_OK;
	}
	*out = NULL;
	st = pdb_stream(pdb, PDB_STREAM_DBI, &s, &size, err);
	if (st != PS_OK) {
		ps_error_prefix(err, "DBI stream: ");
		return st;
	}
	dbi = calloc(1, sizeof *dbi);
	if (!dbi)
		return ps_error_set(err, PS_ENOMEM, "%s: no memory for DBI", pdb->name);
	st = parse_dbi(pdb, dbi, s, size, err);
	if (st != PS_OK) {
		pdb_dbi_free(dbi);
		return st;
	}
	pdb->dbi = dbi;
	*out = dbi;
	return PS_OK;
}

/* OMAP_FROM_SRC: the last entry with from <= rva moves rva by to - from;
 * to == 0 means the code at rva is not in the final image. */
static int omap_map(const struct pdb_dbi *dbi, uint32_t rva, uint32_t *out)
{
	size_t lo = 0, hi = dbi->omap_count;
	uint32_t from, to;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ps_le32(dbi->omap + mid * 8) <= rva)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return 0;
	from = ps_le32(dbi->omap + (lo - 1) * 8);
	to = ps_le32(dbi->omap + (lo - 1) * 8 + 4);
	if (to == 0 || (uint64_t)to + (rva - from) > UINT32_MAX)
		return 0;
	*out = to + (rva - from);
	return 1;
}

int pdb_section_rva(const struct pdb_dbi *dbi, uint16_t segment, uint32_t offset, uint32_t *rva)
{
	const struct pdb_section *sec;

	if (segment == 0 || segment > dbi->section_count)
		return 0;
	sec = &dbi->sections[segment - 1];
	if ((uint64_t)sec->virtual_address + offset > UINT32_MAX)
		return 0;
	*rva = sec->virtual_address + offset;
	return dbi->omap ? omap_map(dbi, *rva, rva) : 1;
}
