/*
 * pdb_symbols.c - the PDB's symbols: publics, globals and module procedures
 * merged into one array sorted by RVA, with lookups by address and name.
 *
 * Sources (LLVM docs/PDB/PublicStream.html, GlobalStream.html,
 * ModiStream.html, CodeViewSymbols.html; microsoft-pdb cvinfo.h):
 *  - the public and global streams are GSI hash tables whose records give
 *    (offset + 1) into the symbol record stream: S_PUB32, S_GDATA32,
 *    S_LDATA32, S_PROCREF, S_LPROCREF, S_UDT, S_CONSTANT ...;
 *  - each module stream is a 4-byte signature then CodeView records; the
 *    top-level S_GPROC32 / S_LPROC32 (and the _ID variants) are functions.
 * Every record is a 16-bit length (not counting itself), a 16-bit kind and
 * its fields; names are NUL-terminated and must end inside the record.
 * The table is built once, on first use; names point into cached streams or
 * into an arena the table owns.
 */
#include "sym/pdb_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/warnings.h"

/* Record kinds (cvinfo.h SYM_ENUM_e). */
#define S_END            0x0006
#define S_THUNK32        0x1102
#define S_BLOCK32        0x1103
#define S_WITH32         0x1104
#define S_LDATA32        0x110C
#define S_GDATA32        0x110D
#define S_PUB32          0x110E
#define S_LPROC32        0x110F
#define S_GPROC32        0x1110
#define S_PROCREF        0x1125
#define S_LPROCREF       0x1127
#define S_SEPCODE        0x1132
#define S_LPROC32_ID     0x1146
#define S_GPROC32_ID     0x1147
#define S_INLINESITE     0x114D
#define S_INLINESITE_END 0x114E
#define S_PROC_ID_END    0x114F
#define S_LPROC32_DPC    0x1155
#define S_LPROC32_DPC_ID 0x1156
#define S_INLINESITE2    0x115D

#define CVPSF_CODE       0x1
#define CVPSF_FUNCTION   0x2

#define GSI_SIGNATURE    0xFFFFFFFFu
#define GSI_V70          0xF12F091Au   /* 0xeffe0000 + 19990810 */
#define GSI_HEADER_SIZE  16
#define PUBLICS_HEADER_SIZE 28

#define MACHINE_I386     0x014C
#define MAX_DEPTH        1024          /* scope nesting we track */
#define ARENA_CHUNK      65536

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	char data[];
};

struct name_entry {
	const char *name;
	uint32_t index;
	int rank;
};

struct pdb_symtab {
	ps_pdb_symbol *syms;
	size_t count, cap;
	struct name_entry *names;
	size_t name_count;
	struct arena_chunk *arena;
	size_t arena_bytes, max_bytes; /* undecorated names, bounded by the file */
	size_t max_count;          /* symbols the file's size can account for */
	int full;
	int undecorate;            /* x86: strip C decorations of publics */
	ps_error first;            /* first problem met, PS_OK if none */
	ps_warnings warnings;
};

/* ---- small helpers ---- */

static char *arena_dup(struct pdb_symtab *t, const char *s, size_t len)
{
	struct arena_chunk *c = t->arena;
	char *p;

	if (!c || c->cap - c->used < len + 1) {
		size_t cap = len + 1 > ARENA_CHUNK ? len + 1 : ARENA_CHUNK;
		c = malloc(sizeof *c + cap);
		if (!c)
			return NULL;
		c->next = t->arena;
		c->used = 0;
		c->cap = cap;
		t->arena = c;
	}
	p = c->data + c->used;
	memcpy(p, s, len);
	p[len] = '\0';
	c->used += len + 1;
	t->arena_bytes += len + 1;
	return p;
}

/* Note a problem: the first one becomes the status of ps_pdb_symbols, all
 * go to the warning list. */
static void problem(struct pdb_symtab *t, ps_pdb *pdb, const char *fmt, ...) PS_PRINTF(3, 4);
static void problem(struct pdb_symtab *t, ps_pdb *pdb, const char *fmt, ...)
{
	char msg[PS_ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (t->first.status == PS_OK)
		ps_error_set(&t->first, PS_EFORMAT, "%s: %s", pdb->name, msg);
	ps_warnings_add(&t->warnings, pdb->name, "%s", msg);
}

/* A NUL-terminated name at [pos, end) of s, or NULL. */
static const char *name_at(const uint8_t *s, size_t pos, size_t end)
{
	if (pos >= end || !memchr(s + pos, 0, end - pos))
		return NULL;
	return (const char *)s + pos;
}

/*
 * The C name under an x86 decoration, or NULL when there is none:
 * "_f" (cdecl), "_f@12" (stdcall), "@f@8" (fastcall), "f@@8" (vectorcall).
 * C++ names ("?f@@YAXXZ") are left alone. Source: Microsoft's "Decorated
 * names" page, "Format of a C decorated name".
 */
static int undecorated_span(const char *raw, size_t *start, size_t *len)
{
	size_t n = strlen(raw), b = 0, e = n, d = n;

	if (raw[0] == '?' || n < 2)
		return 0;
	while (d > 0 && raw[d - 1] >= '0' && raw[d - 1] <= '9')
		d--;
	if (d < n && d > 1 && raw[d - 1] == '@') {
		e = d - 1;                         /* trailing @N */
		if (raw[0] != '_' && raw[0] != '@' && e > 0 && raw[e - 1] == '@')
			e--;                       /* vectorcall f@@N */
		else if (raw[0] != '_' && raw[0] != '@')
			return 0;                  /* f@N: not a C decoration */
	}
	if (raw[0] == '_' || raw[0] == '@')
		b = 1;
	else if (e == n)
		return 0;
	if (e <= b)
		return 0;
	*start = b;
	*len = e - b;
	return 1;
}

static int add_symbol(struct pdb_symtab *t, const char *name, const char *raw, uint32_t rva,
		      uint32_t size, uint32_t type, ps_pdb_sym_kind kind, int is_code)
{
	ps_pdb_symbol *s;

	/* A record takes at least 8 bytes of some stream, so more symbols
	 * than that can only come from a hostile file. */
	if (t->count >= t->max_count) {
		t->full = 1;
		return 1;
	}
	if (t->count == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		ps_pdb_symbol *n = realloc(t->syms, cap * sizeof *n);
		if (!n)
			return 0;
		t->syms = n;
		t->cap = cap;
	}
	s = &t->syms[t->count++];
	s->name = name;
	s->raw_name = raw;
	s->rva = rva;
	s->size = size;
	s->type_index = type;
	s->kind = kind;
	s->is_code = is_code;
	return 1;
}

/* ---- records ---- */

/* Decode one record at s[pos] into the table: publics, data and
 * procedures. Returns 0 when out of memory. */
static int take_record(struct pdb_symtab *t, ps_pdb *pdb, const struct pdb_dbi *dbi,
		       const uint8_t *s, size_t pos, size_t end, uint16_t kind, const char *where)
{
	const char *name, *shown;
	uint32_t rva, off, type = 0, size = 0, flags;
	uint16_t seg;
	size_t b, len;

	switch (kind) {
	case S_PUB32:
		if (end - pos < 10 || !(name = name_at(s, pos + 10, end)))
			goto short_record;
		flags = ps_le32(s + pos);
		off = ps_le32(s + pos + 4);
		seg = ps_le16(s + pos + 8);
		if (!pdb_section_rva(dbi, seg, off, &rva))
			return 1;
		shown = name;
		if (t->undecorate && t->arena_bytes < t->max_bytes &&
		    undecorated_span(name, &b, &len)) {
			shown = arena_dup(t, name + b, len);
			if (!shown)
				return 0;
		}
		return add_symbol(t, shown, name, rva, 0, 0, PS_PDB_PUBLIC,
				  (flags & (CVPSF_CODE | CVPSF_FUNCTION)) != 0);
	case S_GDATA32:
	case S_LDATA32:
		if (end - pos < 10 || !(name = name_at(s, pos + 10, end)))
			goto short_record;
		type = ps_le32(s + pos);
		off = ps_le32(s + pos + 4);
		seg = ps_le16(s + pos + 8);
		if (!pdb_section_rva(dbi, seg, off, &rva))
			return 1;
		return add_symbol(t, name, name, rva, 0, type, PS_PDB_DATA, 0);
	case S_GPROC32:
	case S_LPROC32:
	case S_GPROC32_ID:
	case S_LPROC32_ID:
	case S_LPROC32_DPC:
	case S_LPROC32_DPC_ID:
		if (end - pos < 35 || !(name = name_at(s, pos + 35, end)))
			goto short_record;
		size = ps_le32(s + pos + 12);
		/* The _ID variants carry an IPI function id, not a TPI
		 * procedure type; linkers rewrite them to the plain kinds in
		 * PDBs, so an id is not passed on as a type. */
		if (kind == S_GPROC32 || kind == S_LPROC32 || kind == S_LPROC32_DPC)
			type = ps_le32(s + pos + 24);
		off = ps_le32(s + pos + 28);
		seg = ps_le16(s + pos + 32);
		if (!pdb_section_rva(dbi, seg, off, &rva))
			return 1;
		return add_symbol(t, name, name, rva, size, type, PS_PDB_FUNCTION, 1);
	default:
		return 1;
	}
short_record:
	problem(t, pdb, "%s: symbol record 0x%04x at offset %zu is too short for its fields "
		"or its name is not terminated", where, kind, pos - 4);
	return 1;
}

/* Bounds of the record at `pos`: fills kind and the end of its data.
 * 0 when it is malformed. */
static int record_at(const uint8_t *s, size_t size, size_t pos, uint16_t *kind, size_t *end)
{
	uint16_t len;

	if (!ps_in_bounds(pos, 4, size))
		return 0;
	len = ps_le16(s + pos);
	if (len < 2 || !ps_in_bounds(pos + 2, len, size))
		return 0;
	*kind = ps_le16(s + pos + 2);
	*end = pos + 2 + len;
	return 1;
}

/* The procedure an S_PROCREF / S_LPROCREF names in a module stream. */
static int take_procref(struct pdb_symtab *t, ps_pdb *pdb, const struct pdb_dbi *dbi,
			const uint8_t *r, size_t rend)
{
	const uint8_t *s;
	size_t size, end;
	uint32_t off;
	uint16_t mod, kind;
	char where[48];

	if (rend < 10)
		return 1;
	off = ps_le32(r + 4);
	mod = ps_le16(r + 8);
	if (mod == 0 || mod > dbi->module_count) {
		problem(t, pdb, "global S_PROCREF names module %u of %zu", mod, dbi->module_count);
		return 1;
	}
	/* Stripped (public) PDBs drop module streams: nothing to follow. */
	if (dbi->modules[mod - 1].sym_stream == 0xFFFF)
		return 1;
	if (pdb_stream(pdb, dbi->modules[mod - 1].sym_stream, &s, &size, NULL) != PS_OK)
		return 1;   /* reported by the module walk */
	snprintf(where, sizeof where, "module %u stream", mod - 1);
	if (!record_at(s, size, off, &kind, &end)) {
		problem(t, pdb, "%s: S_PROCREF offset %u is not a record", where, off);
		return 1;
	}
	return take_record(t, pdb, dbi, s, off + 4, end, kind, where);
}

static int by_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Records named by a GSI hash (public or global stream). Returns 0 when out
 * of memory; a malformed hash becomes a problem and a linear walk. */
static int walk_gsi(struct pdb_symtab *t, ps_pdb *pdb, const struct pdb_dbi *dbi,
		    uint16_t stream, size_t skip, const char *what, const uint8_t *rec,
		    size_t rec_size, int *ok)
{
	const uint8_t *s;
	size_t size, pos, n;
	uint32_t hr_size, *offs;
	ps_error e;

	*ok = 0;
	if (stream == 0xFFFF)
		return 1;
	if (pdb_stream(pdb, stream, &s, &size, &e) != PS_OK) {
		problem(t, pdb, "%s stream: %s", what, e.message);
		return 1;
	}
	if (!ps_in_bounds(skip, GSI_HEADER_SIZE, size) || ps_le32(s + skip) != GSI_SIGNATURE ||
	    ps_le32(s + skip + 4) != GSI_V70) {
		problem(t, pdb, "%s stream %u: no GSI 7.0 hash header at offset %zu", what, stream,
			skip);
		return 1;
	}
	hr_size = ps_le32(s + skip + 8);
	pos = skip + GSI_HEADER_SIZE;
	if (!ps_in_bounds(pos, hr_size, size) || hr_size % 8) {
		problem(t, pdb, "%s stream %u: %u bytes of hash records do not fit its %zu bytes",
			what, stream, hr_size, size);
		return 1;
	}
	/* Each record once, however many hash records name it: a hostile
	 * hash naming one long record many times must not multiply work. */
	n = hr_size / 8;
	offs = malloc((n ? n : 1) * sizeof *offs);
	if (!offs)
		return 0;
	for (size_t i = 0; i < n; i++)
		offs[i] = ps_le32(s + pos + i * 8);
	if (n > 1)
		qsort(offs, n, sizeof *offs, by_u32);
	for (size_t i = 0; i < n; i++) {
		uint32_t off = offs[i];
		size_t end;
		uint16_t kind;

		if (i > 0 && off == offs[i - 1])
			continue;
		if (off == 0 || !record_at(rec, rec_size, off - 1, &kind, &end)) {
			problem(t, pdb, "%s stream %u: a hash record points at offset %u, not a "
				"record of the %zu-byte symbol record stream",
				what, stream, off, rec_size);
			continue;
		}
		if (kind == S_PROCREF || kind == S_LPROCREF) {
			if (!take_procref(t, pdb, dbi, rec + off - 1 + 4, end - (off - 1 + 4)))
				goto nomem;
		} else if (!take_record(t, pdb, dbi, rec, off - 1 + 4, end, kind,
					"symbol record stream")) {
			goto nomem;
		}
	}
	free(offs);
	*ok = 1;
	return 1;
nomem:
	free(offs);
	return 0;
}

/* Every record of the symbol record stream, when a hash stream is unusable. */
static int walk_records(struct pdb_symtab *t, ps_pdb *pdb, const struct pdb_dbi *dbi,
			const uint8_t *s, size_t size)
{
	size_t pos = 0, end;
	uint16_t kind;

	while (pos < size) {
		if (!record_at(s, size, pos, &kind, &end)) {
			problem(t, pdb, "symbol record stream: record at offset %zu is cut short or "
				"has length below 2", pos);
			return 1;
		}
		if (kind == S_PROCREF || kind == S_LPROCREF) {
			if (!take_procref(t, pdb, dbi, s + pos + 4, end - (pos + 4)))
				return 0;
		} else if (!take_record(t, pdb, dbi, s, pos + 4, end, kind, "symbol record stream")) {
			return 0;
		}
		pos = end;
	}
	return 1;
}

static int opens_scope(uint16_t kind)
{
	switch (kind) {
	case S_GPROC32: case S_LPROC32: case S_GPROC32_ID: case S_LPROC32_ID:
	case S_LPROC32_DPC: case S_LPROC32_DPC_ID: case S_THUNK32: case S_BLOCK32:
	case S_WITH32: case S_SEPCODE: case S_INLINESITE: case S_INLINESITE2:
		return 1;
	default:
		return 0;
	}
}

static int closes_scope(uint16_t kind)
{
	return kind == S_END || kind == S_PROC_ID_END || kind == S_INLINESITE_END;
}

/* Top-level procedures and data of one module's symbol substream. */
static int walk_module(struct pdb_symtab *t, ps_pdb *pdb, const struct pdb_dbi *dbi, size_t m)
{
	const struct pdb_module *mod = &dbi->modules[m];
	const uint8_t *s;
	size_t size, pos = 4, end, limit;
	unsigned depth = 0;
	uint16_t kind;
	char where[48];
	ps_error e;

	if (mod->sym_stream == 0xFFFF || mod->sym_bytes <= 4)
		return 1;
	snprintf(where, sizeof where, "module %zu stream %u", m, mod->sym_stream);
	if (pdb_stream(pdb, mod->sym_stream, &s, &size, &e) != PS_OK) {
		problem(t, pdb, "%s: %s", where, e.message);
		return 1;
	}
	limit = mod->sym_bytes;
	if (limit > size) {
		problem(t, pdb, "%s: %u bytes of symbols in a %zu-byte stream", where,
			mod->sym_bytes, size);
		limit = size;
	}
	while (pos < limit) {
		if (!record_at(s, limit, pos, &kind, &end)) {
			problem(t, pdb, "%s: record at offset %zu is cut short or has length "
				"below 2", where, pos);
			return 1;
		}
		if (depth == 0 && !take_record(t, pdb, dbi, s, pos + 4, end, kind, where))
			return 0;
		if (opens_scope(kind) && depth < MAX_DEPTH)
			depth++;
		else if (closes_scope(kind) && depth > 0)
			depth--;
		pos = end;
	}
	return 1;
}

/* ---- merging ---- */

static int same(const char *a, const char *b)
{
	return a == b || strcmp(a, b) == 0;
}

static int kind_rank(ps_pdb_sym_kind k)
{
	return k == PS_PDB_FUNCTION ? 0 : k == PS_PDB_DATA ? 1 : 2;
}

static int by_address(const void *a, const void *b)
{
	const ps_pdb_symbol *x = a, *y = b;
	int c;

	if (x->rva != y->rva)
		return x->rva < y->rva ? -1 : 1;
	if (kind_rank(x->kind) != kind_rank(y->kind))
		return kind_rank(x->kind) - kind_rank(y->kind);
	/* Names met twice are often the same pointer: skip the compare. */
	c = x->name == y->name ? 0 : strcmp(x->name, y->name);
	if (c || x->raw_name == y->raw_name)
		return c;
	return strcmp(x->raw_name, y->raw_name);
}

/* Drop exact duplicates (lld writes some publics twice; a procedure is met
 * both in its module and through its S_PROCREF) and publics whose procedure
 * or data twin sits at the same address; the twin keeps the public's
 * decorated name as its raw name. */
static void merge(struct pdb_symtab *t)
{
	size_t out = 0, group = 0, publics = 0;

	if (t->count > 1)
		qsort(t->syms, t->count, sizeof *t->syms, by_address);
	for (size_t i = 0; i < t->count; i++) {
		ps_pdb_symbol s = t->syms[i];
		int drop = 0;

		if (out == 0 || t->syms[out - 1].rva != s.rva)
			group = publics = out;     /* first entry at a new address */
		if (out > group) {
			const ps_pdb_symbol *p = &t->syms[out - 1];
			drop = p->kind == s.kind && same(p->name, s.name) &&
			       same(p->raw_name, s.raw_name);
		}
		if (!drop && s.kind == PS_PDB_PUBLIC) {
			/* Procedures and data at this address sort before the
			 * publics; a hostile file may stack thousands, so only
			 * the first few are compared. */
			for (size_t j = group; j < publics && j < group + 64 && !drop; j++) {
				ps_pdb_symbol *o = &t->syms[j];
				if (same(o->name, s.name) || s.raw_name[0] == '?') {
					if (o->raw_name == o->name)
						o->raw_name = s.raw_name;
					drop = 1;
				}
			}
		}
		if (drop)
			continue;
		t->syms[out++] = s;
		if (s.kind != PS_PDB_PUBLIC)
			publics = out;
	}
	t->count = out;
}

static int by_name(const void *a, const void *b)
{
	const struct name_entry *x = a, *y = b;
	int c = x->name == y->name ? 0 : strcmp(x->name, y->name);

	if (c)
		return c;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int build_name_index(struct pdb_symtab *t)
{
	size_t n = 0;

	t->names = malloc((t->count ? t->count : 1) * 2 * sizeof *t->names);
	if (!t->names)
		return 0;
	for (size_t i = 0; i < t->count; i++) {
		int rank = kind_rank(t->syms[i].kind);
		t->names[n++] = (struct name_entry){ t->syms[i].name, (uint32_t)i, rank };
		if (!same(t->syms[i].raw_name, t->syms[i].name))
			t->names[n++] = (struct name_entry){ t->syms[i].raw_name, (uint32_t)i, rank };
	}
	if (n > 1)
		qsort(t->names, n, sizeof *t->names, by_name);
	t->name_count = n;
	return 1;
}

void pdb_symtab_free(struct pdb_symtab *t)
{
	struct arena_chunk *c, *next;

	if (!t)
		return;
	for (c = t->arena; c; c = next) {
		next = c->next;
		free(c);
	}
	ps_warnings_free(&t->warnings);
	free(t->names);
	free(t->syms);
	free(t);
}

static ps_status build(ps_pdb *pdb, struct pdb_symtab *t, ps_error *err)
{
	const struct pdb_dbi *dbi;
	const uint8_t *rec = NULL;
	size_t rec_size = 0;
	int ok_pub = 0, ok_glob = 0;
	ps_error e;
	ps_status st;

	st = pdb_dbi_load(pdb, &dbi, err);
	if (st != PS_OK)
		return st;
	if (dbi->section_count == 0)
		problem(t, pdb, "no section headers in DBI: symbol addresses cannot be turned "
			"into RVAs");
	t->undecorate = dbi->machine == MACHINE_I386;
	t->max_count = pdb->size / 8 + 64;
	t->max_bytes = pdb->size;

	if (dbi->symrec_stream != 0xFFFF &&
	    pdb_stream(pdb, dbi->symrec_stream, &rec, &rec_size, &e) != PS_OK) {
		problem(t, pdb, "symbol record stream: %s", e.message);
		rec = NULL;
	}
	if (rec) {
		if (!walk_gsi(t, pdb, dbi, dbi->public_stream, PUBLICS_HEADER_SIZE, "public",
			      rec, rec_size, &ok_pub) ||
		    !walk_gsi(t, pdb, dbi, dbi->global_stream, 0, "global", rec, rec_size,
			      &ok_glob))
			goto nomem;
		/* Without usable hash tables every record still counts. */
		if ((!ok_pub || !ok_glob) && !walk_records(t, pdb, dbi, rec, rec_size))
			goto nomem;
	}
	for (size_t m = 0; m < dbi->module_count; m++)
		if (!walk_module(t, pdb, dbi, m))
			goto nomem;
	if (t->full)
		problem(t, pdb, "more symbols than a %zu-byte file can hold: kept the first %zu",
			pdb->size, t->max_count);
	merge(t);
	if (!build_name_index(t))
		goto nomem;
	ps_warnings_finish(&t->warnings, pdb->name);
	return PS_OK;
nomem:
	return ps_error_set(err, PS_ENOMEM, "%s: no memory for the symbol table", pdb->name);
}

static struct pdb_symtab *load(ps_pdb *pdb, ps_error *err)
{
	struct pdb_symtab *t;

	if (pdb->symtab)
		return pdb->symtab;
	if (pdb->symtab_failed) {
		if (err)
			*err = pdb->symtab_error;
		return NULL;
	}
	t = calloc(1, sizeof *t);
	if (!t) {
		ps_error_set(err, PS_ENOMEM, "%s: no memory for the symbol table", pdb->name);
		return NULL;
	}
	if (build(pdb, t, &pdb->symtab_error) != PS_OK) {
		pdb_symtab_free(t);
		pdb->symtab_failed = 1;
		if (err)
			*err = pdb->symtab_error;
		return NULL;
	}
	pdb->symtab = t;
	return t;
}

ps_status ps_pdb_symbols(ps_pdb *pdb, const ps_pdb_symbol **syms, size_t *count, ps_error *err)
{
	struct pdb_symtab *t;
	ps_error e;

	*syms = NULL;
	*count = 0;
	t = load(pdb, &e);
	if (!t) {
		if (err)
			*err = e;
		return e.status;
	}
	*syms = t->syms;
	*count = t->count;
	if (t->first.status != PS_OK) {
		if (err)
			*err = t->first;
		return t->first.status;
	}
	return PS_OK;
}

const ps_pdb_symbol *ps_pdb_symbol_at(ps_pdb *pdb, uint32_t rva, const ps_pdb_symbol **next)
{
	struct pdb_symtab *t = load(pdb, NULL);
	size_t lo = 0, hi;

	if (next)
		*next = NULL;
	if (!t)
		return NULL;
	/* lo = first symbol above rva. */
	hi = t->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->syms[mid].rva <= rva)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (next && lo < t->count)
		*next = &t->syms[lo];
	if (lo == 0)
		return NULL;
	/* The best-ranked of the symbols at that address is its first. */
	hi = lo - 1;
	while (hi > 0 && t->syms[hi - 1].rva == t->syms[lo - 1].rva)
		hi--;
	return &t->syms[hi];
}

const ps_pdb_symbol *ps_pdb_symbol_named(ps_pdb *pdb, const char *name)
{
	struct pdb_symtab *t = load(pdb, NULL);
	size_t lo = 0, hi;

	if (!t || !name)
		return NULL;
	hi = t->name_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(t->names[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < t->name_count && strcmp(t->names[lo].name, name) == 0)
		return &t->syms[t->names[lo].index];
	return NULL;
}

/* Warnings met while building the table (for `.reload` / verbose output). */
const char *pdb_symbol_warning(ps_pdb *pdb, size_t i)
{
	struct pdb_symtab *t = load(pdb, NULL);

	return t ? ps_warnings_get(&t->warnings, i) : NULL;
}
