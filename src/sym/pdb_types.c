/*
 * pdb_types.c - types from the TPI stream: decoding leaves into ps_type,
 * resolving forward references by name, members, argument lists.
 *
 * Record layouts (all little-endian, after the u16 length and u16 kind):
 *   LF_MODIFIER   u32 type, u16 modifiers (1 const, 2 volatile, 4 unaligned)
 *   LF_POINTER    u32 referent, u32 attributes (bits 0-4 kind, 5-7 mode,
 *                 9 volatile, 10 const, 13-18 size in bytes)
 *   LF_PROCEDURE  u32 return, u8 call conv, u8 options, u16 params, u32 arglist
 *   LF_MFUNCTION  u32 return, u32 class, u32 this, u8 cc, u8 options,
 *                 u16 params, u32 arglist, i32 this adjust
 *   LF_ARGLIST    u32 count, u32 type[count]
 *   LF_ARRAY      u32 element, u32 index type, numeric size, name
 *   LF_CLASS, LF_STRUCTURE, LF_INTERFACE
 *                 u16 count, u16 property, u32 fields, u32 derived,
 *                 u32 vshape, numeric size, name [, unique name]
 *   LF_UNION      u16 count, u16 property, u32 fields, numeric size, name [, unique]
 *   LF_ENUM       u16 count, u16 property, u32 underlying, u32 fields, name [, unique]
 *   LF_BITFIELD   u32 type, u8 length, u8 position
 * Sources: LLVM include/llvm/DebugInfo/CodeView/TypeRecord.h and
 * docs/PDB/CodeViewTypes.html; microsoft-pdb include/cvinfo.h.
 *
 * Every chase from one type to another (modifier -> base, array ->
 * element, enum -> underlying) carries a depth and stops at
 * PDB_TPI_MAX_DEPTH, so a record that points at itself costs 64 steps, not
 * a hang. Forward references resolve through a sorted name index built on
 * first need, never by following references.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "sym/pdb_internal.h"
#include "sym/pdb_tpi.h"

/* Field lists split by LF_INDEX: real ones need one hop per ~64 KiB of
 * members; a hostile chain or loop stops here. */
#define MAX_FIELDLIST_HOPS 256
/* More members than any real type has; bounds the output array. */
#define MAX_MEMBERS (1u << 20)

/* ---- simple (base) types ------------------------------------------------ */

/* Type indices below 0x1000 are not records: bits 0-7 are the kind,
 * bits 8-11 the pointer mode (cvinfo.h TYPE_ENUM_e, CV_prmode_e). */
static const struct pdb_simple simple_types[] = {
	{0x00, 0, "<no type>", "<no type>"},
	{0x03, 0, "void", "Void"},
	{0x08, 4, "HRESULT", "Int4B"},
	{0x10, 1, "char", "Char"},
	{0x11, 2, "short", "Int2B"},
	{0x12, 4, "long", "Int4B"},
	{0x13, 8, "__int64", "Int8B"},
	{0x14, 16, "__int128", "Int16B"},
	{0x20, 1, "unsigned char", "UChar"},
	{0x21, 2, "unsigned short", "Uint2B"},
	{0x22, 4, "unsigned long", "Uint4B"},
	{0x23, 8, "unsigned __int64", "Uint8B"},
	{0x24, 16, "unsigned __int128", "Uint16B"},
	{0x30, 1, "bool", "Bool"},
	{0x31, 2, "bool", "Bool"},
	{0x32, 4, "bool", "Bool"},
	{0x33, 8, "bool", "Bool"},
	{0x40, 4, "float", "Float"},
	{0x41, 8, "double", "Float"},
	{0x42, 10, "long double", "Float"},
	{0x43, 16, "__float128", "Float"},
	{0x46, 2, "__half", "Float"},
	{0x68, 1, "char", "Char"},
	{0x69, 1, "unsigned char", "UChar"},
	{0x70, 1, "char", "Char"},
	{0x71, 2, "wchar_t", "Wchar"},
	{0x72, 2, "short", "Int2B"},
	{0x73, 2, "unsigned short", "Uint2B"},
	{0x74, 4, "int", "Int4B"},
	{0x75, 4, "unsigned int", "Uint4B"},
	{0x76, 8, "__int64", "Int8B"},
	{0x77, 8, "unsigned __int64", "Uint8B"},
	{0x78, 16, "__int128", "Int16B"},
	{0x79, 16, "unsigned __int128", "Uint16B"},
	{0x7A, 2, "char16_t", "Wchar"},
	{0x7B, 4, "char32_t", "Uint4B"},
	{0x7C, 1, "char8_t", "UChar"},
};

const struct pdb_simple *pdb_simple_type(uint32_t kind)
{
	for (size_t i = 0; i < sizeof simple_types / sizeof simple_types[0]; i++)
		if (simple_types[i].kind == kind)
			return &simple_types[i];
	return NULL;
}

unsigned pdb_simple_pointer_size(uint32_t mode)
{
	switch (mode) {
	case 1: return 2;   /* near 16 */
	case 2: case 3: return 4;   /* far/huge 16:16 */
	case 4: return 4;   /* near 32 */
	case 5: return 6;   /* far 16:32 */
	case 6: return 8;   /* 64 */
	case 7: return 16;  /* 128 */
	default: return 0;
	}
}

static ps_status simple_type(ps_pdb *pdb, ps_type_id id, ps_type *out, ps_error *err)
{
	uint32_t kind = id & 0xFF, mode = (id >> 8) & 0xF;
	const struct pdb_simple *s = pdb_simple_type(kind);

	if (!s || (mode && !pdb_simple_pointer_size(mode)))
		return ps_error_set(err, PS_EFORMAT, "%s: type index 0x%x is not a known simple type",
				    ps_pdb_name(pdb), id);
	out->id = id;
	out->name = "";
	if (mode) {
		out->kind = PS_TYPE_POINTER;
		out->size = pdb_simple_pointer_size(mode);
		out->target = kind;
	} else {
		out->kind = PS_TYPE_BASE;
		out->size = s->size;
		out->target = id;
	}
	return PS_OK;
}

/* ---- tag records (class, structure, union, enum) ----------------------- */

struct tag_info {
	uint16_t count, property;
	uint32_t fields;
	uint32_t underlying;   /* enums */
	uint64_t size;
	const char *name, *unique;
};

static int is_tag_leaf(uint16_t leaf)
{
	return leaf == LF_CLASS || leaf == LF_STRUCTURE || leaf == LF_INTERFACE ||
	       leaf == LF_UNION || leaf == LF_ENUM;
}

static ps_status parse_tag(const struct pdb_tpi *tpi, uint32_t id, uint16_t leaf,
			   const uint8_t *p, size_t len, struct tag_info *t, ps_error *err)
{
	size_t pos, used;

	memset(t, 0, sizeof *t);
	if (len < 4)
		goto short_record;
	t->count = ps_le16(p);
	t->property = ps_le16(p + 2);
	if (leaf == LF_UNION) {
		if (len < 8)
			goto short_record;
		t->fields = ps_le32(p + 4);
		pos = 8;
	} else if (leaf == LF_ENUM) {
		if (len < 12)
			goto short_record;
		t->underlying = ps_le32(p + 4);
		t->fields = ps_le32(p + 8);
		pos = 12;
	} else {
		if (len < 16)
			goto short_record;
		t->fields = ps_le32(p + 4);
		pos = 16;
	}
	if (leaf != LF_ENUM) {
		if (!pdb_leaf_numeric(p + pos, len - pos, &t->size, &used))
			return ps_error_set(err, PS_EFORMAT,
					    "%s: type 0x%x: size field is not a valid numeric leaf",
					    tpi->file, id);
		pos += used;
	}
	t->name = pdb_leaf_string(p + pos, len - pos, &used);
	if (!t->name)
		return ps_error_set(err, PS_EFORMAT, "%s: type 0x%x: name runs past the record",
				    tpi->file, id);
	pos += used;
	if (t->property & CV_PROP_HASUNIQUENAME)
		t->unique = pdb_leaf_string(p + pos, len - pos, &used);
	return PS_OK;
short_record:
	return ps_error_set(err, PS_EFORMAT, "%s: type 0x%x: record of %zu bytes is too short",
			    tpi->file, id, len);
}

int pdb_tpi_name_is_unnamed(const char *name)
{
	return !name[0] || strstr(name, "<unnamed-") || strstr(name, "<anonymous-") ||
	       strncmp(name, "__unnamed", 9) == 0;
}

static int name_cmp(const void *a, const void *b)
{
	const struct pdb_tpi_name *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Definitions (not forward references) by name and unique name. Built once;
 * records that do not parse are left out. */
static ps_status build_names(struct pdb_tpi *tpi, ps_error *err)
{
	size_t cap = tpi->count ? tpi->count : 1;

	if (tpi->names_built)
		return PS_OK;
	tpi->by_name = malloc(cap * sizeof *tpi->by_name);
	tpi->by_unique = malloc(cap * sizeof *tpi->by_unique);
	if (!tpi->by_name || !tpi->by_unique) {
		free(tpi->by_name);
		free(tpi->by_unique);
		tpi->by_name = tpi->by_unique = NULL;
		return ps_error_set(err, PS_ENOMEM, "%s: no memory for the type name index",
				    tpi->file);
	}
	for (uint32_t i = 0; i < tpi->count; i++) {
		uint32_t id = tpi->begin + i;
		struct tag_info t;
		const uint8_t *body;
		uint16_t leaf;
		size_t len;

		if (pdb_tpi_record(tpi, id, &leaf, &body, &len, NULL) != PS_OK ||
		    !is_tag_leaf(leaf) || parse_tag(tpi, id, leaf, body, len, &t, NULL) != PS_OK ||
		    (t.property & CV_PROP_FWDREF))
			continue;
		if (!pdb_tpi_name_is_unnamed(t.name))
			tpi->by_name[tpi->by_name_count++] = (struct pdb_tpi_name){t.name, id};
		if (t.unique && t.unique[0])
			tpi->by_unique[tpi->by_unique_count++] = (struct pdb_tpi_name){t.unique, id};
	}
	qsort(tpi->by_name, tpi->by_name_count, sizeof *tpi->by_name, name_cmp);
	qsort(tpi->by_unique, tpi->by_unique_count, sizeof *tpi->by_unique, name_cmp);
	tpi->names_built = 1;
	return PS_OK;
}

/* The lowest type index defined under `name`, or 0. */
static uint32_t find_name(const struct pdb_tpi_name *v, size_t n, const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(v[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strcmp(v[lo].name, name) == 0 ? v[lo].id : 0;
}

/* The definition a forward reference stands for, or 0. The unique name
 * (C++ decorated, present when the compiler emits one) tells apart tags
 * that share a plain name in different scopes. */
static uint32_t resolve_forward(struct pdb_tpi *tpi, const struct tag_info *t)
{
	uint32_t id = 0;

	if (build_names(tpi, NULL) != PS_OK)
		return 0;
	if (t->unique && t->unique[0])
		id = find_name(tpi->by_unique, tpi->by_unique_count, t->unique);
	if (!id && !pdb_tpi_name_is_unnamed(t->name))
		id = find_name(tpi->by_name, tpi->by_name_count, t->name);
	return id;
}

/* The record of a tag type with its forward reference resolved: *def_id is
 * the definition's index (or `id` when there is none). */
static ps_status tag_definition(struct pdb_tpi *tpi, uint32_t id, uint16_t *leaf,
				struct tag_info *t, uint32_t *def_id, ps_error *err)
{
	const uint8_t *body;
	size_t len;
	ps_status st;

	*def_id = id;
	st = pdb_tpi_record(tpi, id, leaf, &body, &len, err);
	if (st != PS_OK)
		return st;
	if (!is_tag_leaf(*leaf))
		return ps_error_set(err, PS_EARG, "%s: type 0x%x (leaf 0x%04x) is not a struct, class, union or enum",
				    tpi->file, id, *leaf);
	st = parse_tag(tpi, id, *leaf, body, len, t, err);
	if (st != PS_OK || !(t->property & CV_PROP_FWDREF))
		return st;
	uint32_t def = resolve_forward(tpi, t);
	if (!def)
		return PS_OK;
	/* The definition is never itself a forward reference (the index holds
	 * none), so this is one step, not a chase. */
	st = pdb_tpi_record(tpi, def, leaf, &body, &len, err);
	if (st == PS_OK)
		st = parse_tag(tpi, def, *leaf, body, len, t, err);
	if (st == PS_OK)
		*def_id = def;
	return st;
}

/* ---- decoding ---------------------------------------------------------- */

static ps_status size_of(ps_pdb *pdb, ps_type_id id, int depth, uint64_t *size, ps_error *err)
{
	ps_type t;
	ps_status st = pdb_type_at_depth(pdb, id, &t, depth, err);

	*size = st == PS_OK ? t.size : 0;
	return st;
}

static ps_status need(const struct pdb_tpi *tpi, uint32_t id, size_t len, size_t want,
		      ps_error *err)
{
	if (len < want)
		return ps_error_set(err, PS_EFORMAT,
				    "%s: type 0x%x: record of %zu bytes is too short (needs %zu)",
				    tpi->file, id, len, want);
	return PS_OK;
}

static ps_status decode_record(ps_pdb *pdb, struct pdb_tpi *tpi, ps_type_id id, ps_type *out,
			       int depth, ps_error *err)
{
	const uint8_t *p;
	uint16_t leaf;
	size_t len, used;
	ps_status st;

	st = pdb_tpi_record(tpi, id, &leaf, &p, &len, err);
	if (st != PS_OK)
		return st;
	switch (leaf) {
	case LF_MODIFIER: {
		uint16_t mods;
		if ((st = need(tpi, id, len, 6, err)) != PS_OK)
			return st;
		mods = ps_le16(p + 4);
		out->kind = PS_TYPE_MODIFIER;
		out->target = ps_le32(p);
		out->is_const = (mods & 1) != 0;
		out->is_volatile = (mods & 2) != 0;
		return size_of(pdb, out->target, depth + 1, &out->size, err);
	}
	case LF_POINTER: {
		uint32_t attr;
		if ((st = need(tpi, id, len, 8, err)) != PS_OK)
			return st;
		attr = ps_le32(p + 4);
		out->kind = PS_TYPE_POINTER;
		out->target = ps_le32(p);
		out->is_volatile = (attr & 0x200) != 0;
		out->is_const = (attr & 0x400) != 0;
		out->size = (attr >> 13) & 0x3F;
		if (!out->size) {
			/* Older writers leave the size field 0; the kind says it
			 * (0x0A near 32-bit, 0x0C 64-bit). */
			uint32_t kind = attr & 0x1F;
			out->size = kind == 0x0C ? 8 : kind == 0x0A ? 4 : 0;
		}
		return PS_OK;
	}
	case LF_PROCEDURE:
		if ((st = need(tpi, id, len, 12, err)) != PS_OK)
			return st;
		out->kind = PS_TYPE_PROCEDURE;
		out->target = ps_le32(p);
		out->member_count = ps_le16(p + 6);
		out->arglist = ps_le32(p + 8);
		return PS_OK;
	case LF_MFUNCTION:
		if ((st = need(tpi, id, len, 24, err)) != PS_OK)
			return st;
		out->kind = PS_TYPE_PROCEDURE;
		out->target = ps_le32(p);
		out->member_count = ps_le16(p + 14);
		out->arglist = ps_le32(p + 16);
		return PS_OK;
	case LF_ARGLIST:
		if ((st = need(tpi, id, len, 4, err)) != PS_OK)
			return st;
		out->kind = PS_TYPE_ARGLIST;
		out->member_count = ps_le32(p);
		if (out->member_count > (len - 4) / 4)
			return ps_error_set(err, PS_EFORMAT,
					    "%s: type 0x%x: argument list of %u entries in a %zu-byte record",
					    tpi->file, id, out->member_count, len);
		return PS_OK;
	case LF_FIELDLIST:
		out->kind = PS_TYPE_FIELDLIST;
		return PS_OK;
	case LF_BITFIELD:
		if ((st = need(tpi, id, len, 6, err)) != PS_OK)
			return st;
		out->kind = PS_TYPE_BITFIELD;
		out->target = ps_le32(p);
		out->bit_length = p[4];
		out->bit_position = p[5];
		return size_of(pdb, out->target, depth + 1, &out->size, err);
	case LF_ARRAY: {
		uint64_t elem;
		const char *name;
		if ((st = need(tpi, id, len, 8, err)) != PS_OK)
			return st;
		out->kind = PS_TYPE_ARRAY;
		out->target = ps_le32(p);
		if (!pdb_leaf_numeric(p + 8, len - 8, &out->size, &used))
			return ps_error_set(err, PS_EFORMAT,
					    "%s: type 0x%x: array size is not a valid numeric leaf",
					    tpi->file, id);
		name = pdb_leaf_string(p + 8 + used, len - 8 - used, &used);
		out->name = name ? name : "";
		st = size_of(pdb, out->target, depth + 1, &elem, err);
		if (st != PS_OK)
			return st;
		out->count = elem ? out->size / elem : 0;
		return PS_OK;
	}
	case LF_CLASS:
	case LF_STRUCTURE:
	case LF_INTERFACE:
	case LF_UNION:
	case LF_ENUM: {
		struct tag_info t;
		uint32_t def;
		st = tag_definition(tpi, id, &leaf, &t, &def, err);
		if (st != PS_OK)
			return st;
		out->id = def;
		out->kind = leaf == LF_UNION ? PS_TYPE_UNION : leaf == LF_ENUM ? PS_TYPE_ENUM
			  : leaf == LF_CLASS ? PS_TYPE_CLASS : PS_TYPE_STRUCT;
		out->name = t.name;
		out->member_count = t.count;
		out->forward_ref = (t.property & CV_PROP_FWDREF) != 0;
		if (leaf == LF_ENUM) {
			out->target = t.underlying;
			return size_of(pdb, t.underlying, depth + 1, &out->size, err);
		}
		out->size = t.size;
		return PS_OK;
	}
	default:
		return ps_error_set(err, PS_EUNSUPPORTED, "%s: type 0x%x has leaf kind 0x%04x, which is not decoded",
				    tpi->file, id, leaf);
	}
}

ps_status pdb_type_at_depth(ps_pdb *pdb, ps_type_id id, ps_type *out, int depth, ps_error *err)
{
	struct pdb_tpi *tpi;
	ps_status st;

	memset(out, 0, sizeof *out);
	out->id = id;
	out->name = "";
	if (depth > PDB_TPI_MAX_DEPTH)
		return ps_error_set(err, PS_EFORMAT,
				    "%s: type 0x%x: references nest deeper than %d (a cycle?)",
				    ps_pdb_name(pdb), id, PDB_TPI_MAX_DEPTH);
	if (id < PDB_TPI_FIRST_INDEX)
		return simple_type(pdb, id, out, err);
	st = pdb_tpi_get(pdb, &tpi, err);
	if (st != PS_OK)
		return st;
	return decode_record(pdb, tpi, id, out, depth, err);
}

ps_status ps_pdb_type(ps_pdb *pdb, ps_type_id id, ps_type *out, ps_error *err)
{
	return pdb_type_at_depth(pdb, id, out, 0, err);
}

ps_status ps_pdb_type_named(ps_pdb *pdb, const char *name, ps_type_id *id, ps_error *err)
{
	struct pdb_tpi *tpi;
	ps_status st;
	uint32_t found;

	*id = 0;
	if (pdb_tpi_name_is_unnamed(name))
		return ps_error_set(err, PS_ENOTFOUND,
				    "%s: \"%s\" names anonymous types, not one type", ps_pdb_name(pdb), name);
	st = pdb_tpi_get(pdb, &tpi, err);
	if (st == PS_OK)
		st = build_names(tpi, err);
	if (st != PS_OK)
		return st;
	found = find_name(tpi->by_name, tpi->by_name_count, name);
	if (!found)
		return ps_error_set(err, PS_ENOTFOUND, "%s: no type named %s", tpi->file, name);
	*id = found;
	return PS_OK;
}

/* ---- field lists --------------------------------------------------------- */

struct member_list {
	ps_type_member *v;
	size_t n, cap;
};

static ps_status add_member(struct member_list *m, const struct pdb_tpi *tpi, uint32_t id,
			    const char *name, uint64_t offset, ps_type_id type, ps_error *err)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		ps_type_member *v;
		if (m->n >= MAX_MEMBERS)
			return ps_error_set(err, PS_ENOMEM, "%s: type 0x%x has more than %u members",
					    tpi->file, id, MAX_MEMBERS);
		v = realloc(m->v, cap * sizeof *v);
		if (!v)
			return ps_error_set(err, PS_ENOMEM, "%s: no memory for the members of type 0x%x",
					    tpi->file, id);
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n++] = (ps_type_member){name, offset, type};
	return PS_OK;
}

/* Bytes of one field-list entry's fixed part after its u16 kind, and where
 * its name is (0 for none), for the kinds whose layout is fixed. */
struct field_shape {
	size_t fixed;     /* bytes before the first numeric leaf or name */
	int numerics;     /* numeric leaves that follow */
	int named;
};

static int field_shape(uint16_t kind, struct field_shape *s)
{
	switch (kind) {
	case LF_MEMBER:       *s = (struct field_shape){6, 1, 1}; return 1;
	case LF_ENUMERATE:    *s = (struct field_shape){2, 1, 1}; return 1;
	case LF_BCLASS:       *s = (struct field_shape){6, 1, 0}; return 1;
	case LF_VBCLASS:
	case LF_IVBCLASS:     *s = (struct field_shape){10, 2, 0}; return 1;
	case LF_INDEX:
	case LF_VFUNCTAB:
	case LF_FRIENDCLS:    *s = (struct field_shape){6, 0, 0}; return 1;
	case LF_VFUNCOFF:     *s = (struct field_shape){10, 0, 0}; return 1;
	case LF_FRIENDFCN:
	case LF_STMEMBER:
	case LF_METHOD:
	case LF_NESTTYPE:
	case LF_NESTTYPEEX:
	case LF_MEMBERMODIFY: *s = (struct field_shape){6, 0, 1}; return 1;
	default: return 0;
	}
}

/* Walk one LF_FIELDLIST record; *next gets its LF_INDEX continuation. */
static ps_status walk_fields(const struct pdb_tpi *tpi, uint32_t owner, uint32_t list,
			     const uint8_t *p, size_t len, struct member_list *m,
			     uint32_t *next, ps_error *err)
{
	size_t pos = 0;

	*next = 0;
	while (pos < len) {
		uint16_t kind;
		struct field_shape s;
		uint64_t value = 0;
		const char *name = NULL;
		size_t used, start = pos;

		/* LF_PAD0..LF_PAD15: 0xF0+n says skip n bytes (this one included)
		 * to the next 4-byte boundary. */
		if (p[pos] >= 0xF0) {
			size_t skip = p[pos] & 0x0F;
			pos += skip ? skip : 1;
			continue;
		}
		if (!ps_in_bounds(pos, 2, len))
			goto truncated;
		kind = ps_le16(p + pos);
		if (kind == LF_ONEMETHOD) {
			uint16_t attr;
			if (!ps_in_bounds(pos + 2, 6, len))
				goto truncated;
			attr = ps_le16(p + pos + 2);
			s.fixed = 6;
			/* Introducing virtual methods (mprop 4, 6) carry a vtable offset. */
			if (((attr >> 2) & 7) == 4 || ((attr >> 2) & 7) == 6)
				s.fixed += 4;
			s.numerics = 0;
			s.named = 1;
		} else if (!field_shape(kind, &s)) {
			return ps_error_set(err, PS_EFORMAT,
					    "%s: type 0x%x: field list 0x%x has unknown entry kind 0x%04x at byte 0x%zx",
					    tpi->file, owner, list, kind, pos);
		}
		pos += 2;
		if (!ps_in_bounds(pos, s.fixed, len))
			goto truncated;
		if (kind == LF_INDEX)
			*next = ps_le32(p + pos + 2);
		pos += s.fixed;
		for (int i = 0; i < s.numerics; i++) {
			uint64_t v;
			if (!pdb_leaf_numeric(p + pos, len - pos, &v, &used))
				return ps_error_set(err, PS_EFORMAT,
						    "%s: type 0x%x: field list 0x%x: bad numeric leaf at byte 0x%zx",
						    tpi->file, owner, list, pos);
			if (i == 0)
				value = v;
			pos += used;
		}
		if (s.named) {
			name = pdb_leaf_string(p + pos, len - pos, &used);
			if (!name)
				goto truncated;
			pos += used;
		}
		if (kind == LF_MEMBER || kind == LF_ENUMERATE) {
			ps_type_id type = kind == LF_MEMBER ? ps_le32(p + start + 4) : 0;
			ps_status st = add_member(m, tpi, owner, name, value, type, err);
			if (st != PS_OK)
				return st;
		}
	}
	return PS_OK;
truncated:
	return ps_error_set(err, PS_EFORMAT,
			    "%s: type 0x%x: field list 0x%x: entry at byte 0x%zx runs past the record (%zu bytes)",
			    tpi->file, owner, list, pos, len);
}

static ps_status collect_fields(struct pdb_tpi *tpi, uint32_t owner, uint32_t list,
				struct member_list *m, ps_error *err)
{
	uint32_t seen[MAX_FIELDLIST_HOPS];
	int hops = 0;

	while (list) {
		const uint8_t *p;
		uint16_t leaf;
		size_t len;
		uint32_t next;
		ps_status st;

		for (int i = 0; i < hops; i++)
			if (seen[i] == list)
				return ps_error_set(err, PS_EFORMAT,
						    "%s: type 0x%x: field list 0x%x is continued into itself (LF_INDEX loop)",
						    tpi->file, owner, list);
		if (hops == MAX_FIELDLIST_HOPS)
			return ps_error_set(err, PS_EFORMAT,
					    "%s: type 0x%x: field list continues through more than %d records",
					    tpi->file, owner, MAX_FIELDLIST_HOPS);
		seen[hops++] = list;
		st = pdb_tpi_record(tpi, list, &leaf, &p, &len, err);
		if (st != PS_OK)
			return st;
		if (leaf != LF_FIELDLIST)
			return ps_error_set(err, PS_EFORMAT,
					    "%s: type 0x%x: its field list 0x%x is a leaf 0x%04x record",
					    tpi->file, owner, list, leaf);
		st = walk_fields(tpi, owner, list, p, len, m, &next, err);
		if (st != PS_OK)
			return st;
		list = next;
	}
	return PS_OK;
}

ps_status ps_pdb_type_members(ps_pdb *pdb, ps_type_id id, ps_type_member **out, size_t *count,
			      ps_error *err)
{
	struct member_list m = {0};
	struct pdb_tpi *tpi;
	struct tag_info t;
	uint16_t leaf;
	uint32_t def;
	ps_status st;

	*out = NULL;
	*count = 0;
	if (id < PDB_TPI_FIRST_INDEX)
		return ps_error_set(err, PS_EARG, "%s: type 0x%x is a simple type, without members",
				    ps_pdb_name(pdb), id);
	st = pdb_tpi_get(pdb, &tpi, err);
	if (st == PS_OK)
		st = tag_definition(tpi, id, &leaf, &t, &def, err);
	if (st != PS_OK)
		return st;
	if (t.property & CV_PROP_FWDREF)
		return ps_error_set(err, PS_ENOTFOUND, "%s: type 0x%x (%s) is declared but never defined",
				    tpi->file, id, t.name);
	st = collect_fields(tpi, def, t.fields, &m, err);
	if (st != PS_OK) {
		free(m.v);
		return st;
	}
	*out = m.v;
	*count = m.n;
	return PS_OK;
}

ps_status ps_pdb_procedure_args(ps_pdb *pdb, ps_type_id proc, ps_type_id **out, size_t *count,
				ps_error *err)
{
	struct pdb_tpi *tpi;
	const uint8_t *p;
	uint16_t leaf;
	size_t len;
	ps_type t;
	ps_type_id *v;
	uint32_t n;
	ps_status st;

	*out = NULL;
	*count = 0;
	st = ps_pdb_type(pdb, proc, &t, err);
	if (st != PS_OK)
		return st;
	if (t.kind != PS_TYPE_PROCEDURE)
		return ps_error_set(err, PS_EARG, "%s: type 0x%x is not a procedure type",
				    ps_pdb_name(pdb), proc);
	st = pdb_tpi_get(pdb, &tpi, err);
	if (st == PS_OK)
		st = pdb_tpi_record(tpi, t.arglist, &leaf, &p, &len, err);
	if (st != PS_OK)
		return st;
	if (leaf != LF_ARGLIST || len < 4)
		return ps_error_set(err, PS_EFORMAT,
				    "%s: procedure type 0x%x: its argument list 0x%x is not an LF_ARGLIST record",
				    tpi->file, proc, t.arglist);
	n = ps_le32(p);
	if (n > (len - 4) / 4)
		return ps_error_set(err, PS_EFORMAT,
				    "%s: argument list 0x%x: %u entries in a %zu-byte record",
				    tpi->file, t.arglist, n, len);
	v = malloc((n ? n : 1) * sizeof *v);
	if (!v)
		return ps_error_set(err, PS_ENOMEM, "%s: no memory for %u arguments", tpi->file, n);
	for (uint32_t i = 0; i < n; i++)
		v[i] = ps_le32(p + 4 + 4 * (size_t)i);
	*out = v;
	*count = n;
	return PS_OK;
}
