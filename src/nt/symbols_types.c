/*
 * symbols_types.c - structure fields and type sizes, from the kernel's PDB
 * when it is loaded and defines the type, else from the built-in layouts
 * of the dump's build and architecture (src/sym/layouts_*.c).
 *
 * A field may be a path: "Pcb.DirectoryTableBase" walks into nested
 * structures, "ApcListHead[1].Flink" indexes an array. In a PDB, members
 * of anonymous unions and structures are usually listed in the enclosing
 * type already (MSVC and clang-cl flatten them); a member without a name
 * is looked through too.
 */
#include "nt/symbols_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "poolscope/layouts.h"

/* Nesting levels followed in one path or through anonymous members. */
#define MAX_PATH_DEPTH 16
#define MAX_COMPONENT 128

/* One path component: "ApcListHead[1]" -> name "ApcListHead", index 1. */
typedef struct component {
	char name[MAX_COMPONENT];
	int has_index;
	uint64_t index;
} component;

/* Split off the first component of `path`; returns the rest (after '.')
 * or NULL at the end; *ok = 0 on a malformed component. */
static const char *take_component(const char *path, component *c, int *ok)
{
	const char *dot = strchr(path, '.');
	size_t len = dot ? (size_t)(dot - path) : strlen(path);
	char *br;

	memset(c, 0, sizeof *c);
	*ok = len > 0 && len < sizeof c->name;
	if (!*ok)
		return NULL;
	memcpy(c->name, path, len);
	br = strchr(c->name, '[');
	if (br) {
		char *end;
		c->index = strtoull(br + 1, &end, 0);
		if (end == br + 1 || *end != ']' || end[1] != '\0')
			*ok = 0;
		*br = '\0';
		c->has_index = 1;
	}
	return dot ? dot + 1 : NULL;
}

/* ---- from a PDB --------------------------------------------------------- */

/* Strip const/volatile; bounded against modifier loops. */
static int pdb_resolve(ps_pdb *pdb, ps_type_id id, ps_type *t)
{
	ps_error err;

	for (int i = 0; i < MAX_PATH_DEPTH; i++) {
		if (ps_pdb_type(pdb, id, t, &err) != PS_OK)
			return 0;
		if (t->kind != PS_TYPE_MODIFIER)
			return 1;
		id = t->target;
	}
	return 0;
}

static int is_record(ps_type_kind k)
{
	return k == PS_TYPE_STRUCT || k == PS_TYPE_CLASS || k == PS_TYPE_UNION;
}

static int anonymous(const char *name)
{
	return !name || !*name || name[0] == '<' || strncmp(name, "__unnamed", 9) == 0;
}

/* Find member `name` in record `id` (looking through anonymous members);
 * *offset += its offset, *mtype = its type. */
static int pdb_member(ps_pdb *pdb, ps_type_id id, const char *name, uint64_t *offset,
		      ps_type_id *mtype, int depth)
{
	ps_type_member *m = NULL;
	size_t n = 0, hit = (size_t)-1;
	ps_error err;
	int found = 0;

	if (depth > MAX_PATH_DEPTH || ps_pdb_type_members(pdb, id, &m, &n, &err) != PS_OK)
		return 0;
	for (size_t i = 0; i < n && hit == (size_t)-1; i++)
		if (m[i].name && strcmp(m[i].name, name) == 0)
			hit = i;
	for (size_t i = 0; i < n && hit == (size_t)-1; i++)
		if (m[i].name && strcasecmp(m[i].name, name) == 0)
			hit = i;
	if (hit != (size_t)-1) {
		*offset += m[hit].offset;
		*mtype = m[hit].type;
		found = 1;
	}
	for (size_t i = 0; i < n && !found; i++) {
		ps_type t;
		uint64_t inner = 0;
		if (!anonymous(m[i].name) || !pdb_resolve(pdb, m[i].type, &t) || !is_record(t.kind))
			continue;
		if (pdb_member(pdb, t.id ? t.id : m[i].type, name, &inner, mtype, depth + 1)) {
			*offset += m[i].offset + inner;
			found = 1;
		}
	}
	free(m);
	return found;
}

static ps_status pdb_field(ps_pdb *pdb, ps_type_id id, const char *path, ps_field_info *out)
{
	uint64_t offset = 0;
	ps_type_id cur = id, mtype = 0;
	ps_type t;
	int depth = 0, ok;

	while (path) {
		component c;
		path = take_component(path, &c, &ok);
		if (!ok || ++depth > MAX_PATH_DEPTH)
			return PS_EARG;
		if (!pdb_resolve(pdb, cur, &t) || !is_record(t.kind))
			return PS_ENOTFOUND;
		if (!pdb_member(pdb, t.id ? t.id : cur, c.name, &offset, &mtype, 0))
			return PS_ENOTFOUND;
		if (c.has_index) {
			ps_type elem;
			if (!pdb_resolve(pdb, mtype, &t) || t.kind != PS_TYPE_ARRAY || c.index >= t.count ||
			    !pdb_resolve(pdb, t.target, &elem))
				return PS_ENOTFOUND;
			offset += c.index * elem.size;
			mtype = t.target;
		}
		cur = mtype;
	}
	if (!pdb_resolve(pdb, mtype, &t))
		return PS_ENOTFOUND;
	out->offset = offset;
	out->size = t.size;
	if (t.kind == PS_TYPE_BITFIELD) {
		ps_type base;
		out->bit_position = t.bit_position;
		out->bit_length = t.bit_length;
		if (pdb_resolve(pdb, t.target, &base))
			out->size = base.size;
	}
	if (ps_pdb_type_name(pdb, mtype, PS_TYPE_STYLE_DT, out->type_name, sizeof out->type_name) != PS_OK)
		out->type_name[0] = '\0';
	out->source = PS_SYMSRC_PDB;
	return PS_OK;
}

/* ---- from the built-in layouts ------------------------------------------ */

/* "[16] _LIST_ENTRY" -> 16 and "_LIST_ENTRY". */
static int array_type(const char *dt, uint64_t *count, const char **elem)
{
	char *end;

	if (dt[0] != '[')
		return 0;
	*count = strtoull(dt + 1, &end, 10);
	if (*end != ']' || end[1] != ' ' || *count == 0)
		return 0;
	*elem = end + 2;
	return 1;
}

static void builtin_out(ps_field_info *out, uint64_t offset, uint64_t size,
			const ps_layout_field *f, const char *type)
{
	memset(out, 0, sizeof *out);
	out->offset = offset;
	out->size = size;
	if (f) {
		out->bit_position = f->bit_position;
		out->bit_length = f->bit_length;
	}
	snprintf(out->type_name, sizeof out->type_name, "%s", type);
	out->source = PS_SYMSRC_BUILTIN;
}

static ps_status builtin_field(const ps_symbols *s, const ps_layout *l, const char *path,
			       ps_field_info *out)
{
	const ps_layout_field *f = ps_layout_field_named(l, path);
	uint64_t offset = 0, size = 0;
	const char *type = "";
	int depth = 0, ok;

	/* A layout may list a dotted member as it is ("Header.Type"). */
	if (f) {
		builtin_out(out, f->offset, f->size, f, f->dt_type);
		return PS_OK;
	}
	while (path) {
		component c;
		uint64_t count;
		const char *elem;
		if (++depth > MAX_PATH_DEPTH)
			return PS_ENOTFOUND;
		path = take_component(path, &c, &ok);
		if (!ok)
			return PS_EARG;
		f = ps_layout_field_named(l, c.name);
		if (!f)
			return PS_ENOTFOUND;
		offset += f->offset;
		size = f->size;
		type = f->dt_type;
		if (c.has_index) {
			if (!array_type(type, &count, &elem) || c.index >= count)
				return PS_ENOTFOUND;
			size /= count;
			offset += c.index * size;
			type = elem;
			f = NULL;
		}
		if (path) {
			l = type[0] == '_' ? ps_layout_find(s->build, s->arch, type) : NULL;
			if (!l)
				return PS_ENOTFOUND;
		}
	}
	builtin_out(out, offset, size, f, type);
	return PS_OK;
}

/* ---- the API ------------------------------------------------------------ */

/* The kernel PDB's definition of `type`, if there is one. */
static ps_pdb *kernel_type(ps_symbols *s, const char *type, ps_type_id *id)
{
	const ps_module *nt = symbols_nt(s);
	ps_pdb *pdb = nt ? ps_symbols_module_pdb(s, nt) : NULL;
	ps_error err;

	if (pdb && ps_pdb_type_named(pdb, type, id, &err) == PS_OK)
		return pdb;
	return NULL;
}

ps_status ps_symbols_field_info(ps_symbols *s, const char *type, const char *field,
				ps_field_info *out)
{
	ps_type_id id;
	ps_pdb *pdb;
	const ps_layout *l;

	memset(out, 0, sizeof *out);
	if (!type || !field || !*field)
		return PS_EARG;
	pdb = kernel_type(s, type, &id);
	if (pdb)
		return pdb_field(pdb, id, field, out);
	l = ps_layout_find(s->build, s->arch, type);
	if (!l)
		return PS_ENOTFOUND;
	return builtin_field(s, l, field, out);
}

ps_status ps_symbols_field(ps_symbols *s, const char *type, const char *field, uint64_t *offset,
			   ps_symbol_source *source)
{
	ps_field_info fi;
	ps_status st = ps_symbols_field_info(s, type, field, &fi);

	if (st == PS_OK) {
		*offset = fi.offset;
		if (source)
			*source = fi.source;
	}
	return st;
}

ps_status ps_symbols_type_size(ps_symbols *s, const char *type, uint64_t *size,
			       ps_symbol_source *source)
{
	ps_type_id id;
	ps_type t;
	ps_error err;
	ps_pdb *pdb = kernel_type(s, type, &id);
	const ps_layout *l;

	if (pdb) {
		if (ps_pdb_type(pdb, id, &t, &err) != PS_OK)
			return PS_ENOTFOUND;
		*size = t.size;
		if (source)
			*source = PS_SYMSRC_PDB;
		return PS_OK;
	}
	l = ps_layout_find(s->build, s->arch, type);
	if (!l || !l->size)
		return PS_ENOTFOUND;
	*size = l->size;
	if (source)
		*source = PS_SYMSRC_BUILTIN;
	return PS_OK;
}
