/*
 * pdb_type_name.c - a type's name as WinDbg writes it, in two styles.
 *
 * C style is what `ln` puts in its "Exact matches" prototype:
 *   nt!ExAllocatePoolWithTag (_POOL_TYPE, unsigned long, unsigned long)
 * tag names without "struct", C base type names ("unsigned __int64"),
 * pointers as "T *", function pointers as "<function> *".
 * dt style is what `dt` prints after a member's colon:
 *   Uint4B, Int8B, UChar, Wchar, Ptr64 Void, Ptr32 _LIST_ENTRY, [16] UChar,
 *   Pos 3, 4 Bits, and for a function pointer "Ptr64     long " (the
 *   return type in C style, four spaces before it and one after).
 * docs/pdb-types.md lists the spellings with the dt outputs they come from.
 *
 * Both walk type references; every walk is bounded by PDB_TPI_MAX_DEPTH.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sym/pdb_internal.h"
#include "sym/pdb_tpi.h"

struct namebuf {
	char *buf;
	size_t n, len;
	int overflow;
};

static void put(struct namebuf *b, const char *s)
{
	size_t k = strlen(s);

	if (b->len + k >= b->n) {
		k = b->n - 1 - b->len;
		b->overflow = 1;
	}
	memcpy(b->buf + b->len, s, k);
	b->len += k;
	b->buf[b->len] = '\0';
}

static void putf(struct namebuf *b, const char *fmt, uint64_t v)
{
	char tmp[32];

	snprintf(tmp, sizeof tmp, fmt, v);
	put(b, tmp);
}

static ps_status name_c(ps_pdb *pdb, ps_type_id id, struct namebuf *b, int depth);

/* "<base> [2][3]": C writes every dimension after the element type. */
static ps_status name_c_array(ps_pdb *pdb, const ps_type *t, struct namebuf *b, int depth)
{
	uint64_t dims[PDB_TPI_MAX_DEPTH];
	int n = 0;
	ps_type cur = *t;
	ps_status st;

	while (cur.kind == PS_TYPE_ARRAY && n < PDB_TPI_MAX_DEPTH) {
		dims[n++] = cur.count;
		st = pdb_type_at_depth(pdb, cur.target, &cur, depth + n, NULL);
		if (st != PS_OK)
			return st;
	}
	st = name_c(pdb, cur.id, b, depth + n);
	put(b, " ");
	for (int i = 0; i < n; i++)
		putf(b, "[%" PRIu64 "]", dims[i]);
	return st;
}

static ps_status name_c(ps_pdb *pdb, ps_type_id id, struct namebuf *b, int depth)
{
	ps_type t;
	ps_status st;

	if (depth > PDB_TPI_MAX_DEPTH) {
		put(b, "<cycle>");
		return PS_EFORMAT;
	}
	/* T_NOTYPE ends the argument list of a variadic function. */
	if (id == 0) {
		put(b, "...");
		return PS_OK;
	}
	if (id < PDB_TPI_FIRST_INDEX) {
		const struct pdb_simple *s = pdb_simple_type(id & 0xFF);
		if (!s) {
			putf(b, "<type 0x%" PRIx64 ">", id);
			return PS_EFORMAT;
		}
		put(b, s->c_name);
		if (id >> 8)
			put(b, " *");
		return PS_OK;
	}
	st = pdb_type_at_depth(pdb, id, &t, depth, NULL);
	if (st != PS_OK) {
		putf(b, "<type 0x%" PRIx64 ">", id);
		return st;
	}
	switch (t.kind) {
	case PS_TYPE_POINTER: {
		ps_type target;
		st = pdb_type_at_depth(pdb, t.target, &target, depth + 1, NULL);
		if (st == PS_OK && target.kind == PS_TYPE_PROCEDURE) {
			put(b, "<function> *");
			return PS_OK;
		}
		st = name_c(pdb, t.target, b, depth + 1);
		/* "void **", not "void * *". */
		put(b, b->len && b->buf[b->len - 1] == '*' ? "*" : " *");
		return st;
	}
	case PS_TYPE_MODIFIER:
		if (t.is_const)
			put(b, "const ");
		if (t.is_volatile)
			put(b, "volatile ");
		return name_c(pdb, t.target, b, depth + 1);
	case PS_TYPE_ARRAY:
		return name_c_array(pdb, &t, b, depth);
	case PS_TYPE_BITFIELD:
		return name_c(pdb, t.target, b, depth + 1);
	case PS_TYPE_STRUCT:
	case PS_TYPE_CLASS:
	case PS_TYPE_UNION:
	case PS_TYPE_ENUM:
		put(b, t.name);
		return PS_OK;
	case PS_TYPE_PROCEDURE:
		put(b, "<function>");
		return PS_OK;
	default:
		putf(b, "<type 0x%" PRIx64 ">", id);
		return PS_EUNSUPPORTED;
	}
}

static ps_status name_dt(ps_pdb *pdb, ps_type_id id, struct namebuf *b, int depth)
{
	ps_type t;
	ps_status st;

	if (depth > PDB_TPI_MAX_DEPTH) {
		put(b, "<cycle>");
		return PS_EFORMAT;
	}
	if (id < PDB_TPI_FIRST_INDEX) {
		const struct pdb_simple *s = pdb_simple_type(id & 0xFF);
		unsigned ptr = pdb_simple_pointer_size((id >> 8) & 0xF);
		if (!s || ((id >> 8) && !ptr)) {
			putf(b, "<type 0x%" PRIx64 ">", id);
			return PS_EFORMAT;
		}
		if (ptr)
			putf(b, "Ptr%" PRIu64 " ", (uint64_t)ptr * 8);
		put(b, s->dt_name);
		return PS_OK;
	}
	st = pdb_type_at_depth(pdb, id, &t, depth, NULL);
	if (st != PS_OK) {
		putf(b, "<type 0x%" PRIx64 ">", id);
		return st;
	}
	switch (t.kind) {
	case PS_TYPE_POINTER: {
		ps_type target;
		putf(b, "Ptr%" PRIu64 " ", t.size * 8);
		st = pdb_type_at_depth(pdb, t.target, &target, depth + 1, NULL);
		if (st == PS_OK && target.kind == PS_TYPE_PROCEDURE) {
			/* dt's function pointer: "Ptr64     void " */
			put(b, "    ");
			st = name_c(pdb, target.target, b, depth + 2);
			put(b, " ");
			return st;
		}
		return name_dt(pdb, t.target, b, depth + 1);
	}
	case PS_TYPE_MODIFIER:
	case PS_TYPE_BITFIELD:
		if (t.kind == PS_TYPE_BITFIELD) {
			putf(b, "Pos %" PRIu64 ", ", t.bit_position);
			putf(b, "%" PRIu64 " Bit", t.bit_length);
			put(b, t.bit_length == 1 ? "" : "s");
			return PS_OK;
		}
		return name_dt(pdb, t.target, b, depth + 1);
	case PS_TYPE_ARRAY:
		putf(b, "[%" PRIu64 "] ", t.count);
		return name_dt(pdb, t.target, b, depth + 1);
	case PS_TYPE_STRUCT:
	case PS_TYPE_CLASS:
	case PS_TYPE_UNION:
	case PS_TYPE_ENUM:
		put(b, t.name);
		return PS_OK;
	case PS_TYPE_PROCEDURE:
		put(b, "<function>");
		return PS_OK;
	default:
		putf(b, "<type 0x%" PRIx64 ">", id);
		return PS_EUNSUPPORTED;
	}
}

ps_status ps_pdb_type_name(ps_pdb *pdb, ps_type_id id, ps_type_style style, char *buf, size_t n)
{
	struct namebuf b = {buf, n, 0, 0};
	ps_status st;

	if (!buf || !n)
		return PS_EARG;
	buf[0] = '\0';
	st = style == PS_TYPE_STYLE_DT ? name_dt(pdb, id, &b, 0) : name_c(pdb, id, &b, 0);
	if (st == PS_OK && b.overflow)
		st = PS_ENOMEM;
	return st;
}
